"""Who is told what, at each step: one notification class per message, rendered from
``emails/<name>.subject.txt`` and ``.body.txt`` (soutien/cases/templates/emails/), which
extend the frame of every case email, ``emails/case_notice.*.txt``. Emails go through the
outbox (sent after commit), to those who chose to be told at once of the activity of
their cases (soutien.accounts.notifications.PlatformNotification).

Emails never carry confidential content: they say that something awaits and link
to the case, where the reader's rights apply.
"""

from django.conf import settings
from django.urls import reverse

from soutien.accounts import preferences
from soutien.accounts.models import NotificationCategory
from soutien.accounts.notifications import PlatformNotification
from soutien.cases.workflow import DECISION_TRANSITIONS, TRANSITIONS
from soutien.directory.models import Membership, Role


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


class CaseNotification(PlatformNotification):
    """An email about one case (``case`` in the context), with the case's number, centre,
    stage and link around its text."""

    category = NotificationCategory.CASE_ACTIVITY

    def get_context(self, user=None) -> dict:
        return {**super().get_context(user), "case_url": case_url(self.context["case"])}


class CaseNotice(CaseNotification):
    """A free text on a case (``subject``, ``text``), in the frame of every case email."""

    name = "case_notice"
    recipients = "les destinataires que lui donne le code qui l'envoie (texte libre)"


def notify(case, recipients: list[str], subject: str, text: str, exclude=None) -> None:
    """Tell ``recipients`` of ``text`` about ``case``, in the frame of every case email."""
    CaseNotice(case=case, subject=subject, text=text).send(to=recipients, exclude=exclude)


class Submitted(CaseNotification):
    name = "case_submitted"
    recipients = "la coordination"


class SubmittedToManager(CaseNotification):
    name = "case_submitted_to_manager"
    recipients = "le gestionnaire (administrateurs, salariés de fédération, auteur de la fiche)"


class Returned(CaseNotification):
    name = "case_returned"
    recipients = "le gestionnaire"


class ReferralOpened(CaseNotification):
    name = "case_referral_opened"
    recipients = "les partenaires financeurs sollicités"


class ReferralOpenedToManager(CaseNotification):
    name = "case_referral_opened_to_manager"
    recipients = "le gestionnaire"


class Opinion(CaseNotification):
    name = "case_opinion"
    recipients = "la coordination"


class Accepted(CaseNotification):
    name = "case_accepted"
    recipients = "le gestionnaire"


class AcceptedToProvider(CaseNotification):
    name = "case_accepted_to_provider"
    recipients = "le prestataire (le consultant désigné, sinon les consultants du prestataire)"


class Refused(CaseNotification):
    name = "case_refused"
    recipients = "le gestionnaire"


class Dismissed(CaseNotification):
    name = "case_dismissed"
    recipients = "le gestionnaire"


class Decision(CaseNotification):
    name = "case_decision"
    recipients = "les partenaires financeurs sollicités"


class Withdrawn(CaseNotification):
    name = "case_withdrawn"
    recipients = "la coordination et les partenaires financeurs sollicités"


class ConsultantAssigned(CaseNotification):
    name = "case_consultant_assigned"
    recipients = "le consultant désigné"


class ConsultantNamed(CaseNotification):
    name = "case_consultant_named"
    recipients = "le gestionnaire et la coordination"


class ReportSubmitted(CaseNotification):
    name = "case_report_submitted"
    recipients = "le gestionnaire (seul, avant sa validation)"


class ChangesRequested(CaseNotification):
    name = "case_changes_requested"
    recipients = "le prestataire"


class ReportValidated(CaseNotification):
    name = "case_report_validated"
    recipients = "le prestataire, la coordination et les partenaires financeurs sollicités"


class Restitution(CaseNotification):
    name = "case_restitution"
    recipients = "le gestionnaire, la coordination et les partenaires financeurs sollicités"


class Closed(CaseNotification):
    name = "case_closed"
    recipients = "le gestionnaire"


class ClosedToOthers(CaseNotification):
    name = "case_closed_to_others"
    recipients = "les partenaires financeurs sollicités et le prestataire"


class HandedOver(CaseNotification):
    name = "case_handed_over"
    recipients = "les administrateurs du gestionnaire"


class NewMessage(CaseNotification):
    name = "case_message"
    recipients = "les personnes qui peuvent lire le message"


# One function per step, named after the service that triggers it.


def notify_submitted(case, by):
    Submitted(case=case).send(to=told(case, "submit", "coordination"), exclude=by)
    SubmittedToManager(case=case).send(to=told(case, "submit", "manager"), exclude=by)


def notify_returned(case, by, message):
    Returned(case=case, message=message).send(to=told(case, "return_for_completion"), exclude=by)


def notify_referral_opened(case, by):
    ReferralOpened(case=case).send(to=told(case, "open_referral", "partners"), exclude=by)
    ReferralOpenedToManager(case=case).send(to=told(case, "open_referral", "manager"), exclude=by)


def notify_opinion(case, by):
    Opinion(case=case).send(to=coordinators(), exclude=by)


def notify_decision(case, by, decision):
    name = DECISION_TRANSITIONS[decision.outcome]
    managers = told(case, name, "manager")
    if name == "validate":
        Accepted(case=case).send(to=managers, exclude=by)
        AcceptedToProvider(case=case).send(to=told(case, name, "provider"), exclude=by)
    elif name == "refuse":
        Refused(case=case, decision=decision).send(to=managers, exclude=by)
    else:
        Dismissed(case=case, decision=decision).send(to=managers, exclude=by)
    Decision(case=case, decision=decision).send(to=told(case, name, "partners"), exclude=by)


def notify_withdrawn(case, by):
    Withdrawn(case=case).send(to=told(case, "withdraw"), exclude=by)


def notify_consultant_assigned(case, by):
    ConsultantAssigned(case=case).send(to=[case.consultant.email], exclude=by)
    ConsultantNamed(case=case).send(to=manager_side(case) + coordinators(), exclude=by)


def notify_report_submitted(case, by, version):
    ReportSubmitted(case=case, version=version).send(to=told(case, "submit_report"), exclude=by)


def notify_changes_requested(case, by, version):
    ChangesRequested(case=case, version=version).send(to=told(case, "request_changes"), exclude=by)


def notify_report_validated(case, by, version):
    ReportValidated(case=case, version=version).send(to=told(case, "validate_report"), exclude=by)


def notify_restitution(case, by):
    Restitution(case=case).send(to=told(case, "record_restitution"), exclude=by)


def notify_closed(case, by):
    Closed(case=case).send(to=told(case, "close", "manager"), exclude=by)
    ClosedToOthers(case=case).send(to=told(case, "close", "partners", "provider"), exclude=by)


def notify_handed_over(case, by):
    HandedOver(case=case, by=by).send(to=board_members(case), exclude=by)


def notify_message(case, by, message, recipients):
    NewMessage(case=case).send(to=recipients, exclude=by)


class Reminders(PlatformNotification):
    """The reminders of one person for the day (soutien.cases.reminders): ``reminders``
    and ``escalations``, lists of {case, what, when, url, actor}."""

    name = "reminders"
    category = NotificationCategory.REMINDERS
    recipients = (
        "chaque personne qui doit agir ; la coordination pour les étapes longtemps en retard"
    )

    def recipients_now(self, to):
        """The run already kept those who chose to be told at once (each Reminder row
        records the choice): no query here."""
        return [(user.email, user) for user in to]


class Digest(PlatformNotification):
    """The daily digest of one person (soutien.cases.digest): ``today``, ``awaiting``
    ({case, what, when, url}) and ``changes`` ({case, events, url})."""

    name = "digest"
    category = preferences.DIGEST
    recipients = "chaque personne qui a choisi le récapitulatif pour au moins une catégorie"

    def recipients_now(self, to):
        """Whoever receives a digest chose it: no further choice applies."""
        return [(user.email, user) for user in to]
