"""Handing a draft over to the board members is idempotent, like every transition.

Six parallel posts of « Confier le brouillon » once gave six events and six emails. On
PostgreSQL (CI) the six calls really race in threads (see tests/cases/test_concurrency.py);
on SQLite they run one after the other through the same code path.
"""

import pytest
from django.urls import reverse

from soutien.cases import services
from soutien.cases.models import Case, CaseEvent
from soutien.core.models import OutboxEmail
from tests.builders import fill_form, make_cast
from tests.cases.test_concurrency import race

SUBJECT = "Un brouillon de fiche vous est confié"


def _draft_by_staff():
    cast = make_cast()
    case = services.case_create_draft(centre=cast.centre, by=cast.staff)
    fill_form(case, cast.staff)
    return case, cast


@pytest.mark.django_db(transaction=True)
def test_six_hand_overs_at_once_record_one_event_and_one_email(reference):
    case, cast = _draft_by_staff()
    outcomes = race(
        lambda: services.case_hand_over(
            case=Case.objects.get(pk=case.pk), by=cast.staff, message="Prête à relire."
        ),
        times=6,
    )
    assert len(outcomes) == 6
    assert sum(isinstance(o, services.AlreadyDone) for o in outcomes) == 5
    assert sum(isinstance(o, Case) for o in outcomes) == 1
    assert CaseEvent.objects.filter(case=case, kind="hand_over").count() == 1
    assert OutboxEmail.objects.filter(subject__contains=SUBJECT).count() == 1


@pytest.mark.django_db
def test_a_draft_edited_after_its_hand_over_may_be_handed_over_again(reference):
    case, cast = _draft_by_staff()
    services.case_hand_over(case=case, by=cast.staff, message="Première version.")
    with pytest.raises(services.AlreadyDone):
        services.case_hand_over(case=case, by=cast.staff, message="Encore.")
    services.information_form_save(
        case=case,
        by=cast.staff,
        fields={"expectations": "Un regard extérieur, et une formation du trésorier."},
        situation="preventive",
        warning_signs=list(case.form.warning_signs.all()),
        domains=list(case.form.domains.all()),
        version=case.version,
    )
    services.case_hand_over(case=case, by=cast.staff, message="Fiche complétée.")
    comments = list(
        CaseEvent.objects.filter(case=case, kind="hand_over")
        .order_by("pk")
        .values_list("comment", flat=True)
    )
    assert comments == ["Première version.", "Fiche complétée."]
    assert OutboxEmail.objects.filter(subject__contains=SUBJECT).count() == 2


@pytest.mark.django_db
def test_posting_the_hand_over_twice_says_it_is_already_done(client, reference):
    from django.contrib.messages import get_messages

    case, cast = _draft_by_staff()
    client.force_login(cast.staff)
    url = reverse("cases:transition", args=[case.pk, "hand_over"])
    first = client.post(url, {"text": "Prête à relire."})
    second = client.post(url, {"text": "Prête à relire."})
    assert first.status_code == second.status_code == 302
    # Neither redirect was followed: the second page would show both messages.
    assert [str(m) for m in get_messages(second.wsgi_request)] == [
        "Le brouillon est confié aux administrateurs de l'association : ils sont prévenus.",
        "Action déjà effectuée.",
    ]
    assert CaseEvent.objects.filter(case=case, kind="hand_over").count() == 1
    assert OutboxEmail.objects.filter(subject__contains=SUBJECT).count() == 1
