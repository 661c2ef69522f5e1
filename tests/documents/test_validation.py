"""Files are recognised by their content, never by their name."""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from soutien.documents.validation import Rejected, check_upload, sanitise_name, size_fr
from tests.documents.samples import BAD, GOOD, pdf_bytes


@pytest.mark.parametrize("name", sorted(GOOD))
def test_each_accepted_type_is_recognised_by_its_content(name):
    factory, mimetype = GOOD[name]
    checked, data = check_upload(SimpleUploadedFile(name, factory()))
    assert checked.mimetype == mimetype
    assert checked.size == len(data)
    assert len(checked.sha256) == 64


@pytest.mark.parametrize("name", sorted(GOOD))
def test_the_type_does_not_depend_on_the_extension(name):
    factory, mimetype = GOOD[name]
    checked, _ = check_upload(SimpleUploadedFile("sans-extension.exe", factory()))
    assert checked.mimetype == mimetype
    assert not checked.name.endswith(".exe")


def test_the_corpus_of_bad_files_has_at_least_ten_cases():
    assert len(BAD) >= 10


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_files_are_rejected_with_a_french_message(case):
    name, factory, expected = BAD[case]
    with pytest.raises(Rejected) as error:
        check_upload(_upload(name, factory()))
    assert expected.lower() in error.value.message.lower()


def _upload(name, data):
    # SimpleUploadedFile would not keep a name with a slash or a NUL: mimic the raw upload.
    import io

    stream = io.BytesIO(data)
    return SimpleNamespace(name=name, size=len(data), read=stream.read, seek=stream.seek)


def test_oversize_is_rejected_before_reading(settings):
    settings.SOUTIEN_MAX_UPLOAD_BYTES = 20 * 1024 * 1024

    def read(*args):
        raise AssertionError("an oversize file is refused by its size, unread")

    upload = SimpleNamespace(name="gros.pdf", size=int(23.4 * 1024 * 1024), read=read)
    with pytest.raises(Rejected) as error:
        check_upload(upload)
    assert error.value.message == "Ce fichier pèse 23,4\u00a0Mo : la limite est de 20\u00a0Mo."


def test_a_file_just_over_the_limit_is_not_said_to_weigh_the_limit(settings):
    settings.SOUTIEN_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    upload = SimpleNamespace(name="gros.pdf", size=20 * 1024 * 1024 + 1, read=None)
    with pytest.raises(Rejected) as error:
        check_upload(upload)
    assert error.value.message == (
        "Ce fichier pèse un peu plus de 20\u00a0Mo : la limite est de 20\u00a0Mo."
    )


def test_a_file_lying_about_its_size_is_still_cut_at_the_limit(settings):
    settings.SOUTIEN_MAX_UPLOAD_BYTES = 1000
    upload = _upload("gros.pdf", b"%PDF-1.7" + b"\n" * 3064)
    upload.size = 10
    with pytest.raises(Rejected) as error:
        check_upload(upload)
    assert error.value.message == (
        "Ce fichier pèse 3\u00a0ko : la limite est de 1\u202f000\u00a0octets."
    )


@pytest.mark.parametrize(
    "size, expected",
    [
        (0, "0\u00a0octet"),
        (1, "1\u00a0octet"),
        (999, "999\u00a0octets"),
        (1000, "1\u202f000\u00a0octets"),
        (1536, "1,5\u00a0ko"),
        (350 * 1024, "350\u00a0ko"),
        (int(23.4 * 1024 * 1024), "23,4\u00a0Mo"),
        (20 * 1024 * 1024, "20\u00a0Mo"),
    ],
)
def test_sizes_are_written_the_french_way(size, expected):
    assert size_fr(size) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ('rapport "final".pdf', "rapport final.pdf"),
        ("l'avenir du centre.pdf", "l\u2019avenir du centre.pdf"),
        ("<img src=x onerror=alert(1)>.pdf", "img srcx onerroralert(1).pdf"),
        ("...", "document.pdf"),
        ("note.exe", "note.pdf"),
        ("  bilan\t2025 .pdf ", "bilan 2025.pdf"),
    ],
)
def test_names_are_sanitised_and_get_the_extension_of_the_real_type(raw, expected):
    assert sanitise_name(raw, "application/pdf") == expected


def test_a_name_is_cut_to_a_reasonable_length():
    assert len(sanitise_name("a" * 500 + ".pdf", "application/pdf")) <= 160


def test_attachment_field_keeps_the_rest_of_the_form():
    from django import forms

    from web.documents.forms import AttachmentField

    class MessageForm(forms.Form):
        body = forms.CharField()
        file = AttachmentField(required=False)

    form = MessageForm(
        data={"body": "Voici la pièce."},
        files={"file": SimpleUploadedFile("rapport.pdf", b"<html></html>")},
    )
    assert not form.is_valid()
    assert "type accepté" in form.errors["file"][0]
    assert form.cleaned_data["body"] == "Voici la pièce."
    good = MessageForm(data={"body": "x"}, files={"file": SimpleUploadedFile("r.pdf", pdf_bytes())})
    assert good.is_valid()
    assert good.cleaned_data["file"].read() == pdf_bytes()
