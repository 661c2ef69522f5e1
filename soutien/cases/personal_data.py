"""Right of access (RGPD): everything a person wrote or did on the cases.

Read by ``soutien.security.services.personal_data_export``; each section is a list of
plain values (JSON-ready), oldest first. Only what the person wrote or did is given:
someone else's messages, notes or opinions never appear here.
"""

from soutien.cases.models import (
    Action,
    ActionNote,
    Case,
    CaseEvent,
    Decision,
    InformationForm,
    Meeting,
    Message,
    Opinion,
    ReportVersion,
    Satisfaction,
)


def _when(value):
    return value.isoformat() if value else None


def personal_data_in_cases(user) -> dict[str, list[dict]]:
    """The person's writings and acts on cases, section by section."""
    return {
        "cases_created": [
            {
                "case": case.display_number,
                "centre": case.centre.name,
                "date": _when(case.created_at),
            }
            for case in Case.objects.filter(created_by=user)
            .select_related("centre")
            .order_by("created_at", "pk")
        ],
        "information_forms": [
            {
                "case": form.case.display_number,
                "date": _when(form.updated_at),
                "requester_name": form.requester_name,
                "requester_function": form.requester_function,
                "requester_phone": form.requester_phone,
                "requester_email": form.requester_email,
                "warning_signs_other": form.warning_signs_other,
                "description": form.description,
                "previous_attempts": form.previous_attempts,
                "expectations": form.expectations,
                "availability": form.availability,
            }
            for form in InformationForm.objects.filter(updated_by=user)
            .select_related("case")
            .order_by("updated_at", "pk")
        ],
        "messages": [
            {
                "case": message.case.display_number,
                "channel": message.get_channel_display(),
                "date": _when(message.created_at),
                "text": message.body,
            }
            for message in Message.objects.filter(author=user)
            .select_related("case")
            .order_by("created_at", "pk")
        ],
        "events": [
            {
                "case": event.case.display_number,
                "date": _when(event.created_at),
                "label": event.label,
                "comment": event.comment,
            }
            for event in CaseEvent.objects.filter(actor=user)
            .select_related("case")
            .order_by("created_at", "pk")
        ],
        "opinions": [
            {
                "case": opinion.case.display_number,
                "partner": opinion.partner.name,
                "opinion": opinion.get_value_display(),
                "comment": opinion.comment,
                "date": _when(opinion.given_at),
            }
            for opinion in Opinion.objects.filter(given_by=user)
            .select_related("case", "partner")
            .order_by("given_at", "pk")
        ],
        "decisions": [
            {
                "case": decision.case.display_number,
                "decision": decision.get_outcome_display(),
                "grounds": decision.grounds,
                "justification": decision.justification,
                "date": _when(decision.decided_at),
            }
            for decision in Decision.objects.filter(decided_by=user)
            .select_related("case")
            .order_by("decided_at", "pk")
        ],
        "reports_written": [
            {
                "case": version.case.display_number,
                "version": version.number,
                "status": version.get_status_display(),
                "context": version.context,
                "analysis": version.analysis,
                "recommendations": version.recommendations,
                "summary": version.summary,
                "date": _when(version.updated_at),
            }
            for version in ReportVersion.objects.filter(author=user)
            .select_related("case")
            .order_by("created_at", "pk")
        ],
        "reviews": [
            {
                "case": version.case.display_number,
                "version": version.number,
                "status": version.get_status_display(),
                "comment": version.manager_comment,
                "date": _when(version.reviewed_at),
            }
            for version in ReportVersion.objects.filter(reviewed_by=user)
            .select_related("case")
            .order_by("reviewed_at", "pk")
        ],
        "meetings_recorded": [
            {
                "case": meeting.case.display_number,
                "meeting": meeting.get_kind_display(),
                "date": _when(meeting.starts_at),
                "place": meeting.place,
                "agenda": meeting.agenda,
                "attendees": meeting.attendees_text,
                "external_guests": meeting.external_emails,
                "summary": meeting.summary,
            }
            for meeting in Meeting.objects.filter(created_by=user)
            .select_related("case")
            .order_by("starts_at", "pk")
        ],
        "meetings_attended": [
            {
                "case": meeting.case.display_number,
                "meeting": meeting.get_kind_display(),
                "date": _when(meeting.starts_at),
            }
            for meeting in Meeting.objects.filter(attendees=user)
            .select_related("case")
            .order_by("starts_at", "pk")
        ],
        "actions": [
            {
                "case": action.case.display_number,
                "action": action.title,
                "description": action.description,
                "owner": action.owner,
                "due_date": _when(action.due_date),
                "status": action.get_status_display(),
            }
            for action in Action.objects.filter(created_by=user)
            .select_related("case")
            .order_by("created_at", "pk")
        ],
        "action_notes": [
            {
                "case": note.action.case.display_number,
                "action": note.action.title,
                "date": _when(note.created_at),
                "text": note.text,
            }
            for note in ActionNote.objects.filter(author=user)
            .select_related("action__case")
            .order_by("created_at", "pk")
        ],
        "satisfaction_answers": [
            {
                "case": answer.case.display_number,
                "usefulness": answer.usefulness,
                "listening": answer.listening,
                "ownership": answer.ownership,
                "would_recommend": answer.would_recommend,
                "comment": answer.comment,
                "date": _when(answer.answered_at),
            }
            for answer in Satisfaction.objects.filter(answered_by=user)
            .select_related("case")
            .order_by("answered_at", "pk")
        ],
    }
