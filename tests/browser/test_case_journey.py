"""The MSTR case from the information form to closure, in a browser, with the demo
accounts. Each person works in their own browser session, as in real life; the roles
with mandatory two-factor authentication pass it with a code computed from their key."""

import re

import pytest
from playwright.sync_api import expect

from soutien.accounts.models import User
from soutien.cases.enums import Stage
from soutien.cases.models import Case
from tests.browser.conftest import assert_accessible, login
from tests.documents.samples import pdf_bytes
from tests.security.helpers import confirmed_totp_device, current_code, needs_second_factor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def session_for(browser, live_server):
    """`session_for(email)`: a page in a new browser context, signed in as that user."""
    contexts = []

    def open_session(email):
        user = User.objects.get(email=email)
        device = confirmed_totp_device(user) if needs_second_factor(user) else None
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.base_url = live_server.url
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.console_errors = errors
        login(page, email)
        if device is not None:
            page.get_by_label(re.compile(r"^Code de vérification")).fill(current_code(device))
            page.get_by_role("button", name="Valider").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")
        return page

    yield open_session
    for context in contexts:
        context.close()


def h1(page):
    return page.get_by_role("heading", level=1)


def test_a_case_from_the_information_form_to_closure(demo, session_for):
    # 1. The volunteer board member starts and submits the information form.
    board = session_for("administrateur@centre.demo")
    assert_accessible(board)
    board.get_by_role("link", name="Nouvelle demande").click()
    expect(h1(board)).to_have_text("Nouvelle demande de soutien")
    board.get_by_role("button", name="Commencer la fiche d'information").click()
    expect(h1(board)).to_have_text("Fiche d'information")
    assert_accessible(board)
    board.get_by_label("Téléphone").fill("04 91 00 00 00")
    board.get_by_label("Fonction").fill("Présidente")
    board.get_by_label("Démarche préventive").check()
    board.get_by_label("Trésorerie inférieure à deux mois de charges").check()
    board.get_by_label("Gestion financière", exact=True).check()
    board.get_by_label("Description de la situation").fill("La trésorerie baisse depuis un an.")
    board.get_by_label("Vos attentes vis-à-vis de la mission").fill("Un regard extérieur.")
    board.get_by_label("Vos disponibilités pour le diagnostic").fill("Les mardis.")
    board.get_by_label(re.compile("règles de confidentialité")).check()
    board.get_by_label(re.compile("démarche de coopération")).check()
    # A file picked in the fiche goes with it (one form, one button).
    board.get_by_label("Joindre des fichiers").set_input_files(
        files=[{"name": "comptes-2025.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    board.get_by_role("button", name="Enregistrer et transmettre à la Caf").click()
    expect(board.get_by_text(re.compile("La fiche est transmise à la Caf"))).to_be_visible()
    expect(board.get_by_role("link", name=re.compile("comptes-2025.pdf"))).to_be_visible()
    case = Case.objects.get()
    assert case.stage == Stage.SUBMITTED
    case_url = f"{board.base_url}/dossiers/{case.pk}/"
    assert board.url == case_url
    expect(h1(board)).to_have_text(f"Dossier {case.number}")
    assert_accessible(board)

    # 2. The coordinator opens the concerted referral.
    coordinator = session_for("coordination@caf13.demo")
    coordinator.goto(case_url)
    expect(coordinator.get_by_text("Vérifier la fiche et ouvrir la saisine")).to_be_visible()
    assert_accessible(coordinator)
    coordinator.get_by_role("button", name="Ouvrir la saisine concertée").click()
    expect(coordinator.get_by_text(re.compile("La saisine concertée est ouverte"))).to_be_visible()

    # 3. Two partners give their opinion.
    partners = {}
    for email in ("etat@partenaires.demo", "marseille@partenaires.demo"):
        partner = partners[email] = session_for(email)
        partner.goto(case_url)
        partner.get_by_role("link", name="Donner mon avis").click()
        assert_accessible(partner)
        partner.get_by_label("Favorable", exact=True).check()
        partner.get_by_label("Commentaire").fill("Demande fondée.")
        partner.get_by_role("button", name="Enregistrer mon avis").click()
        expect(partner.get_by_text(re.compile("Votre avis est enregistré"))).to_be_visible()

    # 3b. The coordinator plans the referral meeting with the two partners (invitations).
    coordinator.goto(case_url)
    coordinator.get_by_role("link", name="Planifier ou consigner la réunion").click()
    coordinator.get_by_label("Date et heure de début").fill("2099-03-10T14:00")
    coordinator.get_by_label("Lien de visioconférence").fill("https://visio.example.test/s")
    coordinator.get_by_label("Karim Benali").check()
    coordinator.get_by_label("Nadia Haddad").check()
    coordinator.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(coordinator.get_by_text(re.compile("La réunion est planifiée"))).to_be_visible()
    expect(
        coordinator.get_by_role("button", name=re.compile("^Envoyer les invitations"))
    ).to_be_visible()
    expect(
        coordinator.get_by_role("link", name=re.compile("^Ajouter à mon agenda"))
    ).to_be_visible()
    assert_accessible(coordinator)

    # 4. The coordinator records the funders' decision (some opinions still missing).
    coordinator.goto(case_url)
    coordinator.get_by_role("link", name="Enregistrer la décision").click()
    assert_accessible(coordinator)
    coordinator.get_by_label("Validée (soutien accordé)").check()
    coordinator.get_by_label("Justification").fill("Décidé en comité des financeurs.")
    coordinator.get_by_role("button", name="Enregistrer la décision").click()
    expect(
        coordinator.get_by_text(re.compile("La décision des financeurs est enregistrée"))
    ).to_be_visible()
    case.refresh_from_db()
    assert case.stage == Stage.DIAGNOSTIC

    # 5. The consultant assigns herself and writes the report.
    consultant = session_for("consultant@prestataire.demo")
    consultant.goto(case_url)
    consultant.get_by_role("link", name="Désigner", exact=True).click()
    consultant.get_by_role("button", name="Désigner").click()
    expect(consultant.get_by_text("Le consultant est désigné.")).to_be_visible()
    consultant.get_by_role("link", name="Rédiger le rapport").click()
    expect(h1(consultant)).to_have_text("Rapport de diagnostic")
    assert_accessible(consultant)
    consultant.get_by_label("Analyse").fill("Le modèle économique repose sur une subvention.")
    consultant.get_by_label("Préconisations : présentation").fill("Diversifier les financements.")
    consultant.get_by_role("button", name="Enregistrer et transmettre au gestionnaire").click()
    expect(consultant.get_by_text("Le rapport est transmis au gestionnaire.")).to_be_visible()

    # 6. The manager asks for changes.
    board.goto(case_url)
    board.get_by_role("link", name="Relire le rapport").click()
    expect(h1(board)).to_have_text("Relire le rapport de diagnostic")
    assert_accessible(board)
    board.get_by_label("Je demande des modifications au consultant").check()
    board.get_by_label("Vos commentaires").fill("Ajoutez les chiffres de 2024.")
    board.get_by_role("button", name="Envoyer ma réponse").click()
    expect(board.get_by_text(re.compile("Votre demande de modifications"))).to_be_visible()

    # 7. The consultant revises and sends version 2; the manager validates it.
    consultant.goto(case_url)
    consultant.get_by_role("link", name="Rédiger le rapport").click()
    expect(consultant.get_by_text("Ajoutez les chiffres de 2024.")).to_be_visible()
    consultant.get_by_label("Analyse").fill("Avec les chiffres de 2024 : subvention unique.")
    consultant.get_by_role("button", name="Enregistrer et transmettre au gestionnaire").click()
    expect(consultant.get_by_text("Le rapport est transmis au gestionnaire.")).to_be_visible()
    board.goto(case_url)
    board.get_by_role("link", name="Relire le rapport").click()
    board.get_by_label(re.compile("Je valide le rapport")).check()
    board.get_by_role("button", name="Envoyer ma réponse").click()
    expect(board.get_by_text(re.compile("Le rapport est validé"))).to_be_visible()

    # 8. A partner now reads the validated version (and only that one).
    partner = partners["etat@partenaires.demo"]
    partner.goto(case_url)
    partner.get_by_role("link", name="Version 2").click()
    expect(h1(partner)).to_have_text("Rapport de diagnostic — version 2")
    expect(partner.get_by_text("Avec les chiffres de 2024 : subvention unique.")).to_be_visible()
    assert_accessible(partner)
    partner.goto(case_url)
    expect(partner.get_by_role("link", name="Version 1")).to_have_count(0)

    # 9. The consultant records the restitution.
    consultant.goto(case_url)
    consultant.get_by_role("link", name="Consigner la restitution").click()
    consultant.get_by_label("Date et heure").fill("2025-05-02T09:30")
    consultant.get_by_label("Synthèse de la restitution").fill("Diagnostic présenté au bureau.")
    consultant.get_by_role("button", name="Enregistrer la restitution").click()
    expect(consultant.get_by_text(re.compile("La restitution est consignée"))).to_be_visible()

    # 10. The centre adds an action and updates its progress.
    board.goto(case_url)
    board.get_by_role("link", name="Ajouter une action").click()
    board.get_by_label(re.compile(r"^Action\b")).fill("Budget prévisionnel 2026")
    board.get_by_label("Responsable").fill("La trésorière")
    board.get_by_role("button", name="Ajouter l'action").click()
    expect(board.get_by_text("L'action est ajoutée au plan d'actions.")).to_be_visible()
    board.get_by_label("État").select_option(label="En cours")
    board.get_by_label("Point d'avancement").fill("Premier jet présenté au bureau.")
    board.get_by_role(
        "button", name="Enregistrer l'avancement de « Budget prévisionnel 2026 »"
    ).click()
    expect(board.get_by_text("L'avancement de l'action est enregistré.")).to_be_visible()
    assert_accessible(board)

    # 11. The coordinator closes the case.
    coordinator.goto(case_url)
    coordinator.get_by_role("link", name="Clôturer", exact=True).click()
    coordinator.get_by_label("Situation améliorée").check()
    # The action is still « en cours »: the closure says so and asks to confirm.
    expect(coordinator.get_by_text("Une action du plan est encore ouverte :")).to_be_visible()
    coordinator.get_by_label(re.compile("Je clôture quand même")).check()
    coordinator.get_by_role("button", name="Clôturer le dossier").click()
    expect(coordinator.get_by_text(re.compile("Le dossier est clôturé ;"))).to_be_visible()
    assert_accessible(coordinator)
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    for page in (board, coordinator, consultant, *partners.values()):
        assert page.console_errors == []
