"""The case page's own reads (soutien.cases.selectors): the fiche's lists in one query, in
the order of their reference tables; the opinions read once for the policies too."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from soutien.cases import policies, selectors, services
from soutien.cases.enums import Stage
from soutien.cases.models import InformationForm
from soutien.directory.models import Domain, WarningSign
from tests.builders import case_at

pytestmark = pytest.mark.django_db


def test_the_fiches_signs_and_fields_come_in_one_query_in_their_order():
    case, cast = case_at(Stage.DRAFT)
    signs = list(WarningSign.objects.order_by("-domain__order", "-order")[:3])
    domains = list(Domain.objects.order_by("-order")[:3])
    services.information_form_save(
        case=case,
        by=cast.board_member,
        fields={},
        situation="preventive",
        warning_signs=signs,
        domains=domains,
        version=None,
    )
    expected = (
        [s.label for s in WarningSign.objects.filter(pk__in=[s.pk for s in signs])],
        [d.name for d in Domain.objects.filter(pk__in=[d.pk for d in domains])],
    )
    assert len(expected[0]) == 3 and len(expected[1]) == 3
    # The case page reads the checked ids with the case: no query of their own.
    case = selectors.case_page_for(cast.board_member, case.pk)
    selectors.fiche_labels(case.form)  # the labels' reference, read once by the process
    with CaptureQueriesContext(connection) as queries:
        assert selectors.fiche_labels(case.form) == expected
    assert len(queries) == 0
    # Any other fiche: one query.
    form = InformationForm.objects.get(pk=case.pk)
    with CaptureQueriesContext(connection) as queries:
        assert selectors.fiche_labels(form) == expected
    assert len(queries) == 1
    # A fiche with nothing checked.
    services.information_form_save(
        case=case,
        by=cast.board_member,
        fields={},
        situation="preventive",
        warning_signs=[],
        domains=[],
        version=None,
    )
    case = selectors.case_page_for(cast.board_member, case.pk)
    assert selectors.fiche_labels(case.form) == ([], [])


def test_a_sign_created_after_the_labels_were_kept_is_shown_at_once():
    """A sign created by another process (no signal here) is read again, not dropped."""
    case, cast = case_at(Stage.DRAFT)
    domain = Domain.objects.order_by("order").first()
    sign = WarningSign.objects.create(code="nouveau-signe", label="Signe tout neuf", domain=domain)
    case.form.warning_signs.set([sign])
    # The reference as kept by a process that read it before the sign was created.
    del selectors._fiche_labels.get()[0][sign.pk]
    assert selectors.fiche_labels(case.form)[0] == ["Signe tout neuf"]


def test_a_partner_reads_the_opinions_once_for_the_page_and_its_policies():
    case, cast = case_at(Stage.REFERRAL)
    case = selectors.case_page_for(cast.partner_state, case.pk)
    with CaptureQueriesContext(connection) as queries:
        assert policies.can_view_case(cast.partner_state, case)
        assert policies.can_view_opinions(cast.partner_state, case)
        shown = selectors.case_opinions(case)
        caf = policies.caf_opinion_ids(case)
    assert len(queries) == 0
    assert sorted(o.partner_id for o in shown) == sorted(
        case.opinions.values_list("partner_id", flat=True)
    )
    assert caf == set(
        case.opinions.filter(partner__kind="coordinator").values_list("partner_id", flat=True)
    )
    # Someone else's page: the other commune's partner is not concerned, whatever was read.
    other = selectors.case_page_for(cast.coordinator, case.pk)
    assert not policies.is_concerned_partner(policies.actor_for(cast.partner_other_commune), other)


def test_the_plans_actions_come_with_their_notes_authors_and_fields_in_one_query():
    case, cast = case_at(Stage.SUPPORT)
    field = Domain.objects.order_by("order").first()
    services.action_add(case=case, by=cast.board_member, title="Sans point", owner="Lui")
    noted = services.action_add(
        case=case, by=cast.board_member, title="Avec points", owner="Elle", domain=field
    )
    for status, note in (("in_progress", "Lancé."), ("done", "Terminé.")):
        services.action_update(action=noted, by=cast.board_member, status=status, note=note)
    selectors.with_domain([noted])  # the fields' reference, read once by the process
    with CaptureQueriesContext(connection) as queries:
        actions = {action.title: action for action in selectors.case_page_actions(case)}
        shown = {
            title: [(n.text, n.author.get_full_name()) for n in action.notes.all()]
            for title, action in actions.items()
        }
        fields = {title: action.domain for title, action in actions.items()}
    assert len(queries) == 1
    assert shown == {
        "Sans point": [],
        "Avec points": [
            ("Lancé.", cast.board_member.get_full_name()),
            ("Terminé.", cast.board_member.get_full_name()),
        ],
    }
    assert fields == {"Sans point": None, "Avec points": field}
    assert [a.pk for a in actions.values()] == list(
        case.actions.order_by("due_date", "pk").values_list("pk", flat=True)
    )


def test_a_field_created_after_the_reference_was_kept_is_read_again():
    case, cast = case_at(Stage.SUPPORT)
    new_field = Domain.objects.create(code="champ-neuf", name="Champ tout neuf", order=99)
    action = services.action_add(
        case=case, by=cast.board_member, title="Nouvelle", owner="Elle", domain=new_field
    )
    from soutien.directory import selectors as directory_selectors

    # The reference as kept by a process that read it before the field was created.
    kept = directory_selectors.domains.get()
    directory_selectors.domains._value = tuple(d for d in kept if d.pk != new_field.pk)
    (shown,) = selectors.case_page_actions(case)
    # Given by the reference read again, not left to a query of its own.
    assert shown._meta.get_field("domain").is_cached(shown)
    assert shown.pk == action.pk and shown.domain == new_field


def test_the_pages_list_of_versions_follows_the_report_policy_for_every_role():
    case, cast = case_at(Stage.REPORT_REVIEW)
    services.report_request_changes(case=case, by=cast.board_member, comment="Précisez.")
    services.report_save(case=case, by=cast.consultant, summary="Deuxième version.")
    listed = {
        name: [v.number for v in selectors.report_versions_listed(getattr(cast, name), case)]
        for name in ("consultant", "board_member", "coordinator", "partner_state", "staff")
    }
    assert listed == {
        "consultant": [1, 2],
        "board_member": [1],
        "coordinator": [],
        "partner_state": [],
        "staff": [],
    }
    for name in listed:
        user = getattr(cast, name)
        assert [v.pk for v in selectors.report_versions_listed(user, case)] == [
            v.pk for v in selectors.report_versions_visible(user, case)
        ]
