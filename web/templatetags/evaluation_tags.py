"""The evaluation's tables, rendered in Python.

A page of the evaluation shows some five hundred figures (one row per commune): through
the template language, each one costs a loop step, two lookups and a test. The rows are
the same markup written once here (every text escaped).
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

NO_ROWS = "Aucune demande pour ces critères."


def _row(row: list) -> str:
    label, *cells = row
    parts = [f'<tr><th scope="row">{escape(label)}</th>']
    for cell in cells:
        opening = '<td class="masked">' if getattr(cell, "is_masked", False) else "<td>"
        parts.append(f"{opening}{escape(cell)}</td>")
    parts.append("</tr>")
    return "".join(parts)


@register.simple_tag
def evaluation_rows(table):
    """The ``<tr>`` of a table of ``soutien.evaluation.indicators``: the label as the row's
    header, each figure in a cell (``masked`` when the grid does not publish it)."""
    if not table.rows:
        return mark_safe(  # noqa: S308 - a constant and an integer
            f'<tr><td colspan="{len(table.columns)}">{NO_ROWS}</td></tr>'
        )
    return mark_safe("\n".join(map(_row, table.rows)))  # noqa: S308 - every text is escaped
