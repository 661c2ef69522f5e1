from django.core.management.base import BaseCommand, CommandError

from soutien.security.retention import retention_run


class Command(BaseCommand):
    help = (
        "Applique les durées de conservation : anonymisation des dossiers clos "
        "(SOUTIEN_CASE_RETENTION_DAYS), purge du journal des téléchargements et du journal "
        "d'audit (SOUTIEN_AUDIT_RETENTION_DAYS), suppression des demandes de compte refusées "
        "(six mois), des courriels envoyés (SOUTIEN_OUTBOX_RETENTION_DAYS), des sessions "
        "expirées et des fichiers qu'aucune pièce jointe ne référence plus. Chaque étape est "
        "menée même si une autre échoue. À lancer chaque jour."
    )

    def handle(self, *args, **options):
        results = retention_run()
        failed = [result for result in results if not result.ok]
        for result in results:
            if result.ok:
                self.stdout.write(result.message)
            else:
                self.stderr.write(result.message)
        if failed:
            names = ", ".join(f"« {result.step.name} »" for result in failed)
            raise CommandError(f"Conservation des données incomplète : échec de {names}.")
