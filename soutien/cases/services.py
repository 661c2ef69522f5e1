"""Every write on a case. One function per step of the MSTR workflow.

Each state change locks the case row, checks the policy and the transition table,
saves with `update_fields`, records a `CaseEvent` and schedules its notification
on commit (nothing is sent if the transaction rolls back).
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from soutien.audit.services import audit_record
from soutien.cases import deadlines, hooks, notifications, policies, workflow
from soutien.cases.enums import (
    FINAL_STAGES,
    OPEN_STATUSES,
    ActionOrigin,
    ActionStatus,
    Audience,
    Channel,
    ClosureOutcome,
    DecisionOutcome,
    EventKind,
    MeetingKind,
    OpinionValue,
    ReportStatus,
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
    ReminderSettings,
    ReportVersion,
    Satisfaction,
    TargetDuration,
)
from soutien.cases.workflow import TRANSITIONS, TransitionNotAllowed, check_transition
from soutien.core import clock
from soutien.core.personal_data import erase_personal_data, lookup_to, project_models
from soutien.core.versioning import save_versioned
from soutien.directory.models import (
    ConventionPeriod,
    FunderLevel,
    Membership,
    Organisation,
    ProviderContract,
    Role,
    Signatory,
)

logger = logging.getLogger(__name__)


class CaseError(Exception):
    """A business rule refused the action; the message is shown to the user (French)."""

    def __init__(self, message: str, *, field: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or {}


class NotPermitted(CaseError):
    def __init__(self, message="Vous n'avez pas le droit de faire cette action."):
        super().__init__(message)


class AlreadyDone(CaseError):
    def __init__(self):
        super().__init__("Action déjà effectuée.")


class StaleForm(CaseError):
    def __init__(self):
        super().__init__(
            "Le dossier a été modifié par quelqu'un d'autre pendant que vous remplissiez ce "
            "formulaire : rien n'a été enregistré. Rechargez la page pour voir la version à jour."
        )


# --- Plumbing -----------------------------------------------------------------------


def _locked(case: Case) -> Case:
    """Reload the case under a row lock, keeping the caller's cached relations."""
    fresh = Case.objects.select_for_update().get(pk=case.pk)
    for name in ("stage", "version", "consultant_id", "provider_id", "number", "anonymised_at"):
        setattr(case, name, getattr(fresh, name))
    for attr in ("_concerned_partner_ids", "_caf_opinion_ids"):
        if hasattr(case, attr):
            delattr(case, attr)
    return case


def _require(allowed: bool) -> None:
    if not allowed:
        raise NotPermitted()


def _check_version(case: Case, version: int | None) -> None:
    if version is not None and int(version) != case.version:
        raise StaleForm()


def record_event(
    *,
    case: Case,
    kind: str,
    label: str,
    by=None,
    comment: str = "",
    from_stage: str = "",
    to_stage: str = "",
    audience: str = Audience.CASE,
) -> CaseEvent:
    """Append an event to the case's history (and its entry to the audit log). ``kind``
    is an `EventKind`: any other is a programming error."""
    kind = EventKind(kind)  # ValueError for a kind that is not in the enumeration
    event = CaseEvent.objects.create(
        case=case,
        kind=kind,
        label=label,
        actor=by,
        comment=comment,
        from_stage=from_stage,
        to_stage=to_stage,
        audience=audience,
    )
    _audit(action=f"case.{kind}", by=by, case=case, details={"from": from_stage, "to": to_stage})
    return event


def _audit(*, action, by, case, details=None):
    audit_record(action=action, actor=by, target=case, case=case, details=details or {})


def _begin(case: Case, name: str, *, by) -> Case:
    """Start a transition of the table: lock the case, answer « Action déjà effectuée »
    when this very transition already brought the case where it is (the one place where
    idempotence is decided), then ask the table's policy."""
    _locked(case)
    if workflow.already_done(case, name):
        raise AlreadyDone()
    _require(workflow.allows(name, by, case))
    return case


def _move(case: Case, name: str, *, by, comment: str = "", extra_fields=(), **timestamps):
    """Apply a transition of the table to a locked case (started with `_begin`) and
    record it."""
    transition = TRANSITIONS[name]
    try:
        check_transition(name, case.stage)
    except TransitionNotAllowed as exc:
        raise CaseError("Cette action n'est plus possible à cette étape du dossier.") from exc
    source = case.stage
    now = clock.now()
    case.stage = transition.target
    case.stage_changed_at = now
    fields = ["stage", "stage_changed_at", *extra_fields]
    for field_name, value in timestamps.items():
        setattr(case, field_name, value or now)
        fields.append(field_name)
    fields.append(deadlines.store_due_at(case))
    save_versioned(case, fields)
    record_event(
        case=case,
        kind=name,
        label=transition.done_label,
        by=by,
        comment=comment,
        from_stage=source,
        to_stage=transition.target,
    )
    return transition


# --- Information form ------------------------------------------------------------------

# Fields the manager must fill before submitting, with the French message shown beside each.
REQUIRED_FOR_SUBMISSION = {
    "situation": "Indiquez s'il s'agit d'une démarche préventive ou d'une crise avérée.",
    "requester_name": "Indiquez le nom de la personne qui fait la demande.",
    "requester_function": "Indiquez sa fonction (par exemple : président, trésorière).",
    "requester_phone": "Indiquez un numéro de téléphone pour vous joindre.",
    "requester_email": "Indiquez une adresse électronique pour vous joindre.",
    "domains": "Cochez au moins un champ de fonctionnement concerné.",
    "description": "Décrivez la situation du centre.",
    "expectations": "Indiquez ce que vous attendez de la mission.",
    "availability": "Indiquez vos disponibilités pour le diagnostic.",
    "confidentiality_ack": "Vous devez prendre connaissance des règles de confidentialité.",
    "cooperation_ack": "Vous devez accepter la démarche de coopération.",
}
WARNING_SIGNS_MESSAGE = "Cochez au moins un signe d'alerte, ou décrivez-en un autre."


def information_form_missing(case: Case) -> dict[str, str]:
    """What still prevents submission, field by field (empty when complete)."""
    form = case.form
    missing = {}
    for name, message in REQUIRED_FOR_SUBMISSION.items():
        if name == "situation":
            value = case.situation
        elif name == "domains":
            value = form.domains.exists()
        else:
            value = getattr(form, name)
        if not value or (isinstance(value, str) and not value.strip()):
            missing[name] = message
    if not form.warning_signs.exists() and not form.warning_signs_other.strip():
        missing["warning_signs"] = WARNING_SIGNS_MESSAGE
    return missing


@transaction.atomic
def case_create_draft(
    *, centre, by, situation: str = "", warning_signs=(), domains=(), from_selfcheck=False
) -> Case:
    """A member of a centre (or of its federation) starts a fiche d'information. From a
    self-check, the fiche starts with the situation, warning signs and fields its answers
    point to (the person reviews them before anything is submitted)."""
    _require(policies.can_create_case_for(by, centre))
    case = Case.objects.create(
        centre=centre,
        manager_id=centre.manager_id,
        created_by=by,
        stage=Stage.DRAFT,
        situation=situation,
        from_selfcheck=from_selfcheck,
    )
    form = InformationForm.objects.create(
        case=case,
        requester_name=by.get_full_name(),
        requester_email=by.email,
        requester_phone=getattr(by, "phone", ""),
        requester_function=(
            by.memberships.filter(organisation_id=centre.manager_id)
            .values_list("function", flat=True)
            .first()
            or ""
        ),
        updated_by=by,
    )
    if warning_signs:
        form.warning_signs.set(warning_signs)
    if domains:
        form.domains.set(domains)
    label = "Brouillon créé à partir d'un auto-diagnostic" if from_selfcheck else "Brouillon créé"
    record_event(case=case, kind=EventKind.CREATE, label=label, by=by)
    return case


@transaction.atomic
def information_form_save(
    *,
    case: Case,
    by,
    fields: dict,
    situation: str,
    warning_signs,
    domains,
    version: int | None,
) -> Case:
    """Save the fiche as it is, even incomplete: a draft saves at any time."""
    _locked(case)
    _require(policies.can_edit_form(by, case))
    _check_version(case, version)
    form = case.form
    for name, value in fields.items():
        setattr(form, name, value)
    form.updated_by = by
    form.save()
    form.warning_signs.set(warning_signs)
    form.domains.set(domains)
    case.situation = situation or ""
    save_versioned(case, ["situation"])
    return case


def _allocate_number(year: int) -> str:
    """The next MSTR-YYYY-NNNN, unique even under concurrent submissions: the year's
    counter row is incremented in the database and stays locked until commit."""
    for _ in range(3):
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.get_or_create(year=year)
            break
        except IntegrityError:  # another submission created the year's row first
            continue
    CaseNumberSequence.objects.filter(year=year).update(last=F("last") + 1)
    last = CaseNumberSequence.objects.values_list("last", flat=True).get(year=year)
    return f"MSTR-{year}-{last:04d}"


@transaction.atomic
def case_submit(*, case: Case, by) -> Case:
    """Only the manager sends the fiche to the Caf; it must be complete."""
    _begin(case, "submit", by=by)
    if missing := information_form_missing(case):
        raise CaseError("La fiche est incomplète : complétez les champs signalés.", errors=missing)
    extra = []
    if not case.number:
        case.number = _allocate_number(timezone.localtime(clock.now()).year)
        extra.append("number")
    _move(case, "submit", by=by, extra_fields=extra, submitted_at=None)
    notifications.notify_submitted(case, by)
    return case


@transaction.atomic
def case_hand_over(*, case: Case, by, message: str = "") -> Case:
    """The employee who wrote a draft hands it to the board members of the centre. Handing
    over a draft already handed over and unchanged since is « Action déjà effectuée », as
    for every transition: posted twice, it tells the board members once."""
    _locked(case)
    _require(policies.can_hand_over(by, case))
    last = case.events.order_by("-created_at", "-pk").values("kind", "created_at").first()
    if last and last["kind"] == "hand_over":
        edited = (
            InformationForm.objects.filter(case=case).values_list("updated_at", flat=True).first()
        )
        if edited is None or edited <= last["created_at"]:
            raise AlreadyDone()
    record_event(
        case=case,
        kind=EventKind.HAND_OVER,
        label="Brouillon confié aux administrateurs",
        by=by,
        comment=message,
    )
    notifications.notify_handed_over(case, by)
    return case


@transaction.atomic
def case_delete_draft(*, case: Case, by) -> None:
    _locked(case)
    _require(policies.can_delete_draft(by, case))
    # The draft's attachments go with it (and the files kept for its form, not yet
    # attached): their files are deleted once the deletion commits.
    kept = [*case.documents.all(), *case.pending_uploads.all()]
    files = [(document.file.storage, document.file.name) for document in kept]
    case.delete()
    for storage, name in files:
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


@transaction.atomic
def case_return_for_completion(*, case: Case, by, message: str) -> Case:
    """The coordination sends the fiche back for completion, with a message; everything is kept."""
    _begin(case, "return_for_completion", by=by)
    if not message.strip():
        raise CaseError("Expliquez ce qui manque au gestionnaire.", field="message")
    _move(case, "return_for_completion", by=by, comment=message)
    notifications.notify_returned(case, by, message)
    return case


def concerned_partners(case: Case) -> list[Organisation]:
    """The State, the Region, the Department, the Caf — plus the centre's commune when it
    signed the current Convention. The Caf is listed like the other funders: its opinion is
    given by the coordination (see docs/workflow-roles.md)."""

    period = ConventionPeriod.objects.filter(has_mstr=True).order_by("-start").first()
    funders = Signatory.objects.filter(period=period, is_funder=True).select_related(
        "organisation", "organisation__commune"
    )
    municipality = case.centre.commune.municipality
    partners = []
    for signatory in funders:
        organisation = signatory.organisation
        if organisation.funder_level != FunderLevel.COMMUNE:
            partners.append(organisation)
        elif organisation.commune_id == municipality.pk and municipality.is_signatory:
            partners.append(organisation)
    return partners


@transaction.atomic
def case_open_referral(*, case: Case, by) -> Case:
    """The coordination opens the concerted referral: the concerned partners are determined
    and told."""
    _begin(case, "open_referral", by=by)
    _move(case, "open_referral", by=by, referral_opened_at=None)
    for partner in concerned_partners(case):
        Opinion.objects.get_or_create(case=case, partner=partner)
    notifications.notify_referral_opened(case, by)
    return case


@transaction.atomic
def case_withdraw(*, case: Case, by, reason: str = "") -> Case:
    """The manager may withdraw the request until the decision."""
    _begin(case, "withdraw", by=by)
    _move(case, "withdraw", by=by, comment=reason, closed_at=None)
    notifications.notify_withdrawn(case, by)
    return case


@transaction.atomic
def opinion_give(*, case: Case, by, value: str, comment: str = "") -> Opinion:
    """Each concerned partner gives its opinion and may revise it until the decision."""
    _locked(case)
    _require(policies.can_give_opinion(by, case))
    if value not in (OpinionValue.FAVOURABLE, OpinionValue.RESERVED, OpinionValue.UNFAVOURABLE):
        raise CaseError("Choisissez un avis : favorable, réservé ou défavorable.", field="value")
    # A partner gives their institution's opinion; the coordination gives the Caf's.
    partner_ids = workflow.opinion_partner_ids(policies.actor_for(by), case)
    opinion = (
        Opinion.objects.select_for_update()
        .filter(case=case, partner_id__in=partner_ids)
        .order_by("pk")
        .first()
    )
    revised = opinion.value != OpinionValue.PENDING
    opinion.value = value
    opinion.comment = comment
    opinion.given_by = by
    opinion.given_at = clock.now()
    opinion.save(update_fields=["value", "comment", "given_by", "given_at"])
    record_event(
        case=case,
        kind=EventKind.OPINION,
        label=f"Avis {'révisé' if revised else 'donné'} : {opinion.partner.display_name} — "
        f"{opinion.get_value_display().lower()}",
        by=by,
        comment=comment,
        audience=Audience.PARTNERS,
    )
    notifications.notify_opinion(case, by)
    return opinion


def missing_opinions(case: Case) -> list[Opinion]:
    return list(case.opinions.filter(value=OpinionValue.PENDING).select_related("partner"))


@transaction.atomic
def case_decide(
    *, case: Case, by, outcome: str, grounds: str = "", justification: str = ""
) -> Decision:
    """The coordination records the funders' decision: validated, refused (with reasons) or
    closed without follow-up. Deciding while an opinion is missing requires a written
    justification."""
    name = workflow.DECISION_TRANSITIONS.get(outcome)
    if name is None:
        raise CaseError("Choisissez une décision.", field="outcome")
    _begin(case, name, by=by)
    if outcome == DecisionOutcome.REFUSED and not grounds.strip():
        raise CaseError("Un refus doit être motivé : ces motifs sont envoyés au demandeur.",
                        field="grounds")  # fmt: skip
    if missing_opinions(case) and not justification.strip():
        raise CaseError(
            "Un partenaire concerné n'a pas encore donné son avis : justifiez la décision "
            "(par exemple, décidée en comité).",
            field="justification",
        )
    extra = {"decided_at": None}
    extra_fields = []
    if outcome == DecisionOutcome.VALIDATED:
        contract = ProviderContract.objects.current()
        if contract is None:
            raise CaseError("Aucun marché de prestataire n'est enregistré : ajoutez-le d'abord.")
        case.provider_id = contract.provider_id
        extra_fields.append("provider")
    else:
        extra["closed_at"] = None
    # The grounds go to the requester; the justification (why decide before every
    # opinion) is an internal note between the coordination and the partners.
    _move(case, name, by=by, comment=grounds, extra_fields=extra_fields, **extra)
    if justification.strip():
        record_event(
            case=case,
            kind=EventKind.DECISION_JUSTIFICATION,
            label="Décision prise avant tous les avis : justification",
            by=by,
            comment=justification,
            audience=Audience.PARTNERS,
        )
    decision = Decision.objects.create(
        case=case,
        outcome=outcome,
        grounds=grounds,
        justification=justification,
        decided_by=by,
        decided_at=clock.now(),
    )
    notifications.notify_decision(case, by, decision)
    hooks.after("decide", case=case, by=by, decision=decision)
    return decision


# --- Diagnostic ----------------------------------------------------------------------


@transaction.atomic
def consultant_assign(*, case: Case, by, consultant) -> Case:
    """The provider designates the consultant who carries out the diagnostic."""

    _locked(case)
    _require(policies.can_assign_consultant(by, case))
    if not Membership.objects.filter(
        user=consultant, organisation_id=case.provider_id, role=Role.CONSULTANT, is_active=True
    ).exists():
        raise CaseError("Choisissez un consultant du prestataire.", field="consultant")
    if case.consultant_id == consultant.pk:
        raise AlreadyDone()
    case.consultant = consultant
    save_versioned(case, ["consultant"])
    record_event(
        case=case,
        kind=EventKind.ASSIGN,
        label=f"Consultant désigné : {consultant.get_full_name() or consultant.email}",
        by=by,
    )
    notifications.notify_consultant_assigned(case, by)
    return case


@transaction.atomic
def finding_save(*, case: Case, by, domain, **fields) -> Finding:
    """The consultant records their findings, field by field."""
    _locked(case)
    _require(policies.can_work_on_diagnostic(by, case))
    finding, _ = Finding.objects.update_or_create(case=case, domain=domain, defaults=fields)
    return finding


def report_draft(case: Case) -> ReportVersion:
    """The version being written; a new one copies the last submitted version."""
    draft = case.report_versions.filter(status=ReportStatus.DRAFT).order_by("-number").first()
    if draft:
        return draft
    last = case.report_versions.order_by("-number").first()
    return ReportVersion(
        case=case,
        number=(last.number + 1) if last else 1,
        context=last.context if last else "",
        analysis=last.analysis if last else "",
        recommendations=last.recommendations if last else "",
        summary=last.summary if last else "",
    )


REPORT_SECTIONS = ("context", "analysis", "recommendations", "summary")


@transaction.atomic
def report_save(
    *,
    case: Case,
    by,
    version: int | None = None,
    recommendation_items=None,
    **sections,
) -> ReportVersion:
    """The consultant writes the report (structured sections) and its recommendations, each
    with its field and its priority."""
    from soutien.cases import action_plan  # cycle: action_plan imports this module

    _locked(case)
    _require(policies.can_write_report(by, case))
    _check_version(case, version)
    draft = report_draft(case)
    new_draft = draft.pk is None
    for name in REPORT_SECTIONS:
        if name in sections:
            setattr(draft, name, sections[name])
    draft.author = by
    draft.save()
    if recommendation_items is not None:
        action_plan.recommendations_replace(draft, recommendation_items)
    elif new_draft and (last := case.report_versions.exclude(pk=draft.pk).last()):
        action_plan.recommendations_copy(last, draft)
    save_versioned(case)
    return draft


@transaction.atomic
def report_submit(*, case: Case, by) -> ReportVersion:
    """The consultant sends the version to the manager — to the manager alone."""
    _begin(case, "submit_report", by=by)
    draft = report_draft(case)
    if not draft.pk or not (
        draft.analysis.strip()
        and (draft.recommendations.strip() or draft.recommendation_items.exists())
    ):
        raise CaseError("Rédigez au moins l'analyse et les préconisations avant de transmettre.")
    now = clock.now()
    draft.status = ReportStatus.SUBMITTED
    draft.submitted_at = now
    draft.save(update_fields=["status", "submitted_at", "updated_at"])
    timestamps = {"report_submitted_at": now}
    if case.first_report_at is None:
        timestamps["first_report_at"] = now
    _move(case, "submit_report", by=by, comment=f"Version {draft.number}", **timestamps)
    notifications.notify_report_submitted(case, by, draft)
    return draft


def _submitted_version(case: Case) -> ReportVersion:
    return (
        case.report_versions.select_for_update()
        .filter(status=ReportStatus.SUBMITTED)
        .order_by("-number")
        .first()
    )


@transaction.atomic
def report_request_changes(*, case: Case, by, comment: str) -> ReportVersion:
    """The manager asks for changes, with their comments."""
    _begin(case, "request_changes", by=by)
    if not comment.strip():
        raise CaseError("Indiquez les modifications souhaitées.", field="comment")
    version = _submitted_version(case)
    version.status = ReportStatus.CHANGES_REQUESTED
    version.manager_comment = comment
    version.reviewed_by = by
    version.reviewed_at = clock.now()
    version.save(update_fields=["status", "manager_comment", "reviewed_by", "reviewed_at"])
    _move(
        case,
        "request_changes",
        by=by,
        comment=f"Version {version.number} : {comment}",
    )
    # The event's comment is the manager's: only manager, coordinator and provider read it.
    case.events.filter(kind=EventKind.REQUEST_CHANGES).order_by("-pk").update(
        audience=Audience.MANAGER_AND_PROVIDER
    )
    notifications.notify_changes_requested(case, by, version)
    return version


@transaction.atomic
def report_validate(*, case: Case, by) -> ReportVersion:
    """Only the manager validates the report; the partners read it afterwards. Each
    recommendation of the validated version becomes a proposed action of the action plan."""
    from soutien.cases import action_plan  # cycle: action_plan imports this module

    _begin(case, "validate_report", by=by)
    version = _submitted_version(case)
    now = clock.now()
    version.status = ReportStatus.VALIDATED
    version.reviewed_by = by
    version.reviewed_at = now
    version.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    _move(
        case,
        "validate_report",
        by=by,
        comment=f"Version {version.number}",
        report_validated_at=now,
    )
    notifications.notify_report_validated(case, by, version)
    action_plan.propose_from_report(case=case, version=version, by=by)
    return version


# --- Restitution, support, closure ----------------------------------------------------


@transaction.atomic
def restitution_record(*, case: Case, by, attendees=(), **fields) -> Meeting:
    """The consultant records the restitution to the manager (date, attendees, summary)."""
    _begin(case, "record_restitution", by=by)
    if not (fields.get("summary") or "").strip():
        raise CaseError("Rédigez la synthèse de la restitution.", field="summary")
    meeting = Meeting.objects.create(
        case=case, kind=MeetingKind.RESTITUTION, created_by=by, **fields
    )
    meeting.attendees.set(attendees)
    _move(case, "record_restitution", by=by, restitution_at=meeting.starts_at)
    notifications.notify_restitution(case, by)
    return meeting


@transaction.atomic
def action_add(*, case: Case, by, owner: str = "", carried_by=None, **fields) -> Action:
    """An action of the plan, carried by a person of the centre. Added by a member of the
    centre, it enters the plan (« à démarrer »); added by the consultant, it is proposed and
    awaits the centre's decision."""
    from soutien.cases import action_plan  # cycle: action_plan imports this module

    _locked(case)
    _require(policies.can_add_action(by, case))
    if not (fields.get("title") or "").strip():
        raise CaseError("Donnez un intitulé à l'action.", field="title")
    by_centre = policies.is_centre_member(by, case)
    if by_centre or carried_by is not None or owner.strip():
        owner, carried_by = action_plan._owner_fields(case, owner, carried_by)
    action = Action.objects.create(
        case=case,
        created_by=by,
        owner=owner,
        carried_by=carried_by,
        origin=ActionOrigin.CENTRE if by_centre else ActionOrigin.CONSULTANT,
        status=ActionStatus.TO_START if by_centre else ActionStatus.PROPOSED,
        **fields,
    )
    record_event(
        case=case,
        kind=EventKind.ACTION_ADD,
        label=f"Action ajoutée : {action.title}",
        by=by,
        audience=Audience.MANAGER_AND_PROVIDER,
    )
    return action


@transaction.atomic
def action_update(
    *, action: Action, by, status: str, note: str = "", version: int | None = None
) -> Action:
    """The members of the centre keep their actions' progress up to date. The progress note
    serves as the reason when the action is dropped or postponed."""
    from soutien.cases import action_plan  # cycle: action_plan imports this module

    action = Action.objects.select_for_update().select_related("case").get(pk=action.pk)
    case = _locked(action.case)
    _require(policies.can_update_action(by, case))
    if version is not None and int(version) != action.version:
        raise StaleForm()
    changed = status != action.status
    try:
        fields = action_plan.apply_status(
            action,
            status=status,
            reason=note if status in (ActionStatus.DROPPED, ActionStatus.POSTPONED) else "",
        )
    except CaseError as exc:
        raise CaseError(exc.message, field="note" if exc.field == "reason" else exc.field) from exc
    save_versioned(action, fields)
    if note.strip():
        ActionNote.objects.create(action=action, author=by, text=note)
    if changed or note.strip():
        record_event(
            case=case,
            kind=EventKind.ACTION_UPDATE,
            label=f"Action « {action.title} » : {action.get_status_display().lower()}",
            by=by,
            comment=note,
            audience=Audience.MANAGER_AND_PROVIDER,
        )
    return action


@transaction.atomic
def case_close(
    *,
    case: Case,
    by,
    outcome: str,
    comment: str = "",
    summary: str = "",
    open_actions_confirmed: bool = False,
) -> Case:
    """The coordination closes the case with its outcome and a summary the manager reads;
    the manager is invited to the satisfaction questionnaire. If actions of the plan are
    still open (proposed, to start, in progress, postponed), the closure says so and asks
    for confirmation."""

    _begin(case, "close", by=by)
    if outcome not in ClosureOutcome.values:
        raise CaseError("Choisissez l'issue de la mission.", field="outcome")
    still_open = case.actions.filter(status__in=OPEN_STATUSES).count()
    if still_open and not open_actions_confirmed:
        raise CaseError(
            (
                "Une action du plan est encore ouverte"
                if still_open == 1
                else f"{still_open} actions du plan sont encore ouvertes"
            )
            + " (proposée, à démarrer, en cours ou reportée) : confirmez que vous clôturez "
            "quand même le dossier.",
            field="open_actions_confirmed",
        )
    case.closure_outcome = outcome
    case.closure_comment = comment
    case.closure_summary = (summary or "").strip()
    _move(
        case,
        "close",
        by=by,
        comment=comment,
        extra_fields=["closure_outcome", "closure_comment", "closure_summary"],
        closed_at=None,
    )
    notifications.notify_closed(case, by)
    hooks.after("close", case=case, by=by)
    return case


@transaction.atomic
def satisfaction_answer(*, case: Case, by, **answers) -> Satisfaction:
    _locked(case)
    if Satisfaction.objects.filter(case=case).exists():
        raise AlreadyDone()
    _require(policies.can_answer_satisfaction(by, case))
    satisfaction = Satisfaction.objects.create(case=case, answered_by=by, **answers)
    record_event(
        case=case,
        kind=EventKind.SATISFACTION,
        label="Questionnaire de satisfaction rempli",
        by=by,
        audience=Audience.MANAGER_AND_PROVIDER,
    )
    return satisfaction


# --- Messages and notes -------------------------------------------------------------


ANONYMISED_CASE_REFUSES = (
    "Ce dossier est anonymisé (sa durée de conservation est échue) : il n'accepte plus {what}."
)


@transaction.atomic
def message_post(*, case: Case, by, channel: str, body: str) -> Message:
    """Write on the message thread or the private notes, according to one's rights."""
    _locked(case)
    if not policies.can_receive_content(case):
        raise CaseError(ANONYMISED_CASE_REFUSES.format(what="de message"), field="body")
    _require(policies.can_post_to_channel(by, case, channel))
    if not body.strip():
        raise CaseError("Le message est vide.", field="body")
    message = Message.objects.create(case=case, channel=channel, author=by, body=body)
    if channel == Channel.PRIVATE_NOTE:
        recipients = notifications.coordinators() + notifications.partners(case)
    else:
        recipients = (
            notifications.coordinators()
            + notifications.manager_side(case)
            + notifications.provider(case)
        )
    notifications.notify_message(case, by, message, recipients)
    return message


# --- Settings of the coordinator -------------------------------------------------------


@transaction.atomic
def target_durations_set(*, by, values: dict[str, dict[str, int]]) -> None:
    """The coordination sets the steps' target durations, for each situation
    (``values``: {situation: {step: days}}). A crisis is handled faster."""
    _require(policies.can_edit_target_durations(by))
    for situation, steps in values.items():
        for step, days in steps.items():
            if days < 1 or days > 365:
                raise CaseError("Un délai cible va de 1 à 365 jours.", field=f"{situation}_{step}")
            TargetDuration.objects.update_or_create(
                step=step, situation=situation, defaults={"days": days}
            )
    deadlines.refresh_due_at(Case.objects.filter(stage__in=list(deadlines.CLOCKS)))


@transaction.atomic
def reminder_settings_set(*, by, lead_days: int, repeat_days: int, escalate_after_days: int):
    """The coordination sets the reminders: how many days before the due date, every how many
    days when late, and after how many days late the coordination is alerted."""

    _require(policies.can_edit_target_durations(by))
    errors = {}
    if not 0 <= lead_days <= 60:
        errors["lead_days"] = "Le premier rappel va de 0 à 60 jours avant l'échéance."
    if not 1 <= repeat_days <= 60:
        errors["repeat_days"] = "Les relances ont lieu tous les 1 à 60 jours."
    if not 1 <= escalate_after_days <= 365:
        errors["escalate_after_days"] = "L'alerte à la coordination vient après 1 à 365 jours."
    if errors:
        raise CaseError("Vérifiez les réglages des rappels.", errors=errors)
    current = ReminderSettings.objects.select_for_update().order_by("pk").first()
    current = current or ReminderSettings()
    current.lead_days = lead_days
    current.repeat_days = repeat_days
    current.escalate_after_days = escalate_after_days
    current.save()
    return current


# --- Retention (RGPD) ---------------------------------------------------------------

ANONYMISED = "[anonymisé]"

# Once anonymised, the history keeps what happened, never who nor about whom: each event
# gets back a label without names, titles or file names (the transitions' labels are
# the table's own, which name no one).
NEUTRAL_EVENT_LABELS = {
    "create": "Brouillon créé",
    "hand_over": "Brouillon confié aux administrateurs",
    "opinion": "Avis donné",
    "decision_justification": "Décision prise avant tous les avis : justification",
    "assign": "Consultant désigné",
    "action_add": "Action ajoutée",
    "action_update": "Action mise à jour",
    "actions_proposed": "Préconisations proposées au plan d'actions",
    "action_accept": "Action acceptée par le centre",
    "action_adapt": "Action adaptée par le centre",
    "action_decline": "Action écartée par le centre",
    "support_session": "Séance d'accompagnement consignée",
    "satisfaction": "Questionnaire de satisfaction rempli",
    "document_upload": "Pièce jointe ajoutée",
    "document_delete": "Pièce jointe retirée",
    "anonymise": "Dossier anonymisé (durée de conservation)",
}
NEUTRAL_MEETING_LABEL = "Réunion"
NEUTRAL_EVENT_LABEL = "Événement"


def neutral_event_label(kind: str) -> str:
    if kind in TRANSITIONS:
        return TRANSITIONS[kind].label
    if kind in NEUTRAL_EVENT_LABELS:
        return NEUTRAL_EVENT_LABELS[kind]
    if kind.startswith("meeting_"):
        return NEUTRAL_MEETING_LABEL
    return NEUTRAL_EVENT_LABEL


def _case_owned_models() -> list[tuple[type, str]]:
    """Every project model whose rows belong to a case, with its lookup to the case."""

    owned = []
    for model in project_models():
        lookup = lookup_to(model, Case)
        if lookup is not None:
            owned.append((model, lookup))
    return owned


@transaction.atomic
def case_anonymise(*, case: Case) -> Case:
    """A finished case is anonymised at the end of its retention period: in every row that
    belongs to it, every field declared personal (``PERSONAL_FIELDS``) is erased, a required
    text being replaced by « [anonymisé] »; the attachments and their files are deleted.
    What the evaluation counts remains: dates, stages, situation, fields, outcomes, scores."""

    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.stage not in FINAL_STAGES:
        raise CaseError("Seul un dossier terminé peut être anonymisé.")
    if case.anonymised_at:
        return case
    # Attached files go with their content: the files themselves are deleted on commit.
    for document in [*case.documents.all(), *case.pending_uploads.all()]:
        name, storage = document.file.name, document.file.storage
        document.delete()
        transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
    for model, lookup in _case_owned_models():
        erase_personal_data(model.objects.filter(**{lookup: case.pk}), neutral=ANONYMISED)
    for kind in set(case.events.values_list("kind", flat=True)):
        case.events.filter(kind=kind).update(label=neutral_event_label(kind))
    case.anonymised_at = clock.now()
    case.save(update_fields=["anonymised_at"])
    record_event(case=case, kind=EventKind.ANONYMISE, label=NEUTRAL_EVENT_LABELS["anonymise"])
    return case


class AnonymisationIncomplete(Exception):
    """Some due cases could not be anonymised; the others were."""

    def __init__(self, *, done: int, failed: list[str]):
        self.done = done
        self.failed = failed
        super().__init__(
            f"{len(failed)} dossier(s) n'ont pas pu être anonymisés ({', '.join(failed)}) ; "
            f"{done} l'ont été"
        )


def anonymise_closed_cases(*, older_than) -> int:
    """Anonymise the finished cases closed before `older_than`, one transaction each: a
    case that fails is left as it was and the others go on. Returns how many were
    anonymised; raises `AnonymisationIncomplete` at the end if any failed."""

    due = Case.objects.filter(
        stage__in=FINAL_STAGES, closed_at__lt=older_than, anonymised_at__isnull=True
    ).order_by("pk")
    count = 0
    failed = []
    for case in list(due.only("pk", "number")):
        try:
            case_anonymise(case=case)
        except Exception:  # one faulty case must not stop the others
            logger.exception("Case %s not anonymised", case.pk)
            failed.append(case.number or f"n°{case.pk}")
            continue
        count += 1
    if failed:
        raise AnonymisationIncomplete(done=count, failed=failed)
    return count
