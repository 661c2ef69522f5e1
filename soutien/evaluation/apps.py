from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "soutien.evaluation"
    label = "evaluation"
    verbose_name = "Évaluation"

    def ready(self):
        from soutien.evaluation import receivers  # noqa: F401 (connects the signals)
