"""From a self-check's result to a pre-filled fiche: « Demander un soutien préventif »."""

import base64
import re
import time
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.urls import reverse

from soutien.cases.enums import Situation, Stage
from soutien.cases.models import Case
from soutien.selfcheck import handoff
from tests.builders import make_cast

pytestmark = pytest.mark.django_db

ANSWERS = {
    "tresorerie": "moins-de-2",  # finances: 4 points, sign « tresorerie-faible »
    "comptes-approuves": "non",  # finances: 4 points, sign « comptes-non-approuves »
    "reunions-ca": "jamais",  # governance: 2 points (« à surveiller »), no sign of the fiche
    "frequentation": "stable",  # project: 0 point
}


def preventive_url(client, answers=ANSWERS) -> str:
    response = client.post(reverse("selfcheck:result"), answers)
    match = re.search(r'href="([^"]+)">Demander un soutien préventif', response.content.decode())
    return unescape(match.group(1))


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)[handoff.QUERY_PARAMETER][0]


def test_the_token_holds_codes_only_never_the_answers(client, questionnaire):
    url = preventive_url(client)
    assert url.startswith(reverse("cases:create") + "?autodiagnostic=")
    assert handoff.decode(token_of(url)) == {
        "s": ["tresorerie-faible", "comptes-non-approuves"],
        "d": ["gestion-financiere", "gouvernance"],
    }


def test_the_token_reveals_nothing_to_whoever_reads_an_access_log(client, questionnaire):
    token = token_of(preventive_url(client))
    readable = token + base64.urlsafe_b64decode(token + "==").decode("latin-1")
    for code in ("tresorerie", "comptes", "gestion", "gouvernance", "moins-de-2"):
        assert code not in readable


def test_anonymous_visitors_log_in_first_and_come_back_to_the_fiche(client, questionnaire):
    url = preventive_url(client)
    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("accounts:login")
    assert parse_qs(location.query)["next"] == [url]


def test_the_prefilled_fiche_carries_the_answers(client, questionnaire):
    cast = make_cast()
    url = preventive_url(client)
    client.force_login(cast.board_member)
    page = client.get(url).content.decode()
    assert "Démarche préventive" in page
    assert "Trésorerie inférieure à deux mois de charges" in page
    response = client.post(
        reverse("cases:create"), {"centre": cast.centre.pk, "autodiagnostic": token_of(url)}
    )
    case = Case.objects.get(centre=cast.centre)
    assert response["Location"] == reverse("cases:form", args=[case.pk])
    assert case.stage == Stage.DRAFT  # reviewed before anything is submitted
    assert case.situation == Situation.PREVENTIVE
    assert case.from_selfcheck is True
    assert sorted(case.form.warning_signs.values_list("code", flat=True)) == [
        "comptes-non-approuves",
        "tresorerie-faible",
    ]
    assert sorted(case.form.domains.values_list("code", flat=True)) == [
        "gestion-financiere",
        "gouvernance",
    ]
    assert case.events.get(kind="create").label == "Brouillon créé à partir d'un auto-diagnostic"
    # The fiche page shows them checked, for the manager to review.
    form_page = client.get(reverse("cases:form", args=[case.pk]))
    assert form_page.context["form"].initial["situation"] == Situation.PREVENTIVE


def test_an_employee_prepares_the_fiche_but_rights_are_unchanged(client, questionnaire):
    cast = make_cast()
    url = preventive_url(client)
    client.force_login(cast.staff)
    client.post(
        reverse("cases:create"), {"centre": cast.centre.pk, "autodiagnostic": token_of(url)}
    )
    case = Case.objects.get(centre=cast.centre)
    assert case.from_selfcheck and case.situation == Situation.PREVENTIVE
    from soutien.cases import policies

    assert not policies.can_submit(cast.staff, case)
    assert policies.can_submit(cast.board_member, case)


def test_an_expired_or_forged_token_prefills_nothing(client, questionnaire):
    cast = make_cast()
    url = preventive_url(client)
    client.force_login(cast.board_member)
    forged = signing.dumps({"s": ["conflit-social"], "d": ["gouvernance"]}, salt=handoff.SALT)
    response = client.get(f"{reverse('cases:create')}?autodiagnostic={forged}")
    assert "a expiré" in response.content.decode()
    data = handoff.decode(token_of(url))
    expired = handoff.encode(data, issued_at=int(time.time()) - 60 * 60 - 60)  # 1 h 1 min ago
    assert handoff.prefill_from_token(expired) is None
    altered = token_of(url)[:-4] + ("AAAA" if not token_of(url).endswith("AAAA") else "BBBB")
    assert handoff.prefill_from_token(altered) is None
    response = client.get(f"{reverse('cases:create')}?autodiagnostic={expired}")
    assert "a expiré" in response.content.decode()
    client.post(reverse("cases:create"), {"centre": cast.centre.pk, "autodiagnostic": expired})
    case = Case.objects.get(centre=cast.centre)
    assert not case.from_selfcheck
    assert case.situation == ""
    assert not case.form.warning_signs.exists()
