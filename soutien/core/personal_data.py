"""Which fields of each model hold personal data (RGPD), declared on the model itself.

Each model of the project states, as two class attributes:

- ``PERSONAL_FIELDS``: the fields that hold personal data or free text that may hold
  some (names, contact details, comments, file names, who wrote or did what: foreign
  keys to users and many-to-many fields may be listed too). Anonymising a case erases
  them in every row of the case (``soutien.cases.services.case_anonymise``).
- ``OTHER_FIELDS``: the text fields that hold none (codes, choices, hashes, labels of
  reference data).

Every concrete text, char, email or file field of a project model must be in one of
the two (``tests/security/test_personal_data_fields.py`` fails otherwise), so that a
new field is never forgotten by the anonymisation.
"""

from django.apps import apps
from django.db import models

CLASSIFIED_FIELD_TYPES = (models.CharField, models.TextField, models.FileField)
PROJECT_PACKAGE = "soutien."


def project_models() -> list[type[models.Model]]:
    """The models of the project's own apps (not Django's nor third-party ones)."""
    return [
        model
        for model in apps.get_models()
        if model._meta.app_config.name.startswith(PROJECT_PACKAGE)
    ]


def personal_field_names(model) -> frozenset[str]:
    return frozenset(getattr(model, "PERSONAL_FIELDS", ()))


def other_field_names(model) -> frozenset[str]:
    return frozenset(getattr(model, "OTHER_FIELDS", ()))


def fields_to_classify(model) -> list[str]:
    """The concrete text, char, email and file fields of a model (generated ones aside)."""
    return [
        field.name
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False)
        and isinstance(field, CLASSIFIED_FIELD_TYPES)
        and not isinstance(field, models.GeneratedField)
    ]


def unclassified_fields(model) -> list[str]:
    """The fields the model does not declare as personal or not (should be none)."""
    declared = personal_field_names(model) | other_field_names(model)
    return [name for name in fields_to_classify(model) if name not in declared]


def personal_fields(model) -> list[models.Field]:
    """The model's fields declared personal, as field objects (in declaration order)."""
    return [model._meta.get_field(name) for name in getattr(model, "PERSONAL_FIELDS", ())]


def _foreign_keys(model) -> list[models.Field]:
    return [
        field
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False) and (field.many_to_one or field.one_to_one)
    ]


def lookup_to(model, target) -> str | None:
    """The lookup from `model` to the `target` model's primary key through at most two
    foreign keys (``"case"``, ``"action__case"``), a direct one first; None if none."""
    if model is target:
        return "pk"
    keys = _foreign_keys(model)
    for field in keys:
        if field.related_model is target:
            return field.name
    for field in keys:
        if field.related_model is model:
            continue
        for inner in _foreign_keys(field.related_model):
            if inner.related_model is target:
                return f"{field.name}__{inner.name}"
    return None


def _erased_text(field, neutral: str):
    """What replaces a text: nothing when it was empty; the neutral text otherwise, so
    that a required text (a refusal's grounds, a requested change) stays non-empty."""
    if isinstance(field, models.EmailField | models.URLField | models.FileField):
        replacement = "" if field.blank else neutral
    elif field.max_length and field.max_length < len(neutral):
        replacement = "" if field.blank else neutral[: field.max_length]
    else:
        replacement = neutral
    return models.Case(
        models.When(**{field.name: ""}, then=models.Value("")),
        default=models.Value(replacement),
        output_field=field,
    )


def erase_personal_data(queryset, *, neutral: str) -> None:
    """Erase the declared personal fields of every row of `queryset`, in the database:
    texts replaced (see `_erased_text`), people (foreign keys) removed, many-to-many
    links (attendees) cleared. The caller holds the transaction."""
    model = queryset.model
    updates = {}
    for field in personal_fields(model):
        if field.many_to_many:
            through = field.remote_field.through
            through.objects.filter(
                **{f"{field.m2m_field_name()}__in": queryset.values("pk")}
            ).delete()
        elif field.is_relation:
            updates[field.name] = None
        else:
            updates[field.name] = _erased_text(field, neutral)
    if updates:
        queryset.update(**updates)
