"""« Mon compte »: my profile (name, phone, function in each organisation), my
organisations and roles, and changing my password while signed in."""

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from soutien.accounts.services import password_changed, profile_update
from soutien.directory.selectors import memberships_of
from soutien.security.decorators import private_page
from web.forms import StyledFormMixin, style_widget


class ProfileForm(StyledFormMixin, forms.Form):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    phone = forms.CharField(
        label="Téléphone",
        max_length=30,
        required=False,
        help_text="Facultatif : il permet à la coordination ou à l'intervenant de vous joindre.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def __init__(self, *args, memberships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = list(memberships)
        for membership in self.memberships:
            self.fields[f"function_{membership.pk}"] = forms.CharField(
                label=f"Fonction — {membership.organisation.display_name}",
                max_length=120,
                required=False,
                initial=membership.function,
                help_text="Par exemple : présidente, trésorier, directrice, chargée de mission.",
            )
            style_widget(self.fields[f"function_{membership.pk}"].widget)

    def functions(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data[f"function_{m.pk}"].strip() for m in self.memberships}


class PasswordForm(StyledFormMixin, PasswordChangeForm):
    pass


@private_page
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    memberships = memberships_of(user)
    form = ProfileForm(
        request.POST or None,
        memberships=memberships,
        initial={"first_name": user.first_name, "last_name": user.last_name, "phone": user.phone},
    )
    if request.method == "POST" and form.is_valid():
        profile_update(
            user=user,
            by=user,
            functions=form.functions(),
            first_name=form.cleaned_data["first_name"].strip(),
            last_name=form.cleaned_data["last_name"].strip(),
            phone=form.cleaned_data["phone"].strip(),
        )
        messages.success(request, "Votre profil est enregistré.")
        return redirect("profile:index")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "memberships": form.memberships if form.is_bound else memberships},
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordForm
    success_url = reverse_lazy("profile:index")

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session signed in
        password_changed(user=self.request.user)
        messages.success(self.request, "Votre mot de passe est modifié.")
        return response
