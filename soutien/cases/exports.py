"""The case list as a spreadsheet: the same cases and the same columns as the list page.

Rows come from ``selectors.case_list(user, filters=…)``, the scoped read behind the
list page (policies.can_export_case_list): an export never holds a case, or a column,
that its reader's list does not show. One query whatever the number of cases (the
rows are read in chunks).
"""

from collections.abc import Iterator

from django.utils import timezone

from soutien.cases import policies
from soutien.core import spreadsheets

COLUMNS = (
    "Dossier",
    "Centre social",
    "Commune",
    "Situation",
    "Étape",
    "Échéance de l'étape",
    "En retard",
)


def case_rows(user, queryset) -> Iterator[tuple]:
    """One row per case of ``queryset`` (``selectors.case_list(user, …)``), with what
    ``user`` may read of it."""
    for case in queryset.iterator(chunk_size=500):
        situation = case.get_situation_display() or ""
        yield (
            case.display_number,
            case.centre.name,
            case.centre.commune.name,
            situation if policies.can_view_situation(user, case) else "",
            case.get_stage_display(),
            timezone.localdate(case.due_at) if case.due_at else None,
            "oui" if case.is_overdue else "non",
        )


def case_list_csv(user, queryset) -> Iterator[str]:
    return spreadsheets.csv_lines(COLUMNS, case_rows(user, queryset))


def case_list_xlsx(user, queryset) -> bytes:
    return spreadsheets.xlsx_bytes("Dossiers", COLUMNS, case_rows(user, queryset))
