"""Who is told what, at each step. Emails go through the outbox (sent after commit).

Emails never carry confidential content: they say that something awaits and link
to the case, where the reader's rights apply.
"""

from django.conf import settings
from django.urls import reverse

from soutien.accounts import preferences
from soutien.accounts.models import Delivery, NotificationCategory, User
from soutien.cases.workflow import DECISION_TRANSITIONS, TRANSITIONS
from soutien.core.outbox import outbox_enqueue
from soutien.core.text import one_line
from soutien.directory.models import Membership, Role

SIGNATURE = (
    "\n\n— Soutien, mission de soutien technique renforcé\n"
    "(message automatique, merci de ne pas y répondre)"
)


def case_url(case) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("cases:detail", args=[case.pk])


def _emails(memberships) -> list[str]:
    return list(
        memberships.filter(is_active=True, user__is_active=True).values_list(
            "user__email", flat=True
        )
    )


def coordinators() -> list[str]:
    return _emails(Membership.objects.filter(role=Role.COORDINATOR))


def manager_side(case) -> list[str]:
    emails = _emails(
        Membership.objects.filter(
            organisation_id=case.manager_id,
            role__in=[Role.BOARD_MEMBER, Role.FEDERATION_STAFF],
        )
    )
    if case.created_by_id and case.created_by.is_active:
        emails.append(case.created_by.email)
    return emails


def board_members(case) -> list[str]:
    return _emails(
        Membership.objects.filter(
            organisation_id=case.manager_id,
            role__in=[Role.BOARD_MEMBER, Role.FEDERATION_STAFF],
        )
    )


def partners(case) -> list[str]:
    return _emails(
        Membership.objects.filter(
            role=Role.PARTNER,
            organisation_id__in=case.opinions.values("partner_id"),
        )
    )


def provider(case) -> list[str]:
    if case.consultant_id:
        return [case.consultant.email]
    if not case.provider_id:
        return []
    return _emails(Membership.objects.filter(role=Role.CONSULTANT, organisation=case.provider_id))


# Who is told, by the keys the workflow table uses (`Transition.told`).
AUDIENCES = {
    "coordination": lambda case: coordinators(),
    "manager": manager_side,
    "partners": partners,
    "provider": provider,
}


def told(case, name: str, *keys: str) -> list[str]:
    """The addresses of those the table says a transition tells, restricted to `keys` when
    given (one text for some of them, another for the others). A key the table does not
    list for this transition is a programming error: the table is the one truth."""
    listed = TRANSITIONS[name].told
    wanted = keys or listed
    unknown = set(wanted) - set(listed)
    if unknown:
        raise ValueError(f"{name} does not tell {sorted(unknown)} (workflow table)")
    return [address for key in wanted for address in AUDIENCES[key](case)]


def notify(
    case,
    recipients: list[str],
    subject: str,
    text: str,
    exclude=None,
    category: str = NotificationCategory.CASE_ACTIVITY,
) -> None:
    """Queue the email for each recipient who chose to be told at once (the others find
    it in their daily digest, or chose not to be told); each carries its own
    List-Unsubscribe link."""
    excluded = {exclude.email.lower()} if exclude is not None else set()
    to = {address.lower() for address in recipients if address} - excluded
    body = (
        f"Bonjour,\n\n{text}\n\n"
        f"Dossier : {case.display_number} — {one_line(case.centre.name)}\n"
        f"Étape : {case.get_stage_display()}\n\nPour le consulter : {case_url(case)}"
        + preferences.footer(category)
        + SIGNATURE
    )
    users = {user.email: user for user in User.objects.filter(email__in=to, is_active=True)}
    chosen = preferences.deliveries([user.pk for user in users.values()], category)
    for address in sorted(to):
        user = users.get(address)
        if user is not None and chosen[user.pk] != Delivery.IMMEDIATE:
            continue
        outbox_enqueue(
            to=[address],
            subject=f"[{case.display_number}] {subject}",
            body=body,
            headers=preferences.email_headers(user, category) if user is not None else None,
        )


# One function per step, named after the service that triggers it.


def notify_submitted(case, by):
    notify(case, told(case, "submit", "coordination"), "Nouvelle fiche d'information", (
        "Une fiche d'information vient d'être transmise à la Caf. "
        "Merci de vérifier sa complétude pour ouvrir la saisine concertée."
    ), exclude=by)  # fmt: skip
    notify(case, told(case, "submit", "manager"), "Votre demande a été transmise", (
        "Votre fiche d'information a bien été transmise à la Caf des Bouches-du-Rhône, "
        "qui coordonne la mission. Vous serez informé de chaque étape."
    ), exclude=by)  # fmt: skip


def notify_returned(case, by, message):
    notify(case, told(case, "return_for_completion"), "Fiche à compléter", (
        "La coordination vous demande de compléter votre fiche d'information. "
        f"Son message :\n\n{message}\n\nTout ce que vous aviez saisi est conservé."
    ), exclude=by)  # fmt: skip


def notify_referral_opened(case, by):
    subject = "Saisine concertée : votre avis est attendu"
    notify(case, told(case, "open_referral", "partners"), subject, (
        "La Caf ouvre la saisine concertée d'une demande de mission de soutien technique "
        "renforcé qui concerne votre institution. Merci de donner votre avis."
    ), exclude=by)  # fmt: skip
    notify(case, told(case, "open_referral", "manager"), "Saisine concertée ouverte", (
        "Votre demande est complète : la Caf a ouvert la saisine concertée avec les partenaires "
        "financeurs."
    ), exclude=by)  # fmt: skip


def notify_opinion(case, by):
    notify(case, coordinators(), "Nouvel avis d'un partenaire", (
        "Un partenaire financeur a donné ou révisé son avis sur la demande."
    ), exclude=by)  # fmt: skip


def notify_decision(case, by, decision):
    name = DECISION_TRANSITIONS[decision.outcome]
    if name == "validate":
        notify(case, told(case, name, "manager"), "Demande validée par les financeurs", (
            "Les financeurs ont validé votre demande : le prestataire va prendre contact avec "
            "vous pour le diagnostic flash."
        ), exclude=by)  # fmt: skip
        notify(case, told(case, name, "provider"), "Nouveau diagnostic flash à réaliser", (
            "Les financeurs ont validé une demande de mission de soutien technique renforcé. "
            "Merci de désigner le consultant qui réalisera le diagnostic."
        ), exclude=by)  # fmt: skip
    elif name == "refuse":
        notify(case, told(case, name, "manager"), "Décision des financeurs sur votre demande", (
            "Les financeurs n'ont pas retenu votre demande. Motifs :\n\n"
            f"{decision.grounds}\n\nLa coordination reste à votre disposition pour en parler."
        ), exclude=by)  # fmt: skip
    else:
        notify(case, told(case, name, "manager"), "Demande classée sans suite", (
            "Votre demande a été classée sans suite."
            + (f" Motif :\n\n{decision.grounds}" if decision.grounds else "")
        ), exclude=by)  # fmt: skip
    notify(case, told(case, name, "partners"), "Décision enregistrée", (
        f"La décision des financeurs a été enregistrée : {decision.get_outcome_display()}."
    ), exclude=by)  # fmt: skip


def notify_withdrawn(case, by):
    notify(case, told(case, "withdraw"), "Demande retirée", (
        "Le gestionnaire a retiré sa demande."
    ), exclude=by)  # fmt: skip


def notify_consultant_assigned(case, by):
    notify(case, [case.consultant.email], "Diagnostic flash confié", (
        "Vous êtes désigné(e) pour réaliser le diagnostic flash de ce centre."
    ), exclude=by)  # fmt: skip
    notify(case, manager_side(case) + coordinators(), "Consultant désigné", (
        f"{one_line(case.consultant.get_full_name() or case.consultant.email)} réalisera le "
        "diagnostic flash."
    ), exclude=by)  # fmt: skip


def notify_report_submitted(case, by, version):
    subject = f"Rapport de diagnostic à relire (version {version.number})"
    notify(case, told(case, "submit_report"), subject, (
        "Le consultant vous transmet le rapport du diagnostic flash. Vous seul le recevez à ce "
        "stade : les partenaires n'y auront accès qu'après votre validation. Vous pouvez le "
        "valider ou demander des modifications."
    ), exclude=by)  # fmt: skip


def notify_changes_requested(case, by, version):
    notify(case, told(case, "request_changes"), "Modifications demandées sur le rapport", (
        f"Le gestionnaire demande des modifications sur la version {version.number} du rapport."
    ), exclude=by)  # fmt: skip


def notify_report_validated(case, by, version):
    notify(case, told(case, "validate_report"), "Rapport validé", (
        f"Le gestionnaire a validé la version {version.number} du rapport de diagnostic : "
        "elle est désormais accessible aux partenaires concernés."
    ), exclude=by)  # fmt: skip


def notify_restitution(case, by):
    notify(case, told(case, "record_restitution"), "Restitution effectuée", (
        "La restitution du diagnostic au gestionnaire a été consignée. "
        "L'accompagnement commence : le plan d'actions est à construire avec le centre."
    ), exclude=by)  # fmt: skip


def notify_meeting(case, by, meeting, recipients):
    notify(case, recipients, f"{meeting.get_kind_display()} le {meeting.starts_at:%d/%m/%Y}", (
        f"{meeting.get_kind_display()} prévue le {meeting.starts_at:%d/%m/%Y à %H:%M}"
        + (f", {one_line(meeting.place)}" if meeting.place else "") + "."
    ), exclude=by, category=NotificationCategory.MEETINGS)  # fmt: skip


def notify_closed(case, by):
    notify(case, told(case, "close", "manager"), "Dossier clôturé : votre avis compte", (
        "La mission de soutien technique renforcé de votre centre est clôturée. Merci de "
        "répondre au court questionnaire de satisfaction : il sert à l'évaluation du dispositif."
    ), exclude=by)  # fmt: skip
    notify(case, told(case, "close", "partners", "provider"), "Dossier clôturé", (
        f"Le dossier a été clôturé : {case.get_closure_outcome_display()}."
    ), exclude=by)  # fmt: skip


def notify_handed_over(case, by):
    notify(case, board_members(case), "Un brouillon de fiche vous est confié", (
        f"{one_line(by.get_full_name() or by.email)}, salarié(e) du centre, a préparé une fiche "
        "d'information et vous la confie : seul un administrateur peut la transmettre à la Caf."
    ), exclude=by)  # fmt: skip


def notify_message(case, by, message, recipients):
    notify(case, recipients, "Nouveau message", (
        "Un nouveau message a été publié sur le dossier."
    ), exclude=by)  # fmt: skip
