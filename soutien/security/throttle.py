"""Rate limits for the forms anyone can post without an account.

A public form that sends emails (the account request acknowledges receipt to the address
typed and alerts the coordination) must not become a relay for unwanted mail: each client
address may send a few requests per window, then gets a French message and keeps what it
typed.

The counters live in Django's cache. With the default local-memory cache each server
process counts on its own (the limit then applies per process); a shared cache
(``CACHES`` pointing at the database or Redis) makes it global.
"""

from django.conf import settings
from django.core.cache import cache


def throttle_exceeded(scope: str, key: str | None, *, limit: int, window: int) -> bool:
    """Count one attempt for ``key`` (a client address) within ``scope``; True once more
    than ``limit`` attempts were counted in the current window of ``window`` seconds."""
    cache_key = f"soutien:throttle:{scope}:{key or 'unknown'}"
    cache.add(cache_key, 0, timeout=window)  # starts the window unless it runs already
    try:
        attempts = cache.incr(cache_key)
    except ValueError:  # the window ended between the two calls
        cache.set(cache_key, 1, timeout=window)
        attempts = 1
    return attempts > limit


def account_request_throttled(ip_address: str | None) -> bool:
    limit, window = settings.SOUTIEN_ACCOUNT_REQUEST_RATE
    return throttle_exceeded("account-request", ip_address, limit=limit, window=window)


def password_reset_throttled(ip_address: str | None) -> bool:
    limit, window = settings.SOUTIEN_PASSWORD_RESET_RATE
    return throttle_exceeded("password-reset", ip_address, limit=limit, window=window)
