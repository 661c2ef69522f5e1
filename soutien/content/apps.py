from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "soutien.content"
    label = "content"
    verbose_name = "Contenus du site public"

    def ready(self):
        from soutien.content import checks  # noqa: F401 - registers the deployment checks
