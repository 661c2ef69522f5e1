from django.urls import path

from web.security import views

app_name = "security"

urlpatterns = [
    path("", views.security_index, name="index"),
    path("double-authentification/activer/", views.two_factor_setup, name="two_factor_setup"),
    path("double-authentification/verifier/", views.two_factor_verify, name="two_factor_verify"),
    path("codes-de-secours/", views.recovery_codes, name="recovery_codes"),
    path("journal/", views.audit_log, name="audit_log"),
    path("mes-donnees/", views.personal_data, name="personal_data"),
    path("mes-donnees/consulter/", views.personal_data_page, name="personal_data_page"),
]
