"""Arbitrary input never breaks the forms: no 500, whatever is typed.

Hypothesis generates unicode, very long texts and NUL bytes, and posts them to the
information form and the opinion form (the two forms most exposed to free text).
"""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soutien.cases.enums import Stage
from tests.builders import case_at

pytestmark = pytest.mark.django_db

HYPOTHESIS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

texts = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.sampled_from("\x00\r\n\t'\"<>&é€😀\u202e"), max_size=40),
    st.text(max_size=3).map(lambda t: (t or "x") * 40_000),  # very long
)


@pytest.fixture
def draft(reference, client):
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    return case


@pytest.fixture
def referral(reference, client):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.partner_state)
    return case


@HYPOTHESIS
@given(
    text=texts,
    email=texts,
    choice=texts,
    ids=st.lists(st.one_of(texts, st.integers().map(str)), max_size=3),
    submit=st.booleans(),
)
def test_information_form_never_fails(client, draft, text, email, choice, ids, submit):
    data = {
        "requester_name": text,
        "requester_function": text,
        "requester_phone": text,
        "requester_email": email,
        "situation": choice,
        "warning_signs": ids,
        "warning_signs_other": text,
        "domains": ids,
        "description": text,
        "previous_attempts": text,
        "expectations": text,
        "availability": text,
        "confidentiality_ack": choice,
        "version": choice,
    }
    if submit:
        data["action"] = "submit"
    response = client.post(reverse("cases:form", args=[draft.pk]), data)
    assert response.status_code in (200, 302, 400)
    if response.status_code == 400:  # body over DATA_UPLOAD_MAX_MEMORY_SIZE
        assert "Requête refusée" in response.content.decode()


@HYPOTHESIS
@given(value=texts, comment=texts)
def test_opinion_form_never_fails(client, referral, value, comment):
    response = client.post(
        reverse("cases:opinion", args=[referral.pk]), {"value": value, "comment": comment}
    )
    assert response.status_code in (200, 302, 400)


def test_an_oversized_post_gets_a_french_page(client, draft):
    response = client.post(reverse("cases:form", args=[draft.pk]), {"description": "x" * 3_000_000})
    assert response.status_code == 400
    assert "Requête refusée" in response.content.decode()


def test_a_nul_byte_gets_a_french_message_and_keeps_the_rest(client, draft):
    response = client.post(
        reverse("cases:form", args=[draft.pk]),
        {"description": "avant\x00après", "expectations": "Un regard extérieur."},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Un regard extérieur." in html
    assert "caractères nuls" in html.lower() or "caractère nul" in html.lower()


@pytest.mark.parametrize("identifier", ["9223372036854775808", "-9223372036854775809", "1" * 40])
def test_an_identifier_no_database_holds_is_an_invalid_choice(client, draft, identifier):
    # Django guards `pk=` against out-of-range integers but not `pk__in=`: SQLite raised
    # an OverflowError (a server error) found by the test above.
    response = client.post(
        reverse("cases:form", args=[draft.pk]),
        {"warning_signs": [identifier], "domains": [identifier], "description": "Gardé."},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sélectionnez un choix valide" in html
    assert "Gardé." in html
