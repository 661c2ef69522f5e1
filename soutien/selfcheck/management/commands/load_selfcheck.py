from django.core.management.base import BaseCommand

from soutien.directory.reference import load_reference_data
from soutien.selfcheck.defaults import load_selfcheck_defaults


class Command(BaseCommand):
    help = "Charge les questions et les seuils par défaut de l'auto-diagnostic."

    def handle(self, *args, **options):
        load_reference_data()
        load_selfcheck_defaults()
        self.stdout.write(self.style.SUCCESS("Auto-diagnostic à jour."))
