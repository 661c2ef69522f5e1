from django.urls import path

from web.followup import views

app_name = "followup"

urlpatterns = [
    path("dossier/<int:pk>/<int:milestone>-mois/", views.answer, name="answer"),
]
