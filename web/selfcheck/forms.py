"""The self-check's forms: the questionnaire (one field per question, built from the data
the coordination edits) and the coordination's editing forms."""

from django import forms

from soutien.selfcheck.models import Choice, DomainThreshold, Question
from web.forms import StyledFormMixin


class SelfCheckForm(StyledFormMixin, forms.Form):
    """One radio group per question asked. Every question may be left unanswered (an
    unanswered question weighs nothing), but at least one answer is needed."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        total = len(self.questions)
        for number, question in enumerate(self.questions, start=1):
            field = forms.ChoiceField(
                label=question.text,
                choices=[(choice.code, choice.label) for choice in question.choices.all()],
                widget=forms.RadioSelect,
                required=False,
                help_text=question.explanation,
                error_messages={"invalid_choice": "Choisissez une des réponses proposées."},
            )
            field.number, field.total, field.question = number, total, question
            self.fields[question.code] = field
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        if self.questions and not any(data.get(question.code) for question in self.questions):
            raise forms.ValidationError(
                "Répondez au moins à une question pour obtenir un résultat.",
                code="empty",
            )
        return data

    def answers(self) -> dict[str, str]:
        """Question code → choice code, answered questions only."""
        return {code: value for code, value in self.cleaned_data.items() if value}

    def numbered_fields(self):
        """(bound field, number, total) for the template: one fieldset per question."""
        return [
            (self[code], self.fields[code].number, self.fields[code].total) for code in self.fields
        ]


class SaveForm(StyledFormMixin, forms.Form):
    centre = forms.ModelChoiceField(
        label="Centre social",
        queryset=None,
        empty_label="Choisissez un centre",
        error_messages={
            "required": "Choisissez le centre pour lequel enregistrer l'auto-diagnostic.",
            "invalid_choice": "Choisissez un des centres proposés.",
        },
    )

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres
        if len(centres) == 1:
            self.fields["centre"].initial = centres[0].pk


class QuestionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Question
        fields = ["text", "explanation", "advice", "warning_sign", "is_active"]
        widgets = {
            "explanation": forms.Textarea(attrs={"rows": 3}),
            "advice": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warning_sign"].queryset = self.fields["warning_sign"].queryset.filter(
            domain=self.instance.domain
        )
        self.fields["warning_sign"].empty_label = "Aucun"
        self.fields["is_active"].label = "Poser cette question"


class ChoiceWeightForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Choice
        fields = ["weight"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weight"].label = f"Points de la réponse « {self.instance.label} »"
        self.fields["weight"].max_value = 20
        self.fields["weight"].widget.attrs.update({"min": 0, "max": 20})
        self.fields["weight"].error_messages.update(
            {
                "required": "Indiquez un nombre de points (0 si la réponse n'est pas un signe).",
                "invalid": "Indiquez un nombre entier de points.",
            }
        )
        self.fields["weight"].validators.append(_max_twenty)


def _max_twenty(value):
    if value is not None and value > 20:
        raise forms.ValidationError("Indiquez au plus 20 points.")


ChoiceWeightFormSet = forms.modelformset_factory(Choice, form=ChoiceWeightForm, extra=0)


class ThresholdForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = DomainThreshold
        fields = ["watch_from", "warning_from"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].error_messages.update(
                {
                    "required": "Indiquez un nombre de points.",
                    "invalid": "Indiquez un nombre entier.",
                }
            )

    def clean(self):
        data = super().clean()
        watch, warning = data.get("watch_from"), data.get("warning_from")
        if watch is not None and watch < 1:
            self.add_error("watch_from", "Le seuil « à surveiller » est d'au moins 1 point.")
        if watch is not None and warning is not None and warning <= watch:
            self.add_error(
                "warning_from",
                "Le seuil « signes d'alerte » doit être plus élevé que le seuil « à surveiller ».",
            )
        return data


ThresholdFormSet = forms.modelformset_factory(DomainThreshold, form=ThresholdForm, extra=0)
