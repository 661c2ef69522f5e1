"""From a self-check's result to a preventive request: a signed token, valid one hour,
that carries only codes (warning signs of the fiche and fields of expertise), never the
answers nor any free text. It travels in the URL of the new fiche, through the login."""

from dataclasses import dataclass

from django.core import signing

from soutien.cases.enums import Situation
from soutien.directory.models import Domain, WarningSign
from soutien.selfcheck.scoring import Result

SALT = "soutien.selfcheck.preventive-request"
MAX_AGE_SECONDS = 60 * 60
QUERY_PARAMETER = "autodiagnostic"


@dataclass
class Prefill:
    """What a fiche starts with when it comes from a self-check."""

    situation: str
    warning_signs: list[WarningSign]
    domains: list[Domain]


def preventive_token(result: Result) -> str:
    return signing.dumps(
        {"s": result.warning_sign_codes(), "d": result.domain_codes()}, salt=SALT, compress=True
    )


def prefill_from_token(token: str) -> Prefill | None:
    """The fiche's pre-filled values, or None if the token is forged, altered or expired.
    Codes that no longer exist (or signs no longer offered in the fiche) are dropped."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:  # SignatureExpired included
        return None
    if not isinstance(data, dict):
        return None
    sign_codes = [code for code in data.get("s", []) if isinstance(code, str)]
    domain_codes = [code for code in data.get("d", []) if isinstance(code, str)]
    signs = list(WarningSign.objects.filter(code__in=sign_codes, is_active=True))
    domains = list(Domain.objects.filter(code__in=domain_codes))
    return Prefill(situation=Situation.PREVENTIVE, warning_signs=signs, domains=domains)
