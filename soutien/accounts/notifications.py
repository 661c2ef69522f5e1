"""The base of every email the platform sends, and the emails about accounts.

`PlatformNotification` adds people's choices to soutien.core.notifications: of the
recipients who have an account, only those who chose to be told at once of its category
get the email now (the others find it in their daily digest, or chose not to be told);
each of them gets the List-Unsubscribe headers of that category. An address without an
account is always told; the address of a deactivated account never is. Account and
security emails (`LOCKED_CATEGORIES`) always leave, to every address given, without these
headers. The templates find ``site_name``, ``site_url`` and ``preferences_url`` in their
context.

The account emails are called inside the service's transaction: they leave once it
commits and are retried if the mail server fails (soutien.core.outbox).
"""

from django.conf import settings
from django.urls import reverse

from soutien.accounts import preferences
from soutien.accounts.models import LOCKED_CATEGORIES, Delivery, NotificationCategory, User
from soutien.core.notifications import Notification, addresses_of

SITE_NAME = "Soutien — Mission de soutien technique renforcé"


class PlatformNotification(Notification):
    """A notification that follows each person's choice for its category."""

    def get_context(self, user=None) -> dict:
        return {
            "site_name": SITE_NAME,
            "site_url": settings.SITE_URL.rstrip("/"),
            "preferences_url": preferences.preferences_url(),
            **super().get_context(user),
        }

    def recipients_now(self, to) -> list[tuple[str, User | None]]:
        addresses = addresses_of(to)
        if self.category in LOCKED_CATEGORIES:
            return [(address, None) for address in addresses]
        given = {item.email.lower(): item for item in to if isinstance(item, User)}
        missing = [address for address in addresses if address not in given]
        accounts = {
            **{user.email.lower(): user for user in User.objects.filter(email__in=missing)},
            **given,
        }
        active = [user.pk for user in accounts.values() if user.is_active]
        chosen = preferences.deliveries(active, self.category)
        return [
            (address, accounts.get(address))
            for address in addresses
            if address not in accounts
            or (accounts[address].is_active and chosen[accounts[address].pk] == Delivery.IMMEDIATE)
        ]

    def headers(self, user) -> dict[str, str] | None:
        return preferences.email_headers(user, self.category) if user is not None else None


class AccountNotification(PlatformNotification):
    category = NotificationCategory.ACCOUNT


class RequestReceived(AccountNotification):
    name = "account_request_received"
    recipients = "la personne qui demande un compte"


class RequestToReview(AccountNotification):
    name = "account_request_to_review"
    recipients = "la coordination"


class Invitation(AccountNotification):
    name = "account_invitation"
    recipients = "la personne invitée (lien d'activation à usage unique)"
    secret = True


class AccessAdded(AccountNotification):
    name = "account_access_added"
    recipients = "la personne dont le compte existant reçoit un nouvel accès"


class RequestRefused(AccountNotification):
    name = "account_request_refused"
    recipients = "la personne dont la demande de compte est refusée"


class PasswordReset(AccountNotification):
    """Rendered with the context of Django's PasswordResetForm (uid, token, protocol,
    domain, email)."""

    name = "password_reset"
    recipients = "la personne qui demande un nouveau mot de passe (lien à usage unique)"
    secret = True


def notify_request_received(account_request) -> None:
    RequestReceived(account_request=account_request).send(to=[account_request.email])


def notify_coordinators_of_request(account_request, coordinator_emails: list[str]) -> None:
    RequestToReview(account_request=account_request).send(to=coordinator_emails)


def notify_invitation(*, user, token: str, expires_at, account_request=None) -> None:
    Invitation(
        user=user,
        path=reverse("public:invitation", args=[token]),
        expires_at=expires_at,
        account_request=account_request,
    ).send(to=[user.email])


def notify_access_added(*, user, organisation, role_label: str) -> None:
    AccessAdded(
        user=user,
        organisation=organisation,
        role_label=role_label,
        path=reverse("accounts:login"),
    ).send(to=[user.email])


def notify_request_refused(account_request) -> None:
    RequestRefused(account_request=account_request).send(to=[account_request.email])
