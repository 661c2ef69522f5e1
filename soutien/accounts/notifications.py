"""Emails about accounts. Everything goes through send_account_email, so that it can later
be switched to the platform's email outbox without touching the services."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

SIGNATURE_CONTEXT = {"site_name": "Soutien — Mission de soutien technique renforcé"}


def send_account_email(*, to: list[str], template: str, context: dict) -> None:
    """Render accounts/emails/<template>_subject.txt and <template>.txt, then send."""
    context = {**SIGNATURE_CONTEXT, "site_url": settings.SITE_URL.rstrip("/"), **context}
    subject = render_to_string(f"accounts/emails/{template}_subject.txt", context)
    body = render_to_string(f"accounts/emails/{template}.txt", context)
    EmailMessage(subject=" ".join(subject.split()), body=body, to=to).send()


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
