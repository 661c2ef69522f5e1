"""Each model declares which of its fields hold personal data: a new text, char, email or
file field nobody classified fails here, so the anonymisation never forgets it."""

import pytest
from django.db import models
from django.test.utils import isolate_apps

from soutien.cases.models import Case
from soutien.core.personal_data import (
    fields_to_classify,
    lookup_to,
    other_field_names,
    personal_field_names,
    personal_fields,
    project_models,
    unclassified_fields,
)

MODELS = project_models()


def _label(model) -> str:
    return model._meta.label


@pytest.mark.parametrize("model", MODELS, ids=_label)
def test_every_text_field_is_declared_personal_or_not(model):
    assert unclassified_fields(model) == []


@pytest.mark.parametrize("model", MODELS, ids=_label)
def test_declarations_name_real_fields_once(model):
    personal, other = personal_field_names(model), other_field_names(model)
    assert not personal & other
    names = {field.name for field in model._meta.get_fields()}
    assert personal | other <= names


@isolate_apps("soutien.cases")
def test_an_unclassified_new_field_is_caught():
    class Visit(models.Model):
        PERSONAL_FIELDS = ("visitor",)
        OTHER_FIELDS = ("kind",)

        visitor = models.CharField(max_length=100)
        kind = models.CharField(max_length=10)
        notes = models.TextField()
        badge = models.FileField()
        email = models.EmailField()
        visits = models.PositiveIntegerField()

        class Meta:
            app_label = "cases"

        def __str__(self):
            return self.visitor

    assert fields_to_classify(Visit) == ["visitor", "kind", "notes", "badge", "email"]
    assert unclassified_fields(Visit) == ["notes", "badge", "email"]


def test_the_anonymisation_reaches_every_model_a_case_owns():
    owned = {_label(model) for model in MODELS if lookup_to(model, Case) is not None}
    assert owned == {
        "cases.Case",
        "cases.InformationForm",
        "cases.CaseEvent",
        "cases.CaseVisit",
        "cases.Opinion",
        "cases.Decision",
        "cases.Meeting",
        "meetings.DatePoll",
        "meetings.DatePollSlot",
        "meetings.DatePollAnswer",
        "cases.Finding",
        "cases.ReportVersion",
        "cases.Recommendation",
        "cases.Action",
        "cases.ActionNote",
        "cases.SupportSession",
        "cases.Message",
        "cases.Satisfaction",
        "cases.Reminder",
        "documents.Document",
        "documents.DownloadLog",
        "documents.PendingUpload",
        "selfcheck.SavedSelfCheck",
        "followup.FollowUp",
        # What the evaluation counts of a case (no personal data: codes, dates, scores).
        "evaluation.CaseFacts",
        "evaluation.CaseFactsDomain",
    }
    from soutien.cases.models import ActionNote

    assert lookup_to(ActionNote, Case) == "action__case"


@pytest.mark.parametrize(
    "model", [model for model in MODELS if lookup_to(model, Case) is not None], ids=_label
)
def test_people_a_case_refers_to_can_be_removed(model):
    """A personal foreign key of a case's row must accept none: anonymising removes it."""
    for field in personal_fields(model):
        if field.many_to_one or field.one_to_one:
            assert field.null, field.name
