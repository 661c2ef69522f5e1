from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "soutien.accounts"
    label = "accounts"
    verbose_name = "Comptes"
