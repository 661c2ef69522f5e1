"""From a self-check's result to a preventive request: an encrypted, authenticated token,
valid one hour, that carries only codes (warning signs of the fiche and fields of
expertise), never the answers nor any free text. It travels in the URL of the new fiche,
through the login; since addresses end up in access logs, it is encrypted (Fernet, a key
derived from SECRET_KEY): a log shows an opaque string, not the centre's signs."""

import base64
import json
import time
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from django.utils.crypto import salted_hmac

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


def _fernet() -> Fernet:
    key = salted_hmac(SALT, "fernet-key", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encode(data: dict, *, issued_at: int | None = None) -> str:
    """The token of ``data`` (``issued_at``: a Unix time, for tests of expiry)."""
    payload = json.dumps(data, separators=(",", ":")).encode()
    at = int(time.time()) if issued_at is None else issued_at
    return _fernet().encrypt_at_time(payload, at).decode()


def decode(token: str) -> dict | None:
    """The data of a token, or None if it is forged, altered or older than one hour."""
    try:
        data = json.loads(_fernet().decrypt(token.encode(), ttl=MAX_AGE_SECONDS))
    except (InvalidToken, ValueError, UnicodeError):
        return None
    return data if isinstance(data, dict) else None


def preventive_token(result: Result) -> str:
    return encode({"s": result.warning_sign_codes(), "d": result.domain_codes()})


def prefill_from_token(token: str) -> Prefill | None:
    """The fiche's pre-filled values, or None if the token is forged, altered or expired.
    Codes that no longer exist (or signs no longer offered in the fiche) are dropped."""
    data = decode(token)
    if data is None:
        return None
    sign_codes = [code for code in data.get("s", []) if isinstance(code, str)]
    domain_codes = [code for code in data.get("d", []) if isinstance(code, str)]
    signs = list(WarningSign.objects.filter(code__in=sign_codes, is_active=True))
    domains = list(Domain.objects.filter(code__in=domain_codes))
    return Prefill(situation=Situation.PREVENTIVE, warning_signs=signs, domains=domains)
