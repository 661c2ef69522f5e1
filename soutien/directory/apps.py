from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "soutien.directory"
    label = "directory"
    verbose_name = "Annuaire"
