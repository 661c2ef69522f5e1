"""View decorators for pages that show confidential case data."""

from functools import wraps

from django.utils.cache import add_never_cache_headers, patch_cache_control


def private_page(view):
    """Mark a page as confidential: no browser or proxy may keep a copy
    (``Cache-Control: no-store, private``). Use it on every case page and download."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        patch_cache_control(response, no_store=True, private=True)
        return response

    return wrapper
