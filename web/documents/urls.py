from django.urls import path

from web.documents import views

app_name = "documents"

urlpatterns = [
    path("dossier/<int:pk>/joindre/", views.upload, name="upload"),
    path("<uuid:uuid>/", views.download, name="download"),
    path("<uuid:uuid>/retirer/", views.delete, name="delete"),
    path("dossier/<int:pk>/fiche.pdf", views.form_pdf, name="form_pdf"),
    path("dossier/<int:pk>/rapport-v<int:number>.pdf", views.report_pdf, name="report_pdf"),
    path("dossier/<int:pk>/restitution.pdf", views.restitution_pdf, name="restitution_pdf"),
]
