import pytest

from soutien.cases.enums import Stage
from tests.builders import case_at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "stage",
    [s for s in Stage],
)
def test_case_reaches_every_stage(reference, stage):
    case, _ = case_at(stage)
    case.refresh_from_db()
    assert case.stage == stage
