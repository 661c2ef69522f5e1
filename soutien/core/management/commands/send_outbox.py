from django.core.management.base import BaseCommand

from soutien.core.outbox import outbox_flush


class Command(BaseCommand):
    help = (
        "Envoie tout de suite les courriels en attente dont l'heure est venue. Le travailleur "
        "de tâches (db_worker) les envoie et les retente déjà seul ; cette commande sert "
        "après une panne, ou avec le moteur de tâches immédiat (développement)."
    )

    def handle(self, *args, **options):
        sent, failed = outbox_flush()
        self.stdout.write(f"{sent} courriel(s) envoyé(s), {failed} en échec (seront retentés).")
