"""One way to write an email: a `Notification` class and its pair of templates.

Every email the platform sends is one subclass, registered under its ``name``:

    class ReportValidated(CaseNotification):
        name = "case_report_validated"      # emails/case_report_validated.subject.txt
        category = NotificationCategory.CASE_ACTIVITY           # and .body.txt
        recipients = "le prestataire, la coordination et les partenaires concernés"

    ReportValidated(case=case, version=version).send(to=addresses, exclude=by)

The subject and the body are rendered from ``emails/<name>.subject.txt`` and
``emails/<name>.body.txt`` (in the templates of the app that sends it) with the
keyword arguments given to the class, plus what `get_context` adds. `send` writes one
outbox row per recipient (soutien.core.outbox, sent after the transaction commits).

This module is the lowest layer: it knows nothing of people's choices. The base every
email actually uses, `soutien.accounts.notifications.PlatformNotification`, adds them
(who is told at once, the List-Unsubscribe headers, the link to the preferences) by
overriding `recipients_now`, `headers` and `get_context`.

`all_kinds()` returns every kind (`REGISTRY`, once every app's ``notifications`` module
is imported): the tests render each one, the docs list them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from django.template.loader import render_to_string
from django.utils.module_loading import autodiscover_modules

from soutien.core.models import OutboxEmail
from soutien.core.outbox import outbox_enqueue
from soutien.core.text import one_line

# name -> class, filled by `Notification.__init_subclass__` when the module is imported.
REGISTRY: dict[str, type[Notification]] = {}


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


class Notification:
    """One kind of email. Subclasses set the class attributes below; a class without a
    ``name`` is a base for others and is not registered."""

    # emails/<name>.subject.txt and emails/<name>.body.txt
    name: ClassVar[str] = ""
    # A NotificationCategory value: the person's choice for it applies.
    category: ClassVar[str] = ""
    # Who receives it, in French, for the docs (docs/notifications.md).
    recipients: ClassVar[str] = ""
    # The text holds a secret (a single-use link or code): erased from the outbox once sent.
    secret: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.name:
            return
        if cls.name in REGISTRY and REGISTRY[cls.name] is not cls:
            raise ValueError(f"Two notifications are named {cls.name!r}.")
        if not cls.category or not cls.recipients:
            raise ValueError(f"Notification {cls.name!r} needs a category and its recipients.")
        REGISTRY[cls.name] = cls

    def __init__(self, **context):
        self.context = context

    # What subclasses may change.

    def get_context(self, user=None) -> dict:
        """The template context for one recipient (``user``: their account, or None for
        an address without an account, or when the same text goes to everyone)."""
        return {**self.context, "recipient": user}

    def recipients_now(self, to) -> list[tuple[str, object]]:
        """(address, account or None) of those who get the email now: here everyone."""
        return [(address, None) for address in addresses_of(to)]

    def headers(self, user) -> dict[str, str] | None:
        """Extra headers of the email to ``user`` (none here)."""
        return None

    # The one way to render and to send.

    @classmethod
    def template_names(cls) -> tuple[str, str]:
        return f"emails/{cls.name}.subject.txt", f"emails/{cls.name}.body.txt"

    def render(self, user=None) -> Rendered:
        """The subject (on one line) and the body, rendered from the two templates."""
        if not self.name:
            raise TypeError(f"{type(self).__name__} is a base: it has no templates.")
        context = self.get_context(user)
        subject_template, body_template = self.template_names()
        return Rendered(
            subject=one_line(render_to_string(subject_template, context)),
            body=render_to_string(body_template, context),
        )

    def send(self, *, to, exclude=None, attachments: list[dict] | None = None) -> list[OutboxEmail]:
        """Queue one email per recipient in the outbox (sent once the transaction commits).

        ``to``: addresses or accounts; ``exclude``: an account not to tell (whoever
        acted). Returns the rows written."""
        excluded = {exclude.email.strip().lower()} if exclude is not None else set()
        to = [item for item in to if _address_of(item) not in excluded]
        rows = []
        for address, user in self.recipients_now(to):
            rendered = self.render(user)
            rows += outbox_enqueue(
                to=[address],
                subject=rendered.subject,
                body=rendered.body,
                attachments=attachments,
                erase_after_sending=self.secret,
                headers=self.headers(user),
            )
        return rows


def _address_of(item) -> str:
    value = item if isinstance(item, str) else getattr(item, "email", "")
    return (value or "").strip().lower()


def addresses_of(to) -> list[str]:
    """The distinct addresses of ``to`` (addresses or accounts), sorted, blanks left out."""
    return sorted({address for address in map(_address_of, to) if address})


def all_kinds() -> dict[str, type[Notification]]:
    """Every kind of email the platform sends, by name: the ``notifications`` module of
    every installed app is imported first (as the admin finds ``admin`` modules), so the
    registry is complete whatever was imported before."""
    autodiscover_modules("notifications")
    return dict(sorted(REGISTRY.items()))
