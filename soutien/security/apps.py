from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "soutien.security"
    label = "security"
    verbose_name = "Sécurité"
