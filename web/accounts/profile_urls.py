from django.urls import path

from soutien.security.decorators import private_page
from web.accounts import notifications, profile

app_name = "profile"

urlpatterns = [
    path("", profile.profile, name="index"),
    path(
        "mot-de-passe/",
        private_page(profile.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path("notifications/", notifications.notification_preferences, name="notifications"),
    path(
        "notifications/desabonnement/<str:token>/",
        notifications.unsubscribe,
        name="unsubscribe",
    ),
]
