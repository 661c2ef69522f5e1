"""Form rendering shared by every page: Bootstrap classes, accessible errors."""

import datetime as dt

from django import forms
from django.db import models
from django.forms.renderers import TemplatesSetting


class SoutienFormRenderer(TemplatesSetting):
    """Renders each field with its label, help text and French error beside it."""

    field_template_name = "forms/field.html"


def style_widget(widget: forms.Widget) -> None:
    """Give a widget the Bootstrap class that fits its kind."""
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
        css = "form-check-input"  # on each option; the container stays a plain <div>
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    existing = widget.attrs.get("class", "")
    if css not in existing.split():
        widget.attrs["class"] = f"{existing} {css}".strip()


class StyledFormMixin:
    """Mix into any form so that its widgets look like the rest of the site."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_widget(field.widget)


# The largest identifier a database integer column holds (64-bit signed).
MAX_ID = 2**63 - 1


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, refusing identifiers no database column can hold.

    Django guards an exact lookup against out-of-range integers but not an ``IN`` one,
    which SQLite refuses with an ``OverflowError`` (a server error): such a value is
    simply not one of the choices.
    """

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        if key == "pk":
            for item in value:
                text = str(item).strip()
                try:
                    number = int(text)
                except ValueError:
                    continue  # Django reports it as an invalid value
                if abs(number) > MAX_ID:
                    raise forms.ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": text},
                    )
        return super()._check_values(value)


class _CachedChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices of a ``ReferenceChoiceField``: its rows kept in the process."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.rows():
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.rows()) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.rows())


class ReferenceChoiceField(forms.ModelChoiceField):
    """A choice among reference rows kept in the process (``soutien.core.refcache``:
    the federations, the fields of work): offering and checking the choice query
    nothing, where Django's field reads the table twice on each view. The cleaned value
    is the kept row, as Django's field would return it."""

    iterator = _CachedChoiceIterator

    def __init__(self, rows, **kwargs):
        self.rows = rows  # returns the model instances offered, in their order (no query)
        super().__init__(queryset=None, **kwargs)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        # Django's copy keeps the widget's choices bound to the original field: offer
        # the copy's own rows (a form may narrow them, as the evaluation's territory).
        result.widget.choices = result.choices
        return result

    def to_python(self, value):
        if value in self.empty_values:
            return None
        key = str(value.pk if isinstance(value, models.Model) else value).strip()
        for obj in self.rows():
            if str(obj.pk) == key:
                return obj
        raise forms.ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


# Dates a form accepts: anything beyond would only be a typing slip, and year 1 or 9999
# overflow as soon as a day or a time zone is added to them (a server error).
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)
OUT_OF_RANGE = "Indiquez une date entre le 01/01/2000 et le 31/12/2099."


class _BoundedDates:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("min", self._bound(EARLIEST_DATE, start=True))
        self.widget.attrs.setdefault("max", self._bound(LATEST_DATE, start=False))

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        day = value.date() if isinstance(value, dt.datetime) else value
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            raise forms.ValidationError(OUT_OF_RANGE, code="out_of_range")


class DateField(_BoundedDates, forms.DateField):
    """A date between 2000 and 2099."""

    @staticmethod
    def _bound(day, *, start):
        return day.isoformat()


class DateTimeField(_BoundedDates, forms.DateTimeField):
    """A date and time between 2000 and 2099."""

    @staticmethod
    def _bound(day, *, start):
        return f"{day.isoformat()}T{'00:00' if start else '23:59'}"
