"""What the map of centres shows, by database aggregation.

The coordination sees each centre, coloured and numbered by the stage of its latest case;
everyone else sees only a number of requests per commune, read from the published grid
(``soutien.evaluation.grid``): the same cells as the pages and the exports.
"""

from dataclasses import replace

from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Sum, Value

from soutien.cases.enums import Stage
from soutien.cases.models import Case
from soutien.directory.models import Commune, SocialCentre
from soutien.evaluation.facts import refresh_dirty
from soutien.evaluation.figures import as_of_note, count
from soutien.evaluation.grid import Grid
from soutien.evaluation.groups import ensure_published
from soutien.evaluation.indicators import (
    Filters,
    facts_cohort,
    facts_q,
    groups_of,
    place_of,
    source_for,
    whole_years,
    years_q,
)
from soutien.evaluation.policies import DEPARTMENT, Territory
from soutien.evaluation.publication import published_grid

# Stage groups drawn on the map: number (printed on the marker), label, colour.
STAGE_GROUPS = [
    ("1", "Demande transmise", "#5b3a8c", [Stage.SUBMITTED, Stage.RETURNED]),
    ("2", "Saisine concertée", "#a04a0b", [Stage.REFERRAL]),
    ("3", "Diagnostic et rapport", "#1c4f7c", [Stage.DIAGNOSTIC, Stage.REPORT_REVIEW]),
    ("4", "Restitution et accompagnement", "#2f6b22", [Stage.RESTITUTION, Stage.SUPPORT]),
    (
        "5",
        "Dossier terminé",
        "#4a5560",
        [Stage.CLOSED, Stage.REFUSED, Stage.CLOSED_WITHOUT_FOLLOW_UP],
    ),
]
NO_CASE = ("0", "Aucun dossier", "#ffffff")
STAGE_LABELS = dict(Stage.choices)


def legend() -> list[dict]:
    items = [{"code": c, "label": label, "colour": colour} for c, label, colour, _ in STAGE_GROUPS]
    items.append({"code": NO_CASE[0], "label": NO_CASE[1], "colour": NO_CASE[2]})
    for item in items:
        item["css"] = f"stage-group-{item['code']}"
    return items


def _group_of(stage: str | None) -> tuple[str, str, str]:
    for code, label, colour, stages in STAGE_GROUPS:
        if stage in stages:
            return code, label, colour
    return NO_CASE


def _requests(territory: Territory, filters: Filters, source) -> QuerySet:
    """Rows with the requests of each municipality in ``total``: the groups of facts of a
    period of whole years, the facts themselves (one per case) for a free period."""
    years = whole_years(filters)
    if years is None:
        return facts_cohort(territory, filters, source).annotate(total=Value(1))
    condition = facts_q(territory, replace(filters, start=None, end=None)) & years_q(years)
    return groups_of(source).filter(condition)


def commune_counts(
    territory: Territory, filters: Filters, *, masked: bool, grid: Grid | None = None
) -> dict:
    """Requests per commune (Marseille's arrondissements count for Marseille)."""
    if masked and grid is None:
        grid = published_grid()
    elif not masked:
        refresh_dirty()
    source = source_for(masked, grid)
    if masked:
        ensure_published(grid.grid_id, grid.token)
    place = place_of(territory, filters)
    # Summed from the groups of facts per municipality (a free period: counted on the
    # facts), then named from the communes.
    counts = dict(
        _requests(territory, filters, source)
        .values("municipality_id")
        .annotate(n=Sum("total"))
        .order_by()
        .values_list("municipality_id", "n")
    )
    rows = [
        {"municipality": pk, "code": code, "name": name, "n": counts[pk]}
        for pk, code, name in Commune.objects.filter(pk__in=list(counts))
        .order_by("name")
        .values_list("pk", "insee_code", "name")
    ]
    communes = []
    total = 0
    for row in rows:
        total += row["n"]
        cell = count(row["n"], place.municipality(row["municipality"], "total"))
        shown = cell.show(masked, grid)
        communes.append(
            {"code": row["code"], "name": row["name"], "text": shown.text, "count": shown.number}
        )
    data = {
        "communes": communes,
        "total": count(total, place.key("total")).show(masked, grid).text,
        "territory": territory.label,
        # As the page says it: masked figures taken earlier, or still being prepared.
        "as_of_note": as_of_note(
            masked=masked,
            current=grid.current if masked else True,
            as_of=grid.as_of if masked else None,
        ),
    }
    if not territory.is_department:
        department_filters = Filters(
            start=filters.start, end=filters.end, federation=filters.federation
        )
        department = (
            _requests(DEPARTMENT, department_filters, source).aggregate(n=Sum("total"))["n"] or 0
        )
        department_key = place_of(DEPARTMENT, department_filters).key("total")
        data["department_total"] = count(department, department_key).show(masked, grid).text
    return data


def centres_on_map(filters: Filters) -> list[dict]:
    """Every centre, with the stage of its latest case (coordination only)."""
    latest = Case.objects.filter(centre=OuterRef("pk")).exclude(stage=Stage.DRAFT)
    latest = latest.order_by("-submitted_at", "-pk")
    centres = SocialCentre.objects.annotate(
        stage=Subquery(latest.values("stage")[:1], output_field=CharField()),
        case_number=Subquery(latest.values("number")[:1], output_field=CharField()),
        case_id=Subquery(latest.values("pk")[:1]),
    ).select_related("commune", "commune__parent", "manager")
    if filters.commune is not None:
        centres = centres.filter(Q(commune=filters.commune) | Q(commune__parent=filters.commune))
    if filters.federation is not None:
        centres = centres.filter(manager=filters.federation)
    result = []
    for centre in centres.order_by("commune__name", "name"):
        # A centre without coordinates is placed at its commune (or its city's) centre.
        places = [centre, centre.commune, centre.commune.municipality]
        lat = next((p.latitude for p in places if p.latitude is not None), None)
        lon = next((p.longitude for p in places if p.longitude is not None), None)
        code, group, colour = _group_of(centre.stage)
        result.append(
            {
                "name": centre.name,
                "commune": str(centre.commune.municipality),
                "lat": float(lat) if lat is not None else None,
                "lon": float(lon) if lon is not None else None,
                "group_code": code,
                "css": f"stage-group-{code}",
                "group": group,
                "colour": colour,
                "stage": STAGE_LABELS.get(centre.stage, "Aucun dossier"),
                "case_number": centre.case_number or "",
                "case_id": centre.case_id,
            }
        )
    return result
