from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "soutien.documents"
    label = "documents"
    verbose_name = "Documents"
