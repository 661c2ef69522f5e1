"""« Mes notifications »: how I am told of each category, and the one-click unsubscribe
link carried by every notification email (RFC 8058: no sign-in, signed link)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from soutien.accounts import preferences
from soutien.accounts.models import Delivery, NotificationCategory
from soutien.security.decorators import private_page
from web.forms import StyledFormMixin, style_widget

HELP = {
    NotificationCategory.CASE_ACTIVITY: "Une étape franchie, un rapport transmis, un nouveau "
    "message sur un dossier que vous suivez.",
    NotificationCategory.REMINDERS: "Ce que vous devez faire avant l'échéance d'une étape, "
    "et les relances en cas de retard.",
    NotificationCategory.MEETINGS: "Une réunion prévue, modifiée ou annulée sur un de vos "
    "dossiers.",
}


class PreferencesForm(StyledFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for category in preferences.EDITABLE_CATEGORIES:
            self.fields[category.value] = forms.ChoiceField(
                label=category.label,
                choices=Delivery.choices,
                widget=forms.RadioSelect,
                help_text=HELP.get(category, ""),
                error_messages={
                    "required": "Choisissez comment vous êtes prévenu(e).",
                    "invalid_choice": "Choisissez une des possibilités proposées.",
                },
            )
            style_widget(self.fields[category.value].widget)


@private_page
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    current = preferences.preferences_of(request.user)
    form = PreferencesForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        preferences.preferences_set(user=request.user, by=request.user, values=form.cleaned_data)
        messages.success(request, "Vos préférences de notification sont enregistrées.")
        return redirect("profile:notifications")
    return render(
        request,
        "accounts/notifications.html",
        {"form": form, "account_label": NotificationCategory.ACCOUNT.label},
    )


def _label(category: str) -> str:
    if category == preferences.DIGEST:
        return "le récapitulatif quotidien"
    return f"les courriels « {NotificationCategory(category).label} »"


@login_not_required
@csrf_exempt  # RFC 8058: the mail provider posts without a session; the link is signed
@private_page
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET: a page that asks to confirm (a link preview must not unsubscribe anyone).
    POST (the button, or the mail provider's one-click): the category is turned off."""
    try:
        user, category = preferences.read_unsubscribe_token(token)
    except preferences.InvalidUnsubscribeLink:
        return render(request, "accounts/unsubscribe.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST":
        preferences.unsubscribe(token)
        done = True
    return render(
        request,
        "accounts/unsubscribe.html",
        {"label": _label(category), "done": done, "email": user.email},
    )
