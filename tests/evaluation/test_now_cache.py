"""The figures « à ce jour » kept in the cache (soutien.evaluation.indicators._now_aggregate).

They are kept under the name of their facts (or of their published grid) and targets,
for one territory and filters, and, for the live figures, only between two moments a
step falls due: a change of the facts, a new grid, another territory or the hour passing
a deadline is seen at once.
"""

import datetime as dt

from soutien.cases.enums import Situation, Stage
from soutien.cases.models import Case, TargetDuration
from soutien.evaluation.indicators import Filters, compute
from soutien.evaluation.policies import DEPARTMENT, territory_of
from soutien.evaluation.publication import compute_grid, published_grid
from tests.evaluation.dataset import NOW, day
from tests.evaluation.helpers import texts

IN_PROGRESS = "Dossiers en cours, à ce jour"
OVERDUE = "Dossiers en retard sur le délai cible, à ce jour"


def _now_figures(**kwargs) -> tuple[str, str]:
    summary = texts(compute(**kwargs).table("summary"))
    return summary[IN_PROGRESS][0], summary[OVERDUE][0]


def test_the_count_en_retard_follows_the_hour_with_the_same_facts(dataset):
    # c8 (preventive, sent on 1 April 2024 at 10:00) is due 30 days later, at 10:00 on
    # 1 May: late from the next second on.
    due = day(2024, 5, 1)
    assert _now_figures(masked=False, now=day(2024, 4, 20)) == ("4", "2")
    assert _now_figures(masked=False, now=due) == ("4", "2")
    assert _now_figures(masked=False, now=due + dt.timedelta(seconds=1)) == ("4", "3")
    assert _now_figures(masked=False, now=NOW) == ("4", "3")
    assert _now_figures(masked=False, now=day(2024, 4, 20)) == ("4", "2")  # back in time


def test_a_new_target_duration_is_seen_at_once(dataset):
    assert _now_figures(masked=False, now=day(2024, 4, 20)) == ("4", "2")
    TargetDuration.objects.update_or_create(
        step="referral", situation=Situation.PREVENTIVE, defaults={"days": 5}
    )
    # c8 (preventive, submitted on 1 April) is now 14 days late.
    assert _now_figures(masked=False, now=day(2024, 4, 20)) == ("4", "3")


def test_a_change_of_the_facts_is_seen_at_once(dataset):
    assert _now_figures(masked=False, now=NOW) == ("4", "3")
    c6 = dataset.cases["c6"]
    Case.objects.create(
        number="MSTR-T-9300",
        centre=c6.centre,
        manager=c6.manager,
        stage=Stage.SUBMITTED,
        situation=Situation.CRISIS,
        submitted_at=day(2024, 5, 30),
    )
    assert _now_figures(masked=False, now=NOW) == ("5", "3")


def test_a_commune_partner_never_gets_another_territorys_figures(dataset):
    marseille = territory_of(dataset.partner_marseille)
    aix = territory_of(dataset.partner_aix)
    for _ in range(2):  # computed, then read from the cache
        assert _now_figures(territory=marseille, masked=False, now=NOW) == ("3", "2")
        assert _now_figures(territory=aix, masked=False, now=NOW) == ("1", "1")
        assert _now_figures(territory=DEPARTMENT, masked=False, now=NOW) == ("4", "3")
        assert _now_figures(
            territory=DEPARTMENT, filters=Filters(commune=dataset.aix), masked=False, now=NOW
        ) == ("1", "1")


def test_masked_figures_are_those_of_their_own_grid(dataset):
    compute_grid(NOW)
    held = published_grid(NOW)
    assert _now_figures(masked=True, now=NOW, grid=held)[0] == "4"
    c6 = dataset.cases["c6"]
    for number in range(3):
        Case.objects.create(
            number=f"MSTR-T-94{number:02d}",
            centre=c6.centre,
            manager=c6.manager,
            stage=Stage.SUBMITTED,
            situation=Situation.CRISIS,
            submitted_at=day(2024, 5, 30),
        )
    assert _now_figures(masked=True, now=NOW)[0] == "7"  # the new grid's copy
    assert _now_figures(masked=True, now=NOW, grid=held)[0] == "4"  # the old one's
