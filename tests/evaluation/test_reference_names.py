"""The names in the evaluation's tables: fields and communes kept in the process
(soutien.directory.selectors), a change seen at once, a commune outside them still named."""

from soutien.directory.models import Commune, Domain
from soutien.evaluation.indicators import _commune_names, compute
from tests.evaluation.dataset import NOW
from tests.evaluation.helpers import texts
from tests.factories import CommuneFactory


def test_a_renamed_field_or_commune_is_shown_at_once(dataset):
    assert texts(compute(masked=False, now=NOW).table("by_domain"))["Gouvernance"] == ["2"]
    governance = Domain.objects.get(name="Gouvernance")
    governance.name = "Gouvernance associative"
    governance.save()
    aix = Commune.objects.get(pk=dataset.aix.pk)
    aix.name = "Aix"
    aix.save()

    evaluation = compute(masked=False, now=NOW)
    assert texts(evaluation.table("by_domain"))["Gouvernance associative"] == ["2"]
    assert "Gouvernance" not in texts(evaluation.table("by_domain"))
    assert texts(evaluation.table("by_commune"))["Aix"] == ["3", "2", "1"]


def test_a_commune_the_filters_do_not_offer_is_still_named(dataset):
    elsewhere = CommuneFactory(insee_code="13999", name="Commune sans centre")

    assert _commune_names({dataset.marseille.pk, elsewhere.pk}) == {
        dataset.marseille.pk: "Marseille",
        elsewhere.pk: "Commune sans centre",
    }
