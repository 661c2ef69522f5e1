import pytest

from soutien.directory.models import (
    Commune,
    ConventionPeriod,
    Domain,
    Organisation,
    OrganisationKind,
    ProviderContract,
    Signatory,
    WarningSign,
)
from soutien.directory.reference import load_reference_data

pytestmark = pytest.mark.django_db

MODELS = [Commune, Organisation, ConventionPeriod, Signatory, ProviderContract, Domain, WarningSign]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_reference_loading_is_idempotent():
    load_reference_data()
    first = counts()
    load_reference_data()
    assert counts() == first
    assert first["Commune"] == 119


def test_signatory_communes_by_insee_code():
    load_reference_data()
    signatories = set(
        Commune.objects.filter(is_signatory=True).values_list("insee_code", flat=True)
    )
    assert signatories == {
        "13001", "13028", "13071", "13055", "13063", "13077", "13103", "13106", "13117"
    }  # fmt: skip
    assert Commune.objects.get(insee_code="13055").name == "Marseille"


def test_actors_of_the_convention_2015_2017():
    load_reference_data()
    period = ConventionPeriod.objects.get(has_mstr=True)
    assert (period.start.year, period.end.year) == (2015, 2017)
    funders = Organisation.objects.filter(signatory__period=period, signatory__is_funder=True)
    levels = sorted(funders.values_list("funder_level", flat=True))
    assert levels.count("commune") == 9
    assert {"state", "region", "department", "caf"} <= set(levels)
    co_chairs = set(
        period.signatory_set.filter(is_co_chair=True).values_list(
            "organisation__short_name", flat=True
        )
    )
    assert co_chairs == {"État", "Caf 13"}
    federations = Organisation.objects.filter(kind=OrganisationKind.FEDERATION)
    assert set(federations.values_list("short_name", flat=True)) == {
        "Union des centres sociaux 13", "CCO", "Léo Lagrange Méditerranée", "FAIL", "IFAC"
    }  # fmt: skip
    contract = ProviderContract.objects.get()
    assert contract.provider.name == "Cabinet Singuliers & Co"
    assert contract.get_procedure_display().startswith("Marché à procédure adaptée")
    caf = Organisation.objects.get(kind=OrganisationKind.COORDINATOR)
    assert caf.phone == "04 91 05 53 46"


def test_domains_and_warning_signs():
    load_reference_data()
    assert list(Domain.objects.values_list("name", flat=True)) == [
        "Gestion financière", "Ressources humaines", "Ingénierie de projets", "Gouvernance", "Autre"
    ]  # fmt: skip
    assert WarningSign.objects.count() == 15
    assert WarningSign.objects.get(code="tresorerie-faible").domain.code == "gestion-financiere"


def test_reloading_keeps_the_coordinators_edits():
    load_reference_data()
    caf = Organisation.objects.get(kind=OrganisationKind.COORDINATOR)
    caf.phone = "04 00 00 00 00"
    caf.save()
    sign = WarningSign.objects.get(code="conflit-social")
    sign.label = "Conflit social ouvert"
    sign.save()
    load_reference_data()
    caf.refresh_from_db()
    sign.refresh_from_db()
    assert caf.phone == "04 00 00 00 00"
    assert sign.label == "Conflit social ouvert"


def test_current_provider_contract_is_the_one_in_force(reference):
    import datetime as dt

    assert ProviderContract.objects.current(on=dt.date(2016, 6, 1)).start.year == 2015
    later = ProviderContract.objects.create(
        provider=Organisation.objects.get(kind=OrganisationKind.PROVIDER),
        procedure="mapa",
        start=dt.date(2024, 1, 1),
        end=dt.date(2027, 12, 31),
    )
    assert ProviderContract.objects.current(on=dt.date(2026, 1, 1)) == later
    assert ProviderContract.objects.current(on=dt.date(2016, 6, 1)).start.year == 2015
