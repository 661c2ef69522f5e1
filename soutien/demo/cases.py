"""About sixty fictitious cases over the last three years, at every stage, walked through
the real services.

Each case is planned first: its steps (start the fiche, submit it, open the referral,
give the opinions, decide, write the report…), the moment in the past each one happens
and the demo person who does it. Then the steps of all the cases run in the order of
time, each one calling its service under ``clock.frozen_at(moment)``: the services check
their rules and permissions, date the history, the case numbers and the audit log as a
real case would be, and ``outbox_suppressed`` keeps every email unwritten. Deterministic
(seeded) and idempotent.
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from soutien.accounts.models import User
from soutien.cases import services
from soutien.cases.enums import (
    ActionStatus,
    Channel,
    ClosureOutcome,
    DecisionOutcome,
    MeetingKind,
    OpinionValue,
    RiskLevel,
    Situation,
    Stage,
)
from soutien.cases.models import Case
from soutien.core import clock
from soutien.core.outbox import outbox_suppressed
from soutien.directory.models import Domain, Membership, Role, SocialCentre, WarningSign
from soutien.meetings import services as meeting_services

STAGE_PLAN = (
    [Stage.DRAFT] * 4
    + [Stage.SUBMITTED] * 4
    + [Stage.RETURNED] * 2
    + [Stage.REFERRAL] * 6
    + [Stage.DIAGNOSTIC] * 6
    + [Stage.REPORT_REVIEW] * 4
    + [Stage.RESTITUTION] * 4
    + [Stage.SUPPORT] * 8
    + [Stage.CLOSED] * 14
    + [Stage.REFUSED] * 4
    + [Stage.CLOSED_WITHOUT_FOLLOW_UP] * 4
)

# The demo board member's centre and the demo federation's centres get cases at
# telling stages, so that every demo account's space shows something.
FEATURED = {
    "board": [Stage.SUPPORT, Stage.REPORT_REVIEW, Stage.CLOSED, Stage.DRAFT],
    "federation": [Stage.REFERRAL, Stage.REPORT_REVIEW, Stage.SUPPORT, Stage.CLOSED],
}

DESCRIPTIONS = {
    Situation.PREVENTIVE: [
        "Depuis deux exercices, les charges de personnel progressent plus vite que les "
        "financements. Le conseil d'administration souhaite anticiper avant que la trésorerie "
        "ne devienne critique.",
        "Le départ annoncé de la directrice, après douze ans, inquiète l'équipe et les "
        "bénévoles. Nous voulons préparer la transition et clarifier les rôles.",
        "Le renouvellement du projet social approche et la fréquentation des ateliers baisse. "
        "Nous avons besoin d'un regard extérieur pour remobiliser les habitants.",
        "Plusieurs administrateurs ont démissionné cette année ; le bureau tient seul la "
        "gouvernance et les relations avec la direction se tendent.",
    ],
    Situation.CRISIS: [
        "La trésorerie ne couvre plus qu'un mois de salaires et une subvention importante a "
        "été réduite de moitié. L'existence du centre est menacée à court terme.",
        "Un conflit ouvert oppose le conseil d'administration et la direction ; l'équipe est "
        "en arrêt partiel et plusieurs activités sont suspendues.",
        "Les comptes de l'exercice n'ont pas été approuvés et l'assemblée générale n'a pas pu "
        "se tenir. Les financeurs ont suspendu leurs versements.",
    ],
}

EXPECTATIONS = [
    "Un diagnostic partagé de notre situation financière et des pistes concrètes.",
    "Être accompagnés pour retrouver un fonctionnement apaisé entre bénévoles et salariés.",
    "Des outils de pilotage que l'équipe pourra s'approprier après la mission.",
    "Clarifier la gouvernance et préparer l'assemblée générale.",
]
ATTEMPTS = [
    "Mission d'appui comptable et financière en 2012 ; plan de trésorerie tenu depuis.",
    "Rencontres avec la fédération et la Caf ; recours à un expert-comptable bénévole.",
    "Aucune démarche extérieure jusqu'ici ; échanges réguliers avec la conseillère Caf.",
]
OWNERS = ["La présidente", "Le trésorier", "La directrice", "Le référent famille",
          "La comptable", "Le secrétaire du bureau"]  # fmt: skip
ACTIONS = [
    ("Mettre en place un plan de trésorerie mensuel", "gestion-financiere"),
    ("Rédiger les fiches de poste de l'équipe", "ressources-humaines"),
    ("Organiser une assemblée générale extraordinaire", "gouvernance"),
    ("Construire le diagnostic de territoire du projet social", "ingenierie-de-projets"),
    ("Renégocier le calendrier des versements avec les financeurs", "gestion-financiere"),
    ("Former les administrateurs à la lecture des comptes", "gouvernance"),
    ("Instaurer un temps de coordination hebdomadaire", "ressources-humaines"),
]


REPORT = {
    "context": "Diagnostic conduit en quatre semaines : entretiens individuels, visite "
    "des locaux, lecture des comptes et des procès-verbaux.",
    "analysis": "Le centre dispose d'atouts réels mais son modèle économique dépend "
    "d'un financement unique ; la gouvernance manque d'outils de pilotage.",
    "recommendations": "1. Plan de trésorerie mensuel. 2. Formation des administrateurs. "
    "3. Clarification des délégations entre bureau et direction.",
    "summary": "Situation fragile mais redressable si l'équipe s'approprie les outils.",
}
OPINION_COMMENTS = {
    OpinionValue.FAVOURABLE: "Avis favorable : la démarche est pertinente.",
    OpinionValue.RESERVED: "Réservé : nous souhaitons un point d'étape à mi-parcours.",
    OpinionValue.UNFAVOURABLE: "Défavorable : un autre dispositif paraît plus adapté.",
}
GROUNDS = {
    DecisionOutcome.REFUSED: "La situation relève d'un accompagnement de droit commun par la "
    "fédération ; la mission n'est pas la réponse adaptée.",
    DecisionOutcome.CLOSED_WITHOUT_FOLLOW_UP: "Demande retirée par le gestionnaire après le "
    "rétablissement de la situation.",
}
DECIDED_IN_COMMITTEE = "Décidé en comité des financeurs."


def _demo_users():
    def member(email):
        return Membership.objects.select_related("user", "organisation").get(user__email=email)

    return {
        "board": member("administrateur@centre.demo"),
        "staff": member("salarie@centre.demo"),
        "federation": member("federation@federation.demo"),
        "coordinator": member("coordination@caf13.demo").user,
        "consultant": member("consultant@prestataire.demo").user,
        "partners": {
            m.organisation_id: m.user
            for m in Membership.objects.filter(role=Role.PARTNER, is_active=True)
            .select_related("user")
            .order_by("pk")
        },
    }


Step = Callable[[], object]


@dataclass
class _CasePlan:
    """One demo case: what it becomes, who acts, and its steps, each (moment, step)."""

    centre: SocialCentre
    stage: Stage
    manager_user: object
    staff_user: object = None
    case_id: int | None = None
    steps: list[tuple[dt.datetime, Step]] = field(default_factory=list)

    def case(self) -> Case:
        """The case as it is now (a fresh read before each step, like a new request)."""
        return Case.objects.select_related("centre", "centre__commune").get(pk=self.case_id)


class _Planner:
    def __init__(self, rng: random.Random, now: dt.datetime):
        self.rng = rng
        self.now = now
        # The last moment a step may take: every step lies in the past.
        self.latest = now - dt.timedelta(minutes=1)
        self.users = _demo_users()
        self.domains = {d.code: d for d in Domain.objects.order_by("order", "name")}
        self.signs = list(WarningSign.objects.select_related("domain").order_by("pk"))

    # --- Dates ----------------------------------------------------------------------

    def chain(self, stage) -> list[tuple[str, int]]:
        """Steps (timestamp name, days after the previous one) up to the stage."""
        r = self.rng.randint
        steps = [("created_at", 0)]
        if stage == Stage.DRAFT:
            return steps
        steps.append(("submitted_at", r(1, 10)))
        if stage in (Stage.SUBMITTED, Stage.RETURNED):
            return steps
        steps.append(("referral_opened_at", r(3, 15)))
        if stage == Stage.REFERRAL:
            return steps
        steps.append(("decided_at", r(10, 35)))
        if stage in (Stage.REFUSED, Stage.CLOSED_WITHOUT_FOLLOW_UP, Stage.DIAGNOSTIC):
            return steps
        steps.append(("first_report_at", r(25, 60)))
        if stage == Stage.REPORT_REVIEW:
            return steps
        steps.append(("report_validated_at", r(4, 20)))
        if stage == Stage.RESTITUTION:
            return steps
        steps.append(("restitution_at", r(10, 40)))
        if stage == Stage.SUPPORT:
            return steps
        steps.append(("closed_at", r(60, 220)))
        return steps

    def dates(self, stage) -> dict[str, dt.datetime]:
        steps = self.chain(stage)
        total = sum(days for _, days in steps)
        # Open cases are recent; finished ones spread over three years.
        horizon = 3 * 365 - total if stage in (Stage.CLOSED, Stage.REFUSED) else 120
        start = self.now - dt.timedelta(days=total + self.rng.randint(2, max(3, horizon)))
        dates, current = {}, self.office_hours(start)
        for name, days in steps:
            # Every step but the first comes at least a day later: a new time of day in
            # office hours keeps them in order.
            current = self.office_hours(current + dt.timedelta(days=days))
            dates[name] = min(current, self.now - dt.timedelta(hours=1))
        return dates

    def office_hours(self, when: dt.datetime) -> dt.datetime:
        """The same day, at a time people work (Paris time): 9:00 to 17:45."""
        local = timezone.localtime(when)
        return local.replace(
            hour=self.rng.randint(9, 17), minute=self.rng.choice([0, 15, 30, 45]), second=0
        )

    def meeting_time(self, when: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """A two-hour meeting that day at 9, 10, 14 or 15 h, over by now."""
        starts = timezone.localtime(when).replace(
            hour=self.rng.choice([9, 10, 14, 15]), minute=0, second=0, microsecond=0
        )
        starts = min(starts, self.now - dt.timedelta(minutes=150))
        return starts, starts + dt.timedelta(hours=2)

    # --- The plan of one case -----------------------------------------------------------

    def plan(self, centre, stage, manager_user, staff_user=None) -> _CasePlan:
        """Every step of one case, in the order of the workflow, with its moment."""
        rng = self.rng
        p = _CasePlan(centre=centre, stage=stage, manager_user=manager_user, staff_user=staff_user)
        situation = rng.choice([Situation.PREVENTIVE] * 2 + [Situation.CRISIS])
        d = self.dates(stage)
        coordinator = self.users["coordinator"]
        domains = rng.sample(list(self.domains.values())[:4], rng.randint(1, 3))
        related = [s for s in self.signs if s.domain in domains] or self.signs
        signs = rng.sample(related, min(len(related), rng.randint(1, 3)))
        author = staff_user if (staff_user and stage == Stage.DRAFT) else manager_user
        fields = {
            "requester_name": manager_user.get_full_name(),
            "requester_function": "Présidente"
            if manager_user.email.startswith("admin")
            else "Délégué fédéral",
            "requester_phone": f"04 91 {rng.randint(10, 99)} {rng.randint(10, 99)} "
            f"{rng.randint(10, 99)}",
            "requester_email": manager_user.email,
            "warning_signs_other": "" if rng.random() < 0.7 else "Tensions avec le bailleur.",
            "description": rng.choice(DESCRIPTIONS[situation]),
            "previous_attempts": rng.choice(ATTEMPTS),
            "expectations": rng.choice(EXPECTATIONS),
            "availability": "Du lundi au jeudi, en journée ; le samedi matin pour les bénévoles.",
            "confidentiality_ack": stage != Stage.DRAFT,
            "cooperation_ack": stage != Stage.DRAFT,
        }

        def create():
            case = services.case_create_draft(centre=centre, by=author, situation=situation)
            p.case_id = case.pk
            services.information_form_save(
                case=case,
                by=author,
                fields=fields,
                situation=situation,
                warning_signs=signs,
                domains=domains,
                version=None,
            )

        self.add(p, d["created_at"], create)
        if "submitted_at" not in d:
            return p
        submitted = d["submitted_at"]
        self.add(p, submitted, lambda: services.case_submit(case=p.case(), by=manager_user))
        self.add(
            p,
            self.office_hours(submitted + dt.timedelta(days=1)),
            lambda: services.message_post(
                case=p.case(),
                by=coordinator,
                channel=Channel.MESSAGE,
                body="Bonjour, je reste à votre disposition pour toute "
                "question sur la suite de la demande.",
            ),
        )
        if stage == Stage.RETURNED:
            self.add(
                p,
                submitted + dt.timedelta(days=3),
                lambda: services.case_return_for_completion(
                    case=p.case(),
                    by=coordinator,
                    message="Merci de joindre le dernier bilan et le budget prévisionnel.",
                ),
            )
        if "referral_opened_at" not in d:
            return p
        opened = d["referral_opened_at"]
        self.add(p, opened, lambda: services.case_open_referral(case=p.case(), by=coordinator))
        self.referral(p, opened, d.get("decided_at"))
        if "decided_at" not in d:
            return p
        self.decision(p, d, domains)
        if "first_report_at" not in d:
            return p
        self.report(p, d)
        if "report_validated_at" not in d:
            return p
        self.add(
            p,
            d["report_validated_at"],
            lambda: services.report_validate(case=p.case(), by=manager_user),
        )
        if "restitution_at" not in d:
            return p
        self.support(p, d)
        if stage != Stage.CLOSED:
            return p
        self.closure(p, d["closed_at"])
        return p

    def add(self, p: _CasePlan, when: dt.datetime, step: Step) -> None:
        """Append a step: never later than now, never before the case's previous step."""
        when = min(when, self.latest)
        if p.steps:
            when = max(when, p.steps[-1][0])
        p.steps.append((when, step))

    def add_in_time_order(self, p: _CasePlan, steps: list[tuple[dt.datetime, Step]]) -> None:
        """Steps of one phase that may come in any order (opinions and a meeting)."""
        for when, step in sorted(steps, key=lambda pair: pair[0]):
            self.add(p, when, step)

    def meeting(self, p, kind, when, by, summary, *, restitution=False):
        starts, ends = self.meeting_time(when)
        details = {
            "starts_at": starts,
            "ends_at": ends,
            "place": f"{p.centre.address}, {p.centre.commune.name}",
            "agenda": "Tour de table ; point sur la situation ; suites à donner.",
            "attendees_text": "La présidente\nLe trésorier\nLa directrice",
            "summary": summary,
        }
        if restitution:
            return ends, lambda: services.restitution_record(case=p.case(), by=by, **details)
        # Recorded once it is over.
        return ends, lambda: meeting_services.meeting_record(
            case=p.case(), by=by, kind=kind, **details
        )

    def referral(self, p, opened, decided):
        rng, steps = self.rng, []
        probe = Case(centre=p.centre)  # the partners concerned depend on the centre only
        for partner in services.concerned_partners(probe):
            if p.stage == Stage.REFERRAL and rng.random() < 0.5:
                continue  # still awaited
            value = rng.choice([OpinionValue.FAVOURABLE] * 4 + [OpinionValue.RESERVED])
            if p.stage == Stage.REFUSED:
                value = rng.choice([OpinionValue.UNFAVOURABLE, OpinionValue.RESERVED])
            when = opened + dt.timedelta(days=rng.randint(1, 9))
            if decided:
                when = min(when, decided - dt.timedelta(hours=2))
            by = self.partner_user(partner)
            steps.append(
                (
                    when,
                    lambda by=by, value=value: services.opinion_give(
                        case=p.case(), by=by, value=value, comment=OPINION_COMMENTS[value]
                    ),
                )
            )
        if rng.random() < 0.5:
            steps.append(
                self.meeting(
                    p,
                    MeetingKind.REFERRAL,
                    opened + dt.timedelta(days=7),
                    self.users["coordinator"],
                    "Réunion des financeurs : examen de la demande.",
                )
            )
        self.add_in_time_order(p, steps)

    def decision(self, p, d, domains):
        coordinator, consultant = self.users["coordinator"], self.users["consultant"]
        decided = d["decided_at"]
        outcome = {
            Stage.REFUSED: DecisionOutcome.REFUSED,
            Stage.CLOSED_WITHOUT_FOLLOW_UP: DecisionOutcome.CLOSED_WITHOUT_FOLLOW_UP,
        }.get(p.stage, DecisionOutcome.VALIDATED)

        def decide():
            case = p.case()
            # Every concerned partner has answered by now; if not, the decision says why.
            missing = services.missing_opinions(case)
            services.case_decide(
                case=case,
                by=coordinator,
                outcome=outcome,
                grounds=GROUNDS.get(outcome, ""),
                justification=DECIDED_IN_COMMITTEE if missing else "",
            )

        self.add(p, decided, decide)
        if outcome != DecisionOutcome.VALIDATED:
            return
        self.add(
            p,
            decided + dt.timedelta(days=2),
            lambda: services.consultant_assign(case=p.case(), by=consultant, consultant=consultant),
        )
        self.add(
            p,
            *self.meeting(
                p,
                MeetingKind.INTERVIEW,
                decided + dt.timedelta(days=12),
                consultant,
                "Entretiens avec la présidente, le trésorier et la direction ; visite des locaux.",
            ),
        )
        if p.stage == Stage.DIAGNOSTIC:
            return
        risks = [self.rng.choice(RiskLevel.values) for _ in domains]

        def findings():
            case = p.case()
            for domain, risk in zip(domains, risks, strict=True):
                services.finding_save(
                    case=case,
                    by=consultant,
                    domain=domain,
                    observations=f"Constats sur le champ « {domain.name} » partagés avec l'équipe.",
                    strengths="Une équipe engagée et des bénévoles présents.",
                    vigilance="Des décisions prises dans l'urgence, sans outil de suivi.",
                    risk_level=risk,
                    recommendations="Formaliser les procédures et instaurer un suivi trimestriel.",
                )

        self.add(p, decided + dt.timedelta(days=14), findings)

    def report(self, p, d):
        consultant, manager_user = self.users["consultant"], p.manager_user
        first = d["first_report_at"]

        def write_and_submit():
            services.report_save(case=p.case(), by=consultant, **REPORT)
            services.report_submit(case=p.case(), by=consultant)

        # Every later step of the report happens before the validation (or now).
        window = (d.get("report_validated_at") or self.now) - first
        self.add(p, first, write_and_submit)
        if self.rng.random() < 0.4:
            self.add(
                p,
                first + window / 3,
                lambda: services.report_request_changes(
                    case=p.case(),
                    by=manager_user,
                    comment="Merci de nuancer la partie sur l'équipe salariée.",
                ),
            )
            self.add(p, first + 2 * window / 3, write_and_submit)

    def support(self, p, d):
        rng = self.rng
        coordinator, consultant = self.users["coordinator"], self.users["consultant"]
        restitution = d["restitution_at"]
        self.add(
            p,
            *self.meeting(
                p,
                MeetingKind.RESTITUTION,
                restitution,
                consultant,
                "Présentation du diagnostic au conseil d'administration et à "
                "la direction ; échanges sur les préconisations.",
                restitution=True,
            ),
        )
        steps = []
        if rng.random() < 0.4:
            steps.append(
                self.meeting(
                    p,
                    MeetingKind.PARTNER_MEETING,
                    restitution + dt.timedelta(days=15),
                    coordinator,
                    "Rencontre avec les partenaires financeurs.",
                )
            )
        closed = p.stage == Stage.CLOSED
        member = p.staff_user or p.manager_user
        for title, domain_code in rng.sample(ACTIONS, 3):
            status = (
                rng.choice([ActionStatus.DONE, ActionStatus.DONE, ActionStatus.DROPPED])
                if closed
                else rng.choice(
                    [ActionStatus.TO_START, ActionStatus.IN_PROGRESS, ActionStatus.DONE]
                )
            )
            added = restitution + dt.timedelta(days=rng.randint(1, 5))
            fields = {
                "domain": self.domains[domain_code],
                "title": title,
                "owner": rng.choice(OWNERS),
                "due_date": (self.now + dt.timedelta(days=rng.randint(-30, 120))).date(),
            }
            # The centre's team writes its own actions (« à démarrer »); each is found again
            # by its title for its update.
            steps.append(
                (
                    added,
                    lambda fields=fields: services.action_add(case=p.case(), by=member, **fields),
                )
            )
            if status != ActionStatus.TO_START:
                note = (
                    "Le conseil d'administration a choisi une autre priorité."
                    if status == ActionStatus.DROPPED
                    else "Point fait en réunion d'équipe."
                )
                steps.append(
                    (
                        added + dt.timedelta(days=rng.randint(10, 50)),
                        lambda title=title, status=status, note=note: services.action_update(
                            action=p.case().actions.get(title=title),
                            by=member,
                            status=status,
                            note=note,
                        ),
                    )
                )
        self.add_in_time_order(p, steps)

    def closure(self, p, closed):
        rng = self.rng
        outcome = rng.choice(
            [ClosureOutcome.IMPROVED] * 3
            + [ClosureOutcome.STABILISED] * 2
            + [ClosureOutcome.DETERIORATED, ClosureOutcome.CENTRE_CLOSED]
        )
        self.add(
            p,
            closed,
            lambda: services.case_close(
                case=p.case(),
                by=self.users["coordinator"],
                outcome=outcome,
                comment="Mission menée à son terme avec l'équipe.",
            ),
        )
        if rng.random() < 0.75:
            answers = {
                "usefulness": rng.randint(3, 5),
                "listening": rng.randint(3, 5),
                "ownership": rng.randint(2, 5),
                "would_recommend": rng.random() < 0.85,
                "comment": "Un regard extérieur précieux." if rng.random() < 0.5 else "",
            }
            self.add(
                p,
                closed + dt.timedelta(days=rng.randint(1, 10)),
                lambda: services.satisfaction_answer(case=p.case(), by=p.manager_user, **answers),
            )

    def partner_user(self, organisation):
        """The person who gives the opinion of a partner: its demo account when there is
        one, otherwise a fictitious referent created for that partner."""

        if organisation.pk in self.users["partners"]:
            return self.users["partners"][organisation.pk]
        user, created = User.objects.get_or_create(
            email=f"partenaire{organisation.pk}@partenaires.demo",
            defaults={
                "first_name": "Référent",
                "last_name": organisation.short_name or organisation.name,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(
            user=user,
            organisation=organisation,
            role=Role.PARTNER,
            defaults={"function": "Référent de la mission"},
        )
        self.users["partners"][organisation.pk] = user
        return user


def _centres_for_demo():
    users = _demo_users()
    board_org = users["board"].organisation
    federation = users["federation"].organisation
    board_centre = SocialCentre.objects.filter(manager=board_org).first()
    federation_centres = list(SocialCentre.objects.filter(manager=federation).order_by("name"))
    others = list(
        SocialCentre.objects.filter(is_fictitious=True)
        .exclude(manager__in=[board_org, federation])
        .select_related("manager")
        .order_by("name")
    )
    return users, board_centre, federation_centres, others


def _manager_user_for(centre, users):
    """The person who speaks for the centre's manager: a demo account when there is one,
    otherwise a fictitious board member created for that association."""

    member = (
        Membership.objects.filter(
            organisation_id=centre.manager_id,
            role__in=[Role.BOARD_MEMBER, Role.FEDERATION_STAFF],
        )
        .select_related("user")
        .first()
    )
    if member:
        return member.user
    slug = f"ca{centre.pk}"
    user, created = User.objects.get_or_create(
        email=f"{slug}@centre.demo",
        defaults={"first_name": "Administrateur", "last_name": f"du centre n°{centre.pk}"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(
        user=user,
        organisation_id=centre.manager_id,
        role=Role.BOARD_MEMBER,
        defaults={"function": "Président(e)"},
    )
    return user


def run_in_time_order(plans: list[_CasePlan]) -> None:
    """Run the steps of every case in the order of their moments (a case's own steps
    keep their order), each under the clock frozen at its moment."""
    steps = [
        (when, index, order, step)
        for index, plan in enumerate(plans)
        for order, (when, step) in enumerate(plan.steps)
    ]
    for when, _index, _order, step in sorted(steps, key=lambda s: s[:3]):
        with clock.frozen_at(when):
            step()


@transaction.atomic
def load_demo_cases(now=None) -> int:
    """Create the demo cases unless they exist. Returns how many were created."""
    if Case.objects.filter(centre__is_fictitious=True).exists():
        return 0
    now = now or clock.now()
    rng = random.Random(2015)  # noqa: S311 - demo data, not security
    planner = _Planner(rng, now)
    users, board_centre, federation_centres, others = _centres_for_demo()
    plan = list(STAGE_PLAN)
    plans = []
    for stage in FEATURED["board"]:
        plan.remove(stage)
        plans.append(planner.plan(board_centre, stage, users["board"].user, users["staff"].user))
    for index, stage in enumerate(FEATURED["federation"]):
        plan.remove(stage)
        centre = federation_centres[index % len(federation_centres)]
        plans.append(planner.plan(centre, stage, users["federation"].user))
    rng.shuffle(plan)
    for index, stage in enumerate(plan):
        centre = others[index % len(others)]
        plans.append(planner.plan(centre, stage, _manager_user_for(centre, users)))
    with outbox_suppressed():
        run_in_time_order(plans)
    for p in plans:  # the walk above must end where the plan says
        reached = Case.objects.values_list("stage", flat=True).get(pk=p.case_id)
        if reached != p.stage:
            raise RuntimeError(f"Demo case ended at {reached} instead of {p.stage}")
    return len(plans)
