from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordResetForm,
    SetPasswordForm,
)

from soutien.accounts.notifications import PasswordReset
from web.forms import StyledFormMixin


class LoginForm(StyledFormMixin, AuthenticationForm):
    username = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": (
            "Adresse électronique ou mot de passe incorrect. Vérifiez votre saisie "
            "(les majuscules comptent dans le mot de passe)."
        ),
        "inactive": "Ce compte est désactivé. Contactez la coordination.",
    }


class ResetForm(StyledFormMixin, PasswordResetForm):
    email = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Through the outbox like every email of the platform: kept and retried while the
        mail server is down (Django's own form would send at once and lose it). The link
        serves once: its text is erased from the outbox when sent. Its templates are those
        of the notification ``password_reset`` (the names Django passes are not used)."""
        PasswordReset(**context).send(to=[to_email])


class NewPasswordForm(StyledFormMixin, SetPasswordForm):
    pass
