from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps.views import sitemap
from django.urls import path

from web.public import manage, pages, views
from web.public.sitemaps import PublicPagesSitemap

app_name = "public"

urlpatterns = [
    *pages.urlpatterns(),
    path("demander-un-soutien/", views.ask_for_support, name="ask_for_support"),
    path(
        "fiche-d-information.pdf",
        views.blank_information_form,
        name="blank_information_form",
    ),
    path("demande-de-compte/", views.account_request, name="account_request"),
    path("demande-de-compte/envoyee/", views.account_request_sent, name="account_request_sent"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("robots.txt", views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        login_not_required(sitemap),
        {"sitemaps": {"pages": PublicPagesSitemap}},
        name="sitemap",
    ),
    # « Gestion du site »: the coordinator's back-office (404 for anyone else).
    path("gestion/", manage.manage_home, name="manage"),
    path("gestion/demandes-de-compte/", manage.account_request_list, name="account_requests"),
    path(
        "gestion/demandes-de-compte/<int:pk>/",
        manage.account_request_detail,
        name="account_request_detail",
    ),
    path(
        "gestion/demandes-de-compte/<int:pk>/accepter/",
        manage.account_request_approve_view,
        name="account_request_approve",
    ),
    path(
        "gestion/demandes-de-compte/<int:pk>/refuser/",
        manage.account_request_refuse_view,
        name="account_request_refuse",
    ),
    path("gestion/pages/", manage.page_text_list, name="manage_pages"),
    path("gestion/pages/<slug:slug>/", manage.page_text_edit, name="page_text_edit"),
]
