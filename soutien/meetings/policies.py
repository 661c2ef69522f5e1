"""Who may see, plan and manage the meetings of a case, and answer their date polls.

One audience map (`MEETING_AUDIENCE`) decides who sees a meeting: the case page, its
history event, its minutes in PDF and its .ics all ask `can_view_meeting`, which reads it.
"""

from soutien.cases import policies as case_policies
from soutien.cases.enums import Audience, MeetingKind, Stage
from soutien.core import clock

FINAL_STAGES = (Stage.CLOSED, Stage.REFUSED, Stage.CLOSED_WITHOUT_FOLLOW_UP)

# Who may record or plan each kind of meeting.
MEETING_POLICIES = {
    MeetingKind.REFERRAL: case_policies.can_record_referral_meeting,
    MeetingKind.INTERVIEW: case_policies.can_work_on_diagnostic,
    MeetingKind.PARTNER_MEETING: case_policies.can_record_partner_meeting,
    MeetingKind.SUPPORT_SESSION: case_policies.can_log_support_session,
    MeetingKind.RESTITUTION: case_policies.can_record_restitution,
}

# The audience of each kind of meeting (and of its history events); the others are for
# the manager, the coordination and the provider.
MEETING_AUDIENCE = {
    MeetingKind.REFERRAL: Audience.PARTNERS,
    MeetingKind.PARTNER_MEETING: Audience.CASE,
}


def meeting_audience(kind: str) -> str:
    return MEETING_AUDIENCE.get(kind, Audience.MANAGER_AND_PROVIDER)


def can_view_meeting(user, meeting) -> bool:
    """Une réunion se voit comme l'événement qu'elle produit dans l'historique : la
    réunion de saisine concertée par la coordination et les partenaires concernés ; les
    autres (entretiens, restitution, séances) par le gestionnaire, la coordination et le
    prestataire ; la rencontre avec les partenaires par toutes les personnes qui suivent le
    dossier. Une personne invitée voit toujours la réunion à laquelle elle est conviée, si
    elle voit le dossier. La page, le compte rendu en PDF et le fichier .ics suivent cette
    règle."""
    case = meeting.case
    if not case_policies.can_view_case(user, case):
        return False
    # attendees.all() uses the prefetched list when the caller has one (constant queries).
    if any(attendee.pk == user.pk for attendee in meeting.attendees.all()):
        return True
    return meeting_audience(meeting.kind) in case_policies.visible_audiences(user, case)


def can_manage_invitations(user, meeting) -> bool:
    """Envoyer, modifier ou annuler les invitations : qui a consigné la réunion, ou la
    coordination, tant que la réunion est à venir (une réunion passée ne s'annule plus et
    personne n'y est plus invité), qu'elle n'est pas annulée et que le dossier n'est pas
    terminé."""
    case = meeting.case
    return (
        meeting.cancelled_at is None
        and meeting.starts_at > clock.now()
        and case.stage not in FINAL_STAGES
        and (meeting.created_by_id == user.pk or case_policies.is_coordinator(user))
        and case_policies.can_view_case(user, case)
    )


# --- Date polls ----------------------------------------------------------------------

# The meetings with partners whose date is chosen by a poll, and who organises each.
POLL_KINDS = (MeetingKind.REFERRAL, MeetingKind.PARTNER_MEETING, MeetingKind.RESTITUTION)


def can_propose_poll(user, case, kind) -> bool:
    """Un sondage de dates se propose pour les réunions avec les partenaires : la
    coordination pour la réunion de saisine concertée et la rencontre avec les partenaires,
    le consultant désigné pour la restitution, à l'étape où la réunion peut se planifier."""
    if kind not in POLL_KINDS or not MEETING_POLICIES[kind](user, case):
        return False
    if kind == MeetingKind.RESTITUTION:
        return case_policies.is_assigned_consultant(user, case)
    return case_policies.is_coordinator(user)


def can_view_poll(user, poll) -> bool:
    """Un sondage se voit comme la réunion qu'il prépare : par les personnes invitées à y
    répondre et par le public de ce type de réunion, si elles voient le dossier."""
    case = poll.case
    if not case_policies.can_view_case(user, case):
        return False
    if is_poll_invitee(user, poll):
        return True
    return meeting_audience(poll.kind) in case_policies.visible_audiences(user, case)


def is_poll_invitee(user, poll) -> bool:
    return any(person.pk == user.pk for person in poll.attendees.all())


def can_answer_poll(user, poll) -> bool:
    """Chaque personne invitée répond pour elle-même (oui, si besoin, non) tant que le
    sondage est ouvert."""
    return (
        poll.is_open
        and poll.case.stage not in FINAL_STAGES
        and is_poll_invitee(user, poll)
        and case_policies.can_view_case(user, poll.case)
    )


def can_view_poll_answers(user, poll) -> bool:
    """Les réponses (qui a répondu quoi) sont lues par l'organisateur du sondage et par la
    coordination."""
    return (poll.created_by_id == user.pk or case_policies.is_coordinator(user)) and can_view_poll(
        user, poll
    )


def can_pick_poll_slot(user, poll) -> bool:
    """L'organisateur (ou la coordination) retient un créneau tant que le sondage est
    ouvert et qu'il peut encore planifier ce type de réunion : la réunion est planifiée et
    les invitations partent."""
    return (
        poll.is_open
        and (poll.created_by_id == user.pk or case_policies.is_coordinator(user))
        and MEETING_POLICIES[poll.kind](user, poll.case)
    )
