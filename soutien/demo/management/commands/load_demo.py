from django.core.management.base import BaseCommand, CommandError

from soutien.core.outbox import outbox_suppressed
from soutien.demo.cases import load_demo_cases
from soutien.directory.demo import DemoRefused, demo_accounts, load_demo_data
from soutien.directory.reference import load_reference_data


class Command(BaseCommand):
    help = "Charge les données de démonstration fictives (uniquement avec DEBUG activé)."

    def handle(self, *args, **options):
        # Loading goes through the services but sends nothing: no email is queued.
        try:
            with outbox_suppressed():
                load_reference_data()
                load_demo_data()
                cases = load_demo_cases()
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("Données de démonstration (fictives) chargées."))
        if cases:
            self.stdout.write(f"{cases} dossiers fictifs créés.")
        self.stdout.write("\nComptes de démonstration (mot de passe : soutien-demo) :")
        for account in demo_accounts():
            self.stdout.write(f"  {account.email:<32} {account.description}")
