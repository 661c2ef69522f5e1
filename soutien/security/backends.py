"""The authentication backend: Django's ``ModelBackend`` whose ``get_user`` (run once per
request by ``AuthenticationMiddleware``) also reads the person's active memberships in
the same query, so that ``directory.actors.actor_for`` sends none of its own."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from soutien.directory.actors import with_memberships


class ModelBackendWithMemberships(ModelBackend):
    """Passwords, permissions and ``is_active`` exactly as ``ModelBackend``; only the
    reading of the signed-in user changes (one query: the user and their memberships)."""

    def get_user(self, user_id):
        users = with_memberships(get_user_model()._default_manager.all())
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
