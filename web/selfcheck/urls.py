from django.urls import path

from web.selfcheck import views

app_name = "selfcheck"

urlpatterns = [
    path("", views.start, name="start"),
    path("resultat/", views.result, name="result"),
    path("resultat.pdf", views.result_pdf, name="result_pdf"),
    path("enregistrer/", views.save, name="save"),
    path("enregistres/", views.saved_list, name="saved_list"),
    path("enregistres/<int:pk>/", views.saved_detail, name="saved_detail"),
    path("dossier/<int:pk>/joindre/", views.attach, name="attach"),
    path("dossier/<int:pk>/retirer/", views.detach, name="detach"),
]
