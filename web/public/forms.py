from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html

from soutien.accounts.services import REQUESTABLE_ROLES
from soutien.directory.models import Organisation, Role
from web.forms import StyledFormMixin


def _privacy_help():
    return format_html(
        "Ces informations servent uniquement à examiner votre demande "
        '(<a href="{}">données personnelles</a>).',
        reverse_lazy("public:privacy"),
    )


class AccountRequestForm(StyledFormMixin, forms.Form):
    first_name = forms.CharField(
        label="Prénom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Nom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label="Adresse électronique",
        help_text="Elle vous servira d'identifiant. Exemple : prenom.nom@exemple.fr",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organisation_name = forms.CharField(
        label="Organisation ou centre social",
        max_length=200,
        help_text="Le nom de votre association, de votre centre social ou de votre fédération.",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    role = forms.ChoiceField(
        label="Votre rôle",
        choices=[(role.value, role.label) for role in REQUESTABLE_ROLES],
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label="Message (facultatif)",
        required=False,
        max_length=2000,
        help_text=lazy(_privacy_help, str)(),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # A trap for robots, which fill every field: hidden from people (and from screen
    # readers, with its container), never read as a real answer.
    website = forms.CharField(
        label="Ne pas remplir ce champ",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def request_data(self) -> dict:
        """What the service needs (the trap left out)."""
        return {key: value for key, value in self.cleaned_data.items() if key != "website"}


class ApprovalForm(StyledFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label="Organisation à laquelle rattacher le compte",
        queryset=Organisation.objects.order_by("name"),
        help_text="Vérifiez ou corrigez l'organisation indiquée par la personne.",
    )
    role = forms.ChoiceField(label="Rôle", choices=Role.choices)


class RefusalForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label="Message à la personne (facultatif)",
        required=False,
        max_length=2000,
        help_text="Il sera ajouté au courriel de réponse, qui reste courtois dans tous les cas.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InvitationPasswordForm(StyledFormMixin, SetPasswordForm):
    pass


class PageTextForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label="Titre de la page", max_length=120)
    description = forms.CharField(
        label="Description",
        max_length=300,
        help_text="Une ou deux phrases qui résument la page (moteurs de recherche).",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body = forms.CharField(
        label="Texte (Markdown)",
        help_text=(
            "## Intertitre, **gras**, *italique*, listes avec « - » ou « 1. », "
            "liens avec [texte](https://adresse). Les images et les scripts sont retirés."
        ),
        widget=forms.Textarea(attrs={"rows": 22, "class": "font-monospace"}),
    )
