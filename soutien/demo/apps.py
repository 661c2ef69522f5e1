from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "soutien.demo"
    label = "demo"
    verbose_name = "Données de démonstration"
