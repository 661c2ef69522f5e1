import pytest

from soutien.directory.models import Organisation, Role
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def partner(reference):
    """A funder's representative: not a coordinator."""
    state = Organisation.objects.get(funder_level="state")
    user = UserFactory(email="partenaire@exemple.test")
    MembershipFactory(user=user, organisation=state, role=Role.PARTNER)
    return user


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the on-commit side effects (emails) of what happens inside ``with committed():``."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
