"""The case list, its exports and the coordinator's target durations."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe

from soutien.audit.actions import AuditAction
from soutien.audit.services import audit_record
from soutien.cases import exports, policies, selectors, services
from soutien.cases.models import ReminderSettings, TargetDuration
from soutien.core.refcache import ProcessCache
from soutien.core.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from soutien.directory.models import Domain, Organisation
from soutien.security.decorators import private_page
from soutien.security.throttle import throttle_exceeded
from web.cases import forms, listing
from web.cases.common import VISIBILITY, attach_errors


@private_page
def case_list(request):
    """The user's cases, with filters, search and pagination (constant queries)."""
    if not policies.can_list_cases(request.user):
        raise Http404
    return _render_list(request, forms.CaseFilterForm(request.GET or None))


# Beyond this many cases the list says « plus de 1 000 » instead of counting them all.
COUNT_LIMIT = 1000
PER_PAGE = 25


class BoundedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, user, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.user = user  # whose « new since your last visit » marks the rows carry

    """Pages of a case list counted up to ``COUNT_LIMIT`` only: a plain ``COUNT`` over
    at most that many rows, whatever the number of cases (``capped`` says there are
    more; the pages then go as far as the limit)."""

    capped = False

    @cached_property
    def count(self):
        counted = self.object_list.order_by().values("pk")[: COUNT_LIMIT + 1].count()
        self.capped = counted > COUNT_LIMIT
        return min(counted, COUNT_LIMIT)

    def page(self, number):
        """The page's ids first, read from the ordered list alone (an index-served
        order on the cases table), then their rows with what they show (one query)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        return self._get_page(selectors.case_rows(ids, user=self.user), number, self)


def _filters_html(form) -> str:
    return render_to_string("cases/_list_filters.html", {"form": form})


def _blank_filters() -> str:
    return _filters_html(forms.CaseFilterForm())


# The filters' fields before anything is typed: the same for everyone (their choices are
# reference lists and the years), rendered once per process and again when a federation
# or a field of work changes, or after a minute (a new year) — soutien.core.refcache.
blank_filters = ProcessCache("web.cases.blank_filters", _blank_filters).watch(Organisation, Domain)


def _render_list(request, form, status=200):
    """The list page for the filters of ``form`` (also shown when an export is refused)."""
    filters = form.filters()
    queryset = selectors.case_list(request.user, filters=filters)
    page = BoundedPaginator(queryset, PER_PAGE, user=request.user).get_page(request.GET.get("page"))
    progress = selectors.opinions_progress(page.object_list)
    for case in page.object_list:
        case.situation_visible = policies.can_view_situation(request.user, case)
        # « Avis reçus : 3/5 », for those who read the opinions (coordination, partners).
        case.opinions_shown = (
            progress.get(case.pk) if policies.can_view_opinions(request.user, case) else None
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/list.html",
        {
            "form": form,
            # Nothing typed (at most the page's number): the fields as everyone sees them.
            "filter_fields": (
                blank_filters.get() if set(request.GET) <= {"page"} else _filters_html(form)
            ),
            "page": page,
            "query": query.urlencode(),
            "filtered": bool(filters),
            "list_title": listing.list_title(filters),
            "count_limit": f"{COUNT_LIMIT:,}".replace(",", "\u00a0"),
            "can_create": policies.can_create_case(request.user),
            "can_export": policies.can_export_case_list(request.user),
        },
        status=status,
    )


@private_page
@require_safe
def commune_options(request):
    """The communes proposed by the list's commune filter as one types (htmx fills the
    field's ``<datalist>``): at most twenty, never the whole list."""
    if not policies.can_list_cases(request.user):
        raise Http404
    term = (request.GET.get("commune") or "").replace("\x00", "")[:140]
    return render(
        request,
        "cases/_commune_options.html",
        {"communes": [forms.commune_label(c) for c in selectors.communes_matching(term)]},
    )


EXPORT_LIMITED = (
    "Vous avez demandé beaucoup d'exports en peu de temps : réessayez d'ici une heure. "
    "La liste reste consultable ci-dessous."
)


EXPORT_INVALID = "Corrigez les filtres signalés avant d'exporter la liste."


def _export(request, kind: str):
    """The list as a file, with its filters (policies.can_export_case_list): the same
    scoped selector, the same cases and columns as the page; audited, and limited per
    account (settings.SOUTIEN_CASE_EXPORT_RATE)."""

    if not policies.can_export_case_list(request.user):
        raise Http404
    form = forms.CaseFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        messages.error(request, EXPORT_INVALID)
        return _render_list(request, form, status=400)
    limit, window = settings.SOUTIEN_CASE_EXPORT_RATE
    if throttle_exceeded("case-export", str(request.user.pk), limit=limit, window=window):
        messages.error(request, EXPORT_LIMITED)
        return _render_list(request, form, status=429)
    queryset = selectors.case_list(request.user, filters=form.filters())
    query = request.GET.copy()
    query.pop("page", None)
    audit_record(
        action=AuditAction.CASES_EXPORT,
        request=request,
        # The filters as typed, cut: a search may be long, the log need not be.
        details={"format": kind, "filters": query.urlencode()[:500], "rows": queryset.count()},
    )
    filename = f"dossiers-mstr-{timezone.localdate():%Y-%m-%d}.{kind}"
    if kind == "csv":
        response = StreamingHttpResponse(
            exports.case_list_csv(request.user, queryset), content_type=CSV_CONTENT_TYPE
        )
    else:
        response = HttpResponse(
            exports.case_list_xlsx(request.user, queryset), content_type=XLSX_CONTENT_TYPE
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@private_page
@require_safe
def case_list_csv(request):
    """The case list, as filtered, in CSV (streamed)."""
    return _export(request, "csv")


@private_page
@require_safe
def case_list_xlsx(request):
    """The case list, as filtered, as a spreadsheet (XLSX)."""
    return _export(request, "xlsx")


@private_page
def target_durations(request):
    """The coordinator sets the target duration of each step for each situation, and
    when reminders are sent (two forms on one page)."""
    if not policies.can_edit_target_durations(request.user):
        raise Http404
    section = request.POST.get("section") if request.method == "POST" else None
    reminder = ReminderSettings.current()
    form = forms.TargetDurationsForm(
        request.POST if section == "targets" else None,
        initial=forms.TargetDurationsForm.initial_from(TargetDuration.as_table()),
    )
    reminder_form = forms.ReminderSettingsForm(
        request.POST if section == "reminders" else None,
        initial={
            "lead_days": reminder.lead_days,
            "repeat_days": reminder.repeat_days,
            "escalate_after_days": reminder.escalate_after_days,
        },
    )
    if section == "targets" and form.is_valid():
        try:
            services.target_durations_set(by=request.user, values=form.values())
        except services.CaseError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Les délais cibles sont enregistrés.")
            return redirect("cases:targets")
    if section == "reminders" and reminder_form.is_valid():
        try:
            services.reminder_settings_set(by=request.user, **reminder_form.cleaned_data)
        except services.CaseError as exc:
            attach_errors(reminder_form, exc)
        else:
            messages.success(request, "Les réglages des rappels sont enregistrés.")
            return redirect("cases:targets")
    return render(
        request,
        "cases/targets.html",
        {
            "form": form,
            "reminder_form": reminder_form,
            "visibility": VISIBILITY["targets"],
        },
    )
