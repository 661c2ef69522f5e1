"""Every indicator on the hand-built dataset (tests/evaluation/dataset.py).

The expected figures are worked out by hand from the dataset's dates:
referral durations 20, 40, 10, 50, 30 days; report 30, 30, 60, 30; validation 10, 20, 10;
restitution 20, 10, 20. Quantiles interpolate linearly (as PostgreSQL's percentile_cont).
"""

import datetime as dt

import pytest

from soutien.evaluation.indicators import Filters, compute
from soutien.evaluation.policies import territory_of
from tests.evaluation.dataset import NOW
from tests.evaluation.helpers import texts

pytestmark = pytest.mark.django_db

NBSP, NNBSP = "\u00a0", "\u202f"


def pct(n):
    return f"{n}{NNBSP}%"


def days(text):
    return f"{text}{NBSP}j"


def test_summary_for_the_coordinator(dataset):
    summary = texts(compute(masked=False, now=NOW).table("summary"))
    assert summary == {
        "Demandes reçues": ["8"],
        "dont démarche préventive": ["6"],
        "dont crise avérée": ["2"],
        "Part des démarches préventives": [pct(75)],
        "Demandes issues d'un auto-diagnostic": ["0"],
        "Part des démarches préventives issues d'un auto-diagnostic": [pct(0)],
        "Décisions des financeurs (validées ou refusées)": ["5"],
        "Taux d'acceptation": [pct(80)],
        "Demandes classées sans suite ou retirées": ["1"],
        "Dossiers clôturés": ["2"],
        "Dossiers en cours, à ce jour": ["4"],
        "Dossiers en retard sur le délai cible, à ce jour": ["3"],
        "Accompagnements en cours, à ce jour": ["1"],
    }


def test_per_year_and_headline(dataset):
    evaluation = compute(masked=False, now=NOW)
    assert texts(evaluation.table("by_year")) == {
        "2023": ["4", "3", "1", pct(75), pct(75)],
        "2024": ["4", "3", "1", pct(75), pct(100)],
    }
    assert evaluation.headline["share"].text == pct(75)
    assert evaluation.headline["trend"]["points"] == 0


def test_lead_times_median_p90_and_target(dataset):
    lead_times = texts(compute(masked=False, now=NOW).table("lead_times"))
    rows = list(lead_times.values())
    assert rows == [
        ["5", days("30,0"), days("46,0"), days(30), pct(60)],
        ["4", days("30,0"), days("51,0"), days(45), pct(75)],
        ["3", days("10,0"), days("18,0"), days(15), pct(67)],
        ["3", days("20,0"), days("20,0"), days(30), pct(100)],
    ]


def test_breakdowns(dataset):
    evaluation = compute(masked=False, now=NOW)
    assert texts(evaluation.table("by_domain")) == {
        "Gestion financière": ["3"],
        "Ressources humaines": ["1"],
        "Ingénierie de projets": ["0"],
        "Gouvernance": ["2"],
        "Autre": ["0"],
    }
    # Marseille's arrondissements count for Marseille.
    assert texts(evaluation.table("by_commune")) == {
        "Aix-en-Provence": ["3", "2", "1"],
        "Marseille": ["5", "4", "1"],
    }
    assert texts(evaluation.table("by_manager")) == {
        "Centres associatifs": ["6", pct(83), pct(75)],
        "Centres gérés par une fédération": ["2", pct(50), pct(100)],
    }
    assert texts(evaluation.table("outcomes")) == {
        "Situation améliorée": ["1", pct(50)],
        "Situation stabilisée": ["1", pct(50)],
        "Situation dégradée": ["0", pct(0)],
        "Centre fermé": ["0", pct(0)],
    }
    assert list(texts(evaluation.table("satisfaction")).values()) == [
        ["2", f"4,0{NBSP}/ 5"],
        ["2", f"4,0{NBSP}/ 5"],
        ["2", f"3,0{NBSP}/ 5"],
        ["2", pct(50)],
    ]


def test_filters_period_commune_federation(dataset):
    year_2024 = compute(
        filters=Filters(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)), masked=False, now=NOW
    )
    assert texts(year_2024.table("summary"))["Demandes reçues"] == ["4"]
    assert list(texts(year_2024.table("by_year"))) == ["2024"]
    # Bounds are included: a request sent on the last day counts.
    up_to_c3 = compute(filters=Filters(end=dt.date(2023, 3, 1)), masked=False, now=NOW)
    assert texts(up_to_c3.table("summary"))["Demandes reçues"] == ["3"]
    aix = compute(filters=Filters(commune=dataset.aix), masked=False, now=NOW)
    assert texts(aix.table("summary"))["Demandes reçues"] == ["3"]
    assert list(texts(aix.table("by_commune"))) == ["Aix-en-Provence"]
    federation = compute(filters=Filters(federation=dataset.federation), masked=False, now=NOW)
    assert texts(federation.table("summary"))["Demandes reçues"] == ["2"]


def test_masking_reads_the_published_grid(dataset):
    masked = compute(masked=True, now=NOW)
    summary = texts(masked.table("summary"))
    assert summary["Demandes reçues"] == ["8"]
    assert summary["dont crise avérée"] == ["masqué"]  # 2 cases
    # 8 requests, 6 preventive: the 2 crisis ones would come back by subtraction, so the
    # preventive count is masked as well, and so is the share.
    assert summary["dont démarche préventive"] == ["masqué"]
    assert summary["Part des démarches préventives"] == ["masqué"]
    # 4 validated out of 5 decisions would reveal the one refusal.
    assert summary["Décisions des financeurs (validées ou refusées)"] == ["5"]
    assert summary["Taux d'acceptation"] == ["masqué"]
    assert summary["Demandes classées sans suite ou retirées"] == ["masqué"]
    assert summary["Accompagnements en cours, à ce jour"] == ["masqué"]
    # 4 cases in progress (c4, c5, c6, c8), 3 of them overdue: the fourth, c5, would
    # stand out.
    assert summary["Dossiers en cours, à ce jour"] == ["4"]
    assert summary["Dossiers en retard sur le délai cible, à ce jour"] == ["masqué"]
    # The 4 requests of 2023 lie within the 5 decisions (c1 to c5): 2023 would single out
    # c5, and 2024 is the total minus 2023, so both years are masked.
    assert texts(masked.table("by_year")) == {
        "2023": ["masqué"] * 5,
        "2024": ["masqué"] * 5,
    }
    # Each commune has a single crisis request: its count and the preventive one are
    # masked, its total is not.
    assert texts(masked.table("by_commune")) == {
        "Aix-en-Provence": ["3", "masqué", "masqué"],
        "Marseille": ["5", "masqué", "masqué"],
    }
    # Satisfaction: 2 answers, so every figure computed over them is masked.
    assert all(
        cells == ["masqué", "masqué"] for cells in texts(masked.table("satisfaction")).values()
    )
    # A zero reveals no case.
    assert texts(masked.table("by_domain"))["Autre"] == ["0"]
    # Referral: 5 completed steps (the 5 decisions), shown with their median; 3 of the 5
    # within the target would leave 2 out.
    referral = list(texts(masked.table("lead_times")).values())[0]
    assert referral == ["5", days("30,0"), days("46,0"), days(30), "masqué"]


def test_commune_partner_sees_its_territory_and_department_totals(dataset):
    territory = territory_of(dataset.partner_marseille)
    assert not territory.is_department
    evaluation = compute(territory=territory, masked=True, now=NOW, with_department=True)
    assert texts(evaluation.table("summary"))["Demandes reçues"] == ["5"]
    assert list(texts(evaluation.table("by_commune"))) == ["Marseille"]
    assert texts(evaluation.department.table("summary"))["Demandes reçues"] == ["8"]


def test_territories(dataset):
    assert territory_of(dataset.coordinator).is_department
    assert territory_of(dataset.evaluator).is_department
    assert territory_of(dataset.partner_state).is_department
    assert territory_of(dataset.partner_aix).commune_ids == frozenset({dataset.aix.pk})


def test_constant_number_of_queries(dataset, django_assert_max_num_queries):
    # Targets, the year × centre × manager groups, « à ce jour », centres and managers,
    # four lead-time histograms, fields (links and names), commune names; the published
    # grid: targets, cases and their fields.
    # The first read after the dataset's writes computes their facts and the published
    # grid (soutien.evaluation.facts, grid.refresh_grid); the count is the next reads'.
    compute(masked=True, now=NOW)
    with django_assert_max_num_queries(15):
        compute(masked=True, now=NOW)


def test_years_follow_the_local_time_zone(dataset):
    from soutien.cases.models import Case

    # 31 December 2023 at 23:30 UTC is already 1 January 2024 in Marseille.
    late = Case.objects.get(pk=dataset.cases["c8"].pk)
    Case.objects.filter(pk=late.pk).update(
        submitted_at=dt.datetime(2023, 12, 31, 23, 30, tzinfo=dt.UTC)
    )
    by_year = texts(compute(masked=False, now=NOW).table("by_year"))
    assert by_year["2024"][0] == "4"
    assert by_year["2023"][0] == "4"


def test_overdue_rule_is_the_case_selectors_one(dataset):
    from soutien.cases.models import Case, TargetDuration
    from soutien.cases.selectors import overdue
    from soutien.evaluation.indicators import overdue_filter

    for now in (
        NOW,
        dt.datetime(2023, 9, 1, tzinfo=dt.UTC),
        dt.datetime(2024, 2, 20, tzinfo=dt.UTC),
    ):
        mine = set(
            Case.objects.filter(overdue_filter(TargetDuration.as_table(), now)).values_list(
                "pk", flat=True
            )
        )
        assert mine == set(overdue(Case.objects.all(), now).values_list("pk", flat=True))


def test_masked_figures_never_come_from_a_period_or_territory_off_the_grid(dataset):
    from soutien.evaluation.policies import Territory

    # A free period is no cell of the published grid: nothing of it is shown masked.
    quarter = compute(
        filters=Filters(start=dt.date(2024, 1, 1), end=dt.date(2024, 3, 31)), masked=True, now=NOW
    )
    shown = {
        (key, row[0], cell.text)
        for key in ("summary", "by_year", "by_commune", "by_manager", "outcomes", "by_domain")
        for row in quarter.table(key).rows
        for cell in row[1:]
        if not row[0].endswith("à ce jour") and cell.text not in ("masqué", "0", "—")
    }
    assert shown == set()
    # The figures « à ce jour » have no period: the grid's own.
    assert texts(quarter.table("summary"))["Dossiers en cours, à ce jour"] == ["4"]
    # A whole year is: the same cells as the grid's (the year 2024 total of 4 is masked
    # there, see test_masking_reads_the_published_grid).
    year = compute(
        filters=Filters(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)), masked=True, now=NOW
    )
    assert texts(year.table("summary"))["Demandes reçues"] == ["masqué"]
    # Two communes together are no cell either; each commune alone is.
    both = Territory(commune_ids=frozenset({dataset.marseille.pk, dataset.aix.pk}), label="Deux")
    together = compute(territory=both, masked=True, now=NOW)
    assert texts(together.table("summary"))["Demandes reçues"] == ["masqué"]
    assert texts(together.table("by_commune")) == {
        "Aix-en-Provence": ["3", "masqué", "masqué"],
        "Marseille": ["5", "masqué", "masqué"],
    }
