from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "soutien.meetings"
    label = "meetings"
    verbose_name = "Réunions"
