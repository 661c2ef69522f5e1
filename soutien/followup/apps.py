from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "soutien.followup"
    label = "followup"
    verbose_name = "Suivi après la clôture et lettres de décision"
