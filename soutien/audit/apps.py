from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "soutien.audit"
    label = "audit"
    verbose_name = "Journal d’audit"
