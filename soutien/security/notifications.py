"""Security emails: always sent at once (category « Compte et sécurité »)."""

from soutien.accounts.notifications import AccountNotification


class TwoFactorCode(AccountNotification):
    """The one-time code of a sign-in (or of an enrolment) by email."""

    name = "two_factor_code"
    recipients = "la personne qui se connecte avec un code par courriel"
    secret = True
