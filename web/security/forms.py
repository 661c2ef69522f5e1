from django import forms

from web.forms import DateField, StyledFormMixin


class TokenForm(StyledFormMixin, forms.Form):
    token = forms.CharField(
        label="Code de vérification",
        max_length=32,
        help_text="Le code à 6 chiffres affiché par votre application d'authentification.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


class VerifyForm(TokenForm):
    token = forms.CharField(
        label="Code de vérification",
        max_length=32,
        help_text=(
            "Le code à 6 chiffres affiché par votre application d'authentification, "
            "ou l'un de vos codes de secours."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


class EmailTokenForm(TokenForm):
    token = forms.CharField(
        label="Code de vérification",
        max_length=32,
        help_text="Le code à 6 chiffres reçu par courriel.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class EmailVerifyForm(TokenForm):
    token = forms.CharField(
        label="Code de vérification",
        max_length=32,
        help_text="Le code à 6 chiffres reçu par courriel, ou l'un de vos codes de secours.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class AuditFilterForm(StyledFormMixin, forms.Form):
    action = forms.ChoiceField(label="Action", required=False)
    actor = forms.CharField(
        label="Utilisateur",
        required=False,
        max_length=254,
        help_text="Tout ou partie de l'adresse.",
    )
    case_number = forms.CharField(label="Numéro de dossier", required=False, max_length=40)
    ip_address = forms.GenericIPAddressField(label="Adresse IP", required=False)
    date_from = DateField(
        label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = DateField(label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Toutes")] + [(a, a) for a in actions]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "La date de fin doit suivre la date de début.")
        return data
