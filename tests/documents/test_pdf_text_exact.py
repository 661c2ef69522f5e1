"""The text of every generated PDF is exactly what was typed (issue #12, point 2).

The French typography only adds (no-break) spaces; nothing else may change: no « & ; »
for « & », no entity, no hyphen the person did not type. Each property draws texts full
of the characters that broke before (& < > " « » ; : ! ? and line breaks), puts one in a
field of the fiche, of the report and of the restitution, renders the PDF and reads its
text back between the two headings that surround the field.
"""

import io
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from soutien.cases import services as case_services
from soutien.cases.enums import MeetingKind, ReportStatus, Stage
from soutien.documents import pdf
from soutien.documents.templatetags.documents_tags import typo_fr
from tests.builders import case_at

pytestmark = pytest.mark.django_db

# WeasyPrint takes about 0.1 s a page once warm: a few examples per document are enough.
PDF_EXAMPLES = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What people type in these forms: French letters, digits, the punctuation French
# typography touches, the characters HTML escapes, and line breaks. (Characters the
# PDF font has no glyph for cannot come back from any PDF and are left out.)
ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "éèêëàâäîïôöùûüçÉÈÀÇœŒæ"
    "&<>\"'«»;:!?.,()[]/%€@#*+=-_’…"
)
LINE = st.text(alphabet=st.sampled_from(ALPHABET + "  "), min_size=1, max_size=60)
# A few lines, so that the field stays on the first page (the page headers and footers
# would otherwise come between two lines of the extracted text).
TEXT = st.lists(LINE, min_size=1, max_size=4).map("\n".join).filter(lambda t: t.strip())

SPACES = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """The text without any whitespace (typography adds no-break spaces, layout adds line
    breaks) and in compatibility form (a PDF reader may give « ﬁ » for « fi »)."""
    return SPACES.sub("", unicodedata.normalize("NFKC", text))


def between(content: bytes, start: str, end: str) -> str:
    """The text of the PDF between two headings (the first `start`, the last `end`, so
    that a typed text containing a heading cannot fool the extraction)."""
    reader = PdfReader(io.BytesIO(content))
    text = squeeze("".join(page.extract_text() for page in reader.pages))
    begin = text.index(squeeze(start)) + len(squeeze(start))
    return text[begin : text.rindex(squeeze(end))]


@pytest.fixture
def support_case(reference):
    case, cast = case_at(Stage.SUPPORT)
    # An action, so that the restitution minutes have a heading after the summary.
    case_services.action_add(
        case=case, by=cast.consultant, title="Budget prévisionnel", owner="La trésorière"
    )
    case.cast = cast  # the manager reads every part of these PDFs
    return case


@PDF_EXAMPLES
@given(text=TEXT)
@example(text='Cabinet Singuliers & Co : « diagnostic » <urgent> ; "fin" ?\n2ᵉ ligne !')
def test_the_fiche_pdf_shows_the_description_as_typed(support_case, text):
    form = support_case.form
    form.description = text
    form.save(update_fields=["description"])

    content = pdf.render_form_pdf(support_case)

    shown = between(content, "Description de la situation", "Ce qui a déjà été tenté")
    assert shown == squeeze(text)


@PDF_EXAMPLES
@given(text=TEXT)
@example(text='Singuliers & Co\n<b>gras</b> & « guillemets » ; "citation"')
def test_the_report_pdf_shows_the_analysis_as_typed(support_case, text):
    version = support_case.report_versions.get(status=ReportStatus.VALIDATED)
    version.analysis = text
    version.save(update_fields=["analysis"])
    version.case = support_case

    content = pdf.render_report_pdf(version, viewer=support_case.cast.board_member)

    shown = between(content, "Analyse", "Préconisations")
    assert shown == squeeze(text)


@PDF_EXAMPLES
@given(text=TEXT)
@example(text="Présentation à l'équipe & au bureau : « bilan » > prévisions ; <fin>")
def test_the_restitution_pdf_shows_the_summary_as_typed(support_case, text):
    meeting = support_case.meetings.get(kind=MeetingKind.RESTITUTION)
    meeting.summary = text
    meeting.save(update_fields=["summary"])

    content = pdf.render_restitution_pdf(meeting, viewer=support_case.cast.board_member)

    shown = between(content, "Synthèse de la restitution", "Plan d'actions")
    assert shown == squeeze(text)


def test_the_filter_escapes_after_the_typography():
    assert typo_fr("Singuliers & Co ; <b>« oui »</b>") == (
        "Singuliers &amp; Co\u202f; &lt;b&gt;«\u00a0oui\u00a0»&lt;/b&gt;"
    )
    assert typo_fr('Il a dit "non" !\nFin') == "Il a dit &quot;non&quot;\u202f!<br>Fin"
