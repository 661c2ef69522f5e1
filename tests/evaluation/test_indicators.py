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


def test_masking_under_three_cases(dataset):
    summary = texts(compute(masked=True, now=NOW).table("summary"))
    assert summary["Demandes reçues"] == ["8"]
    assert summary["dont crise avérée"] == ["< 3"]
    # 8 requests, 6 preventive: the 2 crisis ones would come back by subtraction, so the
    # preventive count is hidden as well, and so is the share (6 of 8 leaves 2 out).
    assert summary["dont démarche préventive"] == ["secret"]
    assert summary["Part des démarches préventives"] == ["< 3"]
    # 4 validated out of 5 decisions would reveal the one refusal.
    assert summary["Décisions des financeurs (validées ou refusées)"] == ["5"]
    assert summary["Taux d'acceptation"] == ["< 3"]
    assert summary["Demandes classées sans suite ou retirées"] == ["< 3"]
    assert summary["Accompagnements en cours, à ce jour"] == ["< 3"]
    masked = compute(masked=True, now=NOW)
    # Satisfaction: 2 answers, so every figure computed over them is masked.
    assert all(cells == ["< 3", "< 3"] for cells in texts(masked.table("satisfaction")).values())
    # A zero reveals no case; an average over no case has no value.
    assert texts(masked.table("by_domain"))["Autre"] == ["0"]
    # Validation: 3 completed steps, shown; a share of 2 cases out of 3 is masked.
    validation = list(texts(masked.table("lead_times")).values())[2]
    assert validation == ["3", days("10,0"), days("18,0"), days(15), "< 3"]


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
    # four lead-time histograms, fields (links and names), commune names.
    with django_assert_max_num_queries(12):
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
