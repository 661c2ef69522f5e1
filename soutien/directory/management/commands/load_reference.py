from django.core.management.base import BaseCommand

from soutien.directory.reference import load_reference_data


class Command(BaseCommand):
    help = "Charge les données de référence (communes, partenaires, champs, signes d'alerte)."

    def handle(self, *args, **options):
        load_reference_data()
        self.stdout.write(self.style.SUCCESS("Données de référence à jour."))
