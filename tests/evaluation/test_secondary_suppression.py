"""No masked figure comes back by subtraction (secondary suppression).

When figures add up to a published total, a single masked one is the total minus the
others: one more is then hidden (« secret »). The rule is checked on its own (every
table shape hypothesis draws), then on the pages built from a hand-made dataset.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soutien.evaluation.figures import HIDDEN, MASK, complementary, count, share


def _safe(cells, groups, secret) -> bool:
    """Every group holds no hidden figure, or at least two, or one beside zeros only
    (then the total equals it, so the total itself is masked)."""
    for group in groups:
        concealed = [k for k in group if cells[k].is_small() or k in secret]
        others = [k for k in group if k not in concealed and cells[k].cases]
        if len(concealed) == 1 and others:
            return False
    return True


def test_a_single_masked_figure_hides_the_smallest_other():
    cells = {"a": count(2), "b": count(40), "c": count(7), "d": count(0)}
    assert complementary(cells, [["a", "b", "c", "d"]]) == {"c"}  # never the zero


def test_two_masked_figures_need_nothing_more():
    cells = {"a": count(2), "b": count(1), "c": count(7)}
    assert complementary(cells, [["a", "b", "c"]]) == set()


def test_hiding_spreads_across_rows_and_columns():
    # Two years × (preventive, crisis); each row and each column adds up to a total.
    cells = {
        (0, "p"): count(10),
        (0, "c"): count(1),  # masked
        (1, "p"): count(20),
        (1, "c"): count(8),
    }
    rows = [[(0, "p"), (0, "c")], [(1, "p"), (1, "c")]]
    columns = [[(0, "p"), (1, "p")], [(0, "c"), (1, "c")]]
    secret = complementary(cells, rows + columns)
    # Row 0 hides its preventive count, column "c" hides year 1's crisis count, which
    # leaves year 1's row with a single hidden figure: its preventive count goes too.
    assert secret == {(0, "p"), (1, "c"), (1, "p")}
    assert _safe(cells, rows + columns, secret)


def test_a_share_is_masked_when_the_cases_it_leaves_out_are_few():
    assert share(4, 5).is_small()  # 80 % of 5 reveals the 1 left out
    assert share(2, 10).is_small()
    assert not share(5, 10).is_small()
    assert not share(10, 10).is_small()  # 100 %: nobody left out
    assert share(4, 5).show(masked=True).text == MASK
    assert share(5, 10).show(masked=True, secret=True).text == HIDDEN
    assert share(4, 5).show(masked=False).number == 80


counts = st.integers(min_value=0, max_value=12)


@settings(max_examples=200, deadline=None)
@given(grid=st.lists(st.lists(counts, min_size=2, max_size=4), min_size=1, max_size=6))
def test_no_table_shape_leaves_a_masked_figure_recoverable(grid):
    width = min(len(row) for row in grid)
    cells = {(r, c): count(row[c]) for r, row in enumerate(grid) for c in range(width)}
    rows = [[(r, c) for c in range(width)] for r in range(len(grid))]
    columns = [[(r, c) for r in range(len(grid))] for c in range(width)]
    secret = complementary(cells, rows + columns)
    assert _safe(cells, rows + columns, secret)
    # Only figures that are neither masked nor zero are hidden on top.
    assert all(not cells[k].is_small() and cells[k].cases for k in secret)


# --- On the pages ------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_masked_figure_of_the_pages_comes_back_by_subtraction(reference):
    from soutien.evaluation.indicators import compute
    from tests.evaluation.dataset import NOW, build_dataset

    build_dataset()
    evaluation = compute(masked=True, now=NOW)

    def number(text):
        return None if text in (MASK, HIDDEN) else int(text)

    summary = {row[0]: row[1].text for row in evaluation.table("summary").rows}
    total = number(summary["Demandes reçues"])
    for key in ("by_year", "by_commune"):
        rows = [[number(cell.text) for cell in row[1:4]] for row in evaluation.table(key).rows]
        assert any(None in row for row in rows)  # the dataset does mask some
        for row in rows:  # requests = preventive + crisis
            assert [value is None for value in row[1:]].count(True) != 1 or 0 in row[1:]
        for column in range(3):  # the rows add up to the summary
            values = [row[column] for row in rows]
            hidden = [value is None for value in values]
            assert hidden.count(True) != 1 or all(v in (None, 0) for v in values), key
    assert total == 8
