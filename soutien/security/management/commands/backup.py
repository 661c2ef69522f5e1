from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from soutien.security.backup import BackupError, backup_create, default_backup_name


class Command(BaseCommand):
    help = "Sauvegarde cohérente de la base de données et des fichiers privés (.tar.gz)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Fichier .tar.gz à écrire.")

    def handle(self, *args, path=None, **options):
        target = Path(path or default_backup_name())
        try:
            manifest = backup_create(path=target)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Sauvegarde écrite dans {target} : {rows} lignes, "
                f"{len(manifest['files'])} fichiers."
            )
        )
