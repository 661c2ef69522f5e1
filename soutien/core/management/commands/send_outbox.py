from django.core.management.base import BaseCommand

from soutien.core.outbox import outbox_flush


class Command(BaseCommand):
    help = "Envoie les courriels en attente (et retente ceux qui ont échoué)."

    def handle(self, *args, **options):
        sent, failed = outbox_flush()
        self.stdout.write(f"{sent} courriel(s) envoyé(s), {failed} en échec (seront retentés).")
