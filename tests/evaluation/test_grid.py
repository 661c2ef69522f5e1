"""The published grid's masking rules, on cases described directly (no database)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from soutien.evaluation.grid import (
    ASSOCIATION,
    FEDERATION,
    CaseFacts,
    Key,
    index_figures,
    mask,
    partitions_of,
)


def facts(pk, *, year=2024, commune=1, federation=None, measures=()):
    return CaseFacts(
        pk=pk,
        year=year,
        municipality=commune,
        manager=federation or 1000 + pk,
        manager_kind=FEDERATION if federation else ASSOCIATION,
        measures=frozenset({"total", *measures}),
    )


TOTAL = Key(None, None, None, "total")


def test_a_figure_of_one_or_two_cases_is_masked():
    cases = [facts(1, measures={"crisis"})] + [facts(n, measures={"preventive"}) for n in (2, 3)]
    suppressed = mask(cases)
    assert Key(None, None, None, "crisis") in suppressed
    # 3 requests, 2 preventive: the crisis one would be the total minus them.
    assert Key(None, None, None, "preventive") in suppressed
    assert TOTAL not in suppressed


def test_a_figure_within_another_leaving_one_case_out_is_masked():
    # 10 requests, 9 of them in 2024: the one of 2023 would stand out.
    cases = [facts(n) for n in range(9)] + [facts(9, year=2023)]
    suppressed = mask(cases)
    assert Key(2024, None, None, "total") in suppressed  # the detail, not the total
    assert TOTAL not in suppressed


def test_masked_rows_as_many_as_their_cases_are_masked_further():
    # 9 closed cases: 6 improved, 1 stabilised, 1 deteriorated, 1 centre closed. The three
    # masked outcomes add up to 3: each would be 1. One more outcome is masked.
    outcomes = ["improved"] * 6 + ["stabilised", "deteriorated", "centre_closed"]
    cases = [facts(n, measures={"closed", f"outcome_{o}"}) for n, o in enumerate(outcomes)]
    suppressed = mask(cases)
    assert Key(None, None, None, "outcome_improved") in suppressed


def test_figures_counting_the_same_cases_are_masked_together():
    # Commune 2 has association-run centres only: its figures « every manager » and
    # « association-run centres » are the same cases.
    cases = [facts(n) for n in range(6)] + [facts(n, commune=2) for n in range(6, 9)]
    cases += [facts(9, commune=2, year=2023)]
    suppressed = mask(cases)
    for manager in (None, ASSOCIATION):
        assert (Key(2024, 2, manager, "total") in suppressed) == (
            Key(2024, 2, None, "total") in suppressed
        )


def test_the_same_data_give_the_same_grid():
    cases = [
        facts(n, year=2023 + n % 3, commune=1 + n % 4, measures={"preventive"}) for n in range(40)
    ]
    assert mask(cases) == mask(list(cases))


case_strategy = st.tuples(
    st.sampled_from([2023, 2024]),
    st.sampled_from([1, 2, 3]),
    st.sampled_from([None, 501, 502]),
    st.sampled_from(["preventive", "crisis"]),
    st.sampled_from([(), ("decided",), ("decided", "validated"), ("without_follow_up",)]),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(case_strategy, min_size=1, max_size=25))
def test_no_published_difference_leaves_one_or_two_cases(drawn):
    cases = [
        facts(n, year=y, commune=c, federation=f, measures={s, *m})
        for n, (y, c, f, s, m) in enumerate(drawn)
    ]
    _, members = index_figures(cases)
    suppressed = mask(cases)
    published = {k: frozenset(v) for k, v in members.items() if k not in suppressed}
    for figure, group in published.items():
        assert len(group) >= 3, figure
        for other, larger in published.items():
            if group < larger:
                assert len(larger - group) >= 3, (figure, other)
    # A split of a published parent never has a single masked child.
    children = {}
    for figure in members:
        for parent, split in partitions_of(figure):
            children.setdefault((parent, split), []).append(figure)
    for (parent, split), kids in children.items():
        if parent in published and split != "decided":
            assert sum(kid in suppressed for kid in kids) != 1, (parent, split)


rich_case = st.tuples(
    st.sampled_from([2023, 2024]),
    st.sampled_from([1, 2]),
    st.sampled_from([None, None, 501]),
    st.sampled_from(["preventive", "crisis"]),
    st.sampled_from(
        [
            (),
            ("decided",),
            ("decided", "validated"),
            ("decided", "validated", "closed", "outcome_improved"),
            ("decided", "validated", "closed", "outcome_stabilised"),
            ("without_follow_up",),
        ]
    ),
    st.sampled_from([(), ("domain_1",), ("domain_2",), ("domain_1", "domain_2")]),
)


def derived_groups(members, suppressed) -> dict[frozenset, tuple]:
    """What an adversary computes from the published figures, as sets of cases: each
    published figure, the difference of two nested ones, what the published rows of a
    split leave over (written out again here, with sets)."""
    published = {k: frozenset(v) for k, v in members.items() if k not in suppressed}
    groups = {group: (figure,) for figure, group in published.items()}
    for small, inner in published.items():
        for large, outer in published.items():
            if inner < outer:
                groups.setdefault(outer - inner, (large, small))
    children = {}
    for figure in members:
        for parent, split in partitions_of(figure):
            children.setdefault((parent, split), []).append(figure)
    for (parent, _split), kids in children.items():
        shown = [kid for kid in kids if kid in published]
        if parent in published and shown and len(shown) < len(kids):
            rest = published[parent].difference(*(published[kid] for kid in shown))
            if rest:
                groups.setdefault(rest, (parent, *shown))
    return groups


@settings(max_examples=25, deadline=None)
@given(st.lists(rich_case, min_size=30, max_size=60))
def test_no_two_groups_an_adversary_computes_differ_by_one_or_two_cases(drawn):
    """Rule 4, checked with sets: no group derived from the published figures lies within
    another one (or within a published figure) but for 1 or 2 cases."""
    cases = [
        facts(n, year=y, commune=c, federation=f, measures={s, *m, *d})
        for n, (y, c, f, s, m, d) in enumerate(drawn)
    ]
    _, members = index_figures(cases)
    groups = list(derived_groups(members, mask(cases)))
    for inner in groups:
        for outer in groups:
            if inner < outer:
                assert len(outer - inner) >= 3, (sorted(inner), sorted(outer))
