"""Forms of the meeting screens: plan or record a meeting, change it, propose a date poll,
answer it."""

from django import forms
from django.utils import timezone

from soutien.core.french import date_fr
from soutien.meetings.models import Answer
from soutien.meetings.services import POLL_MAX_SLOTS
from web.cases.forms import (
    AttendeesField,
    ExternalEmailsField,
    MeetingDetailsForm,
    _datetime,
    _text,
)
from web.forms import DateTimeField, StyledFormMixin


class MeetingForm(MeetingDetailsForm):
    PLAN = "plan"
    RECORD = "record"

    mode = forms.ChoiceField(
        label="Que voulez-vous faire ?",
        choices=[
            (PLAN, "Planifier et envoyer les invitations"),
            (RECORD, "Consigner une réunion passée"),
        ],
        required=False,
        initial=PLAN,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        help_text="Une réunion planifiée est envoyée par courriel à chaque participant, "
        "avec une invitation pour son agenda.",
    )

    field_order = ["mode"]

    def __init__(self, *args, plan_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_only = plan_only
        if plan_only:
            self.fields["mode"].choices = self.fields["mode"].choices[:1]
            self.fields["mode"].widget = forms.HiddenInput()
            for name in ("attendees_text", "summary"):
                del self.fields[name]

    def clean_mode(self):
        if self.plan_only:
            return self.PLAN
        # Older clients post no choice: they record a meeting that took place.
        return self.cleaned_data.get("mode") or self.RECORD

    @property
    def plans(self) -> bool:
        return self.cleaned_data.get("mode") == self.PLAN

    def clean(self):
        data = super().clean()
        starts_at = data.get("starts_at")
        if data.get("mode") == self.PLAN and starts_at and starts_at <= timezone.now():
            self.add_error(
                "starts_at",
                "Cette date est passée : choisissez une date à venir pour planifier la "
                "réunion, ou choisissez « Consigner une réunion passée ».",
            )
        return data


class MeetingChangeForm(StyledFormMixin, forms.Form):
    """Change a planned meeting; only the fields sent are changed."""

    starts_at = DateTimeField(
        label="Date et heure",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = DateTimeField(
        label="Fin",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label="Lieu", required=False, max_length=255)
    video_link = forms.URLField(label="Lien de visioconférence", required=False)
    agenda = forms.CharField(label="Ordre du jour", required=False, widget=forms.Textarea)
    external_emails = forms.CharField(
        label="Invités extérieurs (adresses électroniques)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, meeting=None, **kwargs):
        kwargs.setdefault("auto_id", f"id_meeting{meeting.pk}_%s" if meeting else "id_%s")
        if meeting is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {
                "starts_at": timezone.localtime(meeting.starts_at),
                "ends_at": meeting.ends_at and timezone.localtime(meeting.ends_at),
                "place": meeting.place,
                "video_link": meeting.video_link,
                "agenda": meeting.agenda,
                "external_emails": meeting.external_emails,
            }
        super().__init__(*args, **kwargs)
        self.meeting = meeting

    def changes(self) -> dict:
        sent = set(self.data.keys())
        values = {}
        for name in self.fields:
            if name in sent and not (name == "starts_at" and self.cleaned_data[name] is None):
                values[name] = self.cleaned_data[name]
        return values


class PollForm(StyledFormMixin, forms.Form):
    """Propose 2 to 6 slots for a meeting with partners, and who is asked. The slots are
    checked by the service (poll_propose), whose message is shown above them."""

    place = forms.CharField(label="Lieu envisagé", max_length=255, required=False)
    video_link = forms.URLField(
        label="Lien de visioconférence",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Saisissez une adresse web valide (https://…)."},
    )
    agenda = _text("Ordre du jour", rows=3)
    attendees = AttendeesField(
        label="Personnes invitées ayant un compte sur la plateforme",
        help_text="Elles reçoivent le sondage par courriel et peuvent répondre depuis le dossier.",
    )
    external_emails = ExternalEmailsField()

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = candidates
        for number in range(1, POLL_MAX_SLOTS + 1):
            self.fields[f"slot_{number}_starts"] = _datetime(
                f"Créneau {number} : début", required=False
            )
            self.fields[f"slot_{number}_ends"] = _datetime(
                f"Créneau {number} : fin", required=False, help_text="Facultative."
            )

    def slot_rows(self):
        """The bound fields of each slot, for the template: [(start, end), …]."""
        return [
            (self[f"slot_{number}_starts"], self[f"slot_{number}_ends"])
            for number in range(1, POLL_MAX_SLOTS + 1)
        ]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "slots": [
                (data.get(f"slot_{number}_starts"), data.get(f"slot_{number}_ends"))
                for number in range(1, POLL_MAX_SLOTS + 1)
            ],
            "place": data["place"],
            "video_link": data["video_link"],
            "agenda": data["agenda"],
            "attendees": list(data.get("attendees") or []),
            "external_emails": data["external_emails"],
        }


class PollAnswerForm(StyledFormMixin, forms.Form):
    """One invitee's answer (yes / if needed / no) for each slot of a poll."""

    def __init__(self, *args, poll, slots, current=None, **kwargs):
        kwargs.setdefault("auto_id", f"id_poll{poll.pk}_%s")
        super().__init__(*args, **kwargs)
        current = current or {}
        for slot in slots:
            self.fields[f"slot_{slot.pk}"] = forms.ChoiceField(
                label=slot_label(slot),
                choices=Answer.choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                initial=current.get(slot.pk),
                error_messages={"required": "Choisissez une réponse pour ce créneau."},
            )
        self.slots = slots

    def answers(self) -> dict[int, str]:
        return {slot.pk: self.cleaned_data[f"slot_{slot.pk}"] for slot in self.slots}


def slot_label(slot) -> str:

    text = date_fr(slot.starts_at, with_time=True)
    if slot.ends_at:
        text += f" – {timezone.localtime(slot.ends_at):%H:%M}"
    return text[:1].upper() + text[1:]
