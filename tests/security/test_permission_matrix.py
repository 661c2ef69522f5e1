"""Permission matrix: every URL pattern × every role, against a table written here.

The expected answer of each cell is written below by hand, never computed by the code
under test. A URL pattern that appears in the project without a row here fails
``test_every_url_pattern_has_a_row``: adding a page means deciding who may see it.

Columns (``ROLES``): anonymous visitor, each demo account, and a user of an unrelated
organisation. Cells: an HTTP status, or ``LOG`` (redirect to the login page). Users
are signed in with the second factor passed (see tests/conftest.py).

Pages that need an object: the « Gestion du site » ones are in ``OBJECT_TABLE`` (same
columns); the case and document pages are in ``CASE_TABLES`` — one table per page, one
row per case stage, with their own columns (the people around one centre, see
``CASE_ROLES``); GET on POST-only case URLs is in ``POST_ONLY_TABLE``. What POSTs do for
those without the right is in tests/security/test_foreign_ids.py and test_post_refusals
below.
"""

from datetime import timedelta

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
    "profile:unsubscribe": {"token": "jeton-inconnu"},
    "meetings:poll_answer_link": {"token": "jeton-inconnu"},
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
    "public:accessibility_scheme":
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
    "selfcheck_manage:index":
        (LOG, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "selfcheck_manage:thresholds":
        (LOG, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),

    # The self-check: public, nothing stored; the result and its PDF are POST only
    # (GET on the result goes back to the questionnaire).
    "selfcheck:start":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "selfcheck:result":
        (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "selfcheck:result_pdf":
        (405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    # Saved self-checks: kept by a centre's manager (POST only), seen by the centre's
    # managers and employees only; never the Caf, partners, provider, evaluation, admin.
    "selfcheck:save":
        (LOG, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "selfcheck:saved_list":
        (LOG, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404, 200),

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

    "profile:index":
        (LOG, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "profile:password_change":
        (LOG, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "profile:notifications":
        (LOG, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # A one-click unsubscribe link works without signing in; a forged one is refused.
    "profile:unsubscribe":
        (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    # The poll's signed answer link: no sign-in, an unknown token opens nothing.
    "meetings:poll_answer_link":
        (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "help:index":
        (LOG, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "help:faq":
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),

    "cases:list":
        (LOG, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 200),
    "cases:commune_options":
        (LOG, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 200),
    "cases:export_csv":
        (LOG, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 200),
    "cases:export_xlsx":
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
        (LOG, 302, 302, 302, 302, 302, 302, 302, 302, 302, 200, 302, 302),
    "security:two_factor_verify":
        (LOG, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "security:recovery_codes":
        (LOG, 200, 200, 200, 200, 200, 200, 200, 200, 200, 302, 200, 200),
    "security:audit_log":
        (LOG, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403),
    "security:personal_data":
        (LOG, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "security:personal_data_page":
        (LOG, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
}
# fmt: on

# Patterns that need an object and have no rows yet (none left: keep it that way).
OBJECT_ROWS_PENDING: set[str] = set()

# The case and document pages are in CASE_ROWS, built from the tables further down;
# the « Gestion du site » pages that need an object are in OBJECT_TABLE.


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
    covered = (
        set(TABLE)
        | set(OBJECT_ROWS_PENDING)
        | set(OBJECT_TABLE)
        | {pattern_of(label) for label, _ in CASE_ROWS}
        | {pattern_of(label) for label in POST_ONLY_TABLE}
    )
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


@pytest.fixture
def cheap_blank_form(monkeypatch):
    """The blank information form is a public PDF (no permission involved) that takes
    seconds to draw: a stub keeps the matrix fast."""
    from web.public import views

    monkeypatch.setattr(views, "render_blank_information_form", lambda: b"%PDF-1.7")


@pytest.mark.parametrize("family", sorted({name.split(":")[0] for name in TABLE}))
def test_matrix(matrix_clients, cheap_blank_form, family):
    """Every cell of TABLE (one URL namespace per test, so that they run in parallel);
    all differences are reported at once."""
    patterns = dict(all_url_patterns())
    differences = {}
    for name, expected in TABLE.items():
        if name.split(":")[0] != family:
            continue
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


# --- Object pages of « Gestion du site » (demo columns, as TABLE) ----------------------
# An account request (pending) and an editable page text. Approve and refuse are
# POST only: the coordination gets 405 on GET, everybody else 404 (out of scope first).

# fmt: off
OBJECT_TABLE = {
    #    anon coor etat reg  dep  mars fed  admb sal  cons eval admi unre
    "public:account_request_detail":
        (LOG, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "public:account_request_approve":
        (LOG, 405, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "public:account_request_refuse":
        (LOG, 405, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "public:page_text_edit":
        (LOG, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200, 404),
    "selfcheck_manage:question_edit":
        (LOG, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    # A self-check saved for the demo centre of administrateur@centre.demo.
    "selfcheck:saved_detail":
        (LOG, 404, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404, 404),
}
# fmt: on


def object_urls() -> dict[str, str]:
    from soutien.accounts.models import AccountRequest
    from soutien.directory.models import Role
    from soutien.selfcheck.defaults import load_selfcheck_defaults
    from soutien.selfcheck.models import Question
    from soutien.selfcheck.selectors import centres_for_saving
    from soutien.selfcheck.services import saved_selfcheck_create

    load_selfcheck_defaults()
    board_member = User.objects.get(email="administrateur@centre.demo")
    saved = saved_selfcheck_create(
        centre=centres_for_saving(board_member).first(),
        by=board_member,
        answers={"tresorerie": "moins-de-2"},
    )

    account_request = AccountRequest.objects.create(
        first_name="Inès",
        last_name="Durand",
        email="ines.durand@exemple.test",
        organisation_name="Centre social La Treille (fictif)",
        role=Role.STAFF,
    )
    pk = {"pk": account_request.pk}
    return {
        "public:account_request_detail": reverse("public:account_request_detail", kwargs=pk),
        "public:account_request_approve": reverse("public:account_request_approve", kwargs=pk),
        "public:account_request_refuse": reverse("public:account_request_refuse", kwargs=pk),
        "public:page_text_edit": reverse("public:page_text_edit", kwargs={"slug": "accueil"}),
        "selfcheck:saved_detail": reverse("selfcheck:saved_detail", kwargs={"pk": saved.pk}),
        "selfcheck_manage:question_edit": reverse(
            "selfcheck_manage:question_edit", kwargs={"pk": Question.objects.first().pk}
        ),
    }


def test_object_pages_of_site_management(matrix_clients):
    urls = object_urls()
    assert set(urls) == set(OBJECT_TABLE)
    differences = {}
    for name, expected in OBJECT_TABLE.items():
        observed = tuple(observe(matrix_clients[role], urls[name]) for role in ROLES)
        wrong = {
            role: f"attendu {want}, obtenu {got}"
            for role, want, got in zip(ROLES, expected, observed, strict=True)
            if want != got
        }
        if wrong:
            differences[name] = wrong
    assert differences == {}


# --- Case and document pages: every role × every stage ---------------------------------
#
# Columns (``CASE_ROLES``): the people around one centre, built by tests/builders.py,
# standing for the demo roles, plus a superuser and two outsiders:
#   anon  anonymous visitor
#   admb  administrateur bénévole of the association that manages the centre (the
#         gestionnaire; a federation's salarié plays the same part for its centres)
#   sal   salarié of that association (the draft was written by the administrateur)
#   coor  coordination (Caf)
#   etat  partner of the State (concerned from the saisine on)
#   comm  partner of the centre's commune (Marseille, concerned)
#   autc  partner of another commune (never concerned)
#   cons  consultant of the provider (designated at the decision)
#   autr  another consultant of the same provider (not designated)
#   eval  instance d'évaluation
#   fed   salarié of a federation that manages other centres
#   admi  superuser (technical administration: no case rights)
#   unre  administrateur of an unrelated association
# Cells: 200; 302 = refused with the French message « Cette action n'est pas possible… »
# and sent back to the case page (the test checks where it goes); 404 = out of scope
# (the case's existence is not revealed); 405 = method refused; LOG = to the login page.
#
# Objects present at each stage (written as rows, since no service creates them at every
# stage): a form attachment by the administrateur; from « transmise » on, a private note
# of the coordination with an attachment; from the saisine on, its meeting (coordination);
# from the diagnostic on, an interview (consultant); once a report version exists, that
# version with an attachment (consultant); during the support and after, an action.

CASE_ROLES = (
    "anonymous",
    "board_member",
    "staff",
    "coordinator",
    "partner_state",
    "partner_commune",
    "partner_other_commune",
    "consultant",
    "other_consultant",
    "evaluator",
    "federation_other",
    "superuser",
    "outsider",
)

CASE_STAGES = (
    "draft",
    "draft_by_staff",  # a draft written by the salarié (he may hand it over)
    "submitted",
    "returned",
    "referral",
    "refused",
    "closed_without_follow_up",
    "diagnostic",
    "report_review",
    "restitution",
    "support",
    "closed",
)


def pattern_of(label: str) -> str:
    """``"cases:transition submit"`` → ``"cases:transition"``."""
    return label.split(" ")[0]


CASE_TABLES: dict[str, dict[str, tuple]] = {}

# fmt: off

# --- The case page and the information form
# The salarié of an associative centre gets the stage-only page (200) once the case is sent.
CASE_TABLES["cases:detail"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 200, 200, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 200, 200, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 200, 200, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "support":                  (LOG, 200, 200, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 200, 200, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:form"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 200, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}

# --- Simple transitions (confirmation page)
CASE_TABLES["cases:transition submit"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 200, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 200, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:transition hand_over"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:transition delete_draft"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:transition open_referral"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
# « Classer sans suite » from a transmitted fiche; during the saisine the coordination is
# sent to the decision form (DEC), where it is one of the outcomes.
DEC = "302→dossier/decision/"
CASE_TABLES["cases:transition close_without_follow_up"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, DEC, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:transition return_for_completion"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:transition withdraw"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 200, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 200, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 200, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:transition submit_report"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 200, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:transition validate_report"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 200, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}

# --- Saisine concertée
CASE_TABLES["cases:opinion"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    # The coordination gives the Caf's opinion (the Caf is one of the funders consulted).
    "referral":                 (LOG, 302, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:decision"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 200, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}

# --- Meetings (plan or record), by kind
CASE_TABLES["meetings:meeting_create referral"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 200, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["meetings:meeting_create interview"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 200, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 200, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["meetings:meeting_create partner_meeting"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 200, 302, 302, 404, 200, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 200, 302, 302, 404, 200, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["meetings:meeting_create support_session"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 200, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["meetings:meeting_create restitution"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 200, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
# Date polls: the coordination for the referral meeting and the meeting with the partners,
# the assigned consultant for the restitution, at the stage where that meeting is planned.
CASE_TABLES["meetings:poll_create referral"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 200, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["meetings:poll_create partner_meeting"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 200, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 200, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["meetings:poll_create restitution"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 200, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}


# --- Diagnostic and report
CASE_TABLES["cases:assign"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 200, 302, 302, 404, 200, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 200, 302, 302, 404, 200, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 200, 302, 302, 404, 200, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 200, 302, 302, 404, 200, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:findings"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 200, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 200, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:report"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 200, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 200, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 200, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 200, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 200, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "support":                  (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:report_version"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "report_review":            (LOG, 200, 404, 404, 404, 404, 404, 200, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "support":                  (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:review"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 200, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}

# --- Restitution, action plan, closure
CASE_TABLES["cases:restitution"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 200, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:action_create"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 200, 404, 302, 302, 302, 404, 200, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:action_update"] = {
    # The centre's employees keep their actions up to date (they see only the stage otherwise).
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "support":                  (LOG, 200, 200, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 302, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:close"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 200, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 200, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:satisfaction"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 404, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 404, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 200, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}

# --- Follow-up questionnaires after closure: the 6-month one sent (add_objects), the
# 12-month one not yet. Only the manager answers; the others who see the case are sent
# back to it with the French message.
CASE_TABLES["followup:answer 6"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "closed":                   (LOG, 200, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["followup:answer 12"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "closed":                   (LOG, 302, 404, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
# --- Action plan page, its PDF, the centre's decisions and statuses, support sessions
CASE_TABLES["cases:action_plan"] = {
    # Read by whoever follows the case, and by the centre's employees (stage only otherwise),
    # once the support has begun.
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 302, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 302, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 302, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 302, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 302, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 302, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 200, 200, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 200, 200, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:action_plan_pdf"] = {
    # The same readers as the page (one policy); elsewhere nothing to download.
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "support":                  (LOG, 200, 200, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 200, 200, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:support_session"] = {
    # The consultant logs the support sessions.
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 302, 302, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 302, 302, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 302, 302, 302, 302, 302, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 302, 302, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 302, 302, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 302, 302, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "support":                  (LOG, 302, 302, 302, 302, 302, 404, 200, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 302, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:action_decide"] = {
    # Only the centre's members decide on a proposed action (the consultant proposes).
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "support":                  (LOG, 200, 200, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 302, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}
CASE_TABLES["cases:action_status"] = {
    # Only the centre's members keep the statuses of the plan's actions.
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "support":                  (LOG, 200, 200, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 302, 302, 302, 302, 302, 404, 302, 404, 404, 404, 404, 404),
}

# --- Attachments: to the form (by the administrateur), to a private note of the coordination,
# to report version 1 (by the consultant)
CASE_TABLES["documents:download form"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 200, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 200, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 200, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 200, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 200, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "support":                  (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
}
CASE_TABLES["documents:download note"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "submitted":                (LOG, 404, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 404, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "support":                  (LOG, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
}
CASE_TABLES["documents:download report"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "report_review":            (LOG, 200, 404, 404, 404, 404, 404, 200, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "support":                  (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
}

# The decision letter (generated, written here as a row): read by those who see the
# decision on the case page, never the salarié (stage only) nor the evaluation.
CASE_TABLES["documents:download decision"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "refused":                  (LOG, 200, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "support":                  (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
}

# --- Generated PDFs and calendar files
CASE_TABLES["documents:form_pdf"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 200, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 200, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 200, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 200, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 200, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "support":                  (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
}
CASE_TABLES["documents:report_pdf"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "report_review":            (LOG, 200, 404, 404, 404, 404, 404, 200, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "support":                  (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 200, 404, 200, 200, 200, 404, 200, 404, 404, 404, 404, 404),
}
# The restitution minutes: as the restitution meeting on the case page (manager,
# coordination, provider; partners only if invited). Partners once got them here.
CASE_TABLES["documents:restitution_pdf"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "draft":                    (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "draft_by_staff":           (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":                (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "returned":                 (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "referral":                 (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "support":                  (LOG, 200, 404, 200, 404, 404, 404, 200, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 200, 404, 200, 404, 404, 404, 200, 404, 404, 404, 404, 404),
}
CASE_TABLES["meetings:meeting_ics referral"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "referral":                 (LOG, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "refused":                  (LOG, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "closed_without_follow_up": (LOG, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "diagnostic":               (LOG, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "support":                  (LOG, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
}
CASE_TABLES["meetings:meeting_ics interview"] = {
    #                            anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "diagnostic":               (LOG, 200, 404, 200, 404, 404, 404, 200, 404, 404, 404, 404, 404),
    "report_review":            (LOG, 200, 404, 200, 404, 404, 404, 200, 404, 404, 404, 404, 404),
    "restitution":              (LOG, 200, 404, 200, 404, 404, 404, 200, 404, 404, 404, 404, 404),
    "support":                  (LOG, 200, 404, 200, 404, 404, 404, 200, 404, 404, 404, 404, 404),
    "closed":                   (LOG, 200, 404, 200, 404, 404, 404, 200, 404, 404, 404, 404, 404),
}
# fmt: on

CASE_ROWS = {
    (label, stage): cells for label, table in CASE_TABLES.items() for stage, cells in table.items()
}

# GET on URLs that only accept POST: refused before anything is read (one stage is enough:
# the answer cannot depend on it). Their POST side is tested in test_post_refusals below.
# fmt: off
POST_ONLY_TABLE = {
    #    anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    "cases:message":
        (LOG, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "documents:upload":
        (LOG, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "documents:delete":
        (LOG, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "meetings:meeting_invite":
        (LOG, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "meetings:meeting_reschedule":
        (LOG, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "meetings:meeting_cancel":
        (LOG, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "meetings:poll_answer":
        (LOG, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "meetings:poll_pick":
        (LOG, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "selfcheck:attach":
        (LOG, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "selfcheck:detach":
        (LOG, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
}
# fmt: on


def test_case_tables_have_one_cell_per_role_and_known_stages():
    for (label, stage), cells in CASE_ROWS.items():
        assert len(cells) == len(CASE_ROLES), (label, stage)
        assert stage in CASE_STAGES, (label, stage)
    assert {stage for _, stage in CASE_ROWS} == set(CASE_STAGES)
    for label, cells in POST_ONLY_TABLE.items():
        assert len(cells) == len(CASE_ROLES), label


def case_people(cast) -> dict:
    """The column users for a cast (anonymous excluded)."""
    from soutien.directory.models import Role
    from tests.factories import OrganisationFactory, UserFactory

    people = {role: getattr(cast, role) for role in CASE_ROLES if hasattr(cast, role)}
    people["federation_other"] = MembershipFactory(
        organisation=OrganisationFactory(federation=True), role=Role.FEDERATION_STAFF
    ).user
    people["superuser"] = UserFactory(is_superuser=True, is_staff=True)
    return people


def case_clients(cast) -> dict:
    from django.test import Client

    clients = {"anonymous": Client()}
    for role, user in case_people(cast).items():
        client = Client()
        client.force_login(user)
        clients[role] = client
    return clients


def add_objects(case, cast) -> dict:
    """The representative objects of the stage (see the comment above CASE_ROLES)."""
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from soutien.cases.enums import Channel, MeetingKind, Stage
    from soutien.cases.models import Action, Meeting, Message
    from soutien.documents.models import AttachTo, Document
    from soutien.meetings.models import DatePoll

    def document(attach_to, by, **target):
        doc = Document(
            case=case,
            attach_to=attach_to,
            original_name=f"piece-{attach_to}.pdf",
            size=8,
            mimetype="application/pdf",
            sha256="0" * 64,
            uploaded_by=by,
            **target,
        )
        doc.file.save(doc.storage_name, ContentFile(b"%PDF-1.7"), save=False)
        doc.save()
        return doc

    objects = {"form_document": document(AttachTo.FORM, cast.board_member)}
    if case.stage != Stage.DRAFT:
        note = Message.objects.create(
            case=case, channel=Channel.PRIVATE_NOTE, author=cast.coordinator, body="Note."
        )
        objects["note_document"] = document(AttachTo.MESSAGE, cast.coordinator, message=note)
    if case.stage not in (Stage.DRAFT, Stage.SUBMITTED, Stage.RETURNED):
        objects["referral_meeting"] = Meeting.objects.create(
            case=case,
            kind=MeetingKind.REFERRAL,
            starts_at=timezone.now() + dt.timedelta(days=7),
            place="Caf, salle 2",
            created_by=cast.coordinator,
        )
        objects["poll"] = DatePoll.objects.create(
            case=case, kind=MeetingKind.REFERRAL, created_by=cast.coordinator
        )
        objects["poll"].attendees.set([cast.partner_state])
        for days in (5, 6):
            objects["poll"].slots.create(starts_at=timezone.now() + dt.timedelta(days=days))
    if case.consultant_id:
        objects["interview"] = Meeting.objects.create(
            case=case,
            kind=MeetingKind.INTERVIEW,
            starts_at=timezone.now() + dt.timedelta(days=3),
            place="Centre social",
            created_by=cast.consultant,
        )
    version = case.report_versions.order_by("number").first()
    if version is not None:
        objects["report_version"] = version
        objects["report_document"] = document(
            AttachTo.REPORT, cast.consultant, report_version=version
        )
    if case.stage in (Stage.SUPPORT, Stage.CLOSED):
        objects["action"] = Action.objects.create(
            case=case, title="Former le trésorier", owner="La trésorière", created_by=cast.staff
        )
        objects["proposed_action"] = Action.objects.create(
            case=case,
            title="Tenir un tableau de bord",
            status="proposed",
            origin="consultant",
            created_by=cast.consultant,
        )
    decision = getattr(case, "decision", None) if case.decided_at else None
    if decision is not None and decision.outcome in ("validated", "refused"):
        objects["decision_document"] = document(AttachTo.DECISION, None)
    if case.stage == Stage.CLOSED:
        from soutien.followup.models import FollowUp

        FollowUp.objects.filter(case=case, milestone=6).update(sent_at=timezone.now())
        objects["followups"] = (6, 12)
    return objects


TRANSITIONS = (
    "submit",
    "hand_over",
    "delete_draft",
    "open_referral",
    "return_for_completion",
    "withdraw",
    "close_without_follow_up",
    "submit_report",
    "validate_report",
)
MEETING_KINDS = ("referral", "interview", "partner_meeting", "support_session", "restitution")
POLL_KINDS = ("referral", "partner_meeting", "restitution")


def case_urls(case, objects) -> dict[str, str]:
    """label -> URL for every case and document page that exists at this stage."""
    pk = {"pk": case.pk}
    urls = {
        "cases:detail": reverse("cases:detail", kwargs=pk),
        "cases:form": reverse("cases:form", kwargs=pk),
    }
    for name in TRANSITIONS:
        urls[f"cases:transition {name}"] = reverse("cases:transition", kwargs={**pk, "name": name})
    urls["cases:opinion"] = reverse("cases:opinion", kwargs=pk)
    urls["cases:decision"] = reverse("cases:decision", kwargs=pk)
    for kind in MEETING_KINDS:
        urls[f"meetings:meeting_create {kind}"] = reverse(
            "meetings:meeting_create", kwargs={**pk, "kind": kind}
        )
    for name in ("assign", "findings", "report", "review", "restitution", "action_create"):
        urls[f"cases:{name}"] = reverse(f"cases:{name}", kwargs=pk)
    if "report_version" in objects:
        urls["cases:report_version"] = reverse("cases:report_version", kwargs={**pk, "number": 1})
    if "action" in objects:
        urls["cases:action_update"] = reverse(
            "cases:action_update", kwargs={**pk, "action_pk": objects["action"].pk}
        )
    urls["cases:action_plan"] = reverse("cases:action_plan", kwargs=pk)
    urls["cases:action_plan_pdf"] = reverse("cases:action_plan_pdf", kwargs=pk)
    urls["cases:support_session"] = reverse("cases:support_session", kwargs=pk)
    if "action" in objects:
        for name in ("action_decide", "action_status"):
            urls[f"cases:{name}"] = reverse(
                f"cases:{name}", kwargs={**pk, "action_pk": objects["action"].pk}
            )
    urls["cases:close"] = reverse("cases:close", kwargs=pk)
    urls["cases:satisfaction"] = reverse("cases:satisfaction", kwargs=pk)
    for key, label in (
        ("form_document", "form"),
        ("note_document", "note"),
        ("report_document", "report"),
        ("decision_document", "decision"),
    ):
        if key in objects:
            urls[f"documents:download {label}"] = reverse(
                "documents:download", kwargs={"uuid": objects[key].uuid}
            )
    for milestone in objects.get("followups", ()):
        urls[f"followup:answer {milestone}"] = reverse(
            "followup:answer", kwargs={**pk, "milestone": milestone}
        )
    urls["documents:form_pdf"] = reverse("documents:form_pdf", kwargs=pk)
    if "report_version" in objects:
        urls["documents:report_pdf"] = reverse("documents:report_pdf", kwargs={**pk, "number": 1})
    urls["documents:restitution_pdf"] = reverse("documents:restitution_pdf", kwargs=pk)
    for kind in POLL_KINDS:
        urls[f"meetings:poll_create {kind}"] = reverse(
            "meetings:poll_create", kwargs={**pk, "kind": kind}
        )
    for key in ("referral_meeting", "interview"):
        if key in objects:
            urls[f"meetings:meeting_ics {key.split('_')[0]}"] = reverse(
                "meetings:meeting_ics", kwargs={"pk": objects[key].pk}
            )
    return urls


def post_only_urls(case, objects) -> dict[str, str]:
    meeting = {"pk": objects["interview"].pk}
    poll = {"pk": objects["poll"].pk}
    document = {"uuid": objects["form_document"].uuid}
    return {
        "cases:message": reverse("cases:message", kwargs={"pk": case.pk}),
        "documents:upload": reverse("documents:upload", kwargs={"pk": case.pk}),
        "documents:delete": reverse("documents:delete", kwargs=document),
        "meetings:meeting_invite": reverse("meetings:meeting_invite", kwargs=meeting),
        "meetings:meeting_reschedule": reverse("meetings:meeting_reschedule", kwargs=meeting),
        "meetings:meeting_cancel": reverse("meetings:meeting_cancel", kwargs=meeting),
        "meetings:poll_answer": reverse("meetings:poll_answer", kwargs=poll),
        "meetings:poll_pick": reverse("meetings:poll_pick", kwargs=poll),
        "selfcheck:attach": reverse("selfcheck:attach", kwargs={"pk": case.pk}),
        "selfcheck:detach": reverse("selfcheck:detach", kwargs={"pk": case.pk}),
    }


@pytest.fixture
def cheap_pdfs(monkeypatch):
    """The generated PDFs are rendered after the permission check: a stub keeps the
    matrix fast without changing any answer."""
    from web.documents import views

    for name in (
        "render_form_pdf",
        "render_report_pdf",
        "render_restitution_pdf",
        "render_action_plan_pdf",
    ):
        monkeypatch.setattr(views.pdf, name, lambda *args, **kwargs: b"%PDF-1.7")


def observe_case(client, url: str, case_url: str):
    """A cell: LOG, a status, or ``302→<place>`` when a refusal goes anywhere but the case."""
    response = client.get(url)
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("accounts:login")):
            return LOG
        if location.split("#")[0] != case_url:
            # Another page of the same case reads the same whatever the case's number.
            return f"302→{location.replace(case_url, 'dossier/', 1)}"
    return response.status_code


def build_case(stage: str):
    from soutien.cases import services
    from tests.builders import case_at, make_cast

    if stage == "draft_by_staff":
        cast = make_cast()
        return services.case_create_draft(centre=cast.centre, by=cast.staff), cast
    return case_at(stage)


@pytest.mark.parametrize("stage", CASE_STAGES)
def test_case_matrix(reference, cheap_pdfs, stage):
    """Every case and document page at this stage, for every role, against CASE_TABLES."""
    case, cast = build_case(stage)
    objects = add_objects(case, cast)
    clients = case_clients(cast)
    urls = case_urls(case, objects)
    case_url = reverse("cases:detail", kwargs={"pk": case.pk})
    expected_labels = {label for label, row_stage in CASE_ROWS if row_stage == stage}
    assert sorted(set(urls) - expected_labels) == [], "pages without a row at this stage"
    assert sorted(expected_labels - set(urls)) == [], "rows for pages absent at this stage"
    differences = {}
    for label, url in urls.items():
        expected = CASE_ROWS[(label, stage)]
        for role, want in zip(CASE_ROLES, expected, strict=True):
            got = observe_case(clients[role], url, case_url)
            if got != want:
                differences[f"{label} [{stage}] {role}"] = f"attendu {want}, obtenu {got}"
    assert differences == {}
    if not stage.startswith("draft"):
        # The salarié's 200 on the case page is the stage-only page, nothing more.
        page = clients["staff"].get(case_url)
        assert [t.name for t in page.templates][0] == "cases/stage_only.html"


def test_post_only_urls_refuse_get(reference):
    from tests.builders import case_at

    case, cast = case_at("diagnostic")
    objects = add_objects(case, cast)
    clients = case_clients(cast)
    urls = post_only_urls(case, objects)
    assert set(urls) == set(POST_ONLY_TABLE)
    case_url = reverse("cases:detail", kwargs={"pk": case.pk})
    differences = {}
    for label, expected in POST_ONLY_TABLE.items():
        for role, want in zip(CASE_ROLES, expected, strict=True):
            got = observe_case(clients[role], urls[label], case_url)
            if got != want:
                differences[f"{label} {role}"] = f"attendu {want}, obtenu {got}"
    assert differences == {}


# --- POST by every role: refused and nothing changes, except for those with the right --
# Cells: LOG; 404 (out of scope, nothing changes); "refusé" (302 back to the case with the
# French message, nothing changes); "fait" (the change happens: proves the data were
# valid); "autorisé" (has the right, not exercised here: another allowed role already made
# the change, the workflow tests cover it). Rows of one stage share one case and run in the
# order written (the ones that move the case on come last).

REFUSED, DONE, ALLOWED = "refusé", "fait", "autorisé"
R, D, A = REFUSED, DONE, ALLOWED

# fmt: off
POST_TABLE = {
    #                       anon admb sal  coor etat comm autc cons autr eval fed  admi unre
    ("submitted", "cases:transition open_referral"):
        (LOG, R,   404, D,   404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("returned", "documents:upload form"):
        (LOG, D,   404, R,   404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("returned", "documents:delete form"):
        (LOG, D,   404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("returned", "cases:transition withdraw"):
        (LOG, D,   404, R,   404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("referral", "cases:opinion"):  # the coordination gives the Caf's opinion
        (LOG, R,   404, D,   D,   D,   404, 404, 404, 404, 404, 404, 404),
    # The date poll: each invitee answers for themself (the commune's representative, who
    # sees the poll but is not asked, and the organiser cannot); the organiser picks.
    ("referral", "meetings:poll_answer"):
        (LOG, 404, 404, 404, D,   404, 404, 404, 404, 404, 404, 404, 404),
    ("referral", "meetings:poll_pick"):
        (LOG, 404, 404, D,   404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("referral", "cases:decision"):
        (LOG, R,   404, D,   R,   R,   404, 404, 404, 404, 404, 404, 404),
    ("diagnostic", "cases:message note"):
        (LOG, R,   404, D,   D,   D,   404, R,   404, 404, 404, 404, 404),
    ("diagnostic", "cases:message message"):
        (LOG, D,   404, D,   R,   R,   404, D,   404, 404, 404, 404, 404),
    ("diagnostic", "meetings:meeting_reschedule"):
        (LOG, 404, 404, A,   404, 404, 404, D,   404, 404, 404, 404, 404),
    ("diagnostic", "meetings:meeting_cancel"):
        (LOG, 404, 404, A,   404, 404, 404, D,   404, 404, 404, 404, 404),
    ("diagnostic", "cases:assign"):
        (LOG, R,   404, D,   R,   R,   404, A,   404, 404, 404, 404, 404),
    ("report_review", "cases:review"):
        (LOG, D,   404, R,   R,   R,   404, R,   404, 404, 404, 404, 404),
    ("support", "cases:action_update"):  # the board member may too (A): one change only
        (LOG, A,   D,   R,   R,   R,   404, R,   404, 404, 404, 404, 404),
    # Only the centre's members decide on proposed actions and keep the statuses; the
    # consultant proposes and logs the support sessions.
    ("support", "cases:action_decide"):  # the board member may too (A): one change only
        (LOG, A,   D,   R,   R,   R,   404, R,   404, 404, 404, 404, 404),
    ("support", "cases:action_status"):  # the board member may too (A): one change only
        (LOG, A,   D,   R,   R,   R,   404, R,   404, 404, 404, 404, 404),
    ("support", "cases:support_session"):
        (LOG, R,   R,   R,   R,   R,   404, D,   404, 404, 404, 404, 404),
    ("support", "cases:close"):
        (LOG, R,   404, D,   R,   R,   404, R,   404, 404, 404, 404, 404),
}
# fmt: on


def post_request(label, case, cast, objects):
    """(url, data, snapshot) for a row: snapshot() reads what the POST could change."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from soutien.cases.models import Action, Message, Opinion
    from soutien.documents.models import Document

    pk = {"pk": case.pk}
    fresh = case.__class__.objects.filter(pk=case.pk)

    def case_fields(*names):
        return lambda: fresh.values_list(*names).get()

    later = (timezone_now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    specs = {
        "cases:transition open_referral": lambda: (
            reverse("cases:transition", kwargs={**pk, "name": "open_referral"}),
            {},
            case_fields("stage"),
        ),
        "cases:transition withdraw": lambda: (
            reverse("cases:transition", kwargs={**pk, "name": "withdraw"}),
            {"text": "Nous renonçons."},
            case_fields("stage"),
        ),
        "documents:upload form": lambda: (
            reverse("documents:upload", kwargs=pk),
            lambda: {
                "attach_to": "form",
                "file": SimpleUploadedFile("bilan.pdf", _pdf()),
            },
            lambda: Document.objects.filter(case=case).count(),
        ),
        "documents:delete form": lambda: (
            reverse("documents:delete", kwargs={"uuid": objects["form_document"].uuid}),
            {},
            lambda: Document.objects.filter(pk=objects["form_document"].pk).exists(),
        ),
        "cases:opinion": lambda: (
            reverse("cases:opinion", kwargs=pk),
            {"value": "reserved", "comment": "Sous réserve."},
            lambda: sorted(Opinion.objects.filter(case=case).values_list("partner_id", "value")),
        ),
        "cases:decision": lambda: (
            reverse("cases:decision", kwargs=pk),
            {"outcome": "validated", "justification": "Comité des financeurs."},
            case_fields("stage"),
        ),
        "meetings:poll_answer": lambda: (
            reverse("meetings:poll_answer", kwargs={"pk": objects["poll"].pk}),
            lambda: {f"slot_{slot.pk}": "yes" for slot in objects["poll"].slots.all()},
            lambda: sorted(objects["poll"].answers.values_list("email", "slot_id", "answer")),
        ),
        "meetings:poll_pick": lambda: (
            reverse("meetings:poll_pick", kwargs={"pk": objects["poll"].pk}),
            lambda: {"slot": objects["poll"].slots.first().pk},
            lambda: (
                objects["poll"]
                .__class__.objects.values_list("picked_at")
                .get(pk=objects["poll"].pk)
            ),
        ),
        "cases:message note": lambda: (
            reverse("cases:message", kwargs=pk),
            {"channel": "private_note", "body": "Note."},
            lambda: Message.objects.filter(case=case).count(),
        ),
        "cases:message message": lambda: (
            reverse("cases:message", kwargs=pk),
            {"channel": "message", "body": "Bonjour."},
            lambda: Message.objects.filter(case=case).count(),
        ),
        "meetings:meeting_reschedule": lambda: (
            reverse("meetings:meeting_reschedule", kwargs={"pk": objects["interview"].pk}),
            {"starts_at": later, "place": "Salle B"},
            lambda: (
                objects["interview"]
                .__class__.objects.values_list("place", "starts_at")
                .get(pk=objects["interview"].pk)
            ),
        ),
        "meetings:meeting_cancel": lambda: (
            reverse("meetings:meeting_cancel", kwargs={"pk": objects["interview"].pk}),
            {},
            lambda: (
                objects["interview"]
                .__class__.objects.values_list("cancelled_at")
                .get(pk=objects["interview"].pk)
            ),
        ),
        "cases:assign": lambda: (
            reverse("cases:assign", kwargs=pk),
            {"consultant": cast.other_consultant.pk},
            case_fields("consultant_id"),
        ),
        "cases:review": lambda: (
            reverse("cases:review", kwargs=pk),
            {"decision": "validate"},
            case_fields("stage"),
        ),
        "cases:action_update": lambda: (
            reverse("cases:action_update", kwargs={**pk, "action_pk": objects["action"].pk}),
            {"status": "done", "version": 1},
            lambda: (
                objects["action"]
                .__class__.objects.values_list("status")
                .get(pk=objects["action"].pk)
            ),
        ),
        "cases:action_decide": lambda: (
            reverse(
                "cases:action_decide", kwargs={**pk, "action_pk": objects["proposed_action"].pk}
            ),
            {"decision": "decline", "reason": "Déjà fait l'an dernier.", "version": 1},
            lambda: Action.objects.values_list("status").get(pk=objects["proposed_action"].pk),
        ),
        "cases:action_status": lambda: (
            reverse("cases:action_status", kwargs={**pk, "action_pk": objects["action"].pk}),
            lambda: {
                "status": "postponed",
                "reason": "Après l'assemblée générale.",
                "version": Action.objects.get(pk=objects["action"].pk).version,
            },
            lambda: Action.objects.values_list("status").get(pk=objects["action"].pk),
        ),
        "cases:support_session": lambda: (
            reverse("cases:support_session", kwargs=pk),
            {
                "held_on": (timezone_now() - timedelta(days=1)).date().isoformat(),
                "participants": "La trésorière",
                "worked_on": "Le plan de trésorerie.",
            },
            lambda: case.support_sessions.count(),
        ),
        "cases:close": lambda: (
            reverse("cases:close", kwargs=pk),
            {"outcome": "improved", "open_actions_confirmed": "on"},
            case_fields("stage"),
        ),
    }
    return specs[label]()


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def _pdf() -> bytes:
    from tests.documents.samples import pdf_bytes

    return pdf_bytes()


def test_post_table_rows_have_one_cell_per_role():
    for key, cells in POST_TABLE.items():
        assert len(cells) == len(CASE_ROLES), key
        assert key[0] in CASE_STAGES, key


@pytest.mark.parametrize("stage", sorted({stage for stage, _ in POST_TABLE}))
def test_post_refusals(reference, stage):
    """Each row's POST, by every role, against POST_TABLE (state checked after each)."""
    case, cast = build_case(stage)
    objects = add_objects(case, cast)
    clients = case_clients(cast)
    case_url = reverse("cases:detail", kwargs={"pk": case.pk})
    # The plan's own forms go back to the plan page once done.
    plan_url = reverse("cases:action_plan", kwargs={"pk": case.pk})
    differences = {}
    for (row_stage, label), expected in POST_TABLE.items():
        if row_stage != stage:
            continue
        url, data, snapshot = post_request(label, case, cast, objects)
        # Those who may act go last, so that refusals are tried on the untouched state.
        order = sorted(zip(CASE_ROLES, expected, strict=True), key=lambda cell: cell[1] == DONE)
        for role, want in order:
            if want == ALLOWED:
                continue
            before = snapshot()
            response = clients[role].post(url, data() if callable(data) else data)
            changed = snapshot() != before
            location = response.get("Location", "")
            if response.status_code == 302 and location.startswith(reverse("accounts:login")):
                got = LOG
            elif response.status_code == 302 and location.split("#")[0] in (case_url, plan_url):
                got = DONE if changed else REFUSED
            else:
                got = response.status_code
            if got != want or (changed and want != DONE):
                differences[f"{label} [{stage}] {role}"] = (
                    f"attendu {want}, obtenu {got}{' (modifié !)' if changed else ''}"
                )
    assert differences == {}
