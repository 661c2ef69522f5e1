"""View decorators for pages that show confidential case data."""

from functools import wraps

from django.utils.cache import add_never_cache_headers, patch_cache_control


def forbid_copies(response):
    """No browser or proxy may keep a copy of ``response``
    (``Cache-Control: no-store, private``, and expired)."""
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


def private_page(view):
    """Mark a page as confidential: no browser or proxy may keep a copy
    (``Cache-Control: no-store, private``). Use it on every case page and download,
    and on public pages where someone types personal data (account requests).
    Pages served to a signed-in person get it anyway (``SecurityHeadersMiddleware``)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return forbid_copies(view(request, *args, **kwargs))

    return wrapper
