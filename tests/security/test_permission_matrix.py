"""Permission matrix: every URL pattern × every role, against a table written here.

The expected answer of each cell is written below by hand, never computed by the code
under test. A URL pattern that appears in the project without a row here fails
``test_every_url_pattern_has_a_row``: adding a page means deciding who may see it.

Columns (``ROLES``): anonymous visitor, each demo account, and a user of an unrelated
organisation. Cells: an HTTP status, or ``LOG`` (redirect to the login page). Users
are signed in with the second factor passed (see tests/conftest.py).

Pages that need an object (a case at some stage, a document, a meeting…) are listed in
``OBJECT_ROWS_PENDING`` until their rows exist. For case pages, add rows to
``CASE_ROWS``: ``(pattern name, stage) -> expected statuses``, and build the case in
``case_url_kwargs`` (the case engineer's part, « en cours »).
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from soutien.accounts.models import User
from soutien.directory.demo import demo_accounts
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

LOG = "login"  # a 302 to the login page

ROLES = (
    "anonymous",
    "coordination@caf13.demo",
    "etat@partenaires.demo",
    "region@partenaires.demo",
    "departement@partenaires.demo",
    "marseille@partenaires.demo",
    "federation@federation.demo",
    "administrateur@centre.demo",
    "salarie@centre.demo",
    "consultant@prestataire.demo",
    "evaluation@partenaires.demo",
    "admin@soutien.demo",
    "unrelated",
)
# Column headings of the table below, in the order of ROLES: anon(ymous), coord(ination),
# the four funders, fed(eration), adm(inistrateur) b(énévole), sal(arié), cons(ultant),
# eval(uation), admin (superuser), unrel(ated organisation).

# Sample values for patterns whose arguments need no database object.
SAMPLE_KWARGS = {
    "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "mauvais-jeton"},
    "public:invitation": {"token": "jeton-inconnu"},
}

# fmt: off
TABLE = {
    #    anon coor etat reg  dep  mars fed  admb sal  cons eval admi unre
    "public:home":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "public:how_it_works":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "public:who_may_ask":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "public:funders":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "public:provider":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "public:contact":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "public:support":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "public:history":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "public:accessibility":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "public:legal_notice":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "public:privacy":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "public:ask_for_support":
        (200, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "public:blank_information_form":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "public:account_request":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "public:account_request_sent":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "public:invitation":
        (410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410),
    "public:robots":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "public:sitemap":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "public:manage":
        (LOG, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "public:account_requests":
        (LOG, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "public:manage_pages":
        (LOG, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200, 404),

    "accounts:login":
        (200, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "accounts:logout":
        (LOG, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "accounts:password_reset":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "accounts:password_reset_done":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "accounts:password_reset_confirm":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "accounts:password_reset_complete":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),

    "web:my_space":
        (LOG, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),

    "cases:list":
        (LOG, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 200),
    "cases:create":
        (LOG, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404, 200),
    "cases:targets":
        (LOG, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),

    "evaluation:index":
        (LOG, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404),
    "evaluation:export_csv":
        (LOG, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404),
    "evaluation:export_xlsx":
        (LOG, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404),
    "evaluation:annual_report":
        (LOG, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404),
    "evaluation:case_dataset":
        (LOG, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "evaluation:map":
        (LOG, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404),
    "evaluation:map_data":
        (LOG, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404),
    "evaluation:communes_geojson":
        (LOG, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404),

    "security:index":
        (LOG, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "security:two_factor_setup":
        (LOG, 302, 302, 302, 302, 302, 200, 200, 200, 302, 200, 302, 200),
    "security:two_factor_verify":
        (LOG, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "security:recovery_codes":
        (LOG, 200, 200, 200, 200, 200, 302, 302, 302, 200, 302, 200, 302),
    "security:audit_log":
        (LOG, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403),
    "security:personal_data":
        (LOG, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
}
# fmt: on

# Patterns that need an object; each must get rows (with the object built in the test)
# before it leaves this list. Owner in the comment.
OBJECT_ROWS_PENDING = {
    "public:account_request_detail",  # public site
    "public:account_request_approve",  # public site
    "public:account_request_refuse",  # public site
    "public:page_text_edit",  # public site
    "cases:detail",  # case workflow
    "cases:form",  # case workflow
    "cases:transition",  # case workflow
    "cases:opinion",  # case workflow
    "cases:decision",  # case workflow
    "cases:meeting_create",  # case workflow
    "cases:assign",  # case workflow
    "cases:findings",  # case workflow
    "cases:report",  # case workflow
    "cases:report_version",  # case workflow
    "cases:review",  # case workflow
    "cases:restitution",  # case workflow
    "cases:action_create",  # case workflow
    "cases:action_update",  # case workflow
    "cases:close",  # case workflow
    "cases:satisfaction",  # case workflow
    "cases:message",  # case workflow
    "documents:upload",  # case workflow (documents)
    "documents:download",  # case workflow (documents)
    "documents:delete",  # case workflow (documents)
    "documents:form_pdf",  # case workflow (documents)
    "documents:report_pdf",  # case workflow (documents)
    "documents:restitution_pdf",  # case workflow (documents)
    "documents:meeting_ics",  # case workflow (documents)
    "documents:meeting_invite",  # case workflow (documents)
    "documents:meeting_reschedule",  # case workflow (documents)
    "documents:meeting_cancel",  # case workflow (documents)
}

# (pattern name, case stage) -> expected statuses per role, filled by the case workflow.
CASE_ROWS: dict[tuple[str, str], tuple] = {}


def all_url_patterns() -> list[tuple[str, URLPattern]]:
    """Every URL pattern of the project (admin excluded: Django's own, staff only),
    as (namespaced name, pattern)."""
    found = []

    def walk(patterns, namespace, prefix):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if route.startswith("admin/"):
                    continue
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, inner, route)
            else:
                name = entry.name or f"<sans nom> {route}"
                found.append((f"{namespace}:{name}" if namespace else name, entry))

    walk(get_resolver().url_patterns, "", "")
    return found


def sample_url(name: str, pattern: URLPattern) -> str | None:
    """The URL to request for a pattern, or None if it needs database objects."""
    if not pattern.pattern.converters:
        return reverse(name)
    if name in SAMPLE_KWARGS:
        return reverse(name, kwargs=SAMPLE_KWARGS[name])
    return None


def test_every_url_pattern_has_a_row():
    names = [name for name, _ in all_url_patterns()]
    covered = set(TABLE) | set(OBJECT_ROWS_PENDING) | {name for name, _ in CASE_ROWS}
    assert [name for name in names if name not in covered] == []
    assert sorted(set(TABLE) - set(names)) == [], "rows for patterns that no longer exist"
    assert not set(TABLE) & set(OBJECT_ROWS_PENDING)


def test_table_rows_have_one_cell_per_role():
    for name, cells in TABLE.items():
        assert len(cells) == len(ROLES), name


@pytest.fixture
def matrix_clients(demo, client_factory):
    """One signed-in client per column (second factor passed), anonymous included."""
    clients = {"anonymous": client_factory()}
    for account in demo_accounts():
        client = client_factory()
        client.force_login(User.objects.get(email=account.email))
        clients[account.email] = client
    unrelated = client_factory()
    unrelated.force_login(MembershipFactory(user__email="sans-lien@exemple.test").user)
    clients["unrelated"] = unrelated
    return clients


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


def observe(client, url: str):
    response = client.get(url)
    if response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")):
        return LOG
    return response.status_code


def test_matrix(matrix_clients):
    """Every cell of TABLE; all differences are reported at once."""
    patterns = dict(all_url_patterns())
    differences = {}
    for name, expected in TABLE.items():
        url = sample_url(name, patterns[name])
        assert url is not None, f"{name} needs objects: move it to OBJECT_ROWS_PENDING"
        observed = tuple(observe(matrix_clients[role], url) for role in ROLES)
        wrong = {
            role: f"attendu {want}, obtenu {got}"
            for role, want, got in zip(ROLES, expected, observed, strict=True)
            if want != got
        }
        if wrong:
            differences[f"{name} {url}"] = wrong
    assert differences == {}
