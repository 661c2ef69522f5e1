"""The impact of the mission in the evaluation (issue #16, point 5), on a hand-built
dataset driven through the real services.

Three cases with the three default recommendations of the report each, closed, and a new
request of the first centre after its closure:

* A: one recommendation accepted and done by the centre's team, one adapted and done by
  others, one declined; closed « stabilisée »; at 6 months « améliorée » (kept), at 12
  months « dégradée » (worse); its centre asks again (case B).
* C: the three accepted, two of them done by the centre's team; closed « améliorée »;
  at 6 months « stabilisée » (worse); no answer at 12 months.
* D: the three declined; closed « dégradée »; at 6 months « dégradée » (kept), at 12
  months « améliorée » (kept).

By hand: 9 recommendations proposed in 3 cases, 5 adopted (2 + 3 + 0): 56 %; 3 actions
done by the centre's team, in 2 cases; 6 months: 3 answers, 2 kept (67 %), 1 worse
(33 %); 12 months: 2 answers, 1 kept, 1 worse (50 % each); 1 of the 3 closed cases asked
again (33 %).
"""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from soutien.cases import action_plan, services
from soutien.cases.enums import ActionStatus, ClosureOutcome, Stage
from soutien.core import clock
from soutien.evaluation.facts import refresh_dirty
from soutien.evaluation.indicators import compute
from soutien.evaluation.models import CaseFacts
from soutien.followup import services as followup_services
from soutien.followup.enums import ActionsContinued, WouldAskAgain
from soutien.followup.jobs import send_followups
from soutien.followup.models import FollowUp
from tests.builders import case_at, case_with_recommendations, fill_form
from tests.evaluation.helpers import texts

pytestmark = pytest.mark.django_db

NNBSP = "\u202f"
ADOPTED = "Préconisations du rapport adoptées par le centre (acceptées ou adaptées)"
BY_CENTRE = "Actions réalisées par l'équipe du centre"
SIX_KEPT = "Suivi à 6 mois : situation maintenue ou améliorée depuis la clôture"
SIX_WORSE = "Suivi à 6 mois : situation dégradée depuis la clôture"
TWELVE_KEPT = "Suivi à 12 mois : situation maintenue ou améliorée depuis la clôture"
TWELVE_WORSE = "Suivi à 12 mois : situation dégradée depuis la clôture"
ASKED_AGAIN = "Dossiers clôturés dont le centre a fait une nouvelle demande dans les deux ans"


def pct(n):
    return f"{n}{NNBSP}%"


def decide(case, cast, decisions):
    """The centre's decision on each proposed action, in order: (decision, done by the
    centre's team: True, False, or None when not done)."""
    actions = list(case.actions.order_by("pk"))
    assert len(actions) == len(decisions)
    for action, (decision, done_by_centre) in zip(actions, decisions, strict=True):
        if decision == "accept":
            action_plan.action_accept(action=action, by=cast.board_member, owner="La trésorière")
        elif decision == "adapt":
            action_plan.action_adapt(
                action=action, by=cast.board_member, title="Version adaptée", owner="Le directeur"
            )
        else:
            action_plan.action_decline(
                action=action, by=cast.board_member, reason="Pas prioritaire cette année."
            )
        if done_by_centre is not None:
            action_plan.action_set_status(
                action=action,
                by=cast.board_member,
                status=ActionStatus.DONE,
                done_by_centre=done_by_centre,
            )


def answer(case, cast, milestone, situation):
    """The daily run sends the questionnaire on its due date; the manager answers it."""
    followup = FollowUp.objects.get(case=case, milestone=milestone)
    moment = dt.datetime.combine(followup.due_on, dt.time(12), tzinfo=dt.UTC)
    with clock.frozen_at(moment):
        send_followups()
        followup.refresh_from_db()
        followup_services.followup_answer(
            followup=followup,
            by=cast.board_member,
            situation=situation,
            actions_continued=ActionsContinued.SOME,
            new_difficulties=False,
            would_ask_again=WouldAskAgain.YES,
        )


def closed_case(decisions, outcome):
    case, cast = case_with_recommendations(Stage.SUPPORT)
    decide(case, cast, decisions)
    services.case_close(
        case=case, by=cast.coordinator, outcome=outcome, open_actions_confirmed=True
    )
    case.refresh_from_db()
    return case, cast


@pytest.fixture
def impact(reference):
    a, cast_a = closed_case(
        [("accept", True), ("adapt", False), ("decline", None)], ClosureOutcome.STABILISED
    )
    c, cast_c = closed_case(
        [("accept", True), ("accept", True), ("accept", None)], ClosureOutcome.IMPROVED
    )
    d, cast_d = closed_case(
        [("decline", None), ("decline", None), ("decline", None)],
        ClosureOutcome.DETERIORATED,
    )
    answer(a, cast_a, 6, ClosureOutcome.IMPROVED)
    answer(a, cast_a, 12, ClosureOutcome.DETERIORATED)
    answer(c, cast_c, 6, ClosureOutcome.STABILISED)
    answer(d, cast_d, 6, ClosureOutcome.DETERIORATED)
    answer(d, cast_d, 12, ClosureOutcome.IMPROVED)
    b, _ = case_at(Stage.SUBMITTED, cast_a)  # A's centre asks again
    return {"a": a, "b": b, "c": c, "d": d, "cast_a": cast_a}


def test_each_impact_indicator_for_the_coordinator(impact):
    table = texts(compute(masked=False).table("impact"))
    assert table == {
        ADOPTED: ["3", pct(56)],
        BY_CENTRE: ["2", "3"],
        SIX_KEPT: ["3", pct(67)],
        SIX_WORSE: ["3", pct(33)],
        TWELVE_KEPT: ["2", pct(50)],
        TWELVE_WORSE: ["2", pct(50)],
        ASKED_AGAIN: ["3", pct(33)],
    }


def test_the_facts_of_each_case(impact):
    refresh_dirty()
    rows = {
        facts.case_id: (
            facts.recommendations_proposed,
            facts.recommendations_adopted,
            facts.actions_by_centre,
            facts.followup_6,
            facts.followup_12,
            facts.asked_again,
        )
        for facts in CaseFacts.objects.all()
    }
    assert rows == {
        impact["a"].pk: (3, 2, 1, "improved", "deteriorated", True),
        impact["b"].pk: (0, 0, 0, "", "", False),
        impact["c"].pk: (3, 3, 2, "stabilised", "", False),
        impact["d"].pk: (3, 0, 0, "deteriorated", "improved", False),
    }


def test_a_masked_role_sees_masque_for_a_cell_of_one_or_two_cases(impact):
    masked = texts(compute(masked=True).table("impact"))
    # 2 cases with an action done by the centre's team, 2 answers at 12 months, 1 centre
    # asking again, 1 answer worse at 6 months: never published.
    assert masked[BY_CENTRE] == ["masqué", "masqué"]
    assert masked[TWELVE_KEPT] == ["masqué", "masqué"]
    assert masked[TWELVE_WORSE] == ["masqué", "masqué"]
    assert masked[SIX_WORSE][1] == "masqué"
    assert masked[SIX_KEPT][1] == "masqué"  # 3 answers minus the 2 kept: the worse one
    assert masked[ASKED_AGAIN][1] == "masqué"
    # Whatever is published is the coordinator's figure.
    full = texts(compute(masked=False).table("impact"))
    for label, cells in masked.items():
        for shown, figure in zip(cells, full[label], strict=True):
            assert shown in ("masqué", figure)


def test_the_csv_export_masks_the_same_cells(client, impact):
    client.force_login(impact["cast_a"].evaluator)
    response = client.get(reverse("evaluation:export_csv"))
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    impact_rows = [r for r in rows if r["rubrique"] == "Impact de la mission"]
    exported = {(r["ligne"], r["colonne"]): r["valeur"] for r in impact_rows}
    assert exported[(BY_CENTRE, "Dossiers")] == "masqué"
    assert exported[(TWELVE_WORSE, "Résultat")] == "masqué"
    assert exported[(ASKED_AGAIN, "Résultat")] == "masqué"


def test_the_page_shows_the_impact_section(client, impact):
    client.force_login(impact["cast_a"].coordinator)
    page = client.get(reverse("evaluation:index")).content.decode()
    assert "Impact de la mission" in page
    assert pct(56) in page


def test_a_new_request_of_the_centre_marks_its_closed_case_as_asking_again(reference):
    case, cast = closed_case([("accept", None)] * 3, ClosureOutcome.IMPROVED)
    refresh_dirty()
    assert CaseFacts.objects.get(case=case).asked_again is False
    draft, _ = case_at(Stage.DRAFT, cast)
    refresh_dirty()
    assert CaseFacts.objects.get(case=case).asked_again is False  # a draft is no request
    fill_form(draft, cast.board_member)
    services.case_submit(case=draft, by=cast.board_member)
    refresh_dirty()
    assert CaseFacts.objects.get(case=case).asked_again is True


def test_a_request_more_than_two_years_after_the_closure_is_not_asking_again(reference):
    case, cast = closed_case([("accept", None)] * 3, ClosureOutcome.IMPROVED)
    two_years_and_a_day = case.closed_at.replace(year=case.closed_at.year + 2) + dt.timedelta(
        days=1
    )
    with clock.frozen_at(two_years_and_a_day):
        case_at(Stage.SUBMITTED, cast)
    refresh_dirty()
    assert CaseFacts.objects.get(case=case).asked_again is False


def test_the_annual_pdf_holds_the_impact_masked(client, impact):
    from pypdf import PdfReader

    client.force_login(impact["cast_a"].evaluator)
    year = impact["a"].submitted_year
    response = client.get(reverse("evaluation:annual_report"), {"year": year})
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Impact de la mission" in text
    assert "Actions réalisées par l'équipe du centre masqué masqué" in " ".join(text.split())


def test_the_xlsx_export_has_an_impact_sheet_masked_alike(client, impact):
    from openpyxl import load_workbook

    client.force_login(impact["cast_a"].evaluator)
    response = client.get(reverse("evaluation:export_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content))["Impact"]
    values = {row[0]: list(row[1:]) for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert values[BY_CENTRE] == ["masqué", "masqué"]
    assert values[TWELVE_WORSE] == ["masqué", "masqué"]
