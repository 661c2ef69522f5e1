"""No active content gets through the upload filter (issue #11, point 5).

Each hostile sample of `samples.HOSTILE` is built in memory the way an attacker writes
it, and must be refused with its own French message; the legitimate documents of
`samples.LEGITIMATE` (and the platform's own PDFs) must keep passing.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from soutien.documents import validation
from soutien.documents.validation import Rejected, check_upload
from tests.documents import samples
from tests.documents.samples import HOSTILE, LEGITIMATE


def _refusal(name: str, data: bytes) -> str:
    with pytest.raises(Rejected) as error:
        check_upload(SimpleUploadedFile(name, data))
    return error.value.message


def test_the_hostile_corpus_has_at_least_thirty_samples():
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_each_hostile_sample_is_refused_with_a_french_message_naming_the_reason(case):
    name, factory, message = HOSTILE[case]
    assert _refusal(name, factory()) == message


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_sample_is_refused_whatever_its_name(case):
    _, factory, message = HOSTILE[case]
    assert _refusal("document.bin", factory()) == message


@pytest.mark.parametrize("case", sorted(LEGITIMATE))
def test_legitimate_documents_still_pass(case):
    factory, mimetype = LEGITIMATE[case]
    checked, _ = check_upload(SimpleUploadedFile("piece", factory()))
    assert checked.mimetype == mimetype


def test_the_hostile_samples_differ_from_their_clean_base_only_by_the_attack():
    """The clean bases of the corpus pass: each refusal is due to the attack alone."""
    for data, mimetype in [
        (samples.pdf_bytes(), "application/pdf"),
        (samples.odt_with(), "application/vnd.oasis.opendocument.text"),
        (samples.ods_with(""), "application/vnd.oasis.opendocument.spreadsheet"),
        (samples.docx_bytes(), samples.GOOD["statuts.docx"][1]),
        (samples.xlsx_bytes(), samples.GOOD["tresorerie.xlsx"][1]),
        (samples.png_bytes(), "image/png"),
        (samples.jpeg_bytes(), "image/jpeg"),
        (samples.pdf_incremental_update(script=False), "application/pdf"),
        (samples.raw_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>", **samples.PAGES}),
         "application/pdf"),
    ]:  # fmt: skip
        assert check_upload(SimpleUploadedFile("base", data))[0].mimetype == mimetype


def test_a_platform_pdf_made_by_weasyprint_passes():
    """The platform's own PDFs (tagged PDF/UA, links to the web, mail and anchors) pass."""
    from weasyprint import HTML

    from soutien.documents.pdf import PDF_OPTIONS

    html = (
        '<html lang="fr"><head><title>Rapport</title></head><body><h1 id="haut">Rapport</h1>'
        '<p><a href="https://www.caf.fr/">Caf</a>, <a href="mailto:mstr@example.org">écrire</a>,'
        ' <a href="#haut">haut de page</a>.</p><table><tr><th>Action</th></tr>'
        "<tr><td>Budget</td></tr></table></body></html>"
    )
    data = HTML(string=html).write_pdf(**PDF_OPTIONS)
    assert check_upload(SimpleUploadedFile("rapport.pdf", data))[0].mimetype == "application/pdf"


TOO_COMPLEX = (
    "Ce PDF est trop complexe pour être vérifié : enregistrez-le à nouveau "
    "(en l'optimisant) ou divisez-le."
)


def test_a_huge_object_graph_is_refused_past_the_bound(monkeypatch):
    data = samples.pdf_many_objects(300)
    assert check_upload(SimpleUploadedFile("a.pdf", data))[0].mimetype == "application/pdf"
    monkeypatch.setattr(validation, "MAX_PDF_NODES", 200)
    assert _refusal("a.pdf", data) == TOO_COMPLEX


def test_headers_nested_in_one_another_are_refused_not_parsed_for_minutes():
    """Attack found on this filter: each « 1 0 obj ( » parsed to the end of the file made
    the scan quadratic (80 ko took three minutes); the bytes parsed are now bounded."""
    assert _refusal("a.pdf", samples.pdf_nested_headers(8000)) == TOO_COMPLEX


def test_a_pdf_that_takes_too_long_to_check_is_refused(monkeypatch):
    monkeypatch.setattr(validation, "MAX_PDF_SECONDS", 0)
    assert _refusal("a.pdf", samples.pdf_bytes()) == TOO_COMPLEX


def test_deeply_nested_objects_are_refused_without_crashing():
    assert _refusal("a.pdf", samples.pdf_deep_nesting(20000)) == (
        "Ce PDF est illisible ou endommagé : enregistrez-le à nouveau."
    )


def test_embedded_packages_share_one_inflation_budget(settings):
    """Three small workbooks inflating 900 Kio each: alone each fits, together they do not."""
    settings.SOUTIEN_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
    inner = samples.xlsx_bytes(extra_entries=[("xl/media/fond.bin", b"\x00" * 900 * 1024)])
    assert check_upload(SimpleUploadedFile("a.xlsx", inner))[0].mimetype.endswith(".sheet")
    data = samples.docx_bytes(
        extra_entries=[(f"word/embeddings/Feuille{n}.xlsx", inner) for n in range(3)]
    )
    assert _refusal("a.docx", data) == (
        "Ce document contient un document incorporé refusé. "
        "Ce document compressé se décompresse en un volume démesuré : il est refusé."
    )
