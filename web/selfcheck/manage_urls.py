"""« Gestion du site » › Auto-diagnostic: the coordination only (404 for anyone else)."""

from django.urls import path

from web.selfcheck import views

app_name = "selfcheck_manage"

urlpatterns = [
    path("", views.manage, name="index"),
    path("questions/<int:pk>/", views.question_edit, name="question_edit"),
    path("seuils/", views.thresholds_edit, name="thresholds"),
]
