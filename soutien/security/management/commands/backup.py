from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from soutien.security.backup import BackupError, backup_create, default_backup_name, new_key


class Command(BaseCommand):
    help = (
        "Sauvegarde cohérente de la base de données et des fichiers privés, chiffrée et "
        "authentifiée avec la clé SOUTIEN_BACKUP_KEY (voir docs/sauvegardes.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Fichier à écrire (.tar.gz.enc).")
        parser.add_argument(
            "--new-key",
            action="store_true",
            help="Afficher une nouvelle clé de sauvegarde (pour SOUTIEN_BACKUP_KEY) et s'arrêter.",
        )

    def handle(self, *args, path=None, **options):
        if options["new_key"]:
            self.stdout.write(new_key())
            return
        target = Path(path or default_backup_name())
        try:
            manifest = backup_create(path=target)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Sauvegarde chiffrée écrite dans {target} : {rows} lignes, "
                f"{len(manifest['files'])} fichiers."
            )
        )
