"""Build cases at any stage by driving the real services (not by writing rows).

Needs the reference data (fixture `reference`). `Cast` holds one person per role
around a centre; `case_at(stage)` walks the workflow up to that stage.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from soutien.cases import services
from soutien.cases.enums import ClosureOutcome, DecisionOutcome, OpinionValue, Stage
from soutien.cases.models import Case
from soutien.directory.models import (
    Commune,
    Domain,
    Organisation,
    OrganisationKind,
    Role,
    WarningSign,
)
from tests.factories import MembershipFactory, OrganisationFactory, SocialCentreFactory


@dataclass
class Cast:
    centre: object
    association: object
    board_member: object
    staff: object
    coordinator: object
    partner_state: object
    partner_commune: object
    partner_other_commune: object
    consultant: object
    other_consultant: object
    evaluator: object
    outsider: object


def make_cast(*, commune_code="13055", federation=False) -> Cast:
    """A centre in a signatory commune and one user for every role around it."""
    commune = Commune.objects.get(insee_code=commune_code)
    if federation:
        manager = OrganisationFactory(federation=True)
    else:
        manager = OrganisationFactory(kind=OrganisationKind.ASSOCIATION)
    centre = SocialCentreFactory(commune=commune, manager=manager)
    caf = Organisation.objects.get(kind=OrganisationKind.COORDINATOR)
    state = Organisation.objects.get(funder_level="state")
    city = Organisation.objects.get(funder_level="commune", commune=commune)
    other_city = (
        Organisation.objects.filter(funder_level="commune").exclude(commune=commune).first()
    )
    provider = Organisation.objects.get(kind=OrganisationKind.PROVIDER)
    evaluation = Organisation.objects.get(kind=OrganisationKind.EVALUATION)
    manager_role = Role.FEDERATION_STAFF if federation else Role.BOARD_MEMBER
    return Cast(
        centre=centre,
        association=manager,
        board_member=MembershipFactory(organisation=manager, role=manager_role).user,
        staff=MembershipFactory(organisation=manager, role=Role.STAFF).user,
        coordinator=MembershipFactory(organisation=caf, role=Role.COORDINATOR).user,
        partner_state=MembershipFactory(organisation=state, role=Role.PARTNER).user,
        partner_commune=MembershipFactory(organisation=city, role=Role.PARTNER).user,
        partner_other_commune=MembershipFactory(organisation=other_city, role=Role.PARTNER).user,
        consultant=MembershipFactory(organisation=provider, role=Role.CONSULTANT).user,
        other_consultant=MembershipFactory(organisation=provider, role=Role.CONSULTANT).user,
        evaluator=MembershipFactory(organisation=evaluation, role=Role.EVALUATOR).user,
        outsider=MembershipFactory(role=Role.BOARD_MEMBER).user,
    )


def fill_form(case: Case, by) -> Case:
    """Fill every field needed for submission."""
    return services.information_form_save(
        case=case,
        by=by,
        fields={
            "requester_name": "Monique Blanc",
            "requester_function": "Présidente",
            "requester_phone": "04 91 00 00 00",
            "requester_email": "presidente@centre.test",
            "description": "La trésorerie couvre moins de deux mois de charges.",
            "previous_attempts": "Mission d'appui comptable en 2012.",
            "expectations": "Un regard extérieur sur notre modèle économique.",
            "availability": "Les mardis et jeudis.",
            "confidentiality_ack": True,
            "cooperation_ack": True,
        },
        situation="preventive",
        warning_signs=list(WarningSign.objects.filter(code="tresorerie-faible")),
        domains=list(Domain.objects.filter(code="gestion-financiere")),
        version=None,
    )


STAGE_ORDER = [
    Stage.DRAFT,
    Stage.SUBMITTED,
    Stage.REFERRAL,
    Stage.DIAGNOSTIC,
    Stage.REPORT_REVIEW,
    Stage.RESTITUTION,
    Stage.SUPPORT,
    Stage.CLOSED,
]


def case_at(
    stage: str, cast: Cast | None = None, *, draft: Case | None = None
) -> tuple[Case, Cast]:
    """A case brought to `stage` through the services, with its cast; from `draft` when
    given (a draft of the cast's centre, to which the test has already added things)."""
    cast = cast or make_cast()
    case = draft or services.case_create_draft(centre=cast.centre, by=cast.board_member)
    if stage == Stage.DRAFT:
        return case, cast
    fill_form(case, cast.board_member)
    services.case_submit(case=case, by=cast.board_member)
    if stage == Stage.SUBMITTED:
        return case, cast
    if stage == Stage.RETURNED:
        services.case_return_for_completion(case=case, by=cast.coordinator, message="Précisez.")
        return case, cast
    services.case_open_referral(case=case, by=cast.coordinator)
    if stage == Stage.REFERRAL:
        return case, cast
    if stage in (Stage.REFUSED, Stage.CLOSED_WITHOUT_FOLLOW_UP):
        outcome = {
            Stage.REFUSED: DecisionOutcome.REFUSED,
            Stage.CLOSED_WITHOUT_FOLLOW_UP: DecisionOutcome.CLOSED_WITHOUT_FOLLOW_UP,
        }[stage]
        services.case_decide(
            case=case,
            by=cast.coordinator,
            outcome=outcome,
            grounds="Hors du champ de la mission.",
            justification="Décidé en comité des financeurs.",
        )
        return case, cast
    services.opinion_give(case=case, by=cast.partner_state, value=OpinionValue.FAVOURABLE)
    services.case_decide(
        case=case,
        by=cast.coordinator,
        outcome=DecisionOutcome.VALIDATED,
        justification="Décidé en comité des financeurs.",
    )
    services.consultant_assign(case=case, by=cast.consultant, consultant=cast.consultant)
    if stage == Stage.DIAGNOSTIC:
        return case, cast
    services.report_save(
        case=case,
        by=cast.consultant,
        context="Trois entretiens et une visite.",
        analysis="Le modèle économique repose sur une seule subvention.",
        recommendations="Diversifier les financements ; former le trésorier.",
        summary="Situation tendue mais maîtrisable.",
    )
    services.report_submit(case=case, by=cast.consultant)
    if stage == Stage.REPORT_REVIEW:
        return case, cast
    services.report_validate(case=case, by=cast.board_member)
    if stage == Stage.RESTITUTION:
        return case, cast
    services.restitution_record(
        case=case,
        by=cast.consultant,
        starts_at=timezone.now() - dt.timedelta(days=1),
        place="Centre social",
        attendees_text="La présidente, la trésorière, le directeur",
        summary="Le diagnostic a été présenté et discuté.",
    )
    if stage == Stage.SUPPORT:
        return case, cast
    services.case_close(case=case, by=cast.coordinator, outcome=ClosureOutcome.IMPROVED)
    return case, cast


# The recommendations of the report written by `case_with_recommendations`, by default.
RECOMMENDATIONS = (
    ("gestion-financiere", "haute", "Construire un plan de trésorerie sur douze mois"),
    ("gouvernance", "moyenne", "Former les administrateurs à la lecture des comptes"),
    ("gestion-financiere", "basse", "Diversifier les financements"),
)


def case_with_recommendations(
    stage: str = Stage.SUPPORT, recommendations=RECOMMENDATIONS, cast: Cast | None = None
) -> tuple[Case, Cast]:
    """A case whose report carries structured recommendations (field code, priority,
    text), brought through validation to `stage` (report_review, restitution, support)."""
    case, cast = case_at(Stage.DIAGNOSTIC, cast)
    domains = {d.code: d for d in Domain.objects.all()}
    services.report_save(
        case=case,
        by=cast.consultant,
        context="Trois entretiens et une visite.",
        analysis="Le modèle économique repose sur une seule subvention.",
        summary="Situation tendue mais maîtrisable.",
        recommendation_items=[
            {"domain": domains[code], "priority": priority, "text": text}
            for code, priority, text in recommendations
        ],
    )
    services.report_submit(case=case, by=cast.consultant)
    if stage == Stage.REPORT_REVIEW:
        return case, cast
    services.report_validate(case=case, by=cast.board_member)
    if stage == Stage.RESTITUTION:
        return case, cast
    services.restitution_record(
        case=case,
        by=cast.consultant,
        starts_at=timezone.now() - dt.timedelta(days=1),
        place="Centre social",
        attendees_text="La présidente, la trésorière, le directeur",
        summary="Le diagnostic a été présenté et discuté.",
    )
    return case, cast
