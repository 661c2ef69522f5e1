"""The rows of the evaluation's tables, written in Python (web/templatetags/evaluation_tags)."""

from django.template import Context, Template

from soutien.evaluation.figures import MASK, Shown
from soutien.evaluation.indicators import Table


def _render(table: Table) -> str:
    return Template("{% load evaluation_tags %}{% evaluation_rows table %}").render(
        Context({"table": table})
    )


def test_a_row_is_its_label_then_its_figures_masked_ones_marked():
    table = Table("t", "Titre", ["Commune", "Demandes", "Part"])
    table.rows = [["Aix-en-Provence", Shown("1\u202f204", 1204), Shown(MASK, None)]]

    assert _render(table) == (
        '<tr><th scope="row">Aix-en-Provence</th><td>1\u202f204</td>'
        '<td class="masked">masqué</td></tr>'
    )


def test_every_text_is_escaped():
    table = Table("t", "Titre", ["Champ", "Demandes"])
    table.rows = [["<b>Gestion & RH</b>", Shown("<i>3</i>", 3)]]

    assert _render(table) == (
        '<tr><th scope="row">&lt;b&gt;Gestion &amp; RH&lt;/b&gt;</th>'
        "<td>&lt;i&gt;3&lt;/i&gt;</td></tr>"
    )


def test_rows_follow_one_another_and_an_empty_table_says_so():
    table = Table("t", "Titre", ["Année", "Demandes"])
    table.rows = [["2024", Shown("5", 5)], ["2025", Shown("—", None)]]
    assert _render(table) == (
        '<tr><th scope="row">2024</th><td>5</td></tr>\n<tr><th scope="row">2025</th><td>—</td></tr>'
    )

    assert _render(Table("t", "Titre", ["Année", "Demandes", "Part"])) == (
        '<tr><td colspan="3">Aucune demande pour ces critères.</td></tr>'
    )
