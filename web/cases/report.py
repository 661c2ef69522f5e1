"""The diagnostic: findings, the report and its versions, the manager's review, the
restitution.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from soutien.audit.actions import AuditAction
from soutien.audit.services import audit_record
from soutien.cases import action_plan, policies, selectors, services
from soutien.cases.enums import ReportStatus
from soutien.meetings.selectors import meeting_candidates
from soutien.security.decorators import private_page
from web.cases import forms
from web.cases.common import VISIBILITY, not_possible, page_case, run_service, simple_form


@private_page
def findings(request, pk):
    case = page_case(request, pk)
    user = request.user
    if request.method != "POST" and not policies.can_work_on_diagnostic(user, case):
        return not_possible(request, case)
    existing = list(case.findings.select_related("domain"))
    initial = {}
    if chosen := request.GET.get("champ"):
        finding = next((f for f in existing if str(f.domain_id) == chosen), None)
        initial = {"domain": chosen}
        if finding:
            initial.update(
                {
                    name: getattr(finding, name)
                    for name in forms.FindingForm.base_fields
                    if name != "domain"
                }
            )
    form = forms.FindingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        response = run_service(
            request,
            case,
            form,
            lambda: services.finding_save(case=case, by=user, **form.cleaned_data),
            success="Les constats sont enregistrés.",
            then=redirect("cases:findings", pk=case.pk),
        )
        if response:
            return response
    return render(
        request,
        "cases/findings.html",
        {
            "case": case,
            "form": form,
            "findings": existing,
            "domains_of_form": case.form.domains.all(),
            "visibility": VISIBILITY["findings"],
        },
    )


@private_page
def report(request, pk):
    """The consultant writes the report; everyone else sees the versions they may read."""
    case = page_case(request, pk)
    user = request.user
    can_write = policies.can_write_report(user, case)
    versions = selectors.report_versions_visible(user, case)
    form = draft = recommendations = None
    if can_write or request.method == "POST":
        draft = services.report_draft(case)
        initial = {name: getattr(draft, name) for name in services.REPORT_SECTIONS}
        initial["version"] = case.version
        form = forms.ReportForm(request.POST or None, initial=initial)
        recommendations = _recommendations_formset(request, case, draft)
    adding = request.POST.get("action") == "add_recommendation"
    # A post without the recommendations part (an older form) leaves them as they are.
    posted_items = request.method == "POST" and f"{RECOMMENDATIONS_PREFIX}-TOTAL_FORMS" in (
        request.POST
    )
    if (
        request.method == "POST"
        and not adding
        and all([form.is_valid(), not posted_items or recommendations.is_valid()])
    ):
        submit = request.POST.get("action") == "submit"
        sections = {n: form.cleaned_data[n] for n in services.REPORT_SECTIONS}
        items = recommendations.items() if posted_items else None

        saved = []

        def call():
            try:
                services.report_save(
                    case=case,
                    by=user,
                    version=form.cleaned_data["version"],
                    recommendation_items=items,
                    **sections,
                )
                saved.append(True)
            except services.NotPermitted:
                if not submit:
                    raise
                # Posted twice, or already sent: the submission service says which.
            if submit:
                services.report_submit(case=case, by=user)

        response = run_service(
            request,
            case,
            form,
            call,
            success=(
                "Le rapport est transmis au gestionnaire."
                if submit
                else "Le rapport est enregistré ; il n'est pas encore transmis."
            ),
            then=None if submit else redirect("cases:report", pk=case.pk),
        )
        if response:
            return response
        if saved:
            # Saved, then refused at submission: the form carries the new version.
            errors = form.non_field_errors()
            data = request.POST.copy()
            data["version"] = str(case.version)
            form = forms.ReportForm(data)
            form.is_valid()
            for error in errors:
                form.add_error(None, error)
    return render(
        request,
        "cases/report.html",
        {
            "case": case,
            "form": form if can_write or request.method == "POST" else None,
            "recommendations": recommendations,
            "draft": draft,
            "versions": versions,
            "visibility": VISIBILITY["report"],
        },
    )


RECOMMENDATIONS_PREFIX = "preco"


def _recommendations_formset(request, case, draft):
    """The report's recommendations as a formset: each with its field, priority and text.
    « Ajouter une préconisation » posts the form back with one more empty row, keeping
    everything typed (nothing is saved)."""
    initial = action_plan.draft_recommendation_items(case, draft)
    if request.method != "POST" or f"{RECOMMENDATIONS_PREFIX}-TOTAL_FORMS" not in request.POST:
        return forms.RecommendationFormSet(prefix=RECOMMENDATIONS_PREFIX, initial=initial)
    data = request.POST
    if data.get("action") == "add_recommendation":
        data = data.copy()
        total = f"{RECOMMENDATIONS_PREFIX}-TOTAL_FORMS"
        try:
            data[total] = str(int(data.get(total, 0)) + 1)
        except ValueError:
            pass  # a broken management form is reported by the formset itself
    return forms.RecommendationFormSet(data, prefix=RECOMMENDATIONS_PREFIX, initial=initial)


@private_page
def report_version(request, pk, number):
    case = page_case(request, pk)
    version = get_object_or_404(
        case.report_versions.select_related("author", "reviewed_by"), number=number
    )
    if not policies.can_view_report_version(request.user, version):
        raise Http404

    audit_record(
        action=AuditAction.REPORT_VIEW,
        request=request,
        target=version,
        case=case,
        details={"version": version.number},
    )
    return render(
        request,
        "cases/report_version.html",
        {
            "case": case,
            "version": version,
            "can_review": policies.can_review_report(request.user, case)
            and version.status == ReportStatus.SUBMITTED,
        },
    )


@private_page
def review(request, pk):
    """The manager validates the report or asks for changes."""
    case = page_case(request, pk)
    user = request.user
    if request.method != "POST" and not policies.can_review_report(user, case):
        return not_possible(request, case)
    version = case.report_versions.filter(status=ReportStatus.SUBMITTED).order_by("-number").first()
    if version is not None and request.method != "POST":
        audit_record(
            action=AuditAction.REPORT_VIEW,
            request=request,
            target=version,
            case=case,
            details={"version": version.number},
        )
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["decision"] == forms.ReviewForm.VALIDATE:

            def call():
                services.report_validate(case=case, by=user)

            success = (
                "Le rapport est validé : les partenaires financeurs concernés peuvent le lire."
            )
        else:

            def call():
                services.report_request_changes(
                    case=case, by=user, comment=form.cleaned_data["comment"]
                )

            success = "Votre demande de modifications est transmise au consultant."
        response = run_service(request, case, form, call, success=success)
        if response:
            return response
    return render(
        request,
        "cases/review.html",
        {
            "case": case,
            "form": form,
            "version": version,
            "previous": [
                v
                for v in selectors.report_versions_visible(user, case)
                if version is None or v.pk != version.pk
            ],
            "visibility": VISIBILITY["review"],
        },
    )


@private_page
def restitution(request, pk):
    case = page_case(request, pk)
    if request.method != "POST" and not policies.can_record_restitution(request.user, case):
        return not_possible(request, case)
    form = forms.RestitutionForm(request.POST or None, candidates=meeting_candidates(case))
    if request.method == "POST" and form.is_valid():
        response = run_service(
            request,
            case,
            form,
            lambda: services.restitution_record(
                case=case, by=request.user, **form.service_fields()
            ),
            success="La restitution est consignée : l'accompagnement commence.",
        )
        if response:
            return response
    return simple_form(
        request,
        case,
        form,
        title="Consigner la restitution au gestionnaire",
        submit="Enregistrer la restitution",
        visibility=VISIBILITY["restitution"],
        intro="La restitution a eu lieu : consignez-la avec sa synthèse. Aucune invitation "
        "n'est envoyée. Pour la préparer, planifiez-la d'abord depuis la page du dossier.",
        template="cases/meeting_form.html",
    )
