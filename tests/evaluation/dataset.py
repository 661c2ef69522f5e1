"""A small hand-built dataset whose every indicator is worked out by hand in the tests.

Every case is walked through the real services (as tests/builders.py does), each step
under ``clock.frozen_at`` at the case's dates (in UTC, to keep whole days), with no email
queued: the dates, events and decisions are those the services record. See
test_indicators.py for the expected figures.
"""

import datetime as dt
from dataclasses import dataclass

from soutien.cases import services
from soutien.cases.enums import ClosureOutcome, DecisionOutcome, Situation, Stage
from soutien.core import clock
from soutien.core.outbox import outbox_suppressed
from soutien.directory.models import (
    Commune,
    Domain,
    Organisation,
    OrganisationKind,
    Role,
    WarningSign,
)
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
    caf = Organisation.objects.get(kind=OrganisationKind.COORDINATOR)
    evaluation = Organisation.objects.get(kind=OrganisationKind.EVALUATION)
    coordinator = MembershipFactory(organisation=caf, role=Role.COORDINATOR).user
    consultant = MembershipFactory(organisation=provider, role=Role.CONSULTANT).user
    board_member = MembershipFactory(organisation=a1.manager, role=Role.BOARD_MEMBER).user
    # Who speaks for each centre's manager: a board member, or the federation's employee.
    managers = {
        a1.pk: board_member,
        a2.pk: MembershipFactory(organisation=a2.manager, role=Role.BOARD_MEMBER).user,
        a3.pk: MembershipFactory(organisation=a3.manager, role=Role.BOARD_MEMBER).user,
        f1.pk: MembershipFactory(organisation=federation, role=Role.FEDERATION_STAFF).user,
    }
    domains = {d.code: d for d in Domain.objects.all()}
    sign = WarningSign.objects.get(code="tresorerie-faible")

    def case(
        centre, situation, stage, *, domain_codes=(), satisfaction=None, outcome=None, **dates
    ):
        """A case walked through the services up to `stage`, each step at its date."""
        manager = managers[centre.pk]
        # A fiche names at least one field to be submitted: see below.
        placeholder = [domains["autre"]] if stage != Stage.DRAFT else []
        submitted = dates.get("submitted_at", day(2024, 5, 2))
        with clock.frozen_at(submitted - dt.timedelta(days=1)):
            created = services.case_create_draft(centre=centre, by=manager)
            services.information_form_save(
                case=created,
                by=manager,
                fields={
                    "requester_name": "Nom à ne jamais exporter",
                    "requester_function": "Présidente",
                    "requester_phone": "04 91 00 00 00",
                    "requester_email": "presidente@centre.test",
                    "description": "Texte libre à ne jamais exporter",
                    "expectations": "Un regard extérieur.",
                    "availability": "Les mardis.",
                    "confidentiality_ack": True,
                    "cooperation_ack": True,
                },
                situation=situation,
                warning_signs=[sign],
                domains=[domains[code] for code in domain_codes] or placeholder,
                version=None,
            )
        if stage == Stage.DRAFT:
            return created
        with clock.frozen_at(submitted):
            services.case_submit(case=created, by=manager)
        if not domain_codes:
            # The one row written beside the services: c6, c7 and c8 name no field (the
            # figures by field were worked out so), which a submitted fiche cannot do.
            created.form.domains.clear()
        if stage == Stage.SUBMITTED:
            return created
        if stage == Stage.CLOSED_WITHOUT_FOLLOW_UP:  # withdrawn by the manager: no decision
            with clock.frozen_at(submitted + dt.timedelta(days=5)):
                services.case_withdraw(case=created, by=manager, reason="Situation rétablie.")
            return created
        with clock.frozen_at(submitted + dt.timedelta(days=1)):
            services.case_open_referral(case=created, by=coordinator)
        if stage == Stage.REFERRAL:
            return created
        refused = stage == Stage.REFUSED
        with clock.frozen_at(dates["decided_at"]):
            services.case_decide(
                case=created,
                by=coordinator,
                outcome=DecisionOutcome.REFUSED if refused else DecisionOutcome.VALIDATED,
                grounds="Motif" if refused else "",
                justification="Décidé en comité des financeurs.",
            )
        if refused:
            return created
        with clock.frozen_at(dates["decided_at"] + dt.timedelta(hours=1)):
            services.consultant_assign(case=created, by=consultant, consultant=consultant)
        with clock.frozen_at(dates["first_report_at"]):
            services.report_save(
                case=created,
                by=consultant,
                analysis="Analyse.",
                recommendations="Préconisations.",
            )
            services.report_submit(case=created, by=consultant)
        if stage == Stage.REPORT_REVIEW:
            return created
        with clock.frozen_at(dates["report_validated_at"]):
            services.report_validate(case=created, by=manager)
        with clock.frozen_at(dates["restitution_at"]):
            services.restitution_record(
                case=created,
                by=consultant,
                starts_at=dates["restitution_at"],
                summary="Le diagnostic a été présenté.",
            )
        if stage == Stage.SUPPORT:
            return created
        with clock.frozen_at(dates["closed_at"]):
            services.case_close(case=created, by=coordinator, outcome=outcome)
        if satisfaction:
            usefulness, listening, ownership, recommend = satisfaction
            with clock.frozen_at(dates["closed_at"] + dt.timedelta(days=1)):
                services.satisfaction_answer(
                    case=created,
                    by=manager,
                    usefulness=usefulness,
                    listening=listening,
                    ownership=ownership,
                    would_recommend=recommend,
                    comment="Commentaire libre à ne jamais exporter",
                )
        return created

    with outbox_suppressed():
        cases = {
            "c1": case(
                a1,
                Situation.PREVENTIVE,
                Stage.CLOSED,
                domain_codes=["gestion-financiere", "gouvernance"],
                satisfaction=(5, 4, 4, True),
                submitted_at=day(2023, 1, 10),
                decided_at=day(2023, 1, 30),
                first_report_at=day(2023, 3, 1),
                report_validated_at=day(2023, 3, 11),
                restitution_at=day(2023, 3, 31),
                closed_at=day(2023, 6, 1),
                outcome=ClosureOutcome.IMPROVED,
            ),
            "c2": case(
                f1,
                Situation.CRISIS,
                Stage.CLOSED,
                domain_codes=["ressources-humaines"],
                satisfaction=(3, 4, 2, False),
                submitted_at=day(2023, 2, 1),
                decided_at=day(2023, 3, 13),
                first_report_at=day(2023, 4, 12),
                report_validated_at=day(2023, 5, 2),
                restitution_at=day(2023, 5, 12),
                closed_at=day(2023, 9, 1),
                outcome=ClosureOutcome.STABILISED,
            ),
            "c3": case(
                a2,
                Situation.PREVENTIVE,
                Stage.REFUSED,
                domain_codes=["gestion-financiere"],
                submitted_at=day(2023, 3, 1),
                decided_at=day(2023, 3, 11),
            ),
            "c4": case(
                a1,
                Situation.PREVENTIVE,
                Stage.REPORT_REVIEW,
                domain_codes=["gestion-financiere"],
                submitted_at=day(2023, 5, 1),
                decided_at=day(2023, 6, 20),
                first_report_at=day(2023, 8, 19),
            ),
            "c5": case(
                a3,
                Situation.PREVENTIVE,
                Stage.SUPPORT,
                domain_codes=["gouvernance"],
                submitted_at=day(2024, 1, 15),
                decided_at=day(2024, 2, 14),
                first_report_at=day(2024, 3, 15),
                report_validated_at=day(2024, 3, 25),
                restitution_at=day(2024, 4, 14),
            ),
            "c6": case(a2, Situation.CRISIS, Stage.REFERRAL, submitted_at=day(2024, 2, 1)),
            "c7": case(
                a2,
                Situation.PREVENTIVE,
                Stage.CLOSED_WITHOUT_FOLLOW_UP,
                submitted_at=day(2024, 3, 1),
            ),
            "c8": case(f1, Situation.PREVENTIVE, Stage.SUBMITTED, submitted_at=day(2024, 4, 1)),
            "draft": case(a3, Situation.CRISIS, Stage.DRAFT),
        }
    return Dataset(
        cases=cases,
        marseille=marseille,
        aix=aix,
        federation=federation,
        coordinator=coordinator,
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
        board_member=board_member,
        consultant=consultant,
    )
