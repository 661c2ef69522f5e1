"""Who may see which evaluation figures. The only place where such decisions are made.

The evaluation of the programme shows aggregates, never a centre: the coordination (Caf)
sees everything; the evaluation body and the funding partners see aggregates only, with
small numbers masked; a commune partner sees its own territory plus department totals.
"""

from dataclasses import dataclass

from django.db.models import Q

from soutien.cases.policies import actor_for
from soutien.directory.models import FunderLevel, Organisation

# No group of fewer cases than this is published to non-coordinators (soutien.evaluation.grid).
SMALL_NUMBER_THRESHOLD = 3


@dataclass(frozen=True)
class Territory:
    """What part of the department a user's figures cover.

    ``commune_ids`` is None for the whole department; otherwise the municipalities
    (communes; their arrondissements are included through ``Commune.parent``).
    """

    commune_ids: frozenset[int] | None
    label: str

    @property
    def is_department(self) -> bool:
        return self.commune_ids is None

    def case_filter(self, prefix: str = "") -> Q:
        """A filter on cases (or centres with ``prefix=""`` relative to a centre)."""
        if self.commune_ids is None:
            return Q()
        return Q(**{f"{prefix}commune_id__in": self.commune_ids}) | Q(
            **{f"{prefix}commune__parent_id__in": self.commune_ids}
        )

    def includes_commune(self, commune) -> bool:
        if self.commune_ids is None:
            return True
        return commune.pk in self.commune_ids or commune.parent_id in self.commune_ids


DEPARTMENT = Territory(commune_ids=None, label="Département des Bouches-du-Rhône")


def can_view_evaluation(user) -> bool:
    """L'évaluation du dispositif est consultée par la coordination (Caf), l'instance
    d'évaluation et les partenaires financeurs. Les autres (administrateurs, salariés,
    fédérations, prestataire) n'y ont pas accès."""
    actor = actor_for(user)
    return bool(actor.coordinator or actor.evaluator or actor.partner_orgs)


def can_view_unmasked(user) -> bool:
    """Seule la coordination voit les chiffres exacts ; l'instance d'évaluation et les
    partenaires ne voient que les chiffres de la grille publiée, où aucun groupe de moins
    de 3 dossiers ne peut être retrouvé (les autres sont affichés « masqué »)."""
    return actor_for(user).coordinator


def can_choose_free_period(user) -> bool:
    """Seule la coordination choisit une période libre (du … au …) ; les autres choisissent
    parmi les périodes publiées (toutes les années, ou une année entière), pour que les
    chiffres masqués ne se retrouvent pas en comparant des périodes voisines."""
    return actor_for(user).coordinator


def can_view_centres_on_map(user) -> bool:
    """Seule la coordination voit chaque centre sur la carte, avec l'étape de son dossier ;
    les autres ne voient que des nombres de dossiers par commune."""
    return actor_for(user).coordinator


def can_export_case_dataset(user) -> bool:
    """Le jeu de données pseudonymisé (une ligne par dossier) n'est remis qu'à la
    coordination : l'instance d'évaluation et les partenaires ne voient que des agrégats."""
    return actor_for(user).coordinator


def territory_of(user) -> Territory:
    """The territory the user's figures cover: the whole department for the coordination,
    the evaluation body and the institutional partners (State, Region, Department, Caf);
    their commune (and its arrondissements) for a partner commune."""
    actor = actor_for(user)
    if actor.coordinator or actor.evaluator or not actor.partner_orgs:
        return DEPARTMENT
    partners = list(
        Organisation.objects.filter(pk__in=actor.partner_orgs).values_list(
            "funder_level", "commune_id", "commune__name"
        )
    )
    if any(level != FunderLevel.COMMUNE for level, _, _ in partners):
        return DEPARTMENT
    communes = {commune_id: name for _, commune_id, name in partners if commune_id}
    if not communes:
        return DEPARTMENT
    return Territory(commune_ids=frozenset(communes), label=", ".join(sorted(communes.values())))


def sees_department_totals_beside(user) -> bool:
    """A partner commune sees the figures of its territory and, beside them, the totals
    of the department (masked the same way)."""
    return not territory_of(user).is_department


def must_mask(user) -> bool:
    """Les chiffres sont masqués pour toute personne qui n'est pas la coordination."""
    return not can_view_unmasked(user)
