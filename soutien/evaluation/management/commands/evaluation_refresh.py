"""Compute again the evaluation's facts of every case, then the published grid."""

from django.core.management.base import BaseCommand

from soutien.evaluation.facts import rebuild
from soutien.evaluation.publication import compute_grid


class Command(BaseCommand):
    help = (
        "Recalcule les faits de tous les dossiers pour l'évaluation, puis la grille publiée "
        "(après load_demo, une génération de données de charge ou une mise à jour en masse)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--facts-only", action="store_true", help="Ne pas recalculer la grille publiée."
        )

    def handle(self, *args, facts_only=False, **options):
        cases = rebuild()
        self.stdout.write(f"Faits recalculés : {cases} dossiers.")
        if not facts_only:
            stored = compute_grid()
            self.stdout.write(
                f"Grille publiée : version {stored.facts_version}, "
                f"calculée en {stored.computed_in_ms} ms."
            )
