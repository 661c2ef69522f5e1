"""The action plan: from the report's recommendations to actions the centre owns.

Writes (services) and reads (selectors) of the plan. The recommendations of a report
version are structured items (field, priority, text); when the manager validates the
version, each becomes a *proposed* action. Only the centre's members decide on a
proposed action (accept, adapt, decline with a reason) and keep the status of the plan's
actions: the provider never acts « à la place de ». The consultant proposes and logs the
support sessions.

Every write locks the case (and the action), checks its policy, saves with
``update_fields`` and records a case event, like the other services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from soutien.cases import policies
from soutien.cases.enums import (
    OPEN_STATUSES,
    PLAN_STATUSES,
    SETTABLE_STATUSES,
    ActionDecision,
    ActionOrigin,
    ActionStatus,
    Audience,
    EventKind,
    Priority,
    Stage,
)
from soutien.cases.models import (
    Action,
    ActionNote,
    Case,
    Recommendation,
    ReminderSettings,
    ReportVersion,
    SupportSession,
)
from soutien.cases.services import (
    CaseError,
    StaleForm,
    _locked,
    _require,
    record_event,
)
from soutien.core import clock
from soutien.core.versioning import save_versioned
from soutien.directory.models import Membership, Role

TITLE_MAX = Action._meta.get_field("title").max_length
OWNER_MAX = Action._meta.get_field("owner").max_length

# The roles of the people of a centre who may carry an action with their account.
CENTRE_ROLES = (Role.BOARD_MEMBER, Role.STAFF, Role.FEDERATION_STAFF)
# The managers (gestionnaire) of a centre: they receive the due actions nobody carries.
MANAGER_ROLES = (Role.BOARD_MEMBER, Role.FEDERATION_STAFF)

MESSAGES = {
    "owner": "Indiquez la personne du centre qui porte l'action.",
    "carried_by": "Choisissez une personne du centre (administrateur ou salarié).",
    "declined_reason": "Dites pourquoi le centre écarte cette action.",
    "status_reason": "Dites pourquoi l'action est abandonnée.",
    "status": "Choisissez un état de l'action.",
    "title": "Donnez un intitulé à l'action.",
    "not_proposed": "Cette action a déjà reçu la décision du centre.",
    "proposed": "Décidez d'abord de reprendre ou non cette action proposée.",
    "declined": "Cette action a été écartée par le centre : elle ne fait pas partie du plan.",
}


# --- Recommendations ------------------------------------------------------------------


def recommendation_items(version: ReportVersion | None) -> list[dict]:
    """The recommendations of a version as plain items (for a form), in their order."""
    if version is None or version.pk is None:
        return []
    return [
        {"domain": item.domain, "priority": item.priority, "text": item.text}
        for item in version.recommendation_items.select_related("domain")
    ]


def draft_recommendation_items(case: Case, draft: ReportVersion) -> list[dict]:
    """What the report form shows: the draft's recommendations, or, for a version not
    started yet, those of the version it will copy."""
    if draft.pk is None:
        return recommendation_items(case.report_versions.order_by("-number").first())
    return recommendation_items(draft)


def recommendations_replace(version: ReportVersion, items) -> list[Recommendation]:
    """Replace the recommendations of a draft version (called by ``report_save`` inside
    its transaction, the case already locked): empty texts are skipped, the order kept."""
    version.recommendation_items.all().delete()
    created = []
    for position, item in enumerate(i for i in items if (i.get("text") or "").strip()):
        created.append(
            Recommendation.objects.create(
                report_version=version,
                domain=item["domain"],
                priority=item.get("priority") or Priority.MEDIUM,
                text=item["text"].strip(),
                position=position,
            )
        )
    return created


def recommendations_copy(source: ReportVersion, target: ReportVersion) -> None:
    """A new draft starts from the recommendations of the version it copies."""
    recommendations_replace(target, recommendation_items(source))


def _title_of(text: str) -> tuple[str, str]:
    """An action's title from a recommendation: its first line, cut at a word if too long;
    the whole text goes to the description when the title does not hold it."""
    first = text.strip().splitlines()[0].strip()
    if len(first) <= TITLE_MAX and first == text.strip():
        return first, ""
    if len(first) > TITLE_MAX:
        first = first[: TITLE_MAX - 1].rsplit(" ", 1)[0] + "…"
    return first, text.strip()


def propose_from_report(*, case: Case, version: ReportVersion, by) -> list[Action]:
    """Each recommendation of the validated version becomes a proposed action of the plan
    (called by ``report_validate`` inside its transaction, the case locked)."""
    actions = []
    for item in version.recommendation_items.all():
        title, description = _title_of(item.text)
        actions.append(
            Action.objects.create(
                case=case,
                domain_id=item.domain_id,
                recommendation=item,
                origin=ActionOrigin.RECOMMENDATION,
                status=ActionStatus.PROPOSED,
                title=title,
                description=description,
                created_by=by,
            )
        )
    if actions:
        count = len(actions)
        record_event(
            case=case,
            kind=EventKind.ACTIONS_PROPOSED,
            label=(
                "Une préconisation du rapport est proposée au plan d'actions"
                if count == 1
                else f"{count} préconisations du rapport sont proposées au plan d'actions"
            ),
            by=by,
            audience=Audience.MANAGER_AND_PROVIDER,
        )
    return actions


# --- Actions --------------------------------------------------------------------------


def centre_people(case: Case) -> QuerySet:
    """The people of the centre who have an account (« administrateurs », « salariés »,
    « salariés de la fédération gestionnaire »): they may carry an action."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organisation_id=case.manager_id,
            memberships__role__in=CENTRE_ROLES,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def _locked_action(action: Action, version: int | None) -> tuple[Action, Case]:
    action = Action.objects.select_for_update().select_related("case").get(pk=action.pk)
    case = _locked(action.case)
    if version is not None and int(version) != action.version:
        raise StaleForm()
    return action, case


def _owner_fields(case: Case, owner: str, carried_by) -> tuple[str, object]:
    """The free-text owner and the account carrying the action: one of them at least; the
    account must be one of the centre's people."""
    owner = (owner or "").strip()
    if carried_by is not None:
        if not centre_people(case).filter(pk=carried_by.pk).exists():
            raise CaseError(MESSAGES["carried_by"], field="carried_by")
        if not owner:
            owner = (carried_by.get_full_name() or carried_by.email)[:OWNER_MAX]
    if not owner:
        raise CaseError(MESSAGES["owner"], field="owner")
    return owner, carried_by


def _save(action: Action, fields: list[str]) -> Action:
    return save_versioned(action, fields)


def _event(case, action, kind, label, by, comment=""):
    record_event(
        case=case,
        kind=kind,
        label=label,
        by=by,
        comment=comment,
        audience=Audience.MANAGER_AND_PROVIDER,
    )


def _require_proposed(action: Action) -> None:
    if action.status != ActionStatus.PROPOSED:
        raise CaseError(MESSAGES["not_proposed"])


@transaction.atomic
def action_accept(
    *, action: Action, by, owner: str = "", carried_by=None, due_date=None, version=None
) -> Action:
    """The centre takes on the proposed action as it is, with the person who carries it and
    its due date."""
    action, case = _locked_action(action, version)
    _require(policies.can_decide_on_action(by, case))
    _require_proposed(action)
    action.owner, action.carried_by = _owner_fields(case, owner, carried_by)
    action.due_date = due_date
    action.decision = ActionDecision.ACCEPTED
    action.status = ActionStatus.TO_START
    _save(action, ["owner", "carried_by", "due_date", "decision", "status"])
    _event(case, action, "action_accept", f"Action acceptée par le centre : {action.title}", by)
    return action


@transaction.atomic
def action_adapt(
    *,
    action: Action,
    by,
    title: str,
    description: str = "",
    owner: str = "",
    carried_by=None,
    due_date=None,
    version=None,
) -> Action:
    """The centre takes on the proposed action, adapting it to its situation (title,
    description), with the person who carries it and its due date."""
    action, case = _locked_action(action, version)
    _require(policies.can_decide_on_action(by, case))
    _require_proposed(action)
    title = (title or "").strip()
    if not title:
        raise CaseError(MESSAGES["title"], field="title")
    action.owner, action.carried_by = _owner_fields(case, owner, carried_by)
    action.title = title[:TITLE_MAX]
    action.description = description or ""
    action.due_date = due_date
    action.decision = ActionDecision.ADAPTED
    action.status = ActionStatus.TO_START
    _save(action, ["title", "description", "owner", "carried_by", "due_date", "decision", "status"])
    _event(case, action, "action_adapt", f"Action adaptée par le centre : {action.title}", by)
    return action


@transaction.atomic
def action_decline(*, action: Action, by, reason: str, version=None) -> Action:
    """The centre may set a proposed action aside, saying why: it stays visible, with its
    reason, but is not part of the plan."""
    action, case = _locked_action(action, version)
    _require(policies.can_decide_on_action(by, case))
    _require_proposed(action)
    reason = (reason or "").strip()
    if not reason:
        raise CaseError(MESSAGES["declined_reason"], field="reason")
    action.decision = ActionDecision.DECLINED
    action.declined_reason = reason
    action.status = ActionStatus.DECLINED
    _save(action, ["decision", "declined_reason", "status"])
    _event(
        case, action, "action_decline", f"Action écartée par le centre : {action.title}", by, reason
    )
    return action


def apply_status(
    action: Action, *, status: str, reason: str = "", done_by_centre: bool = True
) -> list[str]:
    """Set a status on a locked action of the plan; returns the fields changed. A proposed
    action given a status is taken up as proposed (accepted), if someone carries it."""
    if status not in SETTABLE_STATUSES:
        raise CaseError(MESSAGES["status"], field="status")
    if action.status == ActionStatus.DECLINED:
        raise CaseError(MESSAGES["declined"], field="status")
    fields = ["status", "status_reason", "done_by_centre", "completed_at"]
    if action.status == ActionStatus.PROPOSED:
        if not (action.owner.strip() or action.carried_by_id):
            raise CaseError(MESSAGES["proposed"], field="status")
        action.decision = ActionDecision.ACCEPTED
        fields.append("decision")
    reason = (reason or "").strip()
    if status == ActionStatus.DROPPED and not reason:
        raise CaseError(MESSAGES["status_reason"], field="reason")
    if status != action.status and status == ActionStatus.DONE:
        action.completed_at = clock.now()
    elif status != ActionStatus.DONE:
        action.completed_at = None
    action.done_by_centre = bool(done_by_centre) if status == ActionStatus.DONE else None
    kept = status in (ActionStatus.DROPPED, ActionStatus.POSTPONED)
    action.status_reason = reason if kept else ""
    action.status = status
    return fields


@transaction.atomic
def action_set_status(
    *,
    action: Action,
    by,
    status: str,
    reason: str = "",
    done_by_centre: bool = True,
    note: str = "",
    version=None,
) -> Action:
    """The members of the centre keep the status of the plan's actions: to start, in progress,
    done (by the centre's team itself or not), postponed, dropped (with its reason). The
    consultant does not act « à la place de » the centre's team."""
    action, case = _locked_action(action, version)
    _require(policies.can_set_action_status(by, case))
    before = (action.status, action.status_reason, action.done_by_centre)
    fields = apply_status(action, status=status, reason=reason, done_by_centre=done_by_centre)
    changed = before != (action.status, action.status_reason, action.done_by_centre)
    _save(action, fields)
    if note.strip():
        ActionNote.objects.create(action=action, author=by, text=note.strip())
    if changed or note.strip():
        _event(
            case,
            action,
            "action_update",
            f"Action « {action.title} » : {action.get_status_display().lower()}",
            by,
            "\n".join(t for t in (action.status_reason, note.strip()) if t),
        )
    return action


# --- Support sessions -----------------------------------------------------------------


@transaction.atomic
def support_session_log(
    *, case: Case, by, held_on, participants: str, worked_on: str, tools_handed_over: str = ""
) -> SupportSession:
    """The consultant logs each support session: who took part, what was worked on, the tools
    handed over to the centre's team."""
    _locked(case)
    _require(policies.can_log_support_session(by, case))
    errors = {}
    if not (participants or "").strip():
        errors["participants"] = "Indiquez qui a pris part à la séance."
    if not (worked_on or "").strip():
        errors["worked_on"] = "Dites ce qui a été travaillé pendant la séance."
    if held_on is None:
        errors["held_on"] = "Indiquez la date de la séance."
    elif held_on > timezone.localdate(clock.now()):
        errors["held_on"] = "Une séance se consigne une fois tenue : sa date est passée."
    if errors:
        raise CaseError(next(iter(errors.values())), errors=errors)
    session = SupportSession.objects.create(
        case=case,
        held_on=held_on,
        participants=participants.strip(),
        worked_on=worked_on.strip(),
        tools_handed_over=(tools_handed_over or "").strip(),
        author=by,
    )
    record_event(
        case=case,
        kind=EventKind.SUPPORT_SESSION,
        label=f"Séance d'accompagnement du {held_on:%d/%m/%Y} consignée",
        by=by,
        audience=Audience.MANAGER_AND_PROVIDER,
    )
    return session


# --- Reading --------------------------------------------------------------------------


@dataclass
class FieldGroup:
    """The actions of one field of expertise, with their progress."""

    name: str
    actions: list[Action] = field(default_factory=list)

    @property
    def counted(self) -> list[Action]:
        """The actions the progress counts: those the centre took up, not abandoned."""
        return [
            a
            for a in self.actions
            if a.status in PLAN_STATUSES and a.status != ActionStatus.DROPPED
        ]

    @property
    def done(self) -> int:
        return sum(1 for a in self.counted if a.status == ActionStatus.DONE)

    @property
    def total(self) -> int:
        return len(self.counted)


@dataclass
class PlanSummary:
    groups: list[FieldGroup]
    counts: dict[str, int]
    done: int
    total: int
    open: int

    @property
    def progress_label(self) -> str:
        return progress_words(self.done, self.total)

    @property
    def status_counts(self) -> list[tuple[str, int]]:
        """(label, count) for every status that has actions, in the statuses' order."""
        return [(s.label, self.counts[s.value]) for s in ActionStatus if self.counts[s.value]]


def progress_words(done: int, total: int) -> str:
    """« 4 actions réalisées sur 9 », in French words."""
    if total == 0:
        return "Aucune action retenue pour l'instant"
    noun = "action réalisée" if done <= 1 else "actions réalisées"
    return f"{done} {noun} sur {total}"


NO_FIELD = "Sans champ particulier"


def plan_summary(case: Case) -> PlanSummary:
    """The case's actions grouped by field (in the fields' order, those without one last),
    with the counts per status and the progress (one query, plus the notes)."""
    actions = list(
        case.actions.select_related("domain", "carried_by", "recommendation").order_by(
            F("domain__order").asc(nulls_last=True),
            "domain__name",
            F("due_date").asc(nulls_last=True),
            "pk",
        )
    )
    groups: dict[object, FieldGroup] = {}
    for action in actions:
        key = action.domain_id
        if key not in groups:
            groups[key] = FieldGroup(action.domain.name if action.domain else NO_FIELD)
        groups[key].actions.append(action)
    counts = {status.value: 0 for status in ActionStatus}
    for action in actions:
        counts[action.status] += 1
    done = counts[ActionStatus.DONE]
    total = sum(counts[s] for s in PLAN_STATUSES) - counts[ActionStatus.DROPPED]
    open_count = sum(counts[s] for s in OPEN_STATUSES)
    return PlanSummary(list(groups.values()), counts, done, total, open_count)


def open_actions(case: Case) -> list[Action]:
    """The actions still open (proposed, to start, in progress, postponed): the closure
    warns about them."""
    return list(case.actions.filter(status__in=OPEN_STATUSES).order_by("due_date", "pk"))


def support_sessions_visible(user, case: Case) -> list[SupportSession]:
    """The support sessions of the case, if the user may read them (newest first)."""
    if not policies.can_view_support_sessions(user, case):
        return []
    return list(case.support_sessions.select_related("author"))


def actions_due_for(user, *, today: dt.date | None = None, lead_days: int | None = None):
    """The open actions of the plans in support whose due date has come (or comes within
    ``lead_days``, by default the reminders' setting) that ``user`` owns: the account that
    carries the action; when no account carries it, the centre's managers (« administrateurs
    bénévoles », « salariés de la fédération gestionnaire »). Late ones first; each row has
    ``is_late``."""

    if not getattr(user, "is_authenticated", False):
        return Action.objects.none()
    today = today or timezone.localdate(clock.now())
    if lead_days is None:
        lead_days = ReminderSettings.current().lead_days
    managed = Membership.objects.filter(user=user, role__in=MANAGER_ROLES, is_active=True).values(
        "organisation_id"
    )
    return (
        Action.objects.filter(
            case__stage=Stage.SUPPORT,
            status__in=[s for s in OPEN_STATUSES if s != ActionStatus.PROPOSED],
            due_date__lte=today + dt.timedelta(days=lead_days),
        )
        .filter(Q(carried_by=user) | Q(carried_by__isnull=True, case__manager_id__in=managed))
        .select_related("case", "case__centre")
        .order_by("due_date", "pk")
    )
