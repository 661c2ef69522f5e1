"""Server-rendered SVG bar charts: the same drawing in the page and in the PDF report.

Each chart carries a <title> and a <desc> (its text alternative) and prints every value as
text beside its bar; series differ by pattern (plain, hatched) as well as by colour, so
colour never carries the information alone. The data table is always shown beside it.
Masked figures (« < 3 ») draw no bar, only their text.
"""

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

from soutien.evaluation.figures import Shown

COLOURS = ["#1c4f7c", "#a04a0b", "#3d6b2a"]  # contrast ≥ 3:1 on white (graphics)
PATTERNS = ["solid", "hatch", "dots"]
WIDTH = 680
LABEL_WIDTH = 230
VALUE_ROOM = 70
BAR = 16
GAP = 14
FONT = 'font-family="DejaVu Sans, Arial, sans-serif" font-size="12"'


@dataclass
class Series:
    name: str
    values: list[Shown]


def _defs(chart_id: str) -> str:
    parts = []
    for index, colour in enumerate(COLOURS):
        pattern = PATTERNS[index]
        if pattern == "hatch":
            parts.append(
                f'<pattern id="{chart_id}-p{index}" width="6" height="6" '
                f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
                f'<rect width="6" height="6" fill="#ffffff"/>'
                f'<rect width="3" height="6" fill="{colour}"/></pattern>'
            )
        elif pattern == "dots":
            parts.append(
                f'<pattern id="{chart_id}-p{index}" width="5" height="5" '
                f'patternUnits="userSpaceOnUse"><rect width="5" height="5" fill="#ffffff"/>'
                f'<circle cx="2.5" cy="2.5" r="1.8" fill="{colour}"/></pattern>'
            )
    return "<defs>" + "".join(parts) + "</defs>"


def _fill(chart_id: str, index: int) -> str:
    if PATTERNS[index] == "solid":
        return COLOURS[index]
    return f"url(#{chart_id}-p{index})"


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: list[str],
    series: list[Series],
    unit: str = "",
    markers: list[float | None] | None = None,
    marker_label: str = "",
) -> SafeString:
    """Horizontal grouped bars, one group per category, one bar per series."""
    numbers = [v.number for s in series for v in s.values if v.number is not None]
    numbers += [m for m in (markers or []) if m is not None]
    top = max(numbers, default=0) or 1
    plot = WIDTH - LABEL_WIDTH - VALUE_ROOM
    group = len(series) * BAR + GAP
    legend_height = 26
    height = legend_height + len(categories) * group + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="evaluation-chart" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        _defs(chart_id),
    ]
    # Legend: swatch (colour and pattern) and name.
    x = LABEL_WIDTH
    for index, serie in enumerate(series):
        out.append(
            f'<rect x="{x}" y="4" width="14" height="14" fill="{_fill(chart_id, index)}" '
            f'stroke="{COLOURS[index]}"/>'
            f'<text x="{x + 20}" y="16" {FONT} fill="#1f2a33">{escape(serie.name)}</text>'
        )
        x += 28 + 7 * len(serie.name)
    if markers:
        out.append(
            f'<line x1="{x}" y1="3" x2="{x}" y2="19" stroke="#1f2a33" stroke-width="2" '
            f'stroke-dasharray="3 2"/><text x="{x + 8}" y="16" {FONT} fill="#1f2a33">'
            f"{escape(marker_label)}</text>"
        )
    for row, category in enumerate(categories):
        y0 = legend_height + row * group
        out.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y0 + len(series) * BAR / 2 + 4}" '
            f'text-anchor="end" {FONT} fill="#1f2a33">{escape(category)}</text>'
        )
        for index, serie in enumerate(series):
            value = serie.values[row]
            y = y0 + index * BAR
            width = 0 if value.number is None else plot * value.number / top
            if width:
                out.append(
                    f'<rect x="{LABEL_WIDTH}" y="{y + 1}" width="{width:.1f}" '
                    f'height="{BAR - 2}" fill="{_fill(chart_id, index)}" '
                    f'stroke="{COLOURS[index]}"/>'
                )
            out.append(
                f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + BAR - 4}" {FONT} '
                f'fill="#1f2a33">{escape(value.text)}</text>'
            )
        if markers and markers[row] is not None:
            mx = LABEL_WIDTH + plot * markers[row] / top
            out.append(
                f'<line x1="{mx:.1f}" y1="{y0 - 2}" x2="{mx:.1f}" '
                f'y2="{y0 + len(series) * BAR + 2}" stroke="#1f2a33" stroke-width="2" '
                f'stroke-dasharray="3 2"/>'
            )
    out.append(
        f'<line x1="{LABEL_WIDTH}" y1="{legend_height - 2}" x2="{LABEL_WIDTH}" '
        f'y2="{height - 6}" stroke="#4a5560"/>'
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def evaluation_charts(evaluation) -> list[dict]:
    """The page's and the report's charts, each with its table key."""
    charts = []
    by_year = evaluation.table("by_year")
    years = [row[0] for row in by_year.rows]
    charts.append(
        {
            "table": "by_year",
            "svg": bar_chart(
                chart_id="chart-years",
                title="Demandes par année : démarche préventive et crise avérée",
                description=_describe(
                    years,
                    [
                        Series("préventives", [row[2] for row in by_year.rows]),
                        Series("crises", [row[3] for row in by_year.rows]),
                    ],
                ),
                categories=years,
                series=[
                    Series("Démarche préventive", [row[2] for row in by_year.rows]),
                    Series("Crise avérée", [row[3] for row in by_year.rows]),
                ],
            ),
        }
    )
    lead = evaluation.table("lead_times")
    steps = ["Saisine", "Rapport", "Validation", "Restitution"]
    charts.append(
        {
            "table": "lead_times",
            "svg": bar_chart(
                chart_id="chart-lead-times",
                title="Délais de chaque étape en jours : médiane et 90e centile, et délai cible",
                description=_describe(
                    steps,
                    [
                        Series("médiane", [row[2] for row in lead.rows]),
                        Series("90e centile", [row[3] for row in lead.rows]),
                        Series("cible", [row[4] for row in lead.rows]),
                    ],
                ),
                categories=steps,
                series=[
                    Series("Médiane", [row[2] for row in lead.rows]),
                    Series("90e centile", [row[3] for row in lead.rows]),
                ],
                markers=[row[4].number for row in lead.rows],
                marker_label="Délai cible",
            ),
        }
    )
    for key, chart_id, title in (
        ("by_domain", "chart-domains", "Demandes par champ de fonctionnement"),
        ("outcomes", "chart-outcomes", "Issue des dossiers clôturés"),
    ):
        table = evaluation.table(key)
        labels = [row[0] for row in table.rows]
        values = [row[1] for row in table.rows]
        charts.append(
            {
                "table": key,
                "svg": bar_chart(
                    chart_id=chart_id,
                    title=title,
                    description=_describe(labels, [Series("dossiers", values)]),
                    categories=labels,
                    series=[Series("Dossiers", values)],
                ),
            }
        )
    return charts


def _describe(categories: list[str], series: list[Series]) -> str:
    """The text alternative: every value, in words."""
    parts = []
    for row, category in enumerate(categories):
        values = ", ".join(f"{s.name} {s.values[row].text}" for s in series)
        parts.append(f"{category} : {values}")
    return " ; ".join(parts) + "." if parts else "Aucune donnée pour ces critères."
