from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from soutien.security.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde : remplace TOUTES les données et les fichiers privés "
        "par ceux de l'archive, après son authentification (clé SOUTIEN_BACKUP_KEY) et la "
        "vérification des empreintes."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Sauvegarde produite par « manage.py backup ».")
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="Ne pas demander."
        )

    def handle(self, *args, path, interactive=True, **options):
        if interactive:
            answer = input(
                "Toutes les données actuelles seront remplacées par celles de la sauvegarde. "
                "Tapez « oui » pour continuer : "
            )
            if answer.strip().lower() != "oui":
                raise CommandError("Restauration annulée.")
        try:
            manifest = backup_restore(path=Path(path))
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Sauvegarde du {manifest['created_at']} restaurée : {rows} lignes, "
                f"{len(manifest['files'])} fichiers, authentifiée, empreintes vérifiées."
            )
        )
