"""Filters of the evaluation pages (period, commune, federation).

Only the coordination chooses a free period (« Du », « Au »); everyone else chooses among
the published periods (every year, or one whole year): see
``soutien.evaluation.policies.can_choose_free_period``.
"""

import datetime as dt

from django import forms
from django.utils import timezone

from soutien.directory import selectors as directory_selectors
from soutien.evaluation.indicators import Filters
from web.forms import DateField, ReferenceChoiceField, StyledFormMixin

FIRST_YEAR = 2015  # the Convention cadre 2015–2017 created the mission


class EvaluationFilterForm(StyledFormMixin, forms.Form):
    year = forms.TypedChoiceField(label="Année", required=False, coerce=int, empty_value=None)
    start = DateField(label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = DateField(label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    commune = ReferenceChoiceField(
        directory_selectors.evaluated_communes.get,
        label="Commune",
        required=False,
        empty_label="Toutes",
    )
    federation = ReferenceChoiceField(
        directory_selectors.federations.get,
        label="Fédération gestionnaire",
        required=False,
        empty_label="Toutes (et centres associatifs)",
    )

    def __init__(self, *args, territory, free_period: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.free_period = free_period
        if not free_period:
            del self.fields["start"], self.fields["end"]
        this_year = timezone.localdate().year
        self.fields["year"].choices = [("", "Toutes")] + [
            (year, str(year)) for year in range(this_year, FIRST_YEAR - 1, -1)
        ]
        # The note sits under the row of filters (beside the field it would push the
        # select out of line with the others).
        self.fields["year"].widget.attrs["aria-describedby"] = "filtre-annee-aide"
        if not territory.is_department:
            self.fields["commune"].rows = lambda: [
                commune
                for commune in directory_selectors.evaluated_communes.get()
                if commune.pk in territory.commune_ids
            ]

    def clean(self):
        data = super().clean()
        if not self.free_period and (self.data.get("start") or self.data.get("end")):
            self.add_error(
                "year",
                "Les dates « Du » et « Au » sont réservées à la coordination : choisissez "
                "une année, ou « Toutes ».",
            )
        if data.get("year"):
            data["start"] = dt.date(data["year"], 1, 1)
            data["end"] = dt.date(data["year"], 12, 31)
        elif data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "La fin de la période doit suivre son début.")
        return data

    def filters(self) -> Filters:
        """The filters typed, or none at all if the form is invalid."""
        if not self.is_valid():
            return Filters()
        data = self.cleaned_data
        return Filters(
            start=data.get("start"),
            end=data.get("end"),
            commune=data.get("commune"),
            federation=data.get("federation"),
        )
