"""Forms of the case pages. They parse input only: every rule lives in the services."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Exists, OuterRef
from django.urls import reverse_lazy
from django.utils import timezone

from soutien.cases.awaiting import TASK_KINDS
from soutien.cases.enums import (
    SETTABLE_STATUSES,
    ActionStatus,
    Channel,
    ClosureOutcome,
    DecisionOutcome,
    OpinionValue,
    Priority,
    RiskLevel,
    Situation,
    Stage,
    Step,
)
from soutien.cases.models import Satisfaction
from soutien.cases.services import REQUIRED_FOR_SUBMISSION
from soutien.directory import selectors as directory_selectors
from soutien.directory.models import (
    Commune,
    Domain,
    SocialCentre,
    WarningSign,
)
from soutien.documents.validation import ACCEPT_ATTRIBUTE, max_upload_bytes
from web.forms import (
    MAX_ID,
    DateField,
    DateTimeField,
    ModelMultipleChoiceField,
    ReferenceChoiceField,
    StyledFormMixin,
    style_widget,
)

REQUIRED_HELP = "Obligatoire pour transmettre la fiche."


def _text(label, *, required=False, rows=4, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files at once (Django's documented recipe). The files are checked by their
    content by the service that keeps or attaches them, whose French message is shown
    beside this field."""

    def __init__(self, **kwargs):

        megabytes = max_upload_bytes() // (1024 * 1024)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        kwargs.setdefault(
            "help_text",
            f"PDF, ODT, ODS, DOCX, XLSX, PNG ou JPEG ; {megabytes}\u00a0Mo au maximum par "
            "fichier. Vous pouvez en choisir plusieurs.",
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class VersionedForm(StyledFormMixin, forms.Form):
    """Carries the version of the case the form was built from (stale forms are refused).

    A post without it, or with a value that is not a number, is refused above the form:
    nobody could tell whether someone else changed the case meanwhile, so nothing is saved
    (the service accepts `version=None` only from code, never from a form)."""

    MISSING_VERSION = (
        "Ce formulaire ne dit pas sur quelle version du dossier il a été rempli : rien n'a "
        "été enregistré, pour ne pas écraser une modification faite entre-temps. Copiez votre "
        "saisie, conservée ci-dessous, puis rechargez la page."
    )

    # Not required at field level: the error of a hidden field would be shown nowhere.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        if "version" in self.errors or cleaned.get("version") is None:
            self.errors.pop("version", None)
            cleaned.pop("version", None)
            raise ValidationError(self.MISSING_VERSION, code="missing_version")
        return cleaned


class CaseCreateForm(StyledFormMixin, forms.Form):
    centre = forms.ModelChoiceField(
        label="Centre social concerné",
        queryset=None,
        empty_label="Choisissez un centre",
        error_messages={"required": "Choisissez le centre social concerné."},
    )

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres


class InformationFormForm(VersionedForm):
    """The fiche d'information. Everything is optional here: a draft saves at any time;
    completeness is checked by the service on submission."""

    requester_name = forms.CharField(label="Nom et prénom", max_length=150, required=False)
    requester_function = forms.CharField(
        label="Fonction",
        max_length=150,
        required=False,
        help_text="Par exemple : présidente, trésorier, délégué fédéral.",
    )
    requester_phone = forms.CharField(label="Téléphone", max_length=30, required=False)
    requester_email = forms.EmailField(
        label="Adresse électronique",
        required=False,
        error_messages={"invalid": "Saisissez une adresse électronique valide."},
    )
    situation = forms.ChoiceField(
        label="Situation du centre",
        choices=Situation.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        help_text="Démarche préventive : vous avez repéré des signes d'alerte. "
        "Crise avérée : l'existence du centre est menacée.",
    )
    warning_signs = ModelMultipleChoiceField(
        label="Signes d'alerte repérés",
        queryset=WarningSign.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    warning_signs_other = _text("Autres signes d'alerte", rows=2)
    domains = ModelMultipleChoiceField(
        label="Champs de fonctionnement concernés",
        queryset=Domain.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text="Cochez un ou plusieurs champs.",
    )
    description = _text("Description de la situation", rows=6)
    previous_attempts = _text(
        "Ce qui a déjà été tenté, dont les missions d'appui antérieures",
        help_text="Par exemple : mission d'appui comptable et financière, "
        "accompagnement d'une fédération, changement de trésorier.",
    )
    expectations = _text("Vos attentes vis-à-vis de la mission")
    availability = _text(
        "Vos disponibilités pour le diagnostic",
        rows=2,
        help_text="Jours et horaires où l'intervenant peut rencontrer les bénévoles et "
        "les salariés.",
    )
    confidentiality_ack = forms.BooleanField(
        label="J'ai pris connaissance des règles de confidentialité de la mission",
        required=False,
    )
    cooperation_ack = forms.BooleanField(
        label="J'accepte la démarche de coopération : l'intervenant travaille avec les "
        "bénévoles et les salariés, il n'agit jamais à leur place",
        required=False,
    )
    files = FilesField(
        label="Joindre des fichiers",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        signs = WarningSign.objects.filter(is_active=True).select_related("domain")
        signs = signs.order_by("domain__order", "order", "label")
        self.fields["warning_signs"].queryset = signs
        self.fields["domains"].queryset = Domain.objects.order_by("order", "name")
        self._sign_groups = {}
        for sign in signs:
            group = sign.domain.name if sign.domain_id else "Autres signes"
            self._sign_groups[str(sign.pk)] = group
        for name in REQUIRED_FOR_SUBMISSION:
            field = self.fields[name]
            if not isinstance(field, forms.BooleanField):
                field.help_text = f"{field.help_text} {REQUIRED_HELP}".strip()

    def warning_sign_groups(self):
        """The warning-sign checkboxes grouped by field of expertise, for the template."""
        groups: dict[str, list] = {}
        for checkbox in self["warning_signs"]:
            group = self._sign_groups.get(str(checkbox.data["value"]), "Autres signes")
            groups.setdefault(group, []).append(checkbox)
        return list(groups.items())

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "fields": {
                name: data[name]
                for name in self.fields
                if name not in ("version", "situation", "warning_signs", "domains", "files")
            },
            "situation": data["situation"],
            "warning_signs": list(data["warning_signs"]),
            "domains": list(data["domains"]),
            "version": data["version"],
        }

    @classmethod
    def initial_for(cls, case) -> dict:
        form = case.form
        initial = {name: getattr(form, name) for name in cls.base_fields if hasattr(form, name)}
        initial.update(
            situation=case.situation,
            warning_signs=list(form.warning_signs.values_list("pk", flat=True)),
            domains=list(form.domains.values_list("pk", flat=True)),
            version=case.version,
        )
        return initial


class CommentForm(StyledFormMixin, forms.Form):
    """A confirmation with an optional (or required) text, for simple transitions."""

    text = _text("Message")

    def __init__(self, *args, label="Message", required=False, help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["text"]
        field.label = label
        field.required = required
        field.help_text = help_text
        if required:
            field.error_messages["required"] = "Ce champ est obligatoire."


class OpinionForm(StyledFormMixin, forms.Form):
    value = forms.ChoiceField(
        label="Votre avis",
        choices=[c for c in OpinionValue.choices if c[0] != OpinionValue.PENDING],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choisissez un avis : favorable, réservé ou défavorable."},
    )
    comment = _text("Commentaire", help_text="Facultatif ; utile en cas d'avis réservé.")


class DecisionForm(StyledFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Décision des financeurs",
        choices=DecisionOutcome.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choisissez une décision."},
    )
    grounds = _text("Motifs", help_text="Obligatoires en cas de refus : ils sont envoyés au "
                    "demandeur.")  # fmt: skip
    justification = _text(
        "Justification",
        help_text="Obligatoire si un partenaire concerné n'a pas encore donné son avis "
        "(par exemple : décision prise en comité des financeurs).",
    )


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


def _datetime(label, *, required=True, help_text=""):
    return DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=DATETIME_FORMATS,
        error_messages={
            "required": "Indiquez la date et l'heure.",
            "invalid": "Saisissez une date et une heure valides.",
        },
    )


class ExternalEmailsField(forms.CharField):
    """Email addresses typed one per line (commas and semicolons accepted too).

    Each bad address gets its own French error; the cleaned value keeps one address per
    line, lower-cased and without duplicates.
    """

    widget = forms.Textarea

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Invités extérieurs (adresses électroniques)")
        kwargs.setdefault(
            "help_text",
            "Personnes sans compte sur la plateforme : une adresse par ligne. Elles "
            "reçoivent l'invitation par courriel.",
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs["rows"] = 3

    def to_python(self, value):
        text = super().to_python(value)
        return [
            part.strip()
            for part in text.replace(";", "\n").replace(",", "\n").splitlines()
            if part.strip()
        ]

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value):
        errors = []
        for address in value:
            try:
                validate_email(address)
            except ValidationError:
                errors.append(
                    ValidationError(
                        "« %(address)s » n'est pas une adresse électronique valide.",
                        code="invalid",
                        params={"address": address},
                    )
                )
        if errors:
            raise ValidationError(errors)

    def clean(self, value):
        addresses = super().clean(value)
        unique = dict.fromkeys(address.lower() for address in addresses)
        return "\n".join(unique)


class AttendeesField(ModelMultipleChoiceField):
    """Platform users to invite, chosen among the people involved in the case."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Participants ayant un compte sur la plateforme")
        kwargs.setdefault("queryset", None)
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            "Ils reçoivent l'invitation par courriel et voient la réunion dans le dossier.",
        )
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("class", "form-check-input")

    def label_from_instance(self, user):
        name = user.get_full_name() or user.email
        organisation = getattr(user, "organisation_name", None)
        return f"{name} — {organisation}" if organisation else name


class MeetingDetailsForm(StyledFormMixin, forms.Form):
    """Date, place, agenda and attendees of a meeting; the case's candidates are given."""

    starts_at = _datetime("Date et heure de début")
    ends_at = _datetime("Heure de fin", required=False, help_text="Facultative.")
    place = forms.CharField(label="Lieu", max_length=255, required=False)
    video_link = forms.URLField(
        label="Lien de visioconférence",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Saisissez une adresse web valide (https://…)."},
    )
    agenda = _text("Ordre du jour", rows=3)
    attendees = AttendeesField()
    external_emails = ExternalEmailsField()
    attendees_text = _text(
        "Personnes présentes ou rencontrées", help_text="Noms et fonctions, une par ligne."
    )
    summary = _text("Compte rendu", rows=6)

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is None:
            candidates = get_user_model().objects.none()
        self.fields["attendees"].queryset = candidates

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", "L'heure de fin doit suivre le début de la réunion.")
        return data

    def service_fields(self) -> dict:
        """The keyword arguments of the meeting services."""
        data = dict(self.cleaned_data)
        data.pop("mode", None)
        data["attendees"] = list(data.get("attendees") or [])
        return data


class RestitutionForm(MeetingDetailsForm):
    """A restitution that took place: no invitation is sent. The people present are ticked
    when they have an account, typed otherwise: the two fields do not overlap, and the
    minutes name each person once."""

    summary = _text("Synthèse de la restitution", rows=6, required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        attendees = self.fields["attendees"]
        attendees.label = "Personnes présentes ayant un compte sur la plateforme"
        attendees.help_text = (
            "Elles voient la restitution dans le dossier. Aucune invitation n'est envoyée."
        )
        others = self.fields["attendees_text"]
        others.label = "Autres personnes présentes"
        others.help_text = (
            "Celles qui n'ont pas de compte : noms et fonctions, une par ligne. Inutile de "
            "répéter les personnes cochées ci-dessus."
        )
        self.fields["summary"].error_messages["required"] = "Rédigez la synthèse de la restitution."


class AssignForm(StyledFormMixin, forms.Form):
    consultant = forms.ModelChoiceField(
        label="Consultant qui réalise le diagnostic",
        queryset=None,
        empty_label="Choisissez un consultant",
        error_messages={"required": "Choisissez un consultant du prestataire."},
    )

    def __init__(self, *args, consultants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = consultants
        self.fields["consultant"].label_from_instance = lambda u: u.get_full_name() or u.email


class FindingForm(StyledFormMixin, forms.Form):
    domain = forms.ModelChoiceField(
        label="Champ de fonctionnement",
        queryset=Domain.objects.order_by("order", "name"),
        empty_label="Choisissez un champ",
        error_messages={"required": "Choisissez le champ de fonctionnement."},
    )
    observations = _text("Constats")
    strengths = _text("Points d'appui", rows=3)
    vigilance = _text("Points de vigilance", rows=3)
    risk_level = forms.ChoiceField(
        label="Niveau de risque",
        choices=[("", "Non évalué"), *RiskLevel.choices],
        required=False,
    )
    recommendations = _text("Préconisations", rows=3)


class ReportForm(VersionedForm):
    context = _text("Contexte et déroulement du diagnostic", rows=5)
    analysis = _text("Analyse", rows=8, help_text="Nécessaire pour transmettre le rapport.")
    recommendations = _text(
        "Préconisations : présentation générale",
        rows=4,
        help_text="Facultatif. Chaque préconisation se saisit plus bas, avec son champ et sa "
        "priorité : une fois le rapport validé, elle devient une action proposée au centre.",
    )
    summary = _text("Synthèse", rows=4)


class ReviewForm(StyledFormMixin, forms.Form):
    VALIDATE = "validate"
    CHANGES = "changes"
    decision = forms.ChoiceField(
        label="Votre réponse",
        choices=[
            (VALIDATE, "Je valide le rapport : il sera transmis aux partenaires financeurs"),
            (CHANGES, "Je demande des modifications au consultant"),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choisissez de valider ou de demander des modifications."},
    )
    comment = _text(
        "Vos commentaires",
        rows=5,
        help_text="Obligatoires si vous demandez des modifications : dites lesquelles.",
    )


class ActionForm(StyledFormMixin, forms.Form):
    title = forms.CharField(
        label="Action",
        max_length=200,
        error_messages={"required": "Donnez un intitulé à l'action."},
    )
    description = _text("Description", rows=3)
    # Required of the centre's members by the service; a consultant's proposal may leave it
    # to the centre, which decides who carries the action.
    owner = forms.CharField(
        label="Responsable",
        max_length=150,
        required=False,
        help_text="Une personne du centre (bénévole ou salariée) : c'est elle qui porte l'action. "
        "Si vous proposez l'action en tant que consultant, le centre pourra la désigner.",
    )
    due_date = DateField(
        label="Échéance",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Saisissez une date valide."},
    )
    domain = forms.ModelChoiceField(
        label="Champ de fonctionnement",
        queryset=Domain.objects.order_by("order", "name"),
        required=False,
        empty_label="Aucun en particulier",
    )


class ActionUpdateForm(VersionedForm):
    status = forms.ChoiceField(
        label="État",
        choices=[(s.value, s.label) for s in ActionStatus if s in SETTABLE_STATUSES],
    )
    note = _text(
        "Point d'avancement",
        rows=3,
        help_text="Facultatif : où en est l'action ? Si elle est abandonnée, dites pourquoi.",
    )


class CloseForm(StyledFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Issue de la mission",
        choices=ClosureOutcome.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choisissez l'issue de la mission."},
    )
    comment = _text("Commentaire de clôture")
    summary = _text(
        "Bilan de la mission pour le gestionnaire",
        rows=4,
        help_text="Quelques lignes : ce que le centre a repris à son compte, ce qui reste à "
        "faire. Lu par le gestionnaire, la coordination et le prestataire.",
    )

    def __init__(self, *args, in_progress=(), **kwargs):
        super().__init__(*args, **kwargs)
        if in_progress:
            self.fields["open_actions_confirmed"] = forms.BooleanField(
                label="Je clôture quand même : ces actions restent ouvertes au plan d'actions",
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )


SCORE_CHOICES = [(str(value), label) for value, label in Satisfaction.SCORE_CHOICES]


def _score(label):
    return forms.TypedChoiceField(
        label=f"{label} (de 1 : pas du tout, à 5 : tout à fait)",
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choisissez une note de 1 à 5."},
    )


class SatisfactionForm(StyledFormMixin, forms.Form):
    usefulness = _score("Utilité de la mission pour le centre")
    listening = _score("Écoute et respect de l'intervenant")
    ownership = _score("Appropriation des outils par vos équipes")
    would_recommend = forms.TypedChoiceField(
        label="Recommanderiez-vous la mission à un autre centre ?",
        choices=[("1", "Oui"), ("0", "Non")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Répondez par oui ou par non."},
    )
    comment = _text("Commentaire libre")


class MessageForm(StyledFormMixin, forms.Form):
    channel = forms.ChoiceField(choices=Channel.choices, widget=forms.HiddenInput)
    body = _text("Votre message", rows=3, required=True)
    files = FilesField(label="Pièces jointes (facultatif)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].error_messages["required"] = "Le message est vide."


class TargetDurationsForm(StyledFormMixin, forms.Form):
    """One field per situation and step, named ``<situation>_<step>``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for situation in Situation:
            for step in Step:
                self.fields[f"{situation.value}_{step.value}"] = forms.IntegerField(
                    label=f"{step.label} (en jours)",
                    min_value=1,
                    max_value=365,
                    error_messages={
                        "required": "Indiquez un nombre de jours.",
                        "min_value": "Un délai cible va de 1 à 365 jours.",
                        "max_value": "Un délai cible va de 1 à 365 jours.",
                        "invalid": "Indiquez un nombre entier de jours.",
                    },
                )
                style_widget(self.fields[f"{situation.value}_{step.value}"].widget)

    @staticmethod
    def initial_from(table: dict[str, dict[str, int]]) -> dict[str, int]:
        return {
            f"{situation}_{step}": days
            for situation, steps in table.items()
            for step, days in steps.items()
        }

    def groups(self) -> list[tuple[str, list]]:
        """The fields of each situation, for the page (one fieldset per situation)."""
        return [
            (situation.label, [self[f"{situation.value}_{step.value}"] for step in Step])
            for situation in Situation
        ]

    def values(self) -> dict[str, dict[str, int]]:
        return {
            situation.value: {
                step.value: self.cleaned_data[f"{situation.value}_{step.value}"] for step in Step
            }
            for situation in Situation
        }


def _days(label, *, min_value, max_value, help_text="", message):
    return forms.IntegerField(
        label=label,
        min_value=min_value,
        max_value=max_value,
        help_text=help_text,
        error_messages={
            "required": "Indiquez un nombre de jours.",
            "min_value": message,
            "max_value": message,
            "invalid": "Indiquez un nombre entier de jours.",
        },
    )


class ReminderSettingsForm(StyledFormMixin, forms.Form):
    lead_days = _days(
        "Premier rappel, combien de jours avant l'échéance",
        min_value=0,
        max_value=60,
        help_text="0 : pas de rappel avant l'échéance (un rappel part toujours le jour même).",
        message="Le premier rappel va de 0 à 60 jours avant l'échéance.",
    )
    repeat_days = _days(
        "En cas de retard, relancer tous les … jours",
        min_value=1,
        max_value=60,
        message="Les relances ont lieu tous les 1 à 60 jours.",
    )
    escalate_after_days = _days(
        "Alerter la coordination après … jours de retard",
        min_value=1,
        max_value=365,
        message="L'alerte à la coordination vient après 1 à 365 jours.",
    )


def communes_with_a_centre():
    """The communes the case list may be filtered by: those where a centre is (Exists,
    not a join: no DISTINCT)."""

    return Commune.objects.filter(Exists(SocialCentre.objects.filter(commune=OuterRef("pk"))))


def commune_label(commune) -> str:
    """How a commune is written in the filter and proposed by its autocomplete."""
    return f"{commune.name} ({commune.insee_code})"


class CommuneField(forms.Field):
    """A commune typed in a text box with proposals (an ``<input list>`` filled by
    ``lists.commune_options`` as one types), instead of a list of every commune.

    Accepted: the proposal « Marseille (13055) », the name alone when one commune bears
    it, or the commune's identifier (the links of the site and of « Mon espace »).
    """

    widget = forms.TextInput
    default_error_messages = {
        "unknown": "Aucune commune de ce nom n'a de centre social suivi : choisissez-en "
        "une dans la liste proposée.",
        "ambiguous": "Plusieurs communes portent ce nom : choisissez la bonne dans la liste "
        "proposée.",
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._resolved = {}

    def __deepcopy__(self, memo):
        copied = super().__deepcopy__(memo)
        copied._resolved = {}  # each form its own: never shared between requests
        return copied

    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            return None
        if "\x00" in text or len(text) > 140:
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        communes = communes_with_a_centre()
        if text.isdigit():
            found = list(communes.filter(pk=int(text))[:1]) if int(text) <= MAX_ID else []
        elif match := re.fullmatch(r"(.*)\(\s*(\w{5})\s*\)", text):
            found = list(communes.filter(insee_code=match.group(2))[:1])
        else:
            found = list(communes.filter(name__iexact=text)[:2])
        if len(found) > 1:
            raise ValidationError(self.error_messages["ambiguous"], code="ambiguous")
        if not found:
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        self._resolved[text] = found[0]
        return found[0]

    def prepare_value(self, value):
        """The commune as the person reads it, even when the link gave its identifier."""
        if isinstance(value, Commune):
            return commune_label(value)
        text = (value or "").strip() if isinstance(value, str) else value
        if isinstance(text, str) and text in self._resolved:
            return commune_label(self._resolved[text])
        return value


class CaseFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(
        label="Rechercher",
        required=False,
        help_text="Une partie du nom du centre, ou le numéro du dossier depuis son début "
        "(MSTR-2024-0012, 2024-0012 ou 2024).",
    )
    stage = forms.ChoiceField(
        label="Étape", required=False, choices=[("", "Toutes"), *Stage.choices]
    )
    situation = forms.ChoiceField(
        label="Situation", required=False, choices=[("", "Toutes"), *Situation.choices]
    )
    commune = CommuneField(
        label="Commune",
        required=False,
        help_text="Tapez les premières lettres du nom ou le code INSEE, puis choisissez dans "
        "la liste proposée.",
        widget=forms.TextInput(
            attrs={
                "list": "communes-proposees",
                "autocomplete": "off",
                "spellcheck": "false",
                "maxlength": "140",
                "hx-get": reverse_lazy("cases:commune_options"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#communes-proposees",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
            }
        ),
    )
    federation = ReferenceChoiceField(
        directory_selectors.federations.get,
        label="Fédération gestionnaire",
        required=False,
        empty_label="Toutes",
    )
    domain = ReferenceChoiceField(
        directory_selectors.domains.get,
        label="Champ de fonctionnement",
        required=False,
        empty_label="Tous",
    )
    overdue = forms.BooleanField(label="En retard seulement", required=False)
    mine = forms.BooleanField(
        label="À faire par moi",
        required=False,
        help_text="Les dossiers sur lesquels vous avez quelque chose à faire maintenant.",
    )
    # One kind of the to-do list of « Mon espace » (its counts link here).
    a_faire = forms.ChoiceField(
        label="À faire",
        required=False,
        choices=[("", "Tout"), *TASK_KINDS.items()],
    )
    year = forms.TypedChoiceField(
        label="Année de la demande",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="L'année du numéro du dossier : celle où la fiche a été transmise la "
        "première fois.",
    )

    # The mission's first period began in 2015.
    FIRST_YEAR = 2015

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = range(timezone.localdate().year, self.FIRST_YEAR - 1, -1)
        self.fields["year"].choices = [("", "Toutes"), *((y, str(y)) for y in years)]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


# --- Action plan: recommendations, decisions, statuses, support sessions ---------------


def _date(label, *, required=False, help_text=""):
    return DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Saisissez une date valide.", "required": "Indiquez la date."},
    )


class RecommendationForm(StyledFormMixin, forms.Form):
    """One recommendation of the report: its field, its priority, its text."""

    domain = forms.ModelChoiceField(
        label="Champ de fonctionnement",
        queryset=Domain.objects.order_by("order", "name"),
        required=False,
        empty_label="Choisissez un champ",
    )
    priority = forms.ChoiceField(
        label="Priorité", choices=Priority.choices, initial=Priority.MEDIUM
    )
    text = _text("Préconisation", rows=3)

    def clean(self):
        cleaned = super().clean()
        if self.cleaned_data.get("DELETE"):
            return cleaned
        if (cleaned.get("text") or "").strip() and not cleaned.get("domain"):
            self.add_error("domain", "Choisissez le champ de cette préconisation.")
        elif cleaned.get("domain") and not (cleaned.get("text") or "").strip():
            self.add_error("text", "Rédigez la préconisation, ou retirez-la.")
        return cleaned


class BaseRecommendationFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Retirer cette préconisation"
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def items(self) -> list[dict]:
        """The recommendations kept, in their order (removed and empty rows left out)."""
        return [
            {k: form.cleaned_data[k] for k in ("domain", "priority", "text")}
            for form in self.forms
            if not form.cleaned_data.get("DELETE") and (form.cleaned_data.get("text") or "").strip()
        ]


RecommendationFormSet = forms.formset_factory(
    RecommendationForm,
    formset=BaseRecommendationFormSet,
    extra=1,
    can_delete=True,
    max_num=40,
    validate_max=True,
)


class ActionDecisionForm(VersionedForm):
    """The centre's answer to a proposed action."""

    ACCEPT, ADAPT, DECLINE = "accept", "adapt", "decline"
    decision = forms.ChoiceField(
        label="Décision du centre",
        choices=[
            (ACCEPT, "Nous reprenons l'action telle qu'elle est proposée"),
            (ADAPT, "Nous la reprenons en l'adaptant"),
            (DECLINE, "Nous l'écartons"),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choisissez de reprendre, d'adapter ou d'écarter l'action."},
    )
    title = forms.CharField(
        label="Intitulé adapté",
        max_length=200,
        required=False,
        help_text="Seulement si vous adaptez l'action.",
    )
    description = _text("Description adaptée", rows=2, help_text="Seulement si vous adaptez.")
    owner = forms.CharField(
        label="Personne du centre qui porte l'action",
        max_length=150,
        required=False,
        help_text="Bénévole ou salarié : c'est elle qui porte l'action.",
    )
    carried_by = forms.ModelChoiceField(
        label="Ou une personne du centre qui a un compte",
        queryset=None,
        required=False,
        empty_label="Personne en particulier",
        help_text="L'échéance arrivera dans sa liste « À faire » ; sinon, dans celle du "
        "gestionnaire.",
    )
    due_date = _date("Échéance")
    reason = _text(
        "Motif si vous l'écartez",
        rows=2,
        help_text="Obligatoire pour écarter l'action : il reste visible au plan d'actions.",
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is None:
            people = get_user_model().objects.none()
        self.fields["carried_by"].queryset = people
        self.fields["carried_by"].label_from_instance = lambda u: u.get_full_name() or u.email


class ActionStatusForm(VersionedForm):
    """The state of an action of the plan, kept by the centre's members."""

    status = forms.ChoiceField(
        label="État",
        choices=[(s.value, s.label) for s in ActionStatus if s in SETTABLE_STATUSES],
    )
    reason = _text(
        "Motif",
        rows=2,
        help_text="Obligatoire si l'action est abandonnée ; utile si elle est reportée.",
    )
    done_by_centre = forms.BooleanField(
        label="Réalisée par l'équipe du centre elle-même",
        required=False,
        initial=True,
        help_text="Décochez si l'intervenant ou un tiers l'a menée à la place de l'équipe.",
    )
    note = _text("Point d'avancement", rows=2, help_text="Facultatif : où en est l'action ?")


class SupportSessionForm(StyledFormMixin, forms.Form):
    # Required by the service, which names every missing field at once.
    held_on = _date("Date de la séance")
    participants = _text(
        "Participants",
        rows=3,
        help_text="Noms et fonctions, une personne par ligne.",
    )
    worked_on = _text("Ce qui a été travaillé", rows=4)
    tools_handed_over = _text(
        "Outils transmis à l'équipe",
        rows=3,
        help_text="Tableaux de bord, modèles, procédures… que l'équipe garde et fait vivre.",
    )
