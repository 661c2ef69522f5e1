"""Evaluation pages: indicators, exports, annual report and the map of centres.

Every view answers 404 to whoever may not view the evaluation (its existence is not
revealed); what each one shows is decided by soutien.evaluation.policies. For everyone but
the coordination, every figure comes from the one published grid
(soutien.evaluation.grid), whatever the page, export or filter. Exports are limited per
account (``SOUTIEN_EVALUATION_EXPORT_RATE``).
"""

import datetime as dt
from functools import wraps

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from soutien.audit.actions import AuditAction
from soutien.audit.services import audit_record
from soutien.directory.reference import DATA_DIR
from soutien.evaluation import exports
from soutien.evaluation.charts import evaluation_charts
from soutien.evaluation.figures import MASKING_NOTE
from soutien.evaluation.indicators import Filters, cohort_queryset, compute
from soutien.evaluation.map import centres_on_map, commune_counts, legend
from soutien.evaluation.policies import (
    can_choose_free_period,
    can_export_case_dataset,
    can_view_centres_on_map,
    can_view_evaluation,
    must_mask,
    territory_of,
)
from soutien.evaluation.publication import published_grid
from soutien.security.decorators import private_page
from soutien.security.throttle import throttle_exceeded
from web.evaluation.forms import EvaluationFilterForm

MAP_CREDIT = "IGN, INSEE — Admin Express COG 2018"
GEOJSON_FILES = {"communes": "communes-13.geojson", "departement": "departement-13.geojson"}


def evaluation_view(view):
    """Only those who may view the evaluation; nobody may keep a copy of the page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_view_evaluation(request.user):
            raise Http404("Page introuvable")
        return view(request, *args, **kwargs)

    return private_page(wrapper)


def export_view(view):
    """An evaluation export: limited to a number of downloads per account and window."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        limit, window = settings.SOUTIEN_EVALUATION_EXPORT_RATE
        if throttle_exceeded("evaluation-export", str(request.user.pk), limit=limit, window=window):
            return render(
                request,
                "evaluation/too_many_exports.html",
                {"window_minutes": window // 60},
                status=429,
            )
        return view(request, *args, **kwargs)

    return evaluation_view(wrapper)


def _filters(request, *, strict: bool):
    """The filter form and its filters. ``strict``: an invalid filter (another territory's
    commune, for instance) is a 404 rather than a form error."""
    territory = territory_of(request.user)
    form = EvaluationFilterForm(
        request.GET or None,
        territory=territory,
        free_period=can_choose_free_period(request.user),
    )
    if form.is_bound and not form.is_valid() and strict:
        raise Http404("Filtre invalide")
    return territory, form, form.filters()


def _evaluation(request, *, strict: bool = False):
    territory, form, filters = _filters(request, strict=strict)
    masked = must_mask(request.user)
    evaluation = compute(
        territory=territory,
        filters=filters,
        masked=masked,
        with_department=not territory.is_department,
        grid=published_grid() if masked else None,
    )
    return evaluation, form


def _summary_rows(evaluation):
    """The summary with, for a commune partner, the department's totals beside it."""
    rows = evaluation.table("summary").rows
    if evaluation.department is None:
        return [(row[0], row[1], None) for row in rows]
    department = evaluation.department.table("summary").rows
    return [(row[0], row[1], other[1]) for row, other in zip(rows, department, strict=True)]


def _audit_export(request, kind: str, form):
    audit_record(
        action=AuditAction.EVALUATION_EXPORT,
        request=request,
        details={"format": kind, "filters": request.GET.urlencode() if form.is_bound else ""},
    )


@evaluation_view
def index(request):
    evaluation, form = _evaluation(request)
    query = request.GET.urlencode() if form.is_bound and form.is_valid() else ""
    return render(
        request,
        "evaluation/index.html",
        {
            "evaluation": evaluation,
            "form": form,
            "charts": {chart["table"]: chart["svg"] for chart in evaluation_charts(evaluation)},
            "summary_rows": _summary_rows(evaluation),
            "query": query,
            "can_export_case_dataset": can_export_case_dataset(request.user),
            "masking_note": MASKING_NOTE,
        },
    )


def _attachment(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _stamp() -> str:
    return timezone.localdate().strftime("%Y-%m-%d")


@export_view
def export_csv(request):
    evaluation, form = _evaluation(request, strict=True)
    _audit_export(request, "csv", form)
    return _attachment(
        exports.indicators_csv(evaluation),
        "text/csv; charset=utf-8",
        f"evaluation-mstr-{_stamp()}.csv",
    )


@export_view
def export_xlsx(request):
    evaluation, form = _evaluation(request, strict=True)
    _audit_export(request, "xlsx", form)
    return _attachment(
        exports.indicators_xlsx(evaluation),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"evaluation-mstr-{_stamp()}.xlsx",
    )


@export_view
def case_dataset(request):
    if not can_export_case_dataset(request.user):
        raise Http404("Page introuvable")
    territory, form, filters = _filters(request, strict=True)
    _audit_export(request, "dossiers-pseudonymises", form)
    return _attachment(
        exports.case_dataset_csv(cohort_queryset(territory, filters)),
        "text/csv; charset=utf-8",
        f"mstr-dossiers-pseudonymises-{_stamp()}.csv",
    )


@export_view
def annual_report(request):
    """The annual report: the chosen year (this year by default) and the trend so far."""
    territory, form, filters = _filters(request, strict=True)
    year = (form.cleaned_data.get("year") if form.is_bound else None) or timezone.localdate().year
    masked = must_mask(request.user)
    grid = published_grid() if masked else None
    year_filters = Filters(
        start=dt.date(year, 1, 1),
        end=dt.date(year, 12, 31),
        commune=filters.commune,
        federation=filters.federation,
    )
    evaluation = compute(
        territory=territory,
        filters=year_filters,
        masked=masked,
        with_department=not territory.is_department,
        grid=grid,
    )
    # The years so far: the rows by year of every period, up to the chosen year (whole
    # years, the cells of the published grid).
    trend = compute(
        territory=territory,
        filters=Filters(commune=filters.commune, federation=filters.federation),
        masked=masked,
        grid=grid,
    )
    by_year = trend.table("by_year")
    by_year.rows = [row for row in by_year.rows if int(row[0]) <= year]
    charts = {chart["table"]: chart["svg"] for chart in evaluation_charts(evaluation)}
    charts["by_year"] = {c["table"]: c["svg"] for c in evaluation_charts(trend)}["by_year"]
    _audit_export(request, "rapport-annuel-pdf", form)
    pdf = exports.annual_report_pdf(
        {
            "year": year,
            "evaluation": evaluation,
            "trend": trend,
            "charts": charts,
            "summary_rows": _summary_rows(evaluation),
            "generated_at": timezone.localtime(),
            "masking_note": MASKING_NOTE,
        }
    )
    return _attachment(pdf, "application/pdf", f"rapport-evaluation-mstr-{year}.pdf")


def _map_payload(request, *, strict: bool) -> tuple[dict, EvaluationFilterForm]:
    territory, form, filters = _filters(request, strict=strict)
    masked = must_mask(request.user)
    payload = commune_counts(
        territory, filters, masked=masked, grid=published_grid() if masked else None
    )
    payload["credit"] = MAP_CREDIT
    if can_view_centres_on_map(request.user):
        payload["centres"] = centres_on_map(filters)
        payload["legend"] = legend()
    return payload, form


@evaluation_view
def map_page(request):
    payload, form = _map_payload(request, strict=False)
    return render(
        request,
        "evaluation/map.html",
        {
            "payload": payload,
            "form": form,
            "credit": MAP_CREDIT,
            "territory_label": payload["territory"],
            "masking_note": MASKING_NOTE if must_mask(request.user) else "",
        },
    )


@evaluation_view
def map_data(request):
    payload, _ = _map_payload(request, strict=True)
    return JsonResponse(payload)


def communes_geojson(request, name: str = "communes"):
    """Commune outlines (IGN, INSEE — Admin Express COG 2018): public data, kept a day."""
    if not can_view_evaluation(request.user):
        raise Http404("Page introuvable")
    filename = GEOJSON_FILES.get(request.GET.get("couche", name))
    if filename is None:
        raise Http404("Couche inconnue")
    response = FileResponse((DATA_DIR / filename).open("rb"), content_type="application/geo+json")
    response["Cache-Control"] = "private, max-age=86400"
    return response
