from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "soutien.evaluation"
    label = "evaluation"
    verbose_name = "Évaluation"
