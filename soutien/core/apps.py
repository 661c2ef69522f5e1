from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "soutien.core"
    label = "core"
    verbose_name = "Socle"
