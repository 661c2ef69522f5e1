"""Rate limits: the forms anyone can post without an account, and the emailed sign-in codes.

A public form that sends emails (the account request acknowledges receipt to the address
typed and alerts the coordination) must not become a relay for unwanted mail: each client
address may send a few requests per window, then gets a French message and keeps what it
typed.

The counters are rows of ``ThrottleCounter`` (one per scope, client and window),
incremented with ``UPDATE … SET count = count + 1`` in a transaction: every server
process counts in the same row, and two processes never both see the same count (the
row stays locked until the transaction ends; on SQLite the whole database does). The
windows are fixed (they start at multiples of their length, in UTC).
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from soutien.core import clock
from soutien.security.models import ThrottleCounter

KEY_LENGTH = ThrottleCounter._meta.get_field("key").max_length


def _window_start(now: dt.datetime, window: int) -> dt.datetime:
    seconds = int(now.timestamp()) // window * window
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def throttle_count(scope: str, key: str | None, *, window: int, now=None) -> int:
    """Count one attempt for ``key`` within ``scope`` and return how many were counted
    in the current window of ``window`` seconds, this one included."""
    start = _window_start(now or clock.now(), window)
    lookup = {"scope": scope, "key": (key or "unknown")[:KEY_LENGTH], "window_start": start}
    counters = ThrottleCounter.objects.filter(**lookup)
    with transaction.atomic():
        if not counters.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    ThrottleCounter.objects.create(
                        **lookup, expires_at=start + dt.timedelta(seconds=window), count=1
                    )
            except IntegrityError:  # another process created it meanwhile
                counters.update(count=F("count") + 1)
        return counters.values_list("count", flat=True).get()


def throttle_exceeded(scope: str, key: str | None, *, limit: int, window: int, now=None) -> bool:
    """Count one attempt for ``key`` (a client address, an account) within ``scope``;
    True once more than ``limit`` attempts were counted in the current window of
    ``window`` seconds."""
    return throttle_count(scope, key, window=window, now=now) > limit


def throttle_counters_purge(*, now=None) -> int:
    """Delete the counters of windows that ended. Returns how many."""
    deleted, _ = ThrottleCounter.objects.filter(expires_at__lte=now or clock.now()).delete()
    return deleted


def account_request_throttled(ip_address: str | None) -> bool:
    limit, window = settings.SOUTIEN_ACCOUNT_REQUEST_RATE
    return throttle_exceeded("account-request", ip_address, limit=limit, window=window)


def password_reset_throttled(ip_address: str | None) -> bool:
    limit, window = settings.SOUTIEN_PASSWORD_RESET_RATE
    return throttle_exceeded("password-reset", ip_address, limit=limit, window=window)
