import pytest
from django.urls import reverse

from soutien.accounts.models import User
from soutien.cases.enums import Stage
from soutien.cases.models import CaseEvent
from tests.builders import case_at

pytestmark = pytest.mark.django_db


def test_deleting_an_account_keeps_the_case_history_under_a_pseudonym(reference, client):
    case, cast = case_at(Stage.REFERRAL)
    member = cast.board_member
    events = CaseEvent.objects.filter(case=case, actor=member).count()
    assert events >= 2
    admin = User.objects.create_superuser("tech@exemple.test", "Mot-de-passe-long-2026")
    client.force_login(admin)
    response = client.post(reverse("admin:accounts_user_delete", args=[member.pk]), {"post": "yes"})
    assert response.status_code == 302
    member.refresh_from_db()  # still there: a pseudonym, not a deletion
    assert str(member) == f"Compte supprimé n°{member.pk}"
    assert member.email.endswith(".invalid")
    assert not member.is_active and not member.has_usable_password()
    assert not member.memberships.filter(is_active=True).exists()
    assert CaseEvent.objects.filter(case=case, actor=member).count() == events
    assert not client.login(username=cast.board_member.email, password="soutien-demo")
