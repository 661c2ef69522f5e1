"""About sixty fictitious cases over the last three years, at every stage.

Rows are written directly (not through the services) so that dates can lie in the
past and no email is sent; they respect the same constraints and carry the same
timeline events as real cases. Deterministic (seeded) and idempotent.
"""

import datetime as dt
import random
from collections import Counter

from django.db import transaction
from django.utils import timezone

from soutien.cases.enums import (
    ActionStatus,
    Audience,
    Channel,
    ClosureOutcome,
    DecisionOutcome,
    MeetingKind,
    OpinionValue,
    ReportStatus,
    RiskLevel,
    Situation,
    Stage,
)
from soutien.cases.models import (
    Action,
    ActionNote,
    Case,
    CaseEvent,
    CaseNumberSequence,
    Decision,
    Finding,
    InformationForm,
    Meeting,
    Message,
    Opinion,
    ReportVersion,
    Satisfaction,
)
from soutien.cases.services import concerned_partners
from soutien.cases.workflow import TRANSITIONS
from soutien.core import clock
from soutien.directory.models import (
    Domain,
    Membership,
    ProviderContract,
    Role,
    SocialCentre,
    WarningSign,
)

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
            for m in Membership.objects.filter(role=Role.PARTNER).select_related("user")
        },
    }


class _Builder:
    def __init__(self, rng: random.Random, now: dt.datetime):
        self.rng = rng
        self.now = now
        self.users = _demo_users()
        self.provider = ProviderContract.objects.current().provider
        self.domains = {d.code: d for d in Domain.objects.all()}
        self.signs = list(WarningSign.objects.select_related("domain"))
        self.numbers: Counter = Counter()

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

    def number(self, when: dt.datetime) -> str:
        year = timezone.localtime(when).year
        self.numbers[year] += 1
        return f"MSTR-{year}-{self.numbers[year]:04d}"

    def event(self, case, kind, label, actor, when, *, source="", target="", comment="",
              audience=Audience.CASE):  # fmt: skip
        event = CaseEvent.objects.create(
            case=case,
            kind=kind,
            label=label,
            actor=actor,
            from_stage=source,
            to_stage=target,
            comment=comment,
            audience=audience,
        )
        CaseEvent.objects.filter(pk=event.pk).update(created_at=when)

    def transition(self, case, name, actor, when, source, comment=""):
        t = TRANSITIONS[name]
        self.event(case, name, t.done_label, actor, when, source=source, target=t.target,
                   comment=comment)  # fmt: skip
        return t.target

    def build(self, centre, stage, manager_user, staff_user=None):
        rng = self.rng
        situation = rng.choice([Situation.PREVENTIVE] * 2 + [Situation.CRISIS])
        d = self.dates(stage)
        case = Case.objects.create(
            centre=centre,
            manager_id=centre.manager_id,
            created_by=staff_user if (staff_user and stage == Stage.DRAFT) else manager_user,
            stage=Stage.DRAFT,
            situation=situation,
        )
        domains = rng.sample(list(self.domains.values())[:4], rng.randint(1, 3))
        form = InformationForm.objects.create(
            case=case,
            requester_name=manager_user.get_full_name(),
            requester_function="Présidente"
            if manager_user.email.startswith("admin")
            else ("Délégué fédéral"),
            requester_phone=f"04 91 {rng.randint(10, 99)} {rng.randint(10, 99)} "
            f"{rng.randint(10, 99)}",
            requester_email=manager_user.email,
            warning_signs_other="" if rng.random() < 0.7 else "Tensions avec le bailleur.",
            description=rng.choice(DESCRIPTIONS[situation]),
            previous_attempts=rng.choice(ATTEMPTS),
            expectations=rng.choice(EXPECTATIONS),
            availability="Du lundi au jeudi, en journée ; le samedi matin pour les bénévoles.",
            confidentiality_ack=stage != Stage.DRAFT,
            cooperation_ack=stage != Stage.DRAFT,
            updated_by=manager_user,
        )
        form.domains.set(domains)
        related = [s for s in self.signs if s.domain in domains] or self.signs
        form.warning_signs.set(rng.sample(related, min(len(related), rng.randint(1, 3))))

        fields = {"created_at": d["created_at"], "stage_changed_at": d["created_at"]}
        self.event(case, "create", "Brouillon créé", case.created_by, d["created_at"])
        coordinator, consultant = self.users["coordinator"], self.users["consultant"]
        current = Stage.DRAFT
        if "submitted_at" in d:
            fields["number"] = self.number(d["submitted_at"])
            current = self.transition(case, "submit", manager_user, d["submitted_at"], current)
            fields.update(submitted_at=d["submitted_at"], stage_changed_at=d["submitted_at"])
        if stage == Stage.RETURNED:
            when = d["submitted_at"] + dt.timedelta(days=3)
            current = self.transition(case, "return_for_completion", coordinator, min(
                when, self.now), current, "Merci de joindre le dernier bilan et le budget "
                "prévisionnel.")  # fmt: skip
            fields["stage_changed_at"] = min(when, self.now)
        if "referral_opened_at" in d:
            when = d["referral_opened_at"]
            current = self.transition(case, "open_referral", coordinator, when, current)
            fields.update(referral_opened_at=when, stage_changed_at=when)
            self.opinions(case, stage, when, d.get("decided_at"))
            if rng.random() < 0.5:
                self.meeting(case, MeetingKind.REFERRAL, when + dt.timedelta(days=7), coordinator,
                             "Réunion des financeurs : examen de la demande.")  # fmt: skip
        if "decided_at" in d:
            when = d["decided_at"]
            outcome = {
                Stage.REFUSED: DecisionOutcome.REFUSED,
                Stage.CLOSED_WITHOUT_FOLLOW_UP: DecisionOutcome.CLOSED_WITHOUT_FOLLOW_UP,
            }.get(stage, DecisionOutcome.VALIDATED)
            grounds = {
                DecisionOutcome.REFUSED: "La situation relève d'un accompagnement de droit "
                "commun par la fédération ; la mission n'est pas la réponse adaptée.",
                DecisionOutcome.CLOSED_WITHOUT_FOLLOW_UP: "Demande retirée par le gestionnaire "
                "après le rétablissement de la situation.",
            }.get(outcome, "")
            Decision.objects.create(case=case, outcome=outcome, grounds=grounds,
                                    decided_by=coordinator, decided_at=when)  # fmt: skip
            name = {
                DecisionOutcome.VALIDATED: "validate",
                DecisionOutcome.REFUSED: "refuse",
                DecisionOutcome.CLOSED_WITHOUT_FOLLOW_UP: "close_without_follow_up",
            }[outcome]
            current = self.transition(case, name, coordinator, when, current, grounds)
            fields.update(decided_at=when, stage_changed_at=when)
            if outcome != DecisionOutcome.VALIDATED:
                fields["closed_at"] = when
            else:
                fields["provider"] = self.provider
                fields["consultant"] = consultant
                self.event(case, "assign", f"Consultant désigné : {consultant.get_full_name()}",
                           consultant, when + dt.timedelta(days=2))  # fmt: skip
                self.meeting(case, MeetingKind.INTERVIEW, when + dt.timedelta(days=12),
                             consultant, "Entretiens avec la présidente, le trésorier et la "
                             "direction ; visite des locaux.")  # fmt: skip
                if stage != Stage.DIAGNOSTIC:
                    self.findings(case, domains)
        if "first_report_at" in d:
            current, submitted_at = self.report(case, stage, d, manager_user, current)
            fields.update(first_report_at=d["first_report_at"], report_submitted_at=submitted_at,
                          stage_changed_at=submitted_at)  # fmt: skip
        if "report_validated_at" in d:
            when = d["report_validated_at"]
            current = self.transition(case, "validate_report", manager_user, when, current)
            fields.update(report_validated_at=when, stage_changed_at=when)
        if "restitution_at" in d:
            when = d["restitution_at"]
            self.meeting(case, MeetingKind.RESTITUTION, when, consultant,
                         "Présentation du diagnostic au conseil d'administration et à la "
                         "direction ; échanges sur les préconisations.")  # fmt: skip
            current = self.transition(case, "record_restitution", consultant, when, current)
            fields.update(restitution_at=when, stage_changed_at=when)
            if rng.random() < 0.4:
                self.meeting(case, MeetingKind.PARTNER_MEETING, when + dt.timedelta(days=15),
                             coordinator, "Rencontre avec les partenaires financeurs.")  # fmt: skip
            self.actions(case, d.get("closed_at"), manager_user, staff_user)
        if "closed_at" in d and stage == Stage.CLOSED:
            when = d["closed_at"]
            outcome = rng.choice(
                [ClosureOutcome.IMPROVED] * 3
                + [ClosureOutcome.STABILISED] * 2
                + [ClosureOutcome.DETERIORATED, ClosureOutcome.CENTRE_CLOSED]
            )
            fields.update(closed_at=when, stage_changed_at=when, closure_outcome=outcome,
                          closure_comment="Mission menée à son terme avec l'équipe.")  # fmt: skip
            current = self.transition(case, "close", coordinator, when, current)
            if rng.random() < 0.75:
                Satisfaction.objects.create(
                    case=case,
                    usefulness=rng.randint(3, 5),
                    listening=rng.randint(3, 5),
                    ownership=rng.randint(2, 5),
                    would_recommend=rng.random() < 0.85,
                    comment="Un regard extérieur précieux." if rng.random() < 0.5 else "",
                    answered_by=manager_user,
                )
        if current not in (Stage.DRAFT,):
            Message.objects.create(case=case, channel=Channel.MESSAGE, author=coordinator,
                                   body="Bonjour, je reste à votre disposition pour toute "
                                   "question sur la suite de la demande.")  # fmt: skip
        if current != stage:  # the walk above must end where the plan says
            raise RuntimeError(f"Demo case ended at {current} instead of {stage}")
        fields["stage"] = stage
        Case.objects.filter(pk=case.pk).update(**fields)
        return case

    def opinions(self, case, stage, opened, decided):
        rng = self.rng
        for partner in concerned_partners(case):
            opinion = Opinion.objects.create(case=case, partner=partner)
            if stage == Stage.REFERRAL and rng.random() < 0.5:
                continue
            value = rng.choice([OpinionValue.FAVOURABLE] * 4 + [OpinionValue.RESERVED])
            if stage == Stage.REFUSED:
                value = rng.choice([OpinionValue.UNFAVOURABLE, OpinionValue.RESERVED])
            when = opened + dt.timedelta(days=rng.randint(1, 9))
            if decided:
                when = min(when, decided - dt.timedelta(hours=2))
            opinion.value = value
            opinion.given_at = min(when, self.now)
            opinion.given_by = self.users["partners"].get(partner.pk)
            opinion.comment = {
                OpinionValue.FAVOURABLE: "Avis favorable : la démarche est pertinente.",
                OpinionValue.RESERVED: "Réservé : nous souhaitons un point d'étape à mi-parcours.",
                OpinionValue.UNFAVOURABLE: "Défavorable : un autre dispositif paraît plus adapté.",
            }[value]
            opinion.save()
            self.event(case, "opinion", f"Avis donné : {partner.display_name} — "
                       f"{opinion.get_value_display().lower()}", opinion.given_by,
                       opinion.given_at, comment=opinion.comment,
                       audience=Audience.PARTNERS)  # fmt: skip

    def meeting(self, case, kind, when, by, summary):
        when = timezone.localtime(when).replace(hour=self.rng.choice([9, 10, 14, 15]), minute=0)
        when = min(when, self.now - dt.timedelta(hours=2))
        meeting = Meeting.objects.create(
            case=case,
            kind=kind,
            starts_at=when,
            ends_at=when + dt.timedelta(hours=2),
            place=f"{case.centre.address}, {case.centre.commune.name}",
            agenda="Tour de table ; point sur la situation ; suites à donner.",
            attendees_text="La présidente\nLe trésorier\nLa directrice",
            summary=summary,
            created_by=by,
        )
        audience = (
            Audience.PARTNERS if kind == MeetingKind.REFERRAL else (Audience.MANAGER_AND_PROVIDER)
        )
        if kind != MeetingKind.RESTITUTION:
            self.event(case, f"meeting_{kind}", f"{meeting.get_kind_display()} du "
                       f"{timezone.localtime(when):%d/%m/%Y}", by, when,
                       audience=audience)  # fmt: skip

    def findings(self, case, domains):
        for domain in domains:
            Finding.objects.create(
                case=case,
                domain=domain,
                observations=f"Constats sur le champ « {domain.name} » partagés avec l'équipe.",
                strengths="Une équipe engagée et des bénévoles présents.",
                vigilance="Des décisions prises dans l'urgence, sans outil de suivi.",
                risk_level=self.rng.choice(RiskLevel.values),
                recommendations="Formaliser les procédures et instaurer un suivi trimestriel.",
            )

    def report(self, case, stage, d, manager_user, current):
        consultant = self.users["consultant"]
        body = {
            "context": "Diagnostic conduit en quatre semaines : entretiens individuels, visite "
            "des locaux, lecture des comptes et des procès-verbaux.",
            "analysis": "Le centre dispose d'atouts réels mais son modèle économique dépend "
            "d'un financement unique ; la gouvernance manque d'outils de pilotage.",
            "recommendations": "1. Plan de trésorerie mensuel. 2. Formation des administrateurs. "
            "3. Clarification des délégations entre bureau et direction.",
            "summary": "Situation fragile mais redressable si l'équipe s'approprie les outils.",
        }
        first = d["first_report_at"]
        # Every later step of the report happens before the validation (or now).
        window = (d.get("report_validated_at") or self.now) - first
        submitted, number = first, 1
        if self.rng.random() < 0.4:
            reviewed = first + window / 3
            ReportVersion.objects.create(
                case=case, number=1, status=ReportStatus.CHANGES_REQUESTED, author=consultant,
                submitted_at=first, reviewed_by=manager_user, reviewed_at=reviewed,
                manager_comment="Merci de nuancer la partie sur l'équipe salariée.", **body,
            )  # fmt: skip
            current = self.transition(case, "submit_report", consultant, first, current,
                                      "Version 1")  # fmt: skip
            current = self.transition(case, "request_changes", manager_user, reviewed, current)
            submitted, number = first + 2 * window / 3, 2
        status = ReportStatus.SUBMITTED if stage == Stage.REPORT_REVIEW else ReportStatus.VALIDATED
        ReportVersion.objects.create(
            case=case, number=number, status=status, author=consultant, submitted_at=submitted,
            reviewed_by=None if status == ReportStatus.SUBMITTED else manager_user,
            reviewed_at=d.get("report_validated_at"), **body,
        )  # fmt: skip
        current = self.transition(case, "submit_report", consultant, submitted, current,
                                  f"Version {number}")  # fmt: skip
        return current, submitted

    def actions(self, case, closed, manager_user, staff_user):
        rng = self.rng
        for title, domain_code in rng.sample(ACTIONS, 3):
            status = (
                rng.choice([ActionStatus.TO_START, ActionStatus.IN_PROGRESS, ActionStatus.DONE])
                if not closed
                else (rng.choice([ActionStatus.DONE, ActionStatus.DONE, ActionStatus.DROPPED]))
            )
            action = Action.objects.create(
                case=case,
                domain=self.domains[domain_code],
                title=title,
                owner=rng.choice(OWNERS),
                due_date=(self.now + dt.timedelta(days=rng.randint(-30, 120))).date(),
                status=status,
                status_reason=(
                    "Le conseil d'administration a choisi une autre priorité."
                    if status == ActionStatus.DROPPED
                    else ""
                ),
                done_by_centre=True if status == ActionStatus.DONE else None,
                created_by=self.users["consultant"],
            )
            if status != ActionStatus.TO_START:
                ActionNote.objects.create(action=action, author=staff_user or manager_user,
                                          text="Point fait en réunion d'équipe.")  # fmt: skip


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
    from soutien.accounts.models import User

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


@transaction.atomic
def load_demo_cases(now=None) -> int:
    """Create the demo cases unless they exist. Returns how many were created."""
    if Case.objects.filter(centre__is_fictitious=True).exists():
        return 0
    now = now or clock.now()
    rng = random.Random(2015)  # noqa: S311 - demo data, not security
    builder = _Builder(rng, now)
    users, board_centre, federation_centres, others = _centres_for_demo()
    plan = list(STAGE_PLAN)
    created = 0
    for stage in FEATURED["board"]:
        plan.remove(stage)
        builder.build(board_centre, stage, users["board"].user, users["staff"].user)
        created += 1
    for index, stage in enumerate(FEATURED["federation"]):
        plan.remove(stage)
        centre = federation_centres[index % len(federation_centres)]
        builder.build(centre, stage, users["federation"].user)
        created += 1
    rng.shuffle(plan)
    for index, stage in enumerate(plan):
        centre = others[index % len(others)]
        builder.build(centre, stage, _manager_user_for(centre, users))
        created += 1
    for year, last in builder.numbers.items():
        CaseNumberSequence.objects.update_or_create(year=year, defaults={"last": last})
    return created
