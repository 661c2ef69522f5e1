"""`outbox_suppressed`: the services run, but no email is queued inside the block."""

import pytest
from django.core import mail

from soutien.cases import services
from soutien.core.models import OutboxEmail
from soutien.core.outbox import outbox_enqueue, outbox_suppressed
from tests.builders import fill_form, make_cast

pytestmark = pytest.mark.django_db


def test_no_row_is_written_inside_the_block_and_nesting_keeps_it():
    with outbox_suppressed():
        assert outbox_enqueue(to=["a@exemple.test"], subject="Objet", body="Texte") == []
        with outbox_suppressed():
            assert outbox_enqueue(to=["b@exemple.test"], subject="Objet", body="Texte") == []
        assert outbox_enqueue(to=["c@exemple.test"], subject="Objet", body="Texte") == []
    assert not OutboxEmail.objects.exists()
    written = outbox_enqueue(to=["d@exemple.test"], subject="Objet", body="Texte")
    assert [email.to for email in written] == ["d@exemple.test"]
    assert list(OutboxEmail.objects.values_list("to", flat=True)) == ["d@exemple.test"]


def test_a_service_run_inside_the_block_queues_nothing(
    reference, django_capture_on_commit_callbacks
):
    cast = make_cast()
    case = services.case_create_draft(centre=cast.centre, by=cast.board_member)
    fill_form(case, cast.board_member)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, outbox_suppressed():
        services.case_submit(case=case, by=cast.board_member)
    # Nothing scheduled that sends (the evaluation's refresh of its facts may run).
    assert [c for c in callbacks if not c.__module__.startswith("soutien.evaluation")] == []
    assert not OutboxEmail.objects.exists()
    assert mail.outbox == []
    # Outside the block the same step notifies the coordination.
    services.case_return_for_completion(case=case, by=cast.coordinator, message="Précisez.")
    assert OutboxEmail.objects.filter(to=cast.board_member.email).exists()


def test_the_block_resets_when_it_fails():
    with pytest.raises(RuntimeError), outbox_suppressed():
        raise RuntimeError("boom")
    assert [e.to for e in outbox_enqueue(to=["e@exemple.test"], subject="O", body="T")] == [
        "e@exemple.test"
    ]
