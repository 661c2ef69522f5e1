from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "soutien.cases"
    label = "cases"
    verbose_name = "Dossiers"
