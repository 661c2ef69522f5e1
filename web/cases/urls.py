from django.urls import path

from web.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("export/csv/", views.case_list_csv, name="export_csv"),
    path("export/tableur/", views.case_list_xlsx, name="export_xlsx"),
    path("nouveau/", views.case_create, name="create"),
    path("delais/", views.target_durations, name="targets"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/fiche/", views.information_form, name="form"),
    path("<int:pk>/action/<slug:name>/", views.transition, name="transition"),
    path("<int:pk>/avis/", views.opinion, name="opinion"),
    path("<int:pk>/decision/", views.decision, name="decision"),
    path("<int:pk>/reunions/nouvelle/<slug:kind>/", views.meeting_create, name="meeting_create"),
    path("<int:pk>/consultant/", views.assign, name="assign"),
    path("<int:pk>/constats/", views.findings, name="findings"),
    path("<int:pk>/rapport/", views.report, name="report"),
    path("<int:pk>/rapport/v<int:number>/", views.report_version, name="report_version"),
    path("<int:pk>/rapport/relecture/", views.review, name="review"),
    path("<int:pk>/restitution/", views.restitution, name="restitution"),
    path("<int:pk>/actions/nouvelle/", views.action_create, name="action_create"),
    path("<int:pk>/actions/<int:action_pk>/", views.action_update, name="action_update"),
    path("<int:pk>/cloture/", views.close, name="close"),
    path("<int:pk>/satisfaction/", views.satisfaction, name="satisfaction"),
    path("<int:pk>/messages/", views.message, name="message"),
]
