from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from soutien.cases.workflow import markdown

DEFAULT_PATH = Path(settings.BASE_DIR) / "docs" / "workflow.md"


class Command(BaseCommand):
    requires_system_checks = []  # reads only the table: no database needed
    help = (
        "Réécrit docs/workflow.md à partir de la table des transitions "
        "(soutien/cases/workflow.py). Avec --check : dit seulement s'il est à jour."
    )

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(DEFAULT_PATH), help="Fichier à écrire.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Ne rien écrire ; échouer si le fichier n'est pas à jour.",
        )

    def handle(self, *args, path, check=False, **options):
        target = Path(path)
        text = markdown()
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if check:
            if current != text:
                raise CommandError(
                    f"{target} n'est pas à jour : lancez « manage.py workflow_doc »."
                )
            self.stdout.write(f"{target} est à jour.")
            return
        target.write_text(text, encoding="utf-8")
        self.stdout.write(f"{target} réécrit à partir de la table des transitions.")
