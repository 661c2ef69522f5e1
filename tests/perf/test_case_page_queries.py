"""Issue #15, point 6: the case page reads a small number of queries, the same for each
role whatever the number of cases and whatever the case holds (messages with their
attachments, documents): every attachments panel of the page shares one query.

Counted: the statements sent to the database, savepoints aside (the test's transaction
makes each ``atomic`` block a savepoint; in production they are not sent). Of them,
seven are the same on every private page or every case view: the session, the user, the
second factor, the memberships, the case itself and the audit entry (lock the case's
chain, insert, move its head).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from soutien.cases.enums import Channel, Stage
from soutien.documents import services as document_services
from tests.documents.samples import pdf_bytes
from tests.perf.test_query_counts import (
    BATCH,
    FEDERATION,
    FEDERATION_BATCH,
    OUT_OF_SCOPE,
    ROLES,
    add_batch,
    assert_constant,
    clients,
    demo_casts,
)

pytestmark = pytest.mark.django_db

# The most any role reads on the case page (the case's manager, who also sees who to
# contact): 26 with the visit mark, the attached self-check, the follow-up panel and the
# Caf's opinion; it was 27 before the page was bounded, and grew with each message or
# document. The aim is 15 (docs/performance-list.md): not reached yet.
CASE_PAGE_MAX = 26


def statements(client, url) -> tuple[int, int]:
    client.get(url)  # warm-up: per-session work done once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    sent = [q for q in queries if "SAVEPOINT" not in q["sql"]]
    return response.status_code, len(sent)


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def test_case_page_reads_few_queries_whatever_the_case_holds(demo):
    casts = demo_casts()
    association, federation = casts
    first = add_batch(casts)
    shown = first[BATCH.index(Stage.SUPPORT)]
    shown_to_federation = first[len(BATCH) + FEDERATION_BATCH.index(Stage.DIAGNOSTIC)]

    def url_for(email):
        case = shown_to_federation if email == FEDERATION else shown
        return reverse("cases:detail", args=[case.pk])

    logged_in = clients()
    small = {email: statements(client, url_for(email)) for email, client in logged_in.items()}
    add_batch(casts)
    for case, cast in ((shown, association), (shown_to_federation, federation)):
        for n in range(2):
            document_services.message_post_with_files(
                case=case,
                by=cast.coordinator,
                channel=Channel.MESSAGE,
                body=f"Message {n}, avec sa pièce jointe.",
                files=[pdf(f"piece-{n}.pdf")],
            )
            document_services.document_upload(
                case=case, by=cast.board_member, attach_to="case", uploaded=pdf(f"doc-{n}.pdf")
            )
    large = {email: statements(client, url_for(email)) for email, client in logged_in.items()}
    assert_constant("Page d'un dossier", small, large)
    statuses = {email: status for email, (status, _) in large.items()}
    out = OUT_OF_SCOPE["Page d'un dossier"]
    assert statuses == {email: 404 if email in out else 200 for email in ROLES}
    too_many = {email: n for email, (_, n) in large.items() if n > CASE_PAGE_MAX}
    assert not too_many, f"Page d'un dossier : plus de {CASE_PAGE_MAX} requêtes : {too_many}"
