"""From the validated report to the 12-month follow-up, in a browser (issue #16): the
manager validates the report, its recommendations become proposed actions; the centre
accepts one (owner, due date), declines one with its reason and marks the first done;
the coordinator closes the case, the closure form showing the plan's state; then, the
clock moved for the daily job (run in the test process: the live server only reads the
database), the 6-month questionnaire is sent and answered in the browser, then the
12-month one; the coordinator finds both answers in the case history. Axe checks on
each new page."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from soutien.cases import services
from soutien.cases.enums import Stage
from soutien.core import clock
from soutien.core.french import date_fr
from soutien.followup.jobs import send_followups
from soutien.followup.models import FollowUp
from soutien.followup.services import add_months
from tests.browser.conftest import assert_accessible, logout
from tests.browser.test_case_journey import session_for  # noqa: F401 - the fixture
from tests.builders import case_with_recommendations
from tests.followup.helpers import followup_emails_to

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = ZoneInfo("Europe/Paris")


def h1(page):
    return page.get_by_role("heading", level=1)


def morning_of(day: dt.date) -> dt.datetime:
    """7:00 in Paris on ``day``: when the daily job runs."""
    return dt.datetime(day.year, day.month, day.day, 7, tzinfo=PARIS)


def run_daily_job_on(day: dt.date) -> dict:
    with clock.frozen_at(morning_of(day)):
        return send_followups(now=clock.now())


def answer_followup(board, manager, case, months, *, situation, actions, difficulties=""):
    """The manager answers the ``months`` questionnaire from the link of its email."""
    email = followup_emails_to(manager)[-1]
    expected = f"[{case.number}] Suivi à {months} mois : où en est votre centre ?"
    assert email.subject == expected, email.subject
    link = re.search(rf"https?://\S+/suivi/dossier/{case.pk}/{months}-mois/", email.body)
    assert link is not None, email.body
    board.goto(board.base_url + link.group(0)[link.group(0).index("/suivi/") :])
    expect(h1(board)).to_have_text(f"Suivi à {months} mois de la mission")
    expect(board.get_by_text("Qui verra ce que vous écrivez ?")).to_be_visible()
    assert_accessible(board)
    board.get_by_role("group", name="Aujourd'hui, où en est le centre ?").get_by_label(
        situation
    ).check()
    board.get_by_role("group", name=re.compile("actions du plan")).get_by_label(actions).check()
    board.get_by_role("group", name=re.compile("nouvelles difficultés")).get_by_label(
        "Oui" if difficulties else "Non"
    ).check()
    if difficulties:
        board.get_by_label("Si oui, lesquelles ?").fill(difficulties)
    board.get_by_role("group", name=re.compile("de nouveau appel")).get_by_label("Oui").check()
    board.get_by_role("button", name="Envoyer mes réponses").click()
    expect(
        board.get_by_text("vos réponses au questionnaire de suivi sont enregistrées")
    ).to_be_visible()
    assert_accessible(board)


def test_from_the_validated_report_to_the_12_month_follow_up(reference, session_for):  # noqa: F811
    case, cast = case_with_recommendations(Stage.REPORT_REVIEW)
    board = session_for(cast.board_member.email)
    case_url = f"{board.base_url}/dossiers/{case.pk}/"

    # 1. The manager validates the report: its recommendations become proposed actions.
    board.goto(f"{case_url}rapport/relecture/")
    board.get_by_label(re.compile("Je valide le rapport")).check()
    board.get_by_role("button", name="Envoyer ma réponse").click()
    expect(board.get_by_text(re.compile("Le rapport est validé"))).to_be_visible()
    assert sorted(case.actions.values_list("status", flat=True)) == ["proposed"] * 3

    # The consultant records the restitution (a service): the support begins.
    services.restitution_record(
        case=case,
        by=cast.consultant,
        starts_at=clock.now() - dt.timedelta(hours=2),
        place="Centre social",
        attendees_text="La présidente, la trésorière",
        summary="Le diagnostic a été présenté ; le plan d'actions est à décider.",
    )

    # 2. The centre accepts the treasury plan (owner, due date), declines the funding one
    #    with its reason, and marks the treasury plan done.
    board.goto(case_url)
    board.get_by_role("link", name=re.compile("Page du plan d'actions")).click()
    expect(h1(board)).to_have_text("Plan d'actions")
    assert_accessible(board)
    treasury, training, funding = case.actions.order_by("pk")

    card = board.locator(f"#action-{treasury.pk}")
    card.get_by_text("Décider de cette action").click()
    card.get_by_label("Nous reprenons l'action telle qu'elle est proposée").check()
    card.get_by_label("Personne du centre qui porte l'action").fill("La trésorière")
    card.get_by_label("Échéance").fill("2027-03-31")
    card.get_by_role("button", name=re.compile("Enregistrer la décision")).click()
    expect(board.get_by_text("L'action est reprise au plan d'actions.")).to_be_visible()

    card = board.locator(f"#action-{funding.pk}")
    card.get_by_text("Décider de cette action").click()
    card.get_by_label("Nous l'écartons").check()
    card.get_by_label("Motif si vous l'écartez").fill("Déjà engagé avec la fédération.")
    card.get_by_role("button", name=re.compile("Enregistrer la décision")).click()
    expect(board.get_by_text(re.compile("L'action est écartée"))).to_be_visible()
    expect(board.get_by_text("Motif : Déjà engagé avec la fédération.")).to_be_visible()

    card = board.locator(f"#action-{treasury.pk}")
    card.get_by_text("Changer l'état").click()
    card.get_by_label("État").select_option(label="Réalisée")
    card.get_by_role("button", name=re.compile("Enregistrer l'état")).click()
    expect(board.get_by_text("L'état de l'action est enregistré.")).to_be_visible()
    expect(board.locator("#avancement-global")).to_have_text("1 action réalisée sur 1")
    assert_accessible(board)

    # 3. The coordinator closes the case: the form shows the plan's state, and the
    #    training action, still proposed, asks for a confirmation.
    coordinator = session_for(cast.coordinator.email)
    coordinator.goto(case_url)
    coordinator.get_by_role("link", name="Clôturer", exact=True).click()
    expect(h1(coordinator)).to_have_text("Clôturer le dossier")
    plan_state = coordinator.get_by_role("region", name="État du plan d'actions")
    expect(plan_state).to_contain_text("1 action réalisée sur 1.")
    warning = coordinator.get_by_role("note").filter(
        has_text="Une action du plan est encore ouverte :"
    )
    expect(warning).to_contain_text(f"{training.title} — proposée")
    assert_accessible(coordinator)
    coordinator.get_by_label("Situation améliorée").check()
    coordinator.get_by_label(re.compile("Je clôture quand même")).check()
    coordinator.get_by_role("button", name="Clôturer le dossier").click()
    expect(coordinator.get_by_text(re.compile("Le dossier est clôturé ;"))).to_be_visible()
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    closed_on = case.closed_at.astimezone(PARIS).date()
    due = dict(FollowUp.objects.filter(case=case).values_list("milestone", "due_on"))
    assert due == {6: add_months(closed_on, 6), 12: add_months(closed_on, 12)}

    # 4. Six months later the daily job sends the 6-month questionnaire (not before).
    assert run_daily_job_on(due[6] - dt.timedelta(days=1)) == {"sent": 0, "reminded": 0}
    assert run_daily_job_on(due[6]) == {"sent": 1, "reminded": 0}
    answer_followup(
        board, cast.board_member, case, 6, situation="Situation stabilisée", actions="Certaines"
    )

    # 5. The 12-month questionnaire is not open before its email: the manager is told when.
    board.goto(f"{board.base_url}/suivi/dossier/{case.pk}/12-mois/")
    assert board.url == case_url
    expect(board.get_by_text(re.compile("Ce questionnaire de suivi s'ouvrira le"))).to_contain_text(
        f"s'ouvrira le {date_fr(due[12])}"
    )
    assert_accessible(board)

    # Twelve months after closure, the 12-month one: sent, then answered.
    assert run_daily_job_on(due[12]) == {"sent": 1, "reminded": 0}
    answer_followup(
        board,
        cast.board_member,
        case,
        12,
        situation="Situation améliorée",
        actions="Toutes",
        difficulties="Le local doit être rénové.",
    )
    answers = FollowUp.objects.filter(case=case).order_by("milestone")
    assert list(answers.values_list("milestone", "situation", "actions_continued")) == [
        (6, "stabilised", "some"),
        (12, "improved", "all"),
    ]
    logout(board)

    # 6. The coordinator reads both answers in the case history.
    coordinator.goto(case_url)
    history = coordinator.get_by_role("region", name="Historique")
    expect(history.get_by_text("Suivi à 6 mois reçu")).to_be_visible()
    expect(history.get_by_text("Suivi à 12 mois reçu")).to_be_visible()
    assert_accessible(coordinator)
    assert board.console_errors == []
    assert coordinator.console_errors == []
