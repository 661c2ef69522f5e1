"""The case page and its messages."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from soutien.audit.actions import AuditAction
from soutien.audit.services import audit_record
from soutien.cases import policies, selectors
from soutien.cases.enums import Channel
from soutien.cases.visits import record_visit
from soutien.core import clock
from soutien.documents import selectors as document_selectors
from soutien.documents import services as document_services
from soutien.security.decorators import private_page
from web.cases import forms, panels
from web.cases.common import VISIBILITY, limited_uploads, page_case, run_service, simple_form
from web.meetings import views as meeting_views
from web.templatetags import case_tags, followup_tags, selfcheck_tags


def timeline(rows) -> list[tuple[str, str, str, str, str]]:
    """The history's rows (``selectors.timeline_visible``), formatted once here rather
    than by filters in the template's loop (the longest of the page): ISO date, displayed
    date (Paris time), label, who, comment."""
    formatted = []
    for created_at, label, actor, comment in rows:
        moment = timezone.localtime(created_at)
        formatted.append(
            (moment.isoformat(), moment.strftime("%d/%m/%Y %H:%M"), label, actor, comment)
        )
    return formatted


@private_page
def case_detail(request, pk):
    """The case page: steps, what to do now, and every part the user may read."""
    case = selectors.case_page_for(request.user, pk)
    user = request.user

    if policies.can_view_stage_only(user, case):
        audit_record(action=AuditAction.CASE_VIEW_STAGE, request=request, target=case, case=case)
        record_visit(user=user, case=case)
        return render(
            request,
            "cases/stage_only.html",
            {
                "case": case,
                "steps": panels.steps_for(case),
                "actions": (
                    case.actions.select_related("domain")
                    if policies.can_view_action_plan(user, case)
                    else None
                ),
                "can_update_action": policies.can_update_action(user, case),
            },
        )
    if not policies.can_view_case(user, case):
        raise Http404("Dossier introuvable")
    audit_record(action=AuditAction.CASE_VIEW, request=request, target=case, case=case)
    record_visit(user=user, case=case)

    decision = getattr(case, "decision", None)  # None when not decided yet
    opinions = selectors.case_opinions(case) if policies.can_view_opinions(user, case) else None
    can_update_action = policies.can_update_action(user, case)
    actions = []
    if policies.can_view_action_plan(user, case):
        for action in selectors.case_page_actions(case):
            form = None
            if can_update_action:
                form = forms.ActionUpdateForm(
                    initial={"status": action.status, "version": action.version},
                    auto_id=f"id_action{action.pk}_%s",
                )
            actions.append((action, form))
    threads = [
        {
            "channel": channel,
            "label": Channel(channel).label,
            "messages": items,
            "visibility": VISIBILITY[channel],
            "form": (
                forms.MessageForm(initial={"channel": channel}, auto_id=f"id_{channel}_%s")
                if policies.can_post_to_channel(user, case, channel)
                else None
            ),
        }
        for channel, items in selectors.messages_visible(user, case).items()
    ]
    fiche_signs, fiche_domains = selectors.fiche_labels(case.form)
    context = {
        "case": case,
        "info": case.form,
        "fiche_signs": fiche_signs,
        "fiche_domains": fiche_domains,
        # Every attachments panel of the page picks its share of these (one query).
        "case_documents": document_selectors.case_documents(case),
        "selfcheck": selfcheck_tags.panel_for(user, case),
        "followup": followup_tags.panel_for(user, case),
        "report_readers": case_tags.report_readers_for(user, case),
        "steps": panels.steps_for(case),
        "next_actions": panels.next_actions(user, case),
        "waiting_for": panels.WAITING_FOR.get(case.stage, ""),
        # Stored on the case (soutien.cases.deadlines): no query.
        "due_at": case.due_at,
        "is_overdue": case.due_at is not None and case.due_at < clock.now(),
        "decision": decision,
        "can_view_justification": policies.can_view_decision_justification(user, case),
        "opinions": opinions,
        "caf_opinion_ids": policies.caf_opinion_ids(case) if opinions is not None else set(),
        "meetings": meeting_views.meeting_panels(request, case),
        "polls": meeting_views.poll_panels(request, case),
        "satisfaction": (
            getattr(case, "satisfaction", None)
            if policies.can_view_satisfaction(user, case)
            else None
        ),
        "findings": (
            selectors.case_page_findings(case) if policies.can_view_findings(user, case) else None
        ),
        "report_versions": selectors.report_versions_listed(user, case),
        "actions": actions,
        "timeline": timeline(selectors.timeline_visible(user, case)),
        "threads": threads,
        "can_edit_form": policies.can_edit_form(user, case),
        "can_withdraw": policies.can_withdraw(user, case),
        "can_view_action_plan": policies.can_view_action_plan(user, case),
        "can_view_closure_summary": policies.can_view_closure_summary(user, case),
        "can_add_action": policies.can_add_action(user, case),
        "can_update_action": can_update_action,
        "can_assign": policies.can_assign_consultant(user, case),
        "can_record_partner_meeting": policies.can_record_partner_meeting(user, case),
        "can_work_on_diagnostic": policies.can_work_on_diagnostic(user, case),
        "can_write_report": policies.can_write_report(user, case),
        "is_provider_stage": case.provider_id is not None,
        "contacts": (
            selectors.case_contacts(case) if policies.can_view_contacts(user, case) else None
        ),
    }
    return render(request, "cases/detail.html", context)


@private_page
@require_POST
@limited_uploads
def message(request, pk):
    """Post a message or a private note with its attachments (one form, one service)."""
    case = page_case(request, pk)
    form = forms.MessageForm(request.POST, request.FILES)
    if form.is_valid():
        channel = form.cleaned_data["channel"]
        response = run_service(
            request,
            case,
            form,
            lambda: document_services.message_post_with_files(
                case=case,
                by=request.user,
                channel=channel,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
            ),
            success="Votre message est publié.",
            then=redirect(reverse("cases:detail", args=[case.pk]) + "#messages"),
        )
        if response:
            return response
    channel = request.POST.get("channel")
    return simple_form(
        request,
        case,
        form,
        title="Écrire un message",
        submit="Publier",
        visibility=VISIBILITY.get(channel, ""),
    )
