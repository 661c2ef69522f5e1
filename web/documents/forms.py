"""Forms of the documents screens, and a file field the other screens can reuse."""

from django import forms

from soutien.documents.validation import ACCEPT_ATTRIBUTE, validate_upload
from web.forms import StyledFormMixin


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

    starts_at = forms.DateTimeField(
        label="Date et heure",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
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

    def changes(self) -> dict:
        sent = set(self.data.keys())
        values = {}
        for name in self.fields:
            if name in sent and not (name == "starts_at" and self.cleaned_data[name] is None):
                values[name] = self.cleaned_data[name]
        return values
