from django.urls import path

from web.cases import action_plan, actions, closure, fiche, lists, page, report

app_name = "cases"

urlpatterns = [
    path("", lists.case_list, name="list"),
    path("export/csv/", lists.case_list_csv, name="export_csv"),
    path("export/tableur/", lists.case_list_xlsx, name="export_xlsx"),
    path("communes/", lists.commune_options, name="commune_options"),
    path("nouveau/", fiche.case_create, name="create"),
    path("delais/", lists.target_durations, name="targets"),
    path("<int:pk>/", page.case_detail, name="detail"),
    path("<int:pk>/fiche/", fiche.information_form, name="form"),
    path("<int:pk>/action/<slug:name>/", actions.transition, name="transition"),
    path("<int:pk>/avis/", actions.opinion, name="opinion"),
    path("<int:pk>/decision/", actions.decision, name="decision"),
    path("<int:pk>/consultant/", actions.assign, name="assign"),
    path("<int:pk>/constats/", report.findings, name="findings"),
    path("<int:pk>/rapport/", report.report, name="report"),
    path("<int:pk>/rapport/v<int:number>/", report.report_version, name="report_version"),
    path("<int:pk>/rapport/relecture/", report.review, name="review"),
    path("<int:pk>/restitution/", report.restitution, name="restitution"),
    path("<int:pk>/actions/nouvelle/", closure.action_create, name="action_create"),
    path("<int:pk>/actions/<int:action_pk>/", closure.action_update, name="action_update"),
    path("<int:pk>/plan-d-actions/", action_plan.plan, name="action_plan"),
    path("<int:pk>/plan-d-actions.pdf", action_plan.plan_pdf, name="action_plan_pdf"),
    path(
        "<int:pk>/plan-d-actions/<int:action_pk>/decision/",
        action_plan.decide,
        name="action_decide",
    ),
    path(
        "<int:pk>/plan-d-actions/<int:action_pk>/etat/",
        action_plan.set_status,
        name="action_status",
    ),
    path("<int:pk>/seances/nouvelle/", action_plan.support_session, name="support_session"),
    path("<int:pk>/cloture/", closure.close, name="close"),
    path("<int:pk>/satisfaction/", closure.satisfaction, name="satisfaction"),
    path("<int:pk>/messages/", page.message, name="message"),
]
