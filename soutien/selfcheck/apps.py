from django.apps import AppConfig


class SelfcheckConfig(AppConfig):
    name = "soutien.selfcheck"
    label = "selfcheck"
    verbose_name = "Auto-diagnostic"
