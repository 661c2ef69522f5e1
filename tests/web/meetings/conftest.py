from tests.web.cases.conftest import case_at  # noqa: F401 - the same fixture
