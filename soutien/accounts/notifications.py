"""Emails about accounts, through the platform's outbox (soutien.core.outbox): called
inside the service's transaction, they leave once it commits and are retried if the mail
server fails."""

from django.conf import settings
from django.template.loader import render_to_string

from soutien.core.outbox import outbox_enqueue

SIGNATURE_CONTEXT = {"site_name": "Soutien — Mission de soutien technique renforcé"}


def send_account_email(
    *, to: list[str], template: str, context: dict, secret: bool = False
) -> None:
    """Render accounts/emails/<template>_subject.txt and <template>.txt into the outbox.

    ``secret``: the text holds a single-use link, erased from the outbox once sent."""
    from soutien.accounts.preferences import preferences_url

    context = {
        **SIGNATURE_CONTEXT,
        "site_url": settings.SITE_URL.rstrip("/"),
        "preferences_url": preferences_url(),
        **context,
    }
    subject = render_to_string(f"accounts/emails/{template}_subject.txt", context)
    body = render_to_string(f"accounts/emails/{template}.txt", context)
    outbox_enqueue(to=to, subject=" ".join(subject.split()), body=body, erase_after_sending=secret)


def notify_request_received(account_request) -> None:
    send_account_email(
        to=[account_request.email],
        template="request_received",
        context={"account_request": account_request},
    )


def notify_coordinators_of_request(account_request, coordinator_emails: list[str]) -> None:
    if coordinator_emails:
        send_account_email(
            to=coordinator_emails,
            template="request_to_review",
            context={"account_request": account_request},
        )


def notify_invitation(*, user, token: str, expires_at, account_request=None) -> None:
    from django.urls import reverse

    send_account_email(
        to=[user.email],
        template="invitation",
        context={
            "user": user,
            "path": reverse("public:invitation", args=[token]),
            "expires_at": expires_at,
            "account_request": account_request,
        },
        secret=True,
    )


def notify_access_added(*, user, organisation, role_label: str) -> None:
    from django.urls import reverse

    send_account_email(
        to=[user.email],
        template="access_added",
        context={
            "user": user,
            "organisation": organisation,
            "role_label": role_label,
            "path": reverse("accounts:login"),
        },
    )


def notify_request_refused(account_request) -> None:
    send_account_email(
        to=[account_request.email],
        template="request_refused",
        context={"account_request": account_request},
    )
