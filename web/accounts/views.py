"""Account views that Django's own need a word added to."""

from django.contrib.auth import views as auth_views

from soutien.core.network import client_ip
from soutien.security.throttle import password_reset_throttled


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, limited per client address: each request sends an email."""

    def form_valid(self, form):
        if password_reset_throttled(client_ip(self.request)):
            form.add_error(
                None,
                "Trop de demandes de nouveau mot de passe ont été envoyées depuis votre "
                "connexion. Réessayez dans une heure, ou écrivez à la coordination (page "
                "« Contact »).",
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)
