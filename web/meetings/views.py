"""Meeting screens: plan or record a meeting from the case page, its .ics, its
invitations, its change and cancellation; the date poll of a meeting with partners.

Views parse, call one service (soutien.meetings.services), answer. A refused form is
shown again in place, with its errors beside the fields and what was typed: as an htmx
partial when the page asked for one, as a page of its own otherwise.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from soutien.cases.enums import MeetingKind
from soutien.cases.models import Meeting
from soutien.cases.selectors import case_for
from soutien.cases.services import AlreadyDone, CaseError, NotPermitted
from soutien.meetings import policies, selectors, services
from soutien.meetings.calendar import build_ics, external_addresses
from soutien.meetings.models import Answer, DatePoll
from soutien.security.decorators import private_page
from web.cases.common import (
    VISIBILITY,
    attach_errors,
    not_possible,
    page_case,
    run_service,
    simple_form,
)
from web.documents.views import _private
from web.meetings import forms

MEETING_TITLES = {
    MeetingKind.REFERRAL: "Planifier ou consigner la réunion de saisine concertée",
    MeetingKind.INTERVIEW: "Planifier ou consigner un entretien ou une visite",
    MeetingKind.PARTNER_MEETING: "Planifier ou consigner la rencontre avec les partenaires",
    MeetingKind.SUPPORT_SESSION: "Planifier ou consigner une séance d'accompagnement",
    MeetingKind.RESTITUTION: "Planifier la restitution",
}


MEETING_INTRO = (
    "Les heures sont celles de Paris. Les participants ayant un compte et les invités "
    "extérieurs reçoivent l'invitation par courriel, avec un fichier à ouvrir dans leur "
    "agenda ; toute modification ou annulation met leur agenda à jour."
)

POLL_TITLES = {
    MeetingKind.REFERRAL: "Proposer des dates pour la réunion de saisine concertée",
    MeetingKind.PARTNER_MEETING: "Proposer des dates pour la rencontre avec les partenaires",
    MeetingKind.RESTITUTION: "Proposer des dates pour la restitution",
}

POLL_INTRO = (
    "Proposez de deux à six créneaux (heures de Paris). Chaque personne invitée reçoit un "
    "lien personnel pour répondre « oui », « si besoin » ou « non » ; celles qui ont un "
    "compte répondent aussi depuis le dossier. Vous retenez ensuite un créneau : la réunion "
    "est planifiée et les invitations partent avec le fichier pour l'agenda."
)


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _meetings_anchor(case_pk: int, anchor: str = "reunions") -> str:
    return reverse("cases:detail", args=[case_pk]) + f"#{anchor}"


def _done(request, url: str):
    """After a change made from the case page: back to it. Through htmx the page is
    reloaded (a redirect to the same page with another #anchor would not reload it, and
    the confirmation would wait for the next page)."""
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect(url)


# --- Planning ------------------------------------------------------------------------


def _meeting_call(request, case, kind, form):
    """The service the form asks for: plan and invite, or record a past meeting."""
    fields = form.service_fields()
    if form.plans:
        return lambda: services.meeting_plan(case=case, by=request.user, kind=kind, **fields)
    return lambda: services.meeting_record(case=case, by=request.user, kind=kind, **fields)


@private_page
def meeting_create(request, pk, kind):
    """Plan a meeting (invitations by email with an .ics) or record one that took place."""
    if kind not in MEETING_TITLES:
        raise Http404
    case = page_case(request, pk)
    if request.method != "POST" and not policies.MEETING_POLICIES[kind](request.user, case):
        return not_possible(request, case)
    form = forms.MeetingForm(
        request.POST or None,
        candidates=selectors.meeting_candidates(
            case, with_staff=kind in (MeetingKind.INTERVIEW, MeetingKind.SUPPORT_SESSION)
        ),
        plan_only=kind == MeetingKind.RESTITUTION,
    )
    if kind == MeetingKind.INTERVIEW:
        form.fields["attendees_text"].label = "Personnes rencontrées"
    if request.method == "POST" and form.is_valid():
        response = run_service(
            request,
            case,
            form,
            _meeting_call(request, case, kind, form),
            success=(
                "La réunion est planifiée ; les participants reçoivent l'invitation par courriel."
                if form.plans
                else "La réunion est consignée."
            ),
            then=redirect(_meetings_anchor(case.pk)),
        )
        if response:
            return response
    return simple_form(
        request,
        case,
        form,
        title=MEETING_TITLES[kind],
        submit="Enregistrer",
        visibility=VISIBILITY[kind],
        intro=MEETING_INTRO,
        extra={"can_poll": policies.can_propose_poll(request.user, case, kind), "kind": kind},
        template="cases/meeting_form.html",
    )


# --- One meeting: .ics, invitations, change, cancellation -----------------------------


def _meeting_for(request, pk) -> Meeting:
    """The meeting, if the user sees it (404 otherwise, whether or not it exists)."""
    meeting = get_object_or_404(Meeting.objects.only("pk", "case_id"), pk=pk)
    case = case_for(request.user, meeting.case_id)
    meeting = Meeting.objects.select_related("case").get(pk=pk)
    meeting.case = case
    if not policies.can_view_meeting(request.user, meeting):
        raise Http404("Réunion introuvable")
    return meeting


@require_GET
def meeting_ics(request, pk):
    meeting = _meeting_for(request, pk)
    content = build_ics(meeting, cancel=meeting.cancelled_at is not None)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    return _private(response, f"reunion-{meeting.pk}.ics")


@require_POST
def meeting_invite(request, pk):
    meeting = _meeting_for(request, pk)
    next_url = _next_url(request, reverse("cases:detail", args=[meeting.case_id]))
    try:
        sent = services.meeting_invitations_send(meeting=meeting, by=request.user)
    except NotPermitted:
        raise Http404("Réunion introuvable") from None
    except CaseError as exc:
        messages.error(request, exc.message)
        return redirect(next_url)
    messages.success(request, f"Invitation envoyée à {sent} personne{'s' if sent > 1 else ''}.")
    return redirect(next_url)


def _change_form_again(request, meeting, form, next_url):
    """The refused change, shown again with its errors and what was typed: only the form
    (htmx swaps it in place on the case page), or a page of its own without JavaScript."""
    context = {"meeting": meeting, "case": meeting.case, "form": form, "next": next_url}
    if request.htmx:
        return render(request, "meetings/_change_form.html", context)
    return render(request, "meetings/meeting_change.html", context)


@private_page
@require_POST
def meeting_reschedule(request, pk):
    meeting = _meeting_for(request, pk)
    next_url = _next_url(request, _meetings_anchor(meeting.case_id))
    if not policies.can_manage_invitations(request.user, meeting):
        raise Http404("Réunion introuvable")
    form = forms.MeetingChangeForm(request.POST, meeting=meeting)
    if not form.is_valid():
        return _change_form_again(request, meeting, form, next_url)
    try:
        services.meeting_reschedule(meeting=meeting, by=request.user, **form.changes())
    except AlreadyDone:
        messages.info(request, "Rien n'a changé : aucune mise à jour envoyée.")
        return _done(request, next_url)
    except NotPermitted:
        raise Http404("Réunion introuvable") from None
    except CaseError as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.message)
        return _change_form_again(request, meeting, form, next_url)
    messages.success(request, "La réunion est modifiée ; les participants ont reçu la mise à jour.")
    return _done(request, next_url)


@require_POST
def meeting_cancel(request, pk):
    meeting = _meeting_for(request, pk)
    next_url = _next_url(request, reverse("cases:detail", args=[meeting.case_id]))
    try:
        services.meeting_cancel(meeting=meeting, by=request.user)
    except NotPermitted:
        raise Http404("Réunion introuvable") from None
    except CaseError as exc:
        messages.error(request, exc.message)
        return redirect(next_url)
    messages.success(request, "La réunion est annulée ; les participants ont été prévenus.")
    return redirect(next_url)


# --- The meetings on the case page -----------------------------------------------------


def meeting_panels(request, case) -> list[dict]:
    """Each meeting the user may see, with its management forms when allowed."""
    panels = []
    next_url = _meetings_anchor(case.pk)
    for meeting in selectors.meetings_visible(request.user, case):
        meeting.case = case
        change_form = None
        if policies.can_manage_invitations(request.user, meeting):
            change_form = forms.MeetingChangeForm(meeting=meeting)
        panels.append(
            {
                "meeting": meeting,
                "can_manage": change_form is not None,
                "change_form": change_form,
                "next": next_url,
                "externals": external_addresses(meeting.external_emails),
            }
        )
    return panels


def _answers_table(poll) -> dict:
    """Who answered what, one row per invitee, one column per slot, with the count of
    « oui » and « si besoin » under each slot."""
    slots = list(poll.slots.all())
    given = {(answer.email, answer.slot_id): answer for answer in poll.answers.all()}
    rows = []
    for email, name in services.poll_invitees(poll):
        cells = [given.get((email, slot.pk)) for slot in slots]
        rows.append({"name": name or email, "cells": cells})
    totals = []
    for index, _slot in enumerate(slots):
        cells = [row["cells"][index] for row in rows]
        totals.append(
            {
                "yes": sum(1 for c in cells if c and c.answer == Answer.YES),
                "if_needed": sum(1 for c in cells if c and c.answer == Answer.IF_NEEDED),
            }
        )
    return {"slots": slots, "rows": rows, "totals": totals}


def poll_panel(request, poll, answer_form=None) -> dict:
    user = request.user
    slots = list(poll.slots.all())
    panel = {"poll": poll, "slots": slots, "labels": [forms.slot_label(s) for s in slots]}
    if policies.can_answer_poll(user, poll):
        mine = {a.slot_id: a.answer for a in poll.answers.all() if a.user_id == user.pk}
        panel["answer_form"] = answer_form or forms.PollAnswerForm(
            poll=poll, slots=slots, current=mine
        )
        panel["answered"] = bool(mine)
    if policies.can_view_poll_answers(user, poll):
        panel["table"] = _answers_table(poll)
        panel["can_pick"] = policies.can_pick_poll_slot(user, poll)
    return panel


def poll_panels(request, case) -> list[dict]:
    """The open date polls of the case the user may see, with what they may do on each."""
    return [poll_panel(request, poll) for poll in selectors.polls_visible(request.user, case)]


# --- Date polls ------------------------------------------------------------------------


@private_page
def poll_create(request, pk, kind):
    """Propose 2 to 6 slots for a meeting with partners; each invitee gets an email."""
    if kind not in POLL_TITLES:
        raise Http404
    case = page_case(request, pk)
    if request.method != "POST" and not policies.can_propose_poll(request.user, case, kind):
        return not_possible(request, case)
    form = forms.PollForm(request.POST or None, candidates=selectors.meeting_candidates(case))
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        response = run_service(
            request,
            case,
            form,
            lambda: services.poll_propose(case=case, by=request.user, kind=kind, **fields),
            success="Le sondage est envoyé : chaque personne invitée reçoit un lien pour "
            "répondre. Vous verrez les réponses dans le dossier.",
            then=redirect(_meetings_anchor(case.pk)),
        )
        if response:
            return response
    return simple_form(
        request,
        case,
        form,
        title=POLL_TITLES[kind],
        submit="Envoyer le sondage",
        visibility=VISIBILITY[kind],
        intro=POLL_INTRO,
        template="meetings/poll_form.html",
    )


def _poll_for(request, pk) -> DatePoll:
    """The poll, if the user sees it (404 otherwise, whether or not it exists)."""
    poll = get_object_or_404(DatePoll.objects.only("pk", "case_id"), pk=pk)
    case = case_for(request.user, poll.case_id)
    poll = DatePoll.objects.prefetch_related("attendees", "slots", "answers").get(pk=pk)
    poll.case = case
    if not policies.can_view_poll(request.user, poll):
        raise Http404("Sondage introuvable")
    return poll


@private_page
@require_POST
def poll_answer(request, pk):
    """An invitee answers from the case page."""
    poll = _poll_for(request, pk)
    if not policies.can_answer_poll(request.user, poll):
        raise Http404("Sondage introuvable")
    slots = list(poll.slots.all())
    form = forms.PollAnswerForm(request.POST, poll=poll, slots=slots)
    anchor = _meetings_anchor(poll.case_id, f"sondage-{poll.pk}")
    if form.is_valid():
        try:
            services.poll_answer(poll=poll, answers=form.answers(), by=request.user)
        except CaseError as exc:
            attach_errors(form, exc)
        else:
            if request.htmx:  # the poll alone, answered, swapped in place
                poll = _poll_for(request, pk)
                context = {"panel": {**poll_panel(request, poll), "saved": True}}
                return render(request, "meetings/_poll.html", context)
            messages.success(request, "Votre réponse est enregistrée.")
            return redirect(anchor)
    context = {"panel": poll_panel(request, poll, answer_form=form), "case": poll.case}
    if request.htmx:
        return render(request, "meetings/_poll.html", context)
    return render(request, "meetings/poll_answer.html", {**context, "next": anchor})


@private_page
@require_POST
def poll_pick(request, pk):
    """The organiser picks a slot: the meeting is planned and the invitations are sent."""
    poll = _poll_for(request, pk)
    if not policies.can_view_poll_answers(request.user, poll):
        raise Http404("Sondage introuvable")
    slot = get_object_or_404(poll.slots.all(), pk=request.POST.get("slot") or 0)
    try:
        services.poll_pick(poll=poll, slot=slot, by=request.user)
    except AlreadyDone:
        messages.info(request, "Un créneau est déjà retenu pour ce sondage.")
    except CaseError as exc:
        messages.error(request, exc.message)
        return redirect(_meetings_anchor(poll.case_id, f"sondage-{poll.pk}"))
    else:
        messages.success(
            request,
            "Le créneau est retenu : la réunion est planifiée et les participants reçoivent "
            "l'invitation par courriel.",
        )
    return redirect(_meetings_anchor(poll.case_id))


@login_not_required
@private_page
@require_http_methods(["GET", "POST"])
def poll_answer_link(request, token):
    """The signed link of the poll email: one invitee answers without signing in (the
    link is the proof that they received the email). It names one person and one poll,
    and expires."""
    try:
        poll, email = services.read_poll_answer_token(token)
    except services.InvalidPollLink:
        return render(request, "meetings/poll_link.html", {"invalid": True}, status=404)
    slots = list(poll.slots.all())
    current = {a.slot_id: a.answer for a in poll.answers.filter(email=email)}
    form = forms.PollAnswerForm(
        request.POST or None, poll=poll, slots=slots, current=current, auto_id="id_%s"
    )
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            services.poll_answer(poll=poll, answers=form.answers(), email=email)
        except NotPermitted:
            return render(request, "meetings/poll_link.html", {"invalid": True}, status=404)
        except CaseError as exc:
            attach_errors(form, exc)
        else:
            saved = True
    context = {"poll": poll, "form": form, "saved": saved, "closed": not poll.is_open}
    return render(request, "meetings/poll_link.html", context)
