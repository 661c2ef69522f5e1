"""How each person is told: at once, in the daily digest, or not at all, per category.

Whoever queues a notification asks `deliveries` for its recipients (one query) and
gives each email sent at once the headers of `email_headers`: ``List-Unsubscribe``
(a signed link that turns the category off without signing in, RFC 8058 one-click, and
the preferences page) and ``List-Unsubscribe-Post``. Account and security emails always
leave at once (`LOCKED_CATEGORIES`): they neither ask nor carry these headers.
"""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from soutien.accounts.models import (
    LOCKED_CATEGORIES,
    AccountEvent,
    Delivery,
    NotificationCategory,
    NotificationPreference,
    User,
)

UNSUBSCRIBE_SALT = "soutien.accounts.unsubscribe"
EDITABLE_CATEGORIES = [c for c in NotificationCategory if c not in LOCKED_CATEGORIES]
# The unsubscribe link of the daily digest: every category sent in the digest is turned off.
DIGEST = "digest"


class InvalidUnsubscribeLink(Exception):
    """The link was altered, or names a category that cannot be turned off."""


def preferences_of(user) -> dict[str, str]:
    """{category: delivery} for every category (immediate unless changed)."""
    values = dict.fromkeys(NotificationCategory.values, Delivery.IMMEDIATE.value)
    values.update(
        NotificationPreference.objects.filter(user_id=user.pk)
        .exclude(category__in=LOCKED_CATEGORIES)
        .values_list("category", "delivery")
    )
    return values


def deliveries(user_ids, category: str) -> dict[int, str]:
    """{user id: delivery} of these users for one category, in one query."""
    user_ids = set(user_ids)
    values = dict.fromkeys(user_ids, Delivery.IMMEDIATE.value)
    if category in LOCKED_CATEGORIES or not user_ids:
        return values
    values.update(
        NotificationPreference.objects.filter(user_id__in=user_ids, category=category).values_list(
            "user_id", "delivery"
        )
    )
    return values


@transaction.atomic
def preferences_set(*, user: User, by: User, values: dict[str, str]) -> dict[str, str]:
    """Everyone chooses, for each category, how they are told. Account and security emails
    always go out at once: this choice does not exist for them."""
    if by is not None and by.pk != user.pk:
        raise PermissionError("Chacun règle ses propres notifications.")
    User.objects.select_for_update().filter(pk=user.pk).first()
    current = preferences_of(user)
    changed = {}
    for category, delivery in values.items():
        if category in LOCKED_CATEGORIES or category not in NotificationCategory.values:
            raise ValueError(f"Catégorie non modifiable : {category}")
        if delivery not in Delivery.values:
            raise ValueError(f"Envoi inconnu : {delivery}")
        if current[category] != delivery:
            NotificationPreference.objects.update_or_create(
                user=user, category=category, defaults={"delivery": delivery}
            )
            changed[category] = delivery
    if changed:
        AccountEvent.objects.create(
            action=AccountEvent.Action.NOTIFICATIONS_CHANGED,
            user=user,
            actor=by,
            comment=", ".join(
                f"{NotificationCategory(c).label} : {Delivery(d).label}" for c, d in changed.items()
            ),
        )
    return {**current, **changed}


def unsubscribe_token(user, category: str) -> str:
    if category in LOCKED_CATEGORIES:
        raise InvalidUnsubscribeLink()
    return signing.dumps({"u": user.pk, "c": str(category)}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    """The person and category a link names; InvalidUnsubscribeLink if altered."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=int(data["u"]), is_active=True)
        category = str(data["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, User.DoesNotExist):
        raise InvalidUnsubscribeLink() from None
    if category != DIGEST and (
        category not in NotificationCategory.values or category in LOCKED_CATEGORIES
    ):
        raise InvalidUnsubscribeLink()
    return user, category


def unsubscribe(token: str) -> tuple[User, str]:
    """Turn off the category a signed link names (no sign-in: the link is the proof that
    the person received the email). Idempotent."""
    user, category = read_unsubscribe_token(token)
    if category == DIGEST:
        values = {c: Delivery.NONE for c, d in preferences_of(user).items() if d == Delivery.DIGEST}
    else:
        values = {category: Delivery.NONE}
    preferences_set(user=user, by=None, values=values)
    return user, category


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def preferences_url() -> str:
    return site_url(reverse("profile:notifications"))


def unsubscribe_url(user, category: str) -> str:
    return site_url(reverse("profile:unsubscribe", args=[unsubscribe_token(user, category)]))


def email_headers(user, category: str) -> dict[str, str]:
    """The headers of an email of this category to this person (RFC 2369, RFC 8058)."""
    if category in LOCKED_CATEGORIES:
        return {}
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user, category)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def footer(category: str | None = None) -> str:
    """The lines that end every notification: where to choose how one is told."""
    text = f"\n\nPour choisir comment vous êtes prévenu(e) : {preferences_url()}"
    if category == NotificationCategory.ACCOUNT:
        text += "\n(Les courriels de compte et de sécurité vous sont toujours envoyés.)"
    return text
