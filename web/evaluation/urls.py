from django.urls import path

from web.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.index, name="index"),
    path("indicateurs.csv", views.export_csv, name="export_csv"),
    path("indicateurs.xlsx", views.export_xlsx, name="export_xlsx"),
    path("rapport-annuel.pdf", views.annual_report, name="annual_report"),
    path("dossiers-pseudonymises.csv", views.case_dataset, name="case_dataset"),
    path("carte/", views.map_page, name="map"),
    path("carte/donnees.json", views.map_data, name="map_data"),
    path("carte/communes.geojson", views.communes_geojson, name="communes_geojson"),
]
