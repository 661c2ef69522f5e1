"""Who may see, attach and delete documents, and download the generated PDFs.

Every rule delegates to `soutien.cases.policies`: a document is exactly as
confidential as the object it is attached to.
"""

from soutien.cases import policies as case_policies
from soutien.cases.enums import FINAL_STAGES, Audience, Channel, MeetingKind, ReportStatus, Stage
from soutien.documents.models import AttachTo
from soutien.meetings.policies import can_view_meeting

# Stages from which the restitution exists (or is being prepared).
RESTITUTION_STAGES = {Stage.RESTITUTION, Stage.SUPPORT, Stage.CLOSED}


def can_view_restitution(user, case) -> bool:
    """La restitution est faite au gestionnaire : le gestionnaire, la coordination et le
    prestataire la voient, une fois consignée ; pas les partenaires financeurs (ils ne la
    voient que s'ils ont été invités à la réunion, voir `can_view_meeting`)."""
    if case.stage not in RESTITUTION_STAGES:
        return False
    return case_policies.can_view_case(user, case) and (
        case_policies.is_manager_side(user, case)
        or case_policies.is_coordinator(user)
        or case_policies.is_provider_of(user, case)
    )


def can_view_attachments(user, case, attach_to, target=None) -> bool:
    """Une pièce jointe se voit comme l'objet auquel elle est rattachée : la fiche par
    qui voit le dossier ; le rapport selon la version (les partenaires seulement après
    validation) ; la restitution comme sa réunion ; le plan d'actions selon sa visibilité ;
    un message selon son fil (les notes privées restent entre coordination et partenaires) ;
    la lettre de décision comme la décision (`can_view_decision_letter`)."""
    if not case_policies.can_view_case(user, case):
        return False
    if attach_to in (AttachTo.FORM, AttachTo.CASE):
        return True
    if attach_to == AttachTo.DECISION:
        return can_view_decision_letter(user, case)
    if attach_to == AttachTo.REPORT:
        return target is not None and case_policies.can_view_report_version(user, target)
    if attach_to == AttachTo.RESTITUTION:
        if target is not None:
            return case.stage in RESTITUTION_STAGES and can_view_meeting(user, target)
        return can_view_restitution(user, case)
    if attach_to == AttachTo.ACTION:
        return case_policies.can_view_action_plan(user, case)
    if attach_to == AttachTo.MESSAGE:
        return target is not None and case_policies.can_read_channel(user, case, target.channel)
    if attach_to == AttachTo.MEETING:
        return target is not None and can_view_meeting(user, target)
    return False


def can_view_decision_letter(user, case) -> bool:
    """La lettre de décision dit la décision des financeurs et, pour un refus, ses motifs :
    elle est lue par les personnes qui voient cette décision sur la page du dossier — le
    gestionnaire, la coordination, les partenaires financeurs concernés et le prestataire.
    Ni le salarié d'un centre associatif (il ne voit que l'étape), ni l'instance
    d'évaluation. La liste des documents, le téléchargement et le courriel suivent cette
    règle ; la lettre ne contient aucun avis des partenaires."""
    return case_policies.can_view_case(user, case)


def can_add_case_document(user, case) -> bool:
    """Une fois la fiche transmise, le gestionnaire ajoute des documents au dossier à toute
    étape (par exemple les comptes que la Caf demande en renvoyant la fiche) ; ils sont lus,
    comme la fiche, par toutes les personnes qui suivent le dossier."""
    return (
        case.submitted_at is not None
        and case.anonymised_at is None
        and case_policies.is_manager_side(user, case)
    )


def can_view_document(user, document) -> bool:
    """Télécharger une pièce jointe : la même règle que pour la voir dans le dossier."""
    return can_view_attachments(user, document.case, document.attach_to, document.target)


def can_attach(user, case, attach_to, target=None) -> bool:
    """Joindre un fichier : à la fiche, qui peut la modifier ; au rapport, le consultant
    désigné sur une version en rédaction ; à la restitution, le consultant qui la consigne ;
    au plan d'actions, qui peut y inscrire ou mettre à jour une action ; à un message, son
    auteur ; à une réunion, qui l'a consignée ou la coordination ; au dossier, le
    gestionnaire une fois la fiche transmise. Jamais à un dossier anonymisé."""
    if not case_policies.can_receive_content(case):
        return False
    if attach_to == AttachTo.FORM:
        return case_policies.can_edit_form(user, case)
    if attach_to == AttachTo.CASE:
        return can_add_case_document(user, case)
    if attach_to == AttachTo.REPORT:
        return (
            target is not None
            and target.status == ReportStatus.DRAFT
            and case_policies.can_write_report(user, case)
        )
    if attach_to == AttachTo.RESTITUTION:
        return case_policies.can_record_restitution(user, case) or (
            case.stage == Stage.SUPPORT and case_policies.is_assigned_consultant(user, case)
        )
    if attach_to == AttachTo.ACTION:
        return target is not None and (
            case_policies.can_update_action(user, case) or case_policies.can_add_action(user, case)
        )
    if attach_to == AttachTo.MESSAGE:
        return (
            target is not None
            and target.author_id == user.pk
            and case_policies.can_post_to_channel(user, case, target.channel)
        )
    if attach_to == AttachTo.MEETING:
        return (
            target is not None
            and case.stage not in FINAL_STAGES
            and (target.created_by_id == user.pk or case_policies.is_coordinator(user))
            and can_view_meeting(user, target)
        )
    return False


def can_delete_document(user, document) -> bool:
    """Retirer une pièce jointe : la personne qui l'a déposée, tant qu'elle pourrait encore
    la joindre (une fiche transmise, un rapport transmis ne changent plus)."""
    return document.uploaded_by_id == user.pk and can_attach(
        user, document.case, document.attach_to, document.target
    )


# --- Generated documents -------------------------------------------------------------


def can_download_form_pdf(user, case) -> bool:
    """La fiche d'information en PDF : toute personne qui voit le dossier."""
    return case_policies.can_view_case(user, case)


def can_download_report_pdf(user, version) -> bool:
    """Une version du rapport en PDF : la règle du rapport (les partenaires et la
    coordination seulement pour la version validée)."""
    return case_policies.can_view_report_version(user, version)


def can_download_restitution_pdf(user, meeting) -> bool:
    """Le compte rendu de restitution en PDF (synthèse, ordre du jour, présents) : exactement
    les personnes qui voient cette réunion de restitution dans le dossier — le gestionnaire,
    la coordination, le prestataire et les personnes invitées ; jamais les autres
    partenaires financeurs."""
    return (
        meeting.kind == MeetingKind.RESTITUTION
        and meeting.case.stage in RESTITUTION_STAGES
        and can_view_meeting(user, meeting)
    )


def upload_event_audience(attach_to, target) -> str:
    """Who reads, in the case's history, that a document was attached: the readers of what
    it is attached to (a private note: the coordination and the partners; a message or a
    report: the manager, the coordination and the provider; anything else: the case)."""
    if attach_to == AttachTo.MESSAGE and target is not None:
        if target.channel == Channel.PRIVATE_NOTE:
            return Audience.PARTNERS
        return Audience.MANAGER_AND_PROVIDER
    if attach_to == AttachTo.REPORT:
        return Audience.MANAGER_AND_PROVIDER
    return Audience.CASE
