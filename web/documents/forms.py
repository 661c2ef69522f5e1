"""Forms of the documents screens, and a file field the other screens can reuse."""

from django import forms

from soutien.documents.validation import ACCEPT_ATTRIBUTE, validate_upload
from web.forms import DateTimeField, StyledFormMixin


class AttachmentField(forms.FileField):
    """A file field checked by content (type, size, name) with French errors.

    Use it in any form that takes an attachment: an invalid file shows its error beside
    the field and the rest of the form keeps what was typed.
    """

    default_validators = [validate_upload]

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Pièce jointe")
        kwargs.setdefault(
            "help_text", "PDF, ODT, ODS, DOCX, XLSX, PNG ou JPEG ; 20\u00a0Mo au maximum."
        )
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ACCEPT_ATTRIBUTE)


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

    def __init__(self, *args, instance_meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = instance_meeting

    # A refused change comes back to the case page (where the form lives) through the
    # session: what was typed and the service's message, shown beside the fields.
    SESSION_KEY = "soutien:meeting-change"

    def keep_in_session(self, request, meeting_pk: int, service_error=None) -> None:
        data = {name: self.data.get(name, "") for name in self.fields if name in self.data}
        error = None
        if service_error is not None:
            error = {"field": service_error.field, "message": service_error.message}
        request.session[self.SESSION_KEY] = {
            "meeting": meeting_pk,
            "data": data,
            "error": error,
        }

    @classmethod
    def from_session(cls, request, meeting, **kwargs) -> "MeetingChangeForm | None":
        """The refused form for this meeting, bound again with its errors (once)."""
        kept = request.session.get(cls.SESSION_KEY)
        if not kept or kept.get("meeting") != meeting.pk:
            return None
        del request.session[cls.SESSION_KEY]
        form = cls(kept["data"], instance_meeting=meeting, **kwargs)
        if form.is_valid() and kept.get("error"):
            error = kept["error"]
            field = error["field"] if error["field"] in form.fields else None
            form.add_error(field, error["message"])
        return form

    def changes(self) -> dict:
        sent = set(self.data.keys())
        values = {}
        for name in self.fields:
            if name in sent and not (name == "starts_at" and self.cleaned_data[name] is None):
                values[name] = self.cleaned_data[name]
        return values
