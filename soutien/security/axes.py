"""How django-axes reads the account name of a login attempt."""

from django.conf import settings


def username_from_request(request, credentials) -> str:
    """The address as the account is stored (lower case), so that « Marie@… » and
    « marie@… » count against the same lockout."""
    field = settings.AXES_USERNAME_FORM_FIELD
    value = (credentials or {}).get(field) or request.POST.get(field, "")
    return str(value).strip().lower()
