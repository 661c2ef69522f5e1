from django.urls import path

from soutien.security.decorators import private_page
from web.accounts import profile

app_name = "profile"

urlpatterns = [
    path("", profile.profile, name="index"),
    path(
        "mot-de-passe/",
        private_page(profile.PasswordChangeView.as_view()),
        name="password_change",
    ),
]
