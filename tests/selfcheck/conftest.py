import pytest

from soutien.selfcheck.defaults import load_selfcheck_defaults


@pytest.fixture
def questionnaire(reference):
    """The default questions, choices and thresholds of the self-check."""
    load_selfcheck_defaults()
