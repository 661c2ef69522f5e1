from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "soutien.content"
    label = "content"
    verbose_name = "Contenus du site public"
