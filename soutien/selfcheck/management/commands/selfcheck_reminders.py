from django.core.management.base import BaseCommand

from soutien.selfcheck.reminders import send_yearly_reminders


class Command(BaseCommand):
    help = "Invite les gestionnaires à refaire l'auto-diagnostic un an après le dernier."

    def handle(self, *args, **options):
        count = send_yearly_reminders()
        self.stdout.write(self.style.SUCCESS(f"Centres relancés : {count}."))
