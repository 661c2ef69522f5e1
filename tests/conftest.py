import pytest

from soutien.directory.reference import load_reference_data


@pytest.fixture
def reference(db):
    """The reference data of the Bouches-du-Rhône (communes, partners, fields)."""
    load_reference_data()


@pytest.fixture
def demo(reference, settings):
    """Reference data plus the fictitious demo centres and accounts."""
    from soutien.directory.demo import load_demo_data

    settings.DEBUG = True
    load_demo_data()
    settings.DEBUG = False
