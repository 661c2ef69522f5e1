"""How django-axes counts failed logins: per account across addresses, per address
across accounts.

``AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]`` makes django-axes sum the
failures of an account (from every address) and those of an address (on every
account). Its handler compares both sums with one limit, ``AXES_FAILURE_LIMIT``; the
handler below gives the address its own, higher limit
(``SOUTIEN_LOGIN_ADDRESS_FAILURE_LIMIT``: an office behind one address holds several
people who mistype), and keeps a successful login from wiping the failures other
accounts collected from the same address (else a sprayer with one account of their own
would reset the address counter at will). The counts live in the database
(``AccessAttempt`` rows): every server process sees the same ones.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def username_from_request(request, credentials) -> str:
    """The address as the account is stored (lower case), so that « Marie@… » and
    « marie@… » count against the same lockout."""
    field = settings.AXES_USERNAME_FORM_FIELD
    value = (credentials or {}).get(field) or request.POST.get(field, "")
    return str(value).strip().lower()


def _limit_for(parameter, account_limit: int) -> int:
    if parameter == "ip_address":
        return settings.SOUTIEN_LOGIN_ADDRESS_FAILURE_LIMIT
    return account_limit


class SoutienAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler, with one limit per lockout parameter."""

    def get_failures(self, request, credentials=None) -> int:
        """The failures that count towards the lock, on the scale of
        ``AXES_FAILURE_LIMIT``: the account's own failures, or the address's scaled
        down by the ratio of the two limits (20 failures from one address count as
        5), whichever is higher. django-axes locks once this reaches the limit."""
        account_limit = get_failure_limit(request, credentials)
        scaled = [0]
        for parameter, attempts in zip(
            settings.AXES_LOCKOUT_PARAMETERS,
            self.get_user_attempts(request, credentials),
            strict=True,
        ):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            scaled.append(failures * account_limit // _limit_for(parameter, account_limit))
        return max(scaled)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful login, forget that account's failures (from every
        address), not those of other accounts from the same address."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
