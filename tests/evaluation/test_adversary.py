"""An adversary downloads every export a non-coordinator may obtain and subtracts.

For each role that sees masked figures (evaluation body, a funding partner of the
department, two commune partners), the adversary downloads the indicators (CSV) and the
map data for every filter the role may choose (every published period × every commune ×
every federation), reads every figure shown, and knows what each one counts (a figure's
label says which cases it is about: that knowledge is written here independently, from
the dataset's own description of each case, not from the application's code). It then:

- keeps every figure of 1 or 2 cases it could read directly;
- subtracts every pair of figures one of which lies within the other (nested and
  adjacent periods, a filter against the total, a breakdown against its parent…), then
  every pair of what it has learnt so far (differences of differences: the 2 × 2 tables
  a commune and a measure make, for instance);
- adds up the rows of every table it downloaded, and subtracts them from the total they
  split: what is left is the masked rows; a single masked row is then known, and masked
  rows as many as their cases are known to hold 1 case each.

No group of 1 or 2 cases may come out. The dataset is built for the attack: three years,
three communes (one of them with an arrondissement), two federations, every stage.
"""

import csv
import datetime as dt
import io
import itertools
import random

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from soutien.cases import action_plan, services
from soutien.cases.enums import (
    ActionDecision,
    ActionStatus,
    ClosureOutcome,
    DecisionOutcome,
    Situation,
    Stage,
    Step,
)
from soutien.cases.models import Case, TargetDuration
from soutien.cases.selectors import overdue
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
from soutien.evaluation.facts import refresh_dirty
from soutien.followup.enums import ActionsContinued, WouldAskAgain
from soutien.followup.jobs import send_followups
from soutien.followup.models import FollowUp
from soutien.followup.services import followup_answer
from tests.evaluation.dataset import day
from tests.factories import (
    CommuneFactory,
    MembershipFactory,
    OrganisationFactory,
    SocialCentreFactory,
)

pytestmark = pytest.mark.django_db

YEARS = (2023, 2024, 2025)
STEP_TITLES = {
    "Saisine (transmission → décision des financeurs)": Step.REFERRAL,
    "Rapport (décision → premier rapport transmis)": Step.REPORT,
    "Validation du rapport par le gestionnaire": Step.VALIDATION,
    "Restitution (validation → restitution)": Step.RESTITUTION,
}
LEAD_COLUMNS = {
    Step.REFERRAL: "referral_tenths",
    Step.REPORT: "report_tenths",
    Step.VALIDATION: "validation_tenths",
    Step.RESTITUTION: "restitution_tenths",
}
PROFILES = ["submitted", "referral", "refused", "withdrawn", "diagnostic", "closed", "closed"]


def build_attack_dataset(seed: int = 11) -> dict:
    """About fifty cases walked through the real services, each step under
    ``clock.frozen_at`` at the date the generator draws, with no email queued; each case
    is then described as a plain dict (what the adversary knows), read from what was
    created."""
    rng = random.Random(seed)
    marseille = Commune.objects.get(insee_code="13055")
    aix = Commune.objects.get(insee_code="13001")
    aubagne = Commune.objects.get(insee_code="13005")
    arrondissement = CommuneFactory(
        insee_code="13202", name="Marseille 2e arrondissement", parent=marseille
    )
    federations = [OrganisationFactory(federation=True) for _ in range(2)]
    provider = Organisation.objects.get(kind=OrganisationKind.PROVIDER)
    centres = [
        (SocialCentreFactory(commune=marseille), "Marseille"),
        (SocialCentreFactory(commune=arrondissement), "Marseille"),
        (SocialCentreFactory(commune=marseille, manager=federations[0]), "Marseille"),
        (SocialCentreFactory(commune=aix), "Aix-en-Provence"),
        (SocialCentreFactory(commune=aix, manager=federations[1]), "Aix-en-Provence"),
        (SocialCentreFactory(commune=aubagne), "Aubagne"),
        (SocialCentreFactory(commune=aubagne, manager=federations[0]), "Aubagne"),
    ]
    # Who speaks for each manager: a board member, or the federation's employee.
    managers = {}
    for centre, _ in centres:
        if centre.manager_id not in managers:
            role = Role.FEDERATION_STAFF if centre.manager in federations else Role.BOARD_MEMBER
            managers[centre.manager_id] = MembershipFactory(
                organisation=centre.manager, role=role
            ).user
    coordinator = MembershipFactory(
        organisation=Organisation.objects.get(kind=OrganisationKind.COORDINATOR),
        role=Role.COORDINATOR,
    ).user
    consultant = MembershipFactory(organisation=provider, role=Role.CONSULTANT).user
    domains = list(Domain.objects.order_by("order", "name"))
    # A submitted fiche names at least one field: the cases drawn without one name this.
    other_field = Domain.objects.get(code="autre")
    drawn = []
    for _ in range(51):
        # The draws, in the order the generator has always made them (same cases).
        centre, municipality = rng.choice(centres)
        profile = rng.choice(PROFILES)
        year = rng.choice(YEARS)
        sent = day(year, rng.randint(1, 6), rng.randint(1, 28))
        dates = {"submitted_at": sent}
        outcome = None
        if profile in ("refused", "diagnostic", "closed"):
            dates["decided_at"] = sent + timezone.timedelta(days=rng.randint(10, 60))
        if profile == "closed":
            report = dates["decided_at"] + timezone.timedelta(days=rng.randint(20, 70))
            validated = report + timezone.timedelta(days=rng.randint(5, 25))
            dates |= {
                "first_report_at": report,
                "report_validated_at": validated,
                "restitution_at": validated + timezone.timedelta(days=rng.randint(10, 40)),
                "closed_at": validated + timezone.timedelta(days=90),
            }
            outcome = rng.choice(list(ClosureOutcome))
        situation = rng.choice([Situation.PREVENTIVE, Situation.PREVENTIVE, Situation.CRISIS])
        from_selfcheck = rng.random() < 0.4  # started from a self-check
        fields = rng.sample(domains, rng.randint(0, 2)) or [other_field]
        answered = profile == "closed" and rng.random() < 0.6
        recommend = rng.random() < 0.7
        drawn.append(
            {
                "centre": centre,
                "municipality": municipality,
                "profile": profile,
                "year": year,
                "dates": dates,
                "outcome": outcome,
                "situation": situation,
                "from_selfcheck": from_selfcheck,
                "fields": fields,
                "answered": answered,
                "recommend": recommend,
            }
        )
    impact = _draw_impact(drawn, random.Random(seed + 1))
    described = []
    with outbox_suppressed():
        for draw, plan in zip(drawn, impact, strict=True):
            manager = managers[draw["centre"].manager_id]
            case = _walk(draw, plan, manager, coordinator, consultant, domains[0])
            described.append(_describe(case, draw, federations))
        _answer_followups(described, impact, managers)
    # Which closed cases' centre asked again within two years (from the cases' own dates).
    for case in described:
        closed = case["closed_at"]
        case["asked_again"] = closed is not None and any(
            other["centre"] == case["centre"]
            and other["pk"] != case["pk"]
            and closed < other["submitted_at"] <= closed.replace(year=closed.year + 2)
            for other in described
        )
    refresh_dirty()  # the facts of the cases the services marked
    # What the database stored of each step (the lead times it computes from the dates),
    # and the cases late today by the case list's own rule.
    lead = {row["pk"]: row for row in Case.objects.values("pk", *LEAD_COLUMNS.values())}
    targets = TargetDuration.as_dict()
    late = set(overdue(Case.objects.all(), timezone.now()).values_list("pk", flat=True))
    for case in described:
        case["done"] = {s for s, c in LEAD_COLUMNS.items() if lead[case["pk"]][c] is not None}
        case["within"] = {
            s for s in case["done"] if lead[case["pk"]][LEAD_COLUMNS[s]] <= targets[s] * 10
        }
        case["overdue"] = case["pk"] in late

    def member(organisation, role):
        return MembershipFactory(organisation=organisation, role=role).user

    commune_partner = {"funder_level": "commune"}
    return {
        "cases": described,
        "federations": federations,
        "communes": {"Marseille": marseille, "Aix-en-Provence": aix, "Aubagne": aubagne},
        "roles": {
            "instance d'évaluation": member(
                Organisation.objects.get(kind=OrganisationKind.EVALUATION), Role.EVALUATOR
            ),
            "partenaire (État)": member(
                Organisation.objects.get(funder_level="state"), Role.PARTNER
            ),
            "commune partenaire (Marseille)": member(
                Organisation.objects.get(**commune_partner, commune=marseille), Role.PARTNER
            ),
            "commune partenaire (Aix)": member(
                Organisation.objects.get(**commune_partner, commune=aix), Role.PARTNER
            ),
        },
    }


def _draw_impact(drawn, rng) -> list[dict]:
    """The impact of the closed cases (a generator of its own: the cases above stay the
    same): recommendations accepted, adapted or declined, actions done by the centre's
    team or not, answers at 6 and 12 months."""
    decisions = [ActionDecision.ACCEPTED, ActionDecision.ADAPTED, ActionDecision.DECLINED]
    plans = []
    for draw in drawn:
        plan = {"actions": [], "followups": {}}
        plans.append(plan)
        if draw["profile"] != "closed":
            continue
        for _ in range(rng.randint(0, 3)):
            decision = rng.choice(decisions)
            declined = decision == ActionDecision.DECLINED
            done = not declined and rng.random() < 0.6
            by_centre = done and rng.random() < 0.6
            plan["actions"].append((decision, done, by_centre))
        for milestone in (6, 12):
            if rng.random() < 0.6:
                plan["followups"][milestone] = rng.choice(list(ClosureOutcome))
    return plans


def _walk(draw, plan, manager, coordinator, consultant, domain) -> Case:
    """One case walked through the services up to its profile, each step at its date."""
    dates, profile = draw["dates"], draw["profile"]
    sent = dates["submitted_at"]
    with clock.frozen_at(sent - timezone.timedelta(days=1)):
        case = services.case_create_draft(
            centre=draw["centre"], by=manager, from_selfcheck=draw["from_selfcheck"]
        )
        services.information_form_save(
            case=case,
            by=manager,
            fields={
                "requester_name": "Monique Blanc",
                "requester_function": "Présidente",
                "requester_phone": "04 91 00 00 00",
                "requester_email": "presidente@centre.test",
                "description": "La trésorerie couvre moins de deux mois de charges.",
                "expectations": "Un regard extérieur.",
                "availability": "Les mardis.",
                "confidentiality_ack": True,
                "cooperation_ack": True,
            },
            situation=draw["situation"],
            warning_signs=list(WarningSign.objects.filter(code="tresorerie-faible")),
            domains=draw["fields"],
            version=None,
        )
    with clock.frozen_at(sent):
        services.case_submit(case=case, by=manager)
    if profile == "submitted":
        return case
    if profile == "withdrawn":  # withdrawn by the manager: no decision
        with clock.frozen_at(sent + timezone.timedelta(days=5)):
            services.case_withdraw(case=case, by=manager, reason="Situation rétablie.")
        return case
    with clock.frozen_at(sent + timezone.timedelta(days=1)):
        services.case_open_referral(case=case, by=coordinator)
    if profile == "referral":
        return case
    refused = profile == "refused"
    with clock.frozen_at(dates["decided_at"]):
        services.case_decide(
            case=case,
            by=coordinator,
            outcome=DecisionOutcome.REFUSED if refused else DecisionOutcome.VALIDATED,
            grounds="Motif" if refused else "",
            justification="Décidé en comité des financeurs.",
        )
    if refused:
        return case
    with clock.frozen_at(dates["decided_at"] + timezone.timedelta(hours=1)):
        services.consultant_assign(case=case, by=consultant, consultant=consultant)
    if profile == "diagnostic":
        return case
    items = [
        {"domain": domain, "text": f"Préconisation {position + 1}"}
        for position in range(len(plan["actions"]))
    ]
    with clock.frozen_at(dates["first_report_at"]):
        services.report_save(
            case=case,
            by=consultant,
            analysis="Analyse.",
            recommendations="" if items else "Préconisations.",
            recommendation_items=items,
        )
        services.report_submit(case=case, by=consultant)
    with clock.frozen_at(dates["report_validated_at"]):
        services.report_validate(case=case, by=manager)
    restitution = dates["restitution_at"]
    with clock.frozen_at(restitution):
        services.restitution_record(
            case=case, by=consultant, starts_at=restitution, summary="Le diagnostic présenté."
        )
    proposed = case.actions.order_by("recommendation__position")
    for action, (decision, done, by_centre) in zip(proposed, plan["actions"], strict=True):
        with clock.frozen_at(restitution + timezone.timedelta(days=5)):
            if decision == ActionDecision.DECLINED:
                action_plan.action_decline(action=action, by=manager, reason="Pas prioritaire.")
            elif decision == ActionDecision.ADAPTED:
                action_plan.action_adapt(
                    action=action, by=manager, title="Action adaptée", owner="La trésorière"
                )
            else:
                action_plan.action_accept(action=action, by=manager, owner="La trésorière")
        if done:
            with clock.frozen_at(restitution + timezone.timedelta(days=20)):
                action_plan.action_set_status(
                    action=action,
                    by=manager,
                    status=ActionStatus.DONE,
                    done_by_centre=by_centre,
                )
    with clock.frozen_at(dates["closed_at"]):
        services.case_close(
            case=case, by=coordinator, outcome=draw["outcome"], open_actions_confirmed=True
        )
    if draw["answered"]:
        with clock.frozen_at(dates["closed_at"] + timezone.timedelta(days=1)):
            services.satisfaction_answer(
                case=case,
                by=manager,
                usefulness=4,
                listening=4,
                ownership=3,
                would_recommend=draw["recommend"],
            )
    return case


def _describe(case: Case, draw, federations) -> dict:
    """What the adversary knows of a case, read from what the services created."""
    case = (
        Case.objects.select_related("form", "centre", "satisfaction")
        .prefetch_related("form__domains", "actions")
        .get(pk=case.pk)
    )
    satisfaction = getattr(case, "satisfaction", None)
    actions = list(case.actions.all())
    profile = {
        Stage.SUBMITTED: "submitted",
        Stage.REFERRAL: "referral",
        Stage.REFUSED: "refused",
        Stage.CLOSED_WITHOUT_FOLLOW_UP: "withdrawn",
        Stage.DIAGNOSTIC: "diagnostic",
        Stage.CLOSED: "closed",
    }[case.stage]
    return {
        "pk": case.pk,
        "year": timezone.localtime(case.submitted_at).year,
        "commune": draw["municipality"],
        "federation": case.manager_id if case.manager in federations else None,
        "situation": case.situation,
        "from_selfcheck": case.from_selfcheck,
        "profile": profile,
        "outcome": case.closure_outcome or None,
        "answered": satisfaction is not None,
        "recommend": satisfaction is not None and satisfaction.would_recommend,
        "domains": {d.name for d in case.form.domains.all()},
        "centre": case.centre_id,
        "submitted_at": case.submitted_at,
        "closed_at": case.closed_at,
        "with_recommendations": any(a.recommendation_id for a in actions),
        "by_centre": any(a.status == ActionStatus.DONE and a.done_by_centre for a in actions),
        "followups": {},
    }


def _answer_followups(described, impact, managers) -> None:
    """The questionnaires planned at closure are sent by the daily job on their due date
    and answered two days later, in the order of their dates; one due after today cannot
    have been answered yet, and is not."""
    today = timezone.now()
    planned = []
    for case, plan in zip(described, impact, strict=True):
        for milestone, situation in plan["followups"].items():
            followup = FollowUp.objects.get(case_id=case["pk"], milestone=milestone)
            due = dt.datetime.combine(followup.due_on, dt.time(10), tzinfo=dt.UTC)
            if due + dt.timedelta(days=2) <= today:
                planned.append((due, followup.pk, case, milestone, situation))
    for due, pk, case, milestone, situation in sorted(planned, key=lambda p: p[:2]):
        followup = FollowUp.objects.select_related("case").get(pk=pk)
        with clock.frozen_at(due):
            send_followups()
        with clock.frozen_at(due + dt.timedelta(days=2)):
            followup_answer(
                followup=FollowUp.objects.get(pk=pk),
                by=managers[followup.case.manager_id],
                situation=situation,
                actions_continued=ActionsContinued.SOME,
                new_difficulties=False,
                would_ask_again=WouldAskAgain.YES,
            )
        case["followups"][milestone] = FollowUp.objects.get(pk=pk).situation


# The situations from the worst to the best (a follow-up « kept » ranks at least as high).
RANKS = [
    ClosureOutcome.CENTRE_CLOSED,
    ClosureOutcome.DETERIORATED,
    ClosureOutcome.STABILISED,
    ClosureOutcome.IMPROVED,
]


def _impact_measure(row: str, column: str):
    closed = lambda c: c["profile"] == "closed"  # noqa: E731
    if row.startswith("Préconisations"):
        # The share counts actions, not cases: no set of cases to read from it.
        return (lambda c: c["with_recommendations"], None) if column == "Dossiers" else None
    if row.startswith("Actions réalisées"):
        return (lambda c: c["by_centre"], None) if column == "Dossiers" else None
    if row.startswith("Suivi"):
        milestone = 6 if row.startswith("Suivi à 6 mois") else 12

        def answered(c):
            return closed(c) and milestone in c["followups"]

        def kept(c):
            after = RANKS.index(c["followups"][milestone])
            return after >= RANKS.index(c["outcome"])

        if column == "Dossiers":
            return (answered, None)
        if "maintenue" in row:
            return (lambda c: answered(c) and kept(c), answered)
        return (lambda c: answered(c) and not kept(c), answered)
    if column == "Dossiers":
        return (closed, None)
    return (lambda c: closed(c) and c["asked_again"], closed)


# --- What each figure counts (the adversary's reading of the labels) ------------------

IN_PROGRESS = {"submitted", "referral", "diagnostic"}
VALIDATED = {"diagnostic", "closed"}


def _measure(table: str, row: str, column: str):
    """(predicate of the cases counted, predicate of the share's denominator or None), or
    None for a figure that counts no set of cases (a median, an average, a target)."""
    if table == "Synthèse":
        return {
            "Demandes reçues": (lambda c: True, None),
            "dont démarche préventive": (lambda c: c["situation"] == Situation.PREVENTIVE, None),
            "dont crise avérée": (lambda c: c["situation"] == Situation.CRISIS, None),
            "Part des démarches préventives": (
                lambda c: c["situation"] == Situation.PREVENTIVE,
                lambda c: True,
            ),
            "Demandes issues d'un auto-diagnostic": (lambda c: c["from_selfcheck"], None),
            "Part des démarches préventives issues d'un auto-diagnostic": (
                lambda c: c["from_selfcheck"] and c["situation"] == Situation.PREVENTIVE,
                lambda c: c["situation"] == Situation.PREVENTIVE,
            ),
            "Décisions des financeurs (validées ou refusées)": (
                lambda c: c["profile"] in VALIDATED | {"refused"},
                None,
            ),
            "Taux d'acceptation": (
                lambda c: c["profile"] in VALIDATED,
                lambda c: c["profile"] in VALIDATED | {"refused"},
            ),
            "Demandes classées sans suite ou retirées": (
                lambda c: c["profile"] == "withdrawn",
                None,
            ),
            "Dossiers clôturés": (lambda c: c["profile"] == "closed", None),
            "Dossiers en cours, à ce jour": (lambda c: c["profile"] in IN_PROGRESS, None),
            "Dossiers en retard sur le délai cible, à ce jour": (lambda c: c["overdue"], None),
            "Accompagnements en cours, à ce jour": (lambda c: False, None),
        }[row]
    if table in ("Demandes par année", "Demandes par commune", "Demandes par type de gestionnaire"):
        if table == "Demandes par année":
            within = lambda c: c["year"] == int(row)  # noqa: E731
        elif table == "Demandes par commune":
            within = lambda c: c["commune"] == row  # noqa: E731
        else:
            federation = row == "Centres gérés par une fédération"
            within = lambda c: (c["federation"] is not None) == federation  # noqa: E731
        decided = VALIDATED | {"refused"}
        return {
            "Demandes": (within, None),
            "Démarche préventive": (
                lambda c: within(c) and c["situation"] == Situation.PREVENTIVE,
                None,
            ),
            "Crise avérée": (lambda c: within(c) and c["situation"] == Situation.CRISIS, None),
            "Part préventive": (
                lambda c: within(c) and c["situation"] == Situation.PREVENTIVE,
                within,
            ),
            "Taux d'acceptation": (
                lambda c: within(c) and c["profile"] in VALIDATED,
                lambda c: within(c) and c["profile"] in decided,
            ),
        }[column]
    if table == "Délais de chaque étape (étapes achevées)":
        step = STEP_TITLES[row]
        if column == "Étapes achevées":
            return (lambda c: step in c["done"], None)
        if column == "Dans le délai cible":
            return (lambda c: step in c["within"], lambda c: step in c["done"])
        return None
    if table == "Demandes par champ de fonctionnement":
        return (lambda c: row in c["domains"], None)
    if table == "Issue des dossiers clôturés":
        outcome = next(o for o in ClosureOutcome if o.label == row)
        closed = lambda c: c["profile"] == "closed"  # noqa: E731
        if column == "Dossiers":
            return (lambda c: closed(c) and c["outcome"] == outcome, None)
        return (lambda c: closed(c) and c["outcome"] == outcome, closed)
    if table.startswith("Satisfaction"):
        if column == "Réponses":
            return (lambda c: c["answered"], None)
        if row.startswith("Recommanderaient"):
            return (lambda c: c["recommend"], lambda c: c["answered"])
        return None
    if table == "Impact de la mission":
        return _impact_measure(row, column)
    raise AssertionError(f"figure inconnue : {table} / {row} / {column}")


def _number(text: str):
    """The number a text shows, or None (masqué, no data)."""
    digits = text.replace("\u202f", "").replace("\u00a0", "").replace("%", "").strip()
    return int(digits) if digits.isdigit() else None


class Adversary:
    def __init__(self, cases):
        self.cases = cases
        self.known: dict[frozenset, int] = {}  # a set of cases → how many they are
        self.why: dict = {}
        self.shares: list[tuple[frozenset, frozenset, int]] = []
        self.splits: list[tuple[frozenset, list[frozenset]]] = []  # a total, its rows

    def select(self, predicate, scope) -> frozenset:
        return frozenset(c["pk"] for c in self.cases if scope(c) and predicate(c))

    def read(self, text, counted: frozenset, base: frozenset | None, what=""):
        value = _number(text)
        if value is None:
            return
        if base is None:
            self.learn(counted, value, what)
        else:
            self.shares.append((counted, base, value))

    def learn(self, cases: frozenset, value: int, what="") -> bool:
        assert len(cases) == value, f"the adversary misread a figure {what}"
        if cases in self.known:
            return False
        self.known[cases] = value
        self.why[cases] = what
        return True

    def attack(self) -> list[frozenset]:
        """Every group of 1 or 2 cases the figures give away (two rounds of derivations:
        a third one multiplies the groups to compare by about forty, too slow here)."""
        changed, rounds = True, 0
        while changed and rounds < 2:  # three rounds of derivations: differences of
            changed, rounds = False, rounds + 1  # differences of differences
            # A share whose denominator is known gives its numerator (whole percents:
            # exact for fewer than 100 cases).
            for counted, base, percent in self.shares:
                if base in self.known and self.known[base]:
                    changed |= self.learn(
                        counted, round(percent * self.known[base] / 100), ("share", base)
                    )
            # The rows of a table, subtracted from the total they split.
            for total, rows in self.splits:
                if total not in self.known:
                    continue
                hidden = [row for row in rows if row not in self.known]
                rest = total - frozenset().union(*(row for row in rows if row in self.known))
                if len(hidden) == 1 and not rest - hidden[0]:
                    changed |= self.learn(hidden[0], len(hidden[0]), ("split1", total, rows))
                elif hidden and len(rest) == len(hidden) and not rest - frozenset().union(*hidden):
                    for row in hidden:  # each masked row holds at least one case
                        changed |= self.learn(row, len(row), ("split-ones", total, rows))
            # Every nested pair, subtracted.
            for large, small in itertools.permutations(list(self.known), 2):
                if small < large:
                    changed |= self.learn(large - small, len(large - small), ("diff", large, small))
        return [group for group, value in self.known.items() if 0 < value < 3]


def _scopes(adversary, data, territory_communes, params, perimeter_is_department):
    year = params.get("year")
    commune = params.get("commune_name")
    federation = params.get("federation")

    def scope(c):
        if year and c["year"] != year:
            return False
        if federation and c["federation"] != federation:
            return False
        if perimeter_is_department:
            return True
        if commune and c["commune"] != commune:
            return False
        return territory_communes is None or c["commune"] in territory_communes

    return scope


TABLES_SPLIT = {
    # table title → the column of its rows that split the period's requests
    "Demandes par année": "Demandes",
    "Demandes par commune": "Demandes",
    "Demandes par type de gestionnaire": "Demandes",
    "Issue des dossiers clôturés": "Dossiers",
}


ROLES = [
    "instance d'évaluation",
    "partenaire (État)",
    "commune partenaire (Marseille)",
    "commune partenaire (Aix)",
]


@pytest.mark.parametrize("role", ROLES)
@override_settings(SOUTIEN_EVALUATION_EXPORT_RATE=(10_000, 60))
def test_no_export_isolates_a_group_of_one_or_two_cases(client, reference, role):
    data = build_attack_dataset()
    cases = data["cases"]
    for user in [data["roles"][role]]:
        client.force_login(user)
        adversary = Adversary(cases)
        territory = None
        if role.startswith("commune partenaire"):
            territory = {"Marseille"} if "Marseille" in role else {"Aix-en-Provence"}
        communes = sorted(territory or data["communes"])
        choices = itertools.product(
            [None, *YEARS], [None, *communes], [None, *(f.pk for f in data["federations"])]
        )
        downloads = 0
        for year, commune, federation in choices:
            query = {"year": year or "", "federation": federation or ""}
            if commune:
                query["commune"] = data["communes"][commune].pk
            response = client.get(reverse("evaluation:export_csv"), query)
            assert response.status_code == 200, (role, query)
            downloads += 1
            params = {"year": year, "commune_name": commune, "federation": federation}
            rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
            splits: dict = {}
            for row in rows:
                department = row["perimetre"].endswith("(total)")
                present = row["ligne"].endswith("à ce jour")  # the present, any period
                scope = _scopes(
                    adversary,
                    data,
                    territory,
                    params | {"year": None} if present else params,
                    department,
                )
                measure = _measure(row["rubrique"], row["ligne"], row["colonne"])
                if measure is None:
                    continue
                counted, base = measure
                counted_set = adversary.select(counted, scope)
                base_set = adversary.select(base, scope) if base else None
                adversary.read(row["valeur"], counted_set, base_set, (row, params))
                if TABLES_SPLIT.get(row["rubrique"]) == row["colonne"]:
                    splits.setdefault(row["rubrique"], []).append(counted_set)
            everything = adversary.select(
                lambda c: True, _scopes(None, data, territory, params, False)
            )
            closed = adversary.select(
                lambda c: c["profile"] == "closed", _scopes(None, data, territory, params, False)
            )
            for title, parts in splits.items():
                adversary.splits.append(
                    (closed if title == "Issue des dossiers clôturés" else everything, parts)
                )
            # The map: requests per commune, and the total.
            payload = client.get(reverse("evaluation:map_data"), query).json()
            scope = _scopes(None, data, territory, params, False)
            parts = []
            for entry in payload["communes"]:
                part = adversary.select(lambda c, n=entry["name"]: c["commune"] == n, scope)
                adversary.read(entry["text"], part, None)
                parts.append(part)
            adversary.read(payload["total"], everything, None)
            adversary.splits.append((everything, parts))
            if "department_total" in payload:
                department = _scopes(None, data, territory, params, True)
                adversary.read(
                    payload["department_total"], adversary.select(lambda c: True, department), None
                )
        assert downloads >= 16
        assert len(adversary.known) > 20, f"{role}: the grid publishes almost nothing"
        isolated = adversary.attack()
        found = [(sorted(group), adversary.why[group]) for group in isolated[:3]]
        assert isolated == [], f"{role}: {len(isolated)} groups of 1 or 2 cases given away: {found}"
