import pytest

from tests.evaluation.dataset import build_dataset


@pytest.fixture
def dataset(reference):
    return build_dataset()
