from django.core.management.base import BaseCommand, CommandError

from soutien.audit.selectors import audit_chain_check


class Command(BaseCommand):
    help = "Vérifie la chaîne d'empreintes du journal d'audit (code de sortie non nul si rompue)."

    def handle(self, *args, **options):
        report = audit_chain_check()
        if not report.ok:
            where = (
                f"à l'entrée n° {report.broken_entry_id}"
                if report.broken_entry_id is not None
                else "en fin de journal"
            )
            raise CommandError(
                f"Journal d'audit altéré {where} : {report.reason} "
                f"({report.checked} entrées vérifiées avant)."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Journal d'audit intègre : {report.checked} entrées vérifiées.")
        )
