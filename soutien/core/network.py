"""Where a request comes from, read the same way by the audit log and by django-axes."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's IP address.

    ``REMOTE_ADDR`` is the address that connected to us. Behind a reverse proxy it is
    the proxy's: with ``SOUTIEN_TRUSTED_PROXY_COUNT = n`` (n proxies we run ourselves,
    each appending to ``X-Forwarded-For``), the client is the n-th address from the
    right. Without that setting the header is ignored, since a client can forge it.
    """
    meta = getattr(request, "META", {}) or {}
    address = meta.get("REMOTE_ADDR")
    proxies = getattr(settings, "SOUTIEN_TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    return normalise_ip(address)


def normalise_ip(address: str | None) -> str | None:
    """A valid address in its canonical text form, or None."""
    if not address:
        return None
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None
