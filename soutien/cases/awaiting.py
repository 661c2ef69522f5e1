"""Who must act, on what, by when: the things a case awaits at its stage.

`EXPECTED` is data keyed by stage (it will move into the workflow table of
soutien/cases/workflow.py). `pending_for(cases)` turns it into `Pending` things for a
batch of cases in a constant number of queries: the reminders, the daily digest and
the escalation to the coordinator all read it.

A thing is dated when a target duration runs at its stage (soutien.cases.deadlines);
the others (a fiche returned for completion, a case to close, the satisfaction
questionnaire) are listed in the digest but not reminded.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, TextChoices

from soutien.cases.deadlines import due_at
from soutien.cases.enums import OpinionValue, Stage
from soutien.cases.models import Case, Opinion, Satisfaction, TargetDuration
from soutien.directory.actors import actor_for
from soutien.directory.models import Membership, Role


class Actor(TextChoices):
    """Who must act on a thing."""

    COORDINATION = "coordination", "La coordination (Caf)"
    MANAGER = "manager", "Le gestionnaire du centre"
    PARTNER = "partner", "Le partenaire financeur concerné"
    CONSULTANT = "consultant", "Le consultant désigné"
    PROVIDER = "provider", "Le prestataire"


@dataclass(frozen=True)
class Expectation:
    """One kind of thing awaited at a stage."""

    kind: str
    actor: str
    label: str
    # None: always at this stage; otherwise a name of `_CONDITIONS`.
    condition: str | None = None


EXPECTED: dict[str, tuple[Expectation, ...]] = {
    Stage.SUBMITTED: (
        Expectation("check_form", Actor.COORDINATION, "Vérifier la fiche transmise"),
    ),
    Stage.RETURNED: (
        Expectation("complete_form", Actor.MANAGER, "Compléter la fiche d'information"),
    ),
    Stage.REFERRAL: (
        # One thing per concerned partner whose opinion is still awaited.
        Expectation("opinion", Actor.PARTNER, "Donner l'avis de votre institution"),
        Expectation("decide", Actor.COORDINATION, "Enregistrer la décision des financeurs"),
    ),
    Stage.DIAGNOSTIC: (
        Expectation(
            "assign_consultant",
            Actor.PROVIDER,
            "Désigner le consultant du diagnostic",
            condition="no_consultant",
        ),
        Expectation(
            "report",
            Actor.CONSULTANT,
            "Transmettre le rapport du diagnostic",
            condition="has_consultant",
        ),
    ),
    Stage.REPORT_REVIEW: (
        Expectation("validate_report", Actor.MANAGER, "Relire et valider le rapport"),
    ),
    Stage.RESTITUTION: (
        Expectation("restitution", Actor.CONSULTANT, "Faire la restitution au gestionnaire"),
    ),
    Stage.SUPPORT: (Expectation("close", Actor.COORDINATION, "Clôturer le dossier"),),
    Stage.CLOSED: (
        Expectation(
            "satisfaction",
            Actor.MANAGER,
            "Répondre au questionnaire de satisfaction",
            condition="no_satisfaction",
        ),
    ),
}

KIND_LABELS = {e.kind: e.label for expectations in EXPECTED.values() for e in expectations}


@dataclass(frozen=True)
class Pending:
    """One thing awaited on a case: who must act (users), by when (None: no target)."""

    case: Case
    kind: str
    subject: str  # tells apart things of one kind on a case (the partner's id), or ""
    label: str
    actor: str
    user_ids: frozenset[int]
    due_at: dt.datetime | None
    organisation_name: str = ""

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.case.pk, self.kind, self.subject)

    @property
    def actor_label(self) -> str:
        return self.organisation_name or Actor(self.actor).label


def pending_cases():
    """The cases that may await something (not anonymised, at a stage of `EXPECTED`)."""
    return Case.objects.filter(stage__in=list(EXPECTED), anonymised_at__isnull=True)


def pending_for(cases: Iterable[Case], *, table=None) -> list[Pending]:
    """The things awaited on these cases, with the users who must act. At most five
    queries whatever the number of cases (target durations, opinions, satisfaction,
    memberships)."""
    cases = [case for case in cases if case.stage in EXPECTED]
    if not cases:
        return []
    table = table if table is not None else TargetDuration.as_table()
    ids = [case.pk for case in cases]

    opinions = defaultdict(list)
    referral = [case.pk for case in cases if case.stage == Stage.REFERRAL]
    if referral:
        for case_id, partner_id, name in (
            Opinion.objects.filter(case_id__in=referral, value=OpinionValue.PENDING)
            .order_by("partner__name", "pk")
            .values_list("case_id", "partner_id", "partner__name")
        ):
            opinions[case_id].append((partner_id, name))
    answered = set()
    if any(case.stage == Stage.CLOSED for case in cases):
        answered = set(
            Satisfaction.objects.filter(case_id__in=ids).values_list("case_id", flat=True)
        )

    members = _members(cases, opinions)
    conditions = {
        "no_consultant": lambda case: case.consultant_id is None,
        "has_consultant": lambda case: case.consultant_id is not None,
        "no_satisfaction": lambda case: case.pk not in answered,
    }
    things = []
    for case in cases:
        due = due_at(case, table)
        for expectation in EXPECTED[case.stage]:
            if expectation.condition and not conditions[expectation.condition](case):
                continue
            common = {"case": case, "kind": expectation.kind, "label": expectation.label}
            common.update(actor=expectation.actor, due_at=due)
            if expectation.actor == Actor.PARTNER:
                for partner_id, name in opinions[case.pk]:
                    users = members[(Role.PARTNER, partner_id)]
                    things.append(
                        Pending(
                            **common,
                            subject=str(partner_id),
                            user_ids=frozenset(users),
                            organisation_name=name,
                        )
                    )
                continue
            things.append(
                Pending(**common, subject="", user_ids=frozenset(_who(expectation, case, members)))
            )
    return things


def _who(expectation: Expectation, case: Case, members) -> set[int]:
    if expectation.actor == Actor.COORDINATION:
        return members[(Role.COORDINATOR, None)]
    if expectation.actor == Actor.MANAGER:
        return members[("manager", case.manager_id)]
    if expectation.actor == Actor.PROVIDER:
        return members[(Role.CONSULTANT, case.provider_id)]
    # The designated consultant, while still an active consultant of the provider.
    consultants = members[(Role.CONSULTANT, case.provider_id)]
    return {case.consultant_id} & consultants


def _members(cases, opinions) -> defaultdict:
    """{(role, organisation id): active user ids}, in one query; the manager side (board
    members and federation staff) under ("manager", organisation id), the coordination
    under (coordinator, None)."""
    managers = {case.manager_id for case in cases}
    providers = {case.provider_id for case in cases if case.provider_id}
    partners = {partner_id for rows in opinions.values() for partner_id, _ in rows}
    scope = Q(role=Role.COORDINATOR) | Q(
        role__in=[Role.BOARD_MEMBER, Role.FEDERATION_STAFF], organisation_id__in=managers
    )
    if providers:
        scope |= Q(role=Role.CONSULTANT, organisation_id__in=providers)
    if partners:
        scope |= Q(role=Role.PARTNER, organisation_id__in=partners)
    members = defaultdict(set)
    for user_id, role, organisation_id in Membership.objects.filter(
        scope, is_active=True, user__is_active=True
    ).values_list("user_id", "role", "organisation_id"):
        if role == Role.COORDINATOR:
            members[(Role.COORDINATOR, None)].add(user_id)
        elif role in (Role.BOARD_MEMBER, Role.FEDERATION_STAFF):
            members[("manager", organisation_id)].add(user_id)
        else:
            members[(role, organisation_id)].add(user_id)
    return members


def case_pending(case: Case) -> list[Pending]:
    """The things one case awaits."""
    return pending_for([case])


def pending_of(user_id: int, things: Iterable[Pending]) -> list[Pending]:
    """The things this user must act on."""
    return [thing for thing in things if user_id in thing.user_ids]


def _condition_q(name: str | None) -> Q:
    """The database form of `_CONDITIONS` in `pending_for` (same names, same meaning)."""
    if name is None:
        return Q()
    return {
        "no_consultant": Q(consultant__isnull=True),
        "has_consultant": Q(consultant__isnull=False),
        "no_satisfaction": ~Exists(Satisfaction.objects.filter(case_id=OuterRef("pk"))),
    }[name]


def awaiting_user_q(user) -> Q:
    """The cases on which `user` has something to do now, as a filter (the list's « À faire
    par moi »), read from `EXPECTED`: the same things as `pending_for`, for one person."""
    actor = actor_for(user)
    scope_of = {
        Actor.COORDINATION: Q() if actor.coordinator else None,
        Actor.MANAGER: Q(manager_id__in=actor.manager_orgs) if actor.manager_orgs else None,
        Actor.PARTNER: (
            Q(
                Exists(
                    Opinion.objects.filter(
                        case_id=OuterRef("pk"),
                        partner_id__in=actor.partner_orgs,
                        value=OpinionValue.PENDING,
                    )
                )
            )
            if actor.partner_orgs
            else None
        ),
        Actor.CONSULTANT: Q(consultant_id=user.pk) if actor.provider_orgs else None,
        Actor.PROVIDER: (Q(provider_id__in=actor.provider_orgs) if actor.provider_orgs else None),
    }
    wanted = Q(pk__in=[])
    for stage, expectations in EXPECTED.items():
        for expectation in expectations:
            scope = scope_of[expectation.actor]
            if scope is not None:
                wanted |= Q(stage=stage) & scope & _condition_q(expectation.condition)
    return wanted & Q(anonymised_at__isnull=True)
