from django.core.management.base import BaseCommand

from soutien.cases.tasks import run_daily, schedule_daily


class Command(BaseCommand):
    help = (
        "Envoie les rappels, les alertes de retard et les récapitulatifs quotidiens du jour "
        "(sans rien envoyer deux fois le même jour). Avec --schedule : programme seulement "
        "l'envoi quotidien (chaque matin à 7 h) que fait le travailleur de tâches (db_worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Programmer l'envoi quotidien par le travailleur de tâches, sans rien envoyer.",
        )

    def handle(self, *args, schedule=False, **options):
        if schedule:
            at = schedule_daily(catch_up=True)
            if at is None:
                self.stdout.write("Envoi quotidien déjà programmé (ou moteur de tâches immédiat).")
            else:
                self.stdout.write(f"Envoi quotidien programmé le {at:%d/%m/%Y à %H:%M}.")
            return
        done = run_daily()
        self.stdout.write(
            f"{done['reminders']} rappel(s), {done['escalations']} alerte(s) à la coordination, "
            f"{done['emails']} courriel(s) de rappel, {done['digests']} récapitulatif(s)."
        )
