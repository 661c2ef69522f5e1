from django.core.management.base import BaseCommand

from soutien.security.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Applique les durées de conservation : purge du journal d'audit "
        "(SOUTIEN_AUDIT_RETENTION_DAYS), anonymisation des dossiers clos "
        "(SOUTIEN_CASE_RETENTION_DAYS), suppression des demandes de compte refusées (six mois) "
        "et des courriels envoyés (SOUTIEN_OUTBOX_RETENTION_DAYS), fichiers qu'aucune pièce "
        "jointe ne référence plus. À lancer chaque jour."
    )

    def handle(self, *args, **options):
        result = retention_apply()
        self.stdout.write(
            f"Journal d'audit : {result['audit_entries_deleted']} entrée(s) purgée(s)."
        )
        self.stdout.write(f"Dossiers clos anonymisés : {result['cases_anonymised']}.")
        self.stdout.write(
            f"Demandes de compte refusées supprimées : {result['refused_requests_deleted']}."
        )
        self.stdout.write(f"Courriels envoyés supprimés : {result['sent_emails_deleted']}.")
        self.stdout.write(
            f"Fichiers sans pièce jointe supprimés : {result['orphan_files_deleted']}."
        )
