import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from soutien.content.models import PageText, PageTextRevision
from soutien.content.rendering import render_markdown
from soutien.content.services import page_text_update
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('xss')</script>"


@pytest.mark.parametrize(
    ("markdown", "forbidden"),
    [
        (f"Bonjour {SCRIPT}", "<script"),
        (f"Bonjour {SCRIPT}", "alert("),
        ("[clic](javascript:alert(1))", "javascript:"),
        ('<a href="/" onclick="alert(1)">lien</a>', "onclick"),
        ("![image](http://exemple.test/traceur.png)", "<img"),
        ('<iframe src="http://exemple.test"></iframe>', "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
        ("# Titre", "<h1"),
    ],
)
def test_markdown_is_sanitised(markdown, forbidden):
    assert forbidden not in render_markdown(markdown)


def test_markdown_keeps_the_useful_formatting():
    html = render_markdown("## Intertitre\n\n- **gras**\n- [site](https://exemple.test)")
    assert "<h2>Intertitre</h2>" in html
    assert "<strong>gras</strong>" in html
    assert '<a href="https://exemple.test" rel="noopener noreferrer">site</a>' in html


def test_default_text_is_shown_until_the_coordinator_edits_it(client, coordinator):
    assert "Faire avec, jamais à la place" in client.get(reverse("public:support")).content.decode()
    page_text_update(
        slug="accompagnement",
        title="L'accompagnement",
        description="Une description nouvelle de l'accompagnement, assez longue.",
        body="## Un texte neuf",
        by=coordinator,
    )
    html = client.get(reverse("public:support")).content.decode()
    assert "Un texte neuf" in html
    assert "Faire avec, jamais à la place" not in html


def test_a_script_typed_by_the_coordinator_never_reaches_the_page(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("public:page_text_edit", args=["accompagnement"]),
        {
            "title": "L'accompagnement",
            "description": "Comment se déroule l'accompagnement des centres sociaux.",
            "body": f'Texte avec un script {SCRIPT} et <b onmouseover="alert(2)">gras</b>',
        },
    )
    assert response.status_code == 302
    assert "<script>alert" in PageText.objects.get(slug="accompagnement").body  # stored as typed
    client.logout()
    html = client.get(reverse("public:support")).content.decode()
    assert "alert('xss')" not in html
    assert "alert(2)" not in html
    assert "onmouseover" not in html
    assert "Texte avec un script" in html


def test_each_edit_keeps_the_previous_version(coordinator):
    for body in ["Première version", "Deuxième version"]:
        page_text_update(
            slug="qui-peut-saisir",
            title="Qui peut saisir ?",
            description="Qui peut demander la mission de soutien technique renforcé.",
            body=body,
            by=coordinator,
        )
    revisions = PageTextRevision.objects.filter(page__slug="qui-peut-saisir").order_by("pk")
    assert [r.previous_body.split("\n")[0] for r in revisions][1] == "Première version"
    assert revisions.first().previous_body.startswith("La demande vient toujours")
    assert all(r.edited_by == coordinator for r in revisions)


def test_only_the_coordinator_edits_page_texts(partner):
    with pytest.raises(PermissionDenied):
        page_text_update(slug="accueil", title="x", description="y", body="z", by=partner)
    assert not PageText.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        reverse("public:manage"),
        reverse("public:manage_pages"),
        reverse("public:page_text_edit", args=["accueil"]),
        reverse("public:account_requests"),
    ],
)
def test_back_office_is_a_404_for_anyone_but_the_coordinator(client, partner, url):
    assert client.get(url).status_code == 302  # anonymous: login first
    client.force_login(partner)
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_coordinator_sees_the_back_office_and_its_menu_entry(client, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("public:home")).content.decode()
    assert f'href="{reverse("public:manage")}"' in html
    html = client.get(reverse("public:manage_pages")).content.decode()
    assert "Historique de la Convention cadre" in html
    response = client.get(reverse("public:page_text_edit", args=["accueil"]))
    assert response.status_code == 200
    assert "Qu&#x27;est-ce que la mission" in response.content.decode()
    assert client.get(reverse("public:page_text_edit", args=["inconnue"])).status_code == 404


def test_invalid_edit_keeps_what_was_typed(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("public:page_text_edit", args=["accueil"]),
        {"title": "", "description": "Ma description", "body": "Mon texte en cours"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mon texte en cours" in html
    assert "Ce champ est obligatoire" in html
    assert not PageText.objects.exists()


def test_technical_admin_edits_texts_through_the_same_service(client, reference):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:content_pagetext_add"),
        {
            "slug": "mentions-legales",
            "title": "Mentions légales",
            "description": "Les mentions légales de la plateforme.",
            "body": "Hébergeur : exemple.",
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = PageText.objects.get(slug="mentions-legales")
    assert page.updated_by == admin
    assert PageTextRevision.objects.filter(page=page).count() == 1
