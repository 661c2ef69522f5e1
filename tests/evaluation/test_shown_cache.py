"""A masked evaluation kept whole in the cache (soutien.evaluation.indicators._shown_key):
under its grid, territory, filters, targets and names; never another reader's."""

from soutien.cases.enums import Situation, Stage
from soutien.cases.models import Case, TargetDuration
from soutien.directory.models import Domain
from soutien.evaluation.indicators import Filters, compute
from soutien.evaluation.policies import DEPARTMENT, territory_of
from soutien.evaluation.publication import compute_grid, published_grid
from tests.evaluation.dataset import NOW, day
from tests.evaluation.helpers import texts


def test_each_territory_and_filter_gets_its_own_masked_figures(dataset):
    compute_grid(NOW)
    readers = {
        "Marseille": {"territory": territory_of(dataset.partner_marseille)},
        "Aix": {"territory": territory_of(dataset.partner_aix)},
        "département": {"territory": DEPARTMENT},
        "département, Aix": {"territory": DEPARTMENT, "filters": Filters(commune=dataset.aix)},
    }
    for _ in range(2):  # computed, then read from the cache
        seen = {
            name: compute(masked=True, now=NOW, with_department=True, **reader)
            for name, reader in readers.items()
        }
        assert {name: list(texts(e.table("by_commune"))) for name, e in seen.items()} == {
            "Marseille": ["Marseille"],
            "Aix": ["Aix-en-Provence"],
            "département": ["Aix-en-Provence", "Marseille"],
            "département, Aix": ["Aix-en-Provence"],
        }
        assert {name: e.territory for name, e in seen.items()} == {
            name: reader["territory"] for name, reader in readers.items()
        }
        assert seen["Marseille"].department is not None
        assert seen["département"].department is None


def test_a_new_grid_new_targets_or_new_names_are_seen_at_once(dataset):
    compute_grid(NOW)
    held = published_grid(NOW)
    assert texts(compute(masked=True, now=NOW).table("summary"))["Demandes reçues"] == ["8"]
    c6 = dataset.cases["c6"]
    for number in range(3):
        Case.objects.create(
            number=f"MSTR-T-95{number:02d}",
            centre=c6.centre,
            manager=c6.manager,
            stage=Stage.SUBMITTED,
            situation=Situation.CRISIS,
            submitted_at=day(2024, 5, 3),
        )
    assert texts(compute(masked=True, now=NOW).table("summary"))["Demandes reçues"] == ["11"]
    assert texts(compute(masked=True, now=NOW, grid=held).table("summary"))["Demandes reçues"] == [
        "8"
    ]

    TargetDuration.objects.update_or_create(
        step="referral", situation=Situation.PREVENTIVE, defaults={"days": 45}
    )
    lead_times = texts(compute(masked=True, now=NOW, grid=held).table("lead_times"))
    assert list(lead_times.values())[0][3] == "45\u00a0j"

    governance = Domain.objects.get(name="Gouvernance")
    governance.name = "Gouvernance associative"
    governance.save()
    assert "Gouvernance associative" in texts(
        compute(masked=True, now=NOW, grid=held).table("by_domain")
    )


def test_a_kept_evaluation_says_whether_its_grid_is_current_and_is_not_shared(dataset):
    # c8 (preventive, sent on 1 April 2024) falls due on 1 May: the grid of 20 April is
    # then no longer the facts as they stand, though its figures stay those shown.
    compute_grid(day(2024, 4, 20))
    first = compute(masked=True, now=day(2024, 4, 20))
    assert first.current is True
    first.table("by_year").rows = []  # a page trimming its copy (the annual report does)
    later = compute(masked=True, now=day(2024, 5, 5), grid=published_grid(day(2024, 4, 25)))
    assert later.current is True
    stale = published_grid(day(2024, 4, 25))
    stale.current = False
    again = compute(masked=True, now=day(2024, 5, 5), grid=stale)
    assert again.current is False
    assert again.as_of == first.as_of
    assert texts(again.table("by_year")) == texts(later.table("by_year")) != {}
