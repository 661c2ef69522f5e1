import pytest
from django.contrib.messages import get_messages

from tests.builders import case_at as build_case_at


@pytest.fixture
def case_at(reference):
    """`case_at(stage)` -> (case, cast), driven through the real services."""
    return build_case_at


def flash(response) -> list[str]:
    """The django messages attached to a response (followed or not)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def html(response) -> str:
    return response.content.decode()
