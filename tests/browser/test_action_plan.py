"""From the validated report to the centre's own action plan, in a browser: the manager
validates the report, its recommendations arrive as proposed actions, the centre accepts
one, declines another with its reason, marks the first done, and finds the plan's
progress and its PDF. Axe checks on each page."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from soutien.cases import services
from soutien.cases.enums import Stage
from tests.browser.conftest import assert_accessible
from tests.browser.test_case_journey import session_for  # noqa: F401 - the fixture
from tests.builders import case_with_recommendations

pytestmark = pytest.mark.django_db(transaction=True)


def test_from_the_validated_report_to_the_action_plan(reference, session_for):  # noqa: F811
    case, cast = case_with_recommendations(Stage.REPORT_REVIEW)
    board = session_for(cast.board_member.email)
    case_url = f"{board.base_url}/dossiers/{case.pk}/"

    # 1. The manager validates the report: its recommendations become proposed actions.
    board.goto(f"{case_url}rapport/relecture/")
    board.get_by_label(re.compile("Je valide le rapport")).check()
    board.get_by_role("button", name="Envoyer ma réponse").click()
    expect(board.get_by_text(re.compile("Le rapport est validé"))).to_be_visible()
    assert sorted(case.actions.values_list("status", flat=True)) == ["proposed"] * 3

    # The restitution takes place (the consultant records it): the support begins.
    services.restitution_record(
        case=case,
        by=cast.consultant,
        starts_at=timezone.now() - dt.timedelta(hours=2),
        place="Centre social",
        attendees_text="La présidente, la trésorière",
        summary="Le diagnostic a été présenté ; le plan d'actions est à décider.",
    )

    # 2. The plan page shows the three proposed actions, grouped by field.
    board.goto(case_url)
    board.get_by_role("link", name=re.compile("Page du plan d'actions")).click()
    expect(board.get_by_role("heading", level=1)).to_have_text("Plan d'actions")
    expect(board.get_by_role("heading", name=re.compile("Gestion financière"))).to_be_visible()
    expect(board.get_by_role("heading", name=re.compile("Gouvernance"))).to_be_visible()
    expect(board.get_by_text("Aucune action retenue pour l'instant")).to_be_visible()
    assert_accessible(board)

    treasury, training, funding = case.actions.order_by("pk")

    # 3. The centre takes the treasury plan up, with its owner and due date.
    card = board.locator(f"#action-{treasury.pk}")
    card.get_by_text("Décider de cette action").click()
    card.get_by_label("Nous reprenons l'action telle qu'elle est proposée").check()
    card.get_by_label("Personne du centre qui porte l'action").fill("La trésorière")
    card.get_by_label("Échéance").fill("2027-03-31")
    card.get_by_role("button", name=re.compile("Enregistrer la décision")).click()
    expect(board.get_by_text("L'action est reprise au plan d'actions.")).to_be_visible()
    expect(board.locator("#avancement-global")).to_have_text("0 action réalisée sur 1")

    # 4. Declining needs a reason: said beside the field, then given.
    card = board.locator(f"#action-{funding.pk}")
    card.get_by_text("Décider de cette action").click()
    card.get_by_label("Nous l'écartons").check()
    card.get_by_role("button", name=re.compile("Enregistrer la décision")).click()
    expect(
        board.get_by_text("Dites pourquoi le centre écarte cette action.", exact=True)
    ).to_be_visible()
    assert_accessible(board)
    board.get_by_label("Motif si vous l'écartez").fill("Déjà engagé avec la fédération.")
    board.get_by_role("button", name="Enregistrer la décision").click()
    expect(board.get_by_text(re.compile("L'action est écartée"))).to_be_visible()
    expect(board.get_by_text("Motif : Déjà engagé avec la fédération.")).to_be_visible()

    # 5. The treasury plan is done, by the centre's own team.
    card = board.locator(f"#action-{treasury.pk}")
    card.get_by_text("Changer l'état").click()
    card.get_by_label("État").select_option(label="Réalisée")
    card.get_by_role("button", name=re.compile("Enregistrer l'état")).click()
    expect(board.get_by_text("L'état de l'action est enregistré.")).to_be_visible()
    expect(board.locator("#avancement-global")).to_have_text("1 action réalisée sur 1")
    expect(board.locator(f"#action-{treasury.pk}")).to_contain_text(
        "réalisée par l'équipe du centre"
    )
    assert_accessible(board)

    # 6. The PDF of the plan is there for the same readers.
    link = board.get_by_role("link", name="Télécharger le plan d'actions (PDF)")
    response = board.request.get(board.base_url + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    rows = sorted(case.actions.values_list("status", "owner", "done_by_centre"))
    assert rows == [
        ("declined", "", None),
        ("done", "La trésorière", True),
        ("proposed", "", None),
    ]
    assert board.console_errors == []
