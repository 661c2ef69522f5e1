"""Exports of the evaluation: indicators (CSV, XLSX), the pseudonymised case-level dataset
(CSV) and the annual evaluation report (PDF).

Indicator exports print exactly what the page shows (``Shown.text``, masked the same way);
the XLSX gives numbers as numbers where the page gives a number. No cell is ever read as a
formula by a spreadsheet (``soutien.core.spreadsheets``).
"""

import csv
import datetime as dt
import hashlib
import hmac
import io

from django.conf import settings
from django.db.models import Case as When_
from django.db.models import CharField, F, StringAgg, Value, When
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from soutien.cases.enums import ClosureOutcome, DecisionOutcome, Situation, Stage
from soutien.core import clock
from soutien.core.spreadsheets import csv_row, xlsx_append
from soutien.directory.models import OrganisationKind
from soutien.evaluation.figures import MASKING_NOTE
from soutien.evaluation.indicators import STEP_SPANS, Evaluation

CSV_HEADER = ["perimetre", "rubrique", "ligne", "colonne", "valeur"]
SHEET_NAMES = {
    "summary": "Synthèse",
    "by_year": "Par année",
    "lead_times": "Délais",
    "by_domain": "Champs",
    "by_commune": "Communes",
    "by_manager": "Gestionnaires",
    "outcomes": "Issues",
    "satisfaction": "Satisfaction",
    "impact": "Impact",
}
NUMBER_FORMATS = {"%": '0" %"', "j": '0.0" j"', "/ 5": '0.0" / 5"'}


def _perimeters(evaluation: Evaluation):
    yield evaluation.territory.label, evaluation
    if evaluation.department is not None:
        yield f"{evaluation.department.territory.label} (total)", evaluation.department


def indicators_rows(evaluation: Evaluation):
    """Every figure as (perimeter, table, row, column, text): the page's figures, flat."""
    for perimeter, current in _perimeters(evaluation):
        for table in current.tables.values():
            if current is not evaluation and table.key != "summary":
                continue  # beside its territory, a commune partner gets department totals
            for row in table.rows:
                for column, cell in zip(table.columns[1:], row[1:], strict=True):
                    yield perimeter, table.title, row[0], column, cell


def indicators_csv(evaluation: Evaluation) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # so that spreadsheet software reads UTF-8
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    for perimeter, title, label, column, cell in indicators_rows(evaluation):
        writer.writerow(csv_row([perimeter, title, label, column, cell.text]))
    if note := evaluation.as_of_note:  # as the page says it
        writer.writerow(csv_row([evaluation.territory.label, "À propos", "Chiffres", "", note]))
    return out.getvalue()


def indicators_xlsx(evaluation: Evaluation, *, generated_at=None) -> bytes:

    generated_at = timezone.localtime(generated_at or clock.now())
    book = Workbook()
    about = book.active
    about.title = "À propos"
    about.append(["Évaluation de la mission de soutien technique renforcé"])
    about["A1"].font = Font(bold=True, size=14)
    xlsx_append(about, ["Territoire", evaluation.territory.label])
    for label, value in evaluation.filters.describe():
        xlsx_append(about, [label, value])
    xlsx_append(about, ["Produit le", generated_at.strftime("%d/%m/%Y %H:%M")])
    if evaluation.masked:
        xlsx_append(about, ["Secret statistique", MASKING_NOTE])
    if note := evaluation.as_of_note:  # as the page says it
        xlsx_append(about, ["Chiffres", note])
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 80
    for perimeter, current in _perimeters(evaluation):
        for table in current.tables.values():
            if current is not evaluation and table.key != "summary":
                continue
            name = SHEET_NAMES.get(table.key, table.title[:31])
            if current is not evaluation:
                name = "Département (total)"
            sheet = book.create_sheet(_sheet_name(book, name))
            xlsx_append(sheet, [f"{table.title} — {perimeter}"])
            sheet["A1"].font = Font(bold=True)
            xlsx_append(sheet, table.columns)
            for cell in sheet[2]:
                cell.font = Font(bold=True)
            for row in table.rows:
                xlsx_append(sheet, [row[0]] + [_xlsx_value(cell) for cell in row[1:]])
                for cell, shown in zip(sheet[sheet.max_row][1:], row[1:], strict=True):
                    if isinstance(cell.value, int | float) and shown.unit in NUMBER_FORMATS:
                        cell.number_format = NUMBER_FORMATS[shown.unit]
            sheet.column_dimensions["A"].width = 55
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(book, name: str) -> str:
    for char in "[]:*?/\\":
        name = name.replace(char, " ")
    candidate, n = name, 2
    while candidate in book.sheetnames:
        candidate = f"{name[:28]} {n}"
        n += 1
    return candidate


def _xlsx_value(shown):
    if shown.number is None:
        return shown.text
    if shown.unit == "%":
        return round(shown.number)
    if shown.unit:
        return round(shown.number, 1)
    return shown.number


# --- Pseudonymised case-level dataset ------------------------------------------------

DATASET_HEADER = [
    "pseudonyme",
    "annee_transmission",
    "mois_transmission",
    "commune_insee",
    "commune",
    "type_gestionnaire",
    "situation",
    "champs",
    "etape",
    "decision",
    "mois_decision",
    "delai_saisine_jours",
    "delai_rapport_jours",
    "delai_validation_jours",
    "delai_restitution_jours",
    "mois_cloture",
    "issue",
    "satisfaction_utilite",
    "satisfaction_ecoute",
    "satisfaction_appropriation",
    "recommanderait",
]


def pseudonym(case_id: int) -> str:
    """A stable code for a case that cannot be traced back without the server's key."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"evaluation-case:{case_id}".encode(), hashlib.sha256
    )
    return digest.hexdigest()[:12]


def _month(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m") if value else ""


def _days(start, end) -> str:
    if not start or not end:
        return ""
    return str(round((end - start) / dt.timedelta(days=1)))


def case_dataset_rows(cohort):
    """One row per case, with no name, no free text and no date finer than the month.

    The fields of expertise are gathered by the database (one query for the whole file).
    """
    labels = {
        "situation": dict(Situation.choices),
        "stage": dict(Stage.choices),
        "decision": dict(DecisionOutcome.choices),
        "outcome": dict(ClosureOutcome.choices),
    }
    rows = (
        cohort.annotate(
            municipality_code=Coalesce(
                "centre__commune__parent__insee_code", "centre__commune__insee_code"
            ),
            municipality_name=Coalesce("centre__commune__parent__name", "centre__commune__name"),
            manager_type=When_(
                When(manager__kind=OrganisationKind.FEDERATION, then=Value("fédération")),
                default=Value("association"),
                output_field=CharField(),
            ),
            # No ORDER BY inside the aggregate: older SQLite versions refuse it.
            domain_codes=StringAgg(F("form__domains__code"), delimiter=Value("|")),
        )
        .values(
            "pk",
            "submitted_at",
            "municipality_code",
            "municipality_name",
            "manager_type",
            "situation",
            "domain_codes",
            "stage",
            "decision__outcome",
            "decided_at",
            "closed_at",
            "closure_outcome",
            "satisfaction__usefulness",
            "satisfaction__listening",
            "satisfaction__ownership",
            "satisfaction__would_recommend",
            *{field for span in STEP_SPANS.values() for field in span},
        )
        .order_by("submitted_at", "pk")
    )
    for row in rows.iterator(chunk_size=2000):
        recommend = row["satisfaction__would_recommend"]
        yield [
            pseudonym(row["pk"]),
            timezone.localtime(row["submitted_at"]).year,
            _month(row["submitted_at"]),
            row["municipality_code"],
            row["municipality_name"],
            row["manager_type"],
            labels["situation"].get(row["situation"], ""),
            "|".join(sorted(filter(None, (row["domain_codes"] or "").split("|")))),
            labels["stage"].get(row["stage"], row["stage"]),
            labels["decision"].get(row["decision__outcome"], ""),
            _month(row["decided_at"]),
            *[_days(row[start], row[end]) for start, end in STEP_SPANS.values()],
            _month(row["closed_at"]) if row["stage"] == Stage.CLOSED else "",
            labels["outcome"].get(row["closure_outcome"], ""),
            row["satisfaction__usefulness"] or "",
            row["satisfaction__listening"] or "",
            row["satisfaction__ownership"] or "",
            "" if recommend is None else ("oui" if recommend else "non"),
        ]


def case_dataset_csv(cohort) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(DATASET_HEADER)
    writer.writerows(csv_row(row) for row in case_dataset_rows(cohort))
    return out.getvalue()


# --- Annual report --------------------------------------------------------------------


def annual_report_pdf(context: dict) -> bytes:
    """The annual evaluation report, with its charts and tables (tagged PDF)."""
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    html = render_to_string("evaluation/report_pdf.html", context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")
