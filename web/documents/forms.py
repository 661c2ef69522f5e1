"""Forms of the documents screens, and a file field the other screens can reuse."""

from django import forms

from soutien.documents.validation import ACCEPT_ATTRIBUTE, validate_upload


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
