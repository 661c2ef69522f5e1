"""The follow-up questionnaire's form. It parses input only: the rules live in the service."""

from django import forms

from soutien.followup.enums import ActionsContinued, Situation, WouldAskAgain
from web.forms import StyledFormMixin

RADIO = {"class": "form-check-input"}
DIFFICULTIES_MESSAGE = "Décrivez en quelques mots les nouvelles difficultés."


class FollowUpForm(StyledFormMixin, forms.Form):
    situation = forms.ChoiceField(
        label="Aujourd'hui, où en est le centre ?",
        choices=Situation.choices,
        widget=forms.RadioSelect(attrs=RADIO),
        error_messages={"required": "Indiquez où en est le centre aujourd'hui."},
    )
    actions_continued = forms.ChoiceField(
        label="Les actions du plan d'actions ont-elles été poursuivies ?",
        choices=ActionsContinued.choices,
        widget=forms.RadioSelect(attrs=RADIO),
        error_messages={"required": "Indiquez si les actions du plan ont été poursuivies."},
    )
    new_difficulties = forms.TypedChoiceField(
        label="De nouvelles difficultés sont-elles apparues depuis la clôture ?",
        choices=[("1", "Oui"), ("0", "Non")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect(attrs=RADIO),
        error_messages={"required": "Indiquez si de nouvelles difficultés sont apparues."},
    )
    new_difficulties_text = forms.CharField(
        label="Si oui, lesquelles ?",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    would_ask_again = forms.ChoiceField(
        label="Feriez-vous de nouveau appel à la mission si le besoin s'en faisait sentir ?",
        choices=WouldAskAgain.choices,
        widget=forms.RadioSelect(attrs=RADIO),
        error_messages={"required": "Indiquez si vous feriez de nouveau appel à la mission."},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_difficulties") and not cleaned.get("new_difficulties_text", "").strip():
            self.add_error("new_difficulties_text", DIFFICULTIES_MESSAGE)
        return cleaned
