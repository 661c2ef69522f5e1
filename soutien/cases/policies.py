"""Who may see and do what on a case. The only place where such decisions are made.

Each `can_*` function states its rule in its docstring, in the programme's words.
Views and services call these functions; templates receive their answers.
"""

from soutien.cases import workflow
from soutien.cases.enums import Audience, Channel, ReportStatus, Stage
from soutien.cases.models import Satisfaction
from soutien.cases.workflow import allows
from soutien.directory.actors import Actor, actor_for, is_coordinator  # noqa: F401 - re-exported

# --- Relations between a user and a case ------------------------------------------


def is_manager_side(user, case) -> bool:
    """The manager: a board member of the association that runs the centre, or an employee
    of the federation that runs it."""
    return workflow.is_manager(actor_for(user), case)


def is_centre_staff(user, case) -> bool:
    """An employee of a centre run by an association (they go through its board members)."""
    return case.manager_id in actor_for(user).staff_orgs


def is_concerned_partner(user, case) -> bool:
    """A funding partner concerned by the case since the referral was opened."""
    return workflow.is_concerned_partner(actor_for(user), case)


def is_provider_of(user, case) -> bool:
    """A consultant of the provider the case is entrusted to (not yet assigned, or
    assigned to them)."""
    actor = actor_for(user)
    return case.provider_id in actor.provider_orgs and case.consultant_id in (None, user.pk)


def is_assigned_consultant(user, case) -> bool:
    """The provider's consultant designated on the case."""
    return workflow.is_assigned_consultant(actor_for(user), case)


# --- Reading ------------------------------------------------------------------------


def can_view_case(user, case) -> bool:
    """Le dossier complet : le gestionnaire ; la coordination (sauf brouillon) ; les
    partenaires concernés ; le prestataire à qui il est confié ; le salarié pour le
    brouillon qu'il a rédigé. L'instance d'évaluation ne voit aucun dossier."""
    if is_manager_side(user, case):
        return True
    if case.stage == workflow.START:
        return is_centre_staff(user, case) and case.created_by_id == user.pk
    return is_coordinator(user) or is_concerned_partner(user, case) or is_provider_of(user, case)


def can_view_stage_only(user, case) -> bool:
    """Le salarié d'un centre associatif voit l'étape des dossiers de son centre, rien de plus."""
    return (
        not can_view_case(user, case)
        and is_centre_staff(user, case)
        and (case.stage != workflow.START)
    )


def can_view_report_version(user, version) -> bool:
    """Le rapport va d'abord au gestionnaire (chaque version transmise) ; les partenaires et
    la coordination n'y accèdent qu'après sa validation, et seulement la version validée.
    Le consultant voit toutes les versions de ses dossiers."""
    case = version.case
    if is_provider_of(user, case):
        return True
    if version.status == ReportStatus.DRAFT:
        return False
    if is_manager_side(user, case):
        return True
    if version.status != ReportStatus.VALIDATED:
        return False
    return is_coordinator(user) or is_concerned_partner(user, case)


def can_view_findings(user, case) -> bool:
    """Les constats du diagnostic suivent la règle du rapport : le consultant, le gestionnaire
    une fois un rapport transmis, les partenaires et la coordination une fois le rapport validé."""
    if is_provider_of(user, case):
        return True
    if is_manager_side(user, case):
        return case.report_submitted_at is not None
    if case.report_validated_at is None:
        return False
    return is_coordinator(user) or is_concerned_partner(user, case)


# --- Audience of each thing, whatever the format ---------------------------------------
# The page, its PDF, its .ics, its export and its email ask these same functions.


def can_view_decision_justification(user, case) -> bool:
    """La justification d'une décision prise avant tous les avis peut révéler les avis des
    partenaires : seules la coordination et les partenaires concernés la lisent. Le
    gestionnaire et le prestataire lisent la décision et ses motifs."""
    return can_view_case(user, case) and (is_coordinator(user) or is_concerned_partner(user, case))


def can_read_channel(user, case, channel) -> bool:
    """Messages : gestionnaire, coordination et prestataire. Notes privées : coordination et
    partenaires concernés uniquement (jamais le prestataire ni le gestionnaire)."""
    if case.stage == workflow.START:
        return False
    if channel == Channel.PRIVATE_NOTE:
        return is_coordinator(user) or is_concerned_partner(user, case)
    return is_manager_side(user, case) or is_coordinator(user) or is_provider_of(user, case)


def can_receive_content(case) -> bool:
    """Un dossier anonymisé (sa durée de conservation est échue) n'accepte plus ni message
    ni pièce jointe : rien de nouveau ne doit échapper à son anonymisation."""
    return case.anonymised_at is None


def can_post_to_channel(user, case, channel) -> bool:
    """On écrit là où on lit, tant que le dossier n'est pas anonymisé."""
    return can_receive_content(case) and can_read_channel(user, case, channel)


def visible_audiences(user, case) -> set[str]:
    """The history events the user may read. Reminders and late alerts are read by the
    coordination only."""
    audiences = {Audience.CASE}
    if is_coordinator(user):
        audiences.add(Audience.COORDINATION)
    if is_coordinator(user) or is_concerned_partner(user, case):
        audiences.add(Audience.PARTNERS)
    if is_coordinator(user) or is_manager_side(user, case) or is_provider_of(user, case):
        audiences.add(Audience.MANAGER_AND_PROVIDER)
    return audiences


def can_view_report_readers(user, case) -> bool:
    """Le gestionnaire voit qui a consulté son rapport ; la coordination aussi."""
    return is_manager_side(user, case) or is_coordinator(user)


# --- Information form -------------------------------------------------------------


def can_create_case(user) -> bool:
    """Un membre d'un centre (administrateur, salarié) ou d'une fédération gestionnaire
    peut préparer une fiche d'information."""
    return bool(actor_for(user).centre_orgs)


def can_create_case_for(user, centre) -> bool:
    """On prépare une fiche pour un centre dont on est membre : administrateur ou salarié
    de l'association qui le gère, ou salarié de la fédération gestionnaire."""
    return centre.manager_id in actor_for(user).centre_orgs


def can_edit_form(user, case) -> bool:
    """La fiche se remplit tant qu'elle est en brouillon ou renvoyée pour complément : par le
    gestionnaire, ou par le salarié qui a rédigé le brouillon."""
    if case.stage not in workflow.FORM_STAGES:
        return False
    if is_manager_side(user, case):
        return True
    return is_centre_staff(user, case) and case.created_by_id == user.pk


def can_submit(user, case) -> bool:
    """Seul le gestionnaire saisit la mission : un administrateur de l'association qui gère le
    centre, ou un salarié de la fédération qui le gère. Le salarié d'un centre associatif
    prépare le brouillon mais ne le transmet pas."""
    return allows("submit", user, case)


def can_hand_over(user, case) -> bool:
    """Le salarié auteur d'un brouillon peut le confier aux administrateurs de son centre."""
    return (
        case.stage in workflow.FORM_STAGES
        and is_centre_staff(user, case)
        and not is_manager_side(user, case)
        and case.created_by_id == user.pk
    )


def can_delete_draft(user, case) -> bool:
    """Un brouillon jamais transmis peut être supprimé par qui peut le modifier."""
    return case.stage == workflow.START and can_edit_form(user, case)


def can_withdraw(user, case) -> bool:
    """Le gestionnaire peut retirer sa demande jusqu'à la décision des financeurs."""
    return allows("withdraw", user, case)


# --- Saisine concertée -----------------------------------------------------------


def can_check_completeness(user, case) -> bool:
    """La Caf coordinatrice vérifie la complétude de la fiche transmise : elle ouvre la
    saisine concertée ou renvoie la fiche pour complément."""
    return allows("open_referral", user, case)


def can_return_for_completion(user, case) -> bool:
    """La coordination renvoie pour complément la fiche transmise, avec un message."""
    return allows("return_for_completion", user, case)


def can_give_opinion(user, case) -> bool:
    """Chaque partenaire concerné donne l'avis de son institution, et peut le réviser jusqu'à
    la décision. La Caf est l'un des financeurs consultés : c'est la coordination qui donne
    l'avis de la Caf, comme un partenaire donne celui de son institution."""
    return allows("give_opinion", user, case)


def speaks_for_the_caf(user, case) -> bool:
    """The Caf coordinates the mission and is one of the funders consulted: the coordination
    gives the Caf's opinion during the concerted referral."""
    return can_give_opinion(user, case) and bool(
        workflow.caf_opinion_ids(case) & workflow.opinion_partner_ids(actor_for(user), case)
    )


def caf_opinion_ids(case) -> set[int]:
    """The opinions expected from the Caf itself (given by the coordination)."""
    return workflow.caf_opinion_ids(case)


def can_record_referral_meeting(user, case) -> bool:
    """La coordination peut consigner la réunion de saisine concertée."""
    return case.stage in workflow.REFERRAL_STAGES and is_coordinator(user)


def can_decide(user, case) -> bool:
    """La coordination enregistre la décision des financeurs (validée, refusée ou classée
    sans suite) pendant la saisine concertée."""
    return allows("validate", user, case)


def can_close_without_follow_up(user, case) -> bool:
    """La coordination classe sans suite une fiche transmise (sans ouvrir la saisine) ou une
    demande en saisine concertée."""
    return allows("close_without_follow_up", user, case)


def can_perform(user, case, name: str) -> bool:
    """Une étape du circuit (une transition de la table, ou une action sans changement
    d'étape) est permise à qui la table désigne, depuis ses étapes de départ."""
    return allows(name, user, case)


# --- Diagnostic and report -------------------------------------------------------


def can_assign_consultant(user, case) -> bool:
    """Le prestataire ou la coordination désigne le consultant, du diagnostic jusqu'à
    l'accompagnement. Côté prestataire, seul un consultant qui suit le dossier le fait (tant
    qu'aucun n'est désigné, ou le consultant désigné) : un autre consultant ne voit pas le
    dossier et ne peut pas se l'attribuer."""
    return allows("assign_consultant", user, case)


def can_work_on_diagnostic(user, case) -> bool:
    """Le consultant désigné consigne entretiens, visites et constats pendant le diagnostic."""
    return case.stage in workflow.DIAGNOSTIC_STAGES and is_assigned_consultant(user, case)


def can_write_report(user, case) -> bool:
    """Le consultant désigné rédige le rapport et le transmet au gestionnaire."""
    return allows("submit_report", user, case)


def can_review_report(user, case) -> bool:
    """Seul le gestionnaire valide le rapport ou demande des modifications."""
    return allows("validate_report", user, case)


# --- Restitution, support, closure ------------------------------------------------


def can_record_restitution(user, case) -> bool:
    """Le consultant consigne la restitution faite au gestionnaire."""
    return allows("record_restitution", user, case)


def can_record_partner_meeting(user, case) -> bool:
    """Le cas échéant, une rencontre avec les partenaires est organisée après la restitution."""
    return case.stage in workflow.AFTER_REPORT_STAGES and (
        is_assigned_consultant(user, case) or is_coordinator(user)
    )


def can_add_action(user, case) -> bool:
    """Le plan d'actions se construit avec le centre : ses membres et le consultant y
    inscrivent des actions pendant l'accompagnement."""
    return case.stage in workflow.SUPPORT_STAGES and (
        case.manager_id in actor_for(user).centre_orgs or is_assigned_consultant(user, case)
    )


def can_update_action(user, case) -> bool:
    """L'avancement des actions est tenu par les membres du centre eux-mêmes : l'intervenant
    ne fait pas « à la place de »."""
    return case.stage in workflow.SUPPORT_STAGES and case.manager_id in actor_for(user).centre_orgs


def can_view_action_plan(user, case) -> bool:
    """Le plan d'actions appartient au centre : toutes les personnes qui suivent le dossier le
    lisent, et les salariés du centre aussi (ils en portent les actions), même s'ils ne voient
    que l'étape du reste du dossier."""
    if case.stage not in workflow.ACTION_PLAN_STAGES:
        return False
    return can_view_case(user, case) or is_centre_staff(user, case)


def can_log_support_session(user, case) -> bool:
    """Le consultant consigne ses séances d'accompagnement."""
    return case.stage in workflow.SUPPORT_STAGES and is_assigned_consultant(user, case)


def can_close(user, case) -> bool:
    """La coordination clôture le dossier avec son issue."""
    return allows("close", user, case)


def can_answer_satisfaction(user, case) -> bool:
    """Le gestionnaire répond au questionnaire de satisfaction une fois le dossier clôturé,
    tant que le dossier n'est pas anonymisé."""
    return (
        allows("answer_satisfaction", user, case)
        and can_receive_content(case)
        and not hasattr_satisfaction(case)
    )


def can_view_satisfaction(user, case) -> bool:
    """Les réponses au questionnaire sont lues par la coordination et le gestionnaire ;
    l'évaluation n'en voit que des agrégats."""
    return can_view_case(user, case) and (is_coordinator(user) or is_manager_side(user, case))


def hasattr_satisfaction(case) -> bool:

    try:
        return case.satisfaction is not None
    except Satisfaction.DoesNotExist:
        return False


# --- Coordination ------------------------------------------------------------------


def can_edit_target_durations(user) -> bool:
    """La coordination règle les délais cibles de chaque étape."""
    return is_coordinator(user)


def can_list_cases(user) -> bool:
    """Toute personne qui suit des dossiers a une liste ; pas l'instance d'évaluation."""
    actor = actor_for(user)
    return bool(actor.coordinator or actor.centre_orgs or actor.partner_orgs or actor.provider_orgs)


def can_view_opinions(user, case) -> bool:
    """Les avis des partenaires sont lus par la coordination et les partenaires concernés,
    jamais par le centre ni par le prestataire."""
    return is_coordinator(user) or is_concerned_partner(user, case)


def can_export_case_list(user) -> bool:
    """Toute personne qui a une liste de dossiers peut l'exporter (CSV ou tableur) :
    l'export reprend exactement les dossiers et les colonnes de sa liste, filtres compris,
    jamais davantage. L'instance d'évaluation n'a ni liste ni export de dossiers."""
    return can_list_cases(user)


def can_view_contacts(user, case) -> bool:
    """Le gestionnaire (administrateur bénévole de l'association ou salarié de la
    fédération qui gère le centre) voit sur la page du dossier ses contacts : le consultant
    désigné, dès qu'il l'est, et la coordination de la Caf. Les autres personnes qui suivent
    le dossier se connaissent déjà ; le salarié d'un centre associatif passe par ses
    administrateurs."""
    return is_manager_side(user, case)


def can_view_situation(user, case) -> bool:
    """La situation (démarche préventive ou crise avérée) vient de la fiche d'information :
    dans la liste des dossiers et son export, elle se lit par qui voit le dossier, jamais
    par le salarié d'un centre associatif qui n'en voit que l'étape."""
    if not is_centre_staff(user, case):
        return True  # the other rows of a list are cases the user sees in full
    return not can_view_stage_only(user, case)


# --- Action plan, support sessions, closure summary ------------------------------------


def is_centre_member(user, case) -> bool:
    """A member of the centre: a volunteer board member or an employee of the association that
    runs it, or an employee of the federation that manages it."""
    return case.manager_id in actor_for(user).centre_orgs


def can_decide_on_action(user, case) -> bool:
    """Seuls les membres du centre (gestionnaire, salariés) acceptent, adaptent ou écartent
    une action proposée, pendant l'accompagnement : le plan d'actions est le leur."""
    return case.stage == Stage.SUPPORT and is_centre_member(user, case)


def can_set_action_status(user, case) -> bool:
    """Seuls les membres du centre changent l'état des actions du plan (à démarrer, en
    cours, réalisée, reportée, abandonnée) : l'intervenant ne fait pas « à la place de »."""
    return case.stage == Stage.SUPPORT and is_centre_member(user, case)


def can_propose_action(user, case) -> bool:
    """Le consultant désigné propose des actions pendant l'accompagnement ; le centre
    décide de les reprendre ou non."""
    return case.stage == Stage.SUPPORT and is_assigned_consultant(user, case)


def can_view_support_sessions(user, case) -> bool:
    """Les séances d'accompagnement (participants, travail mené, outils transmis) sont lues
    par le gestionnaire, les salariés du centre, la coordination et le prestataire ; pas par
    les partenaires financeurs."""
    if case.stage not in (Stage.SUPPORT, Stage.CLOSED):
        return False
    if is_centre_member(user, case):
        return True
    return can_view_case(user, case) and (is_coordinator(user) or is_provider_of(user, case))


def can_view_closure_summary(user, case) -> bool:
    """Le bilan de la mission écrit à la clôture est lu par le gestionnaire, la
    coordination et le prestataire ; l'issue reste lue par tous ceux qui suivent le
    dossier."""
    return can_view_case(user, case) and (
        is_manager_side(user, case) or is_coordinator(user) or is_provider_of(user, case)
    )
