"""Decorators shared by the web views."""

from functools import wraps

from django.http import Http404


def coordinator_only(policy):
    """The view answers 404 to anyone the policy refuses (the page is not revealed)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not policy(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
