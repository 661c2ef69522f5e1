"""A small hand-built dataset whose every indicator is worked out by hand in the tests.

Cases are written directly (with explicit dates, in UTC to keep whole days) rather than
walked through the services: the evaluation needs exact dates. See test_indicators.py for
the expected figures.
"""

import datetime as dt
from dataclasses import dataclass

from soutien.cases.enums import ClosureOutcome, DecisionOutcome, Situation, Stage
from soutien.cases.models import Case, Decision, InformationForm, Satisfaction
from soutien.directory.models import Commune, Domain, Organisation, OrganisationKind, Role
from tests.factories import (
    CommuneFactory,
    MembershipFactory,
    OrganisationFactory,
    SocialCentreFactory,
)

UTC = dt.UTC
# "Now" for the figures « à ce jour ».
NOW = dt.datetime(2024, 6, 1, 10, tzinfo=UTC)


def day(y, m, d):
    return dt.datetime(y, m, d, 10, tzinfo=UTC)


@dataclass
class Dataset:
    cases: dict
    marseille: Commune
    aix: Commune
    federation: Organisation
    coordinator: object
    evaluator: object
    partner_state: object
    partner_marseille: object
    partner_aix: object
    board_member: object
    consultant: object


def build_dataset() -> Dataset:
    marseille = Commune.objects.get(insee_code="13055")
    aix = Commune.objects.get(insee_code="13001")
    first_arrondissement = CommuneFactory(
        insee_code="13201", name="Marseille 1er arrondissement", parent=marseille
    )
    federation = OrganisationFactory(federation=True)
    provider = Organisation.objects.get(kind=OrganisationKind.PROVIDER)
    a1 = SocialCentreFactory(commune=marseille, name="Centre A1")
    a2 = SocialCentreFactory(commune=aix, name="Centre A2")
    a3 = SocialCentreFactory(commune=marseille, name="Centre A3")
    f1 = SocialCentreFactory(commune=first_arrondissement, manager=federation, name="Centre F1")
    domains = {d.code: d for d in Domain.objects.all()}
    serial = iter(range(1, 100))

    def case(
        centre, situation, stage, *, decision=None, domain_codes=(), satisfaction=None, **dates
    ):
        needs_provider = stage in (
            Stage.DIAGNOSTIC,
            Stage.REPORT_REVIEW,
            Stage.RESTITUTION,
            Stage.SUPPORT,
            Stage.CLOSED,
        )
        number = f"MSTR-T-{next(serial):04d}" if stage != Stage.DRAFT else None
        created = Case.objects.create(
            number=number,
            centre=centre,
            manager=centre.manager,
            stage=stage,
            situation=situation,
            provider=provider if needs_provider else None,
            **dates,
        )
        form = InformationForm.objects.create(
            case=created,
            requester_name="Nom à ne jamais exporter",
            description="Texte libre à ne jamais exporter",
        )
        form.domains.set([domains[code] for code in domain_codes])
        if decision:
            Decision.objects.create(
                case=created,
                outcome=decision,
                grounds="Motif" if decision == DecisionOutcome.REFUSED else "",
                decided_at=dates["decided_at"],
            )
        if satisfaction:
            usefulness, listening, ownership, recommend = satisfaction
            Satisfaction.objects.create(
                case=created,
                usefulness=usefulness,
                listening=listening,
                ownership=ownership,
                would_recommend=recommend,
                comment="Commentaire libre à ne jamais exporter",
            )
        return created

    cases = {
        "c1": case(
            a1,
            Situation.PREVENTIVE,
            Stage.CLOSED,
            decision=DecisionOutcome.VALIDATED,
            domain_codes=["gestion-financiere", "gouvernance"],
            satisfaction=(5, 4, 4, True),
            submitted_at=day(2023, 1, 10),
            decided_at=day(2023, 1, 30),
            first_report_at=day(2023, 3, 1),
            report_submitted_at=day(2023, 3, 1),
            report_validated_at=day(2023, 3, 11),
            restitution_at=day(2023, 3, 31),
            closed_at=day(2023, 6, 1),
            closure_outcome=ClosureOutcome.IMPROVED,
        ),
        "c2": case(
            f1,
            Situation.CRISIS,
            Stage.CLOSED,
            decision=DecisionOutcome.VALIDATED,
            domain_codes=["ressources-humaines"],
            satisfaction=(3, 4, 2, False),
            submitted_at=day(2023, 2, 1),
            decided_at=day(2023, 3, 13),
            first_report_at=day(2023, 4, 12),
            report_submitted_at=day(2023, 4, 12),
            report_validated_at=day(2023, 5, 2),
            restitution_at=day(2023, 5, 12),
            closed_at=day(2023, 9, 1),
            closure_outcome=ClosureOutcome.STABILISED,
        ),
        "c3": case(
            a2,
            Situation.PREVENTIVE,
            Stage.REFUSED,
            decision=DecisionOutcome.REFUSED,
            domain_codes=["gestion-financiere"],
            submitted_at=day(2023, 3, 1),
            decided_at=day(2023, 3, 11),
        ),
        "c4": case(
            a1,
            Situation.PREVENTIVE,
            Stage.REPORT_REVIEW,
            decision=DecisionOutcome.VALIDATED,
            domain_codes=["gestion-financiere"],
            submitted_at=day(2023, 5, 1),
            decided_at=day(2023, 6, 20),
            first_report_at=day(2023, 8, 19),
            report_submitted_at=day(2023, 8, 19),
        ),
        "c5": case(
            a3,
            Situation.PREVENTIVE,
            Stage.SUPPORT,
            decision=DecisionOutcome.VALIDATED,
            domain_codes=["gouvernance"],
            submitted_at=day(2024, 1, 15),
            decided_at=day(2024, 2, 14),
            first_report_at=day(2024, 3, 15),
            report_submitted_at=day(2024, 3, 15),
            report_validated_at=day(2024, 3, 25),
            restitution_at=day(2024, 4, 14),
        ),
        "c6": case(a2, Situation.CRISIS, Stage.REFERRAL, submitted_at=day(2024, 2, 1)),
        "c7": case(
            a2, Situation.PREVENTIVE, Stage.CLOSED_WITHOUT_FOLLOW_UP, submitted_at=day(2024, 3, 1)
        ),
        "c8": case(f1, Situation.PREVENTIVE, Stage.SUBMITTED, submitted_at=day(2024, 4, 1)),
        "draft": case(a3, Situation.CRISIS, Stage.DRAFT),
    }
    caf = Organisation.objects.get(kind=OrganisationKind.COORDINATOR)
    evaluation = Organisation.objects.get(kind=OrganisationKind.EVALUATION)
    return Dataset(
        cases=cases,
        marseille=marseille,
        aix=aix,
        federation=federation,
        coordinator=MembershipFactory(organisation=caf, role=Role.COORDINATOR).user,
        evaluator=MembershipFactory(organisation=evaluation, role=Role.EVALUATOR).user,
        partner_state=MembershipFactory(
            organisation=Organisation.objects.get(funder_level="state"), role=Role.PARTNER
        ).user,
        partner_marseille=MembershipFactory(
            organisation=Organisation.objects.get(funder_level="commune", commune=marseille),
            role=Role.PARTNER,
        ).user,
        partner_aix=MembershipFactory(
            organisation=Organisation.objects.get(funder_level="commune", commune=aix),
            role=Role.PARTNER,
        ).user,
        board_member=MembershipFactory(organisation=a1.manager, role=Role.BOARD_MEMBER).user,
        consultant=MembershipFactory(organisation=provider, role=Role.CONSULTANT).user,
    )
