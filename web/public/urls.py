from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps.views import sitemap
from django.urls import path

from web.public import views
from web.public.sitemaps import PublicPagesSitemap

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("comment-ca-marche/", views.how_it_works, name="how_it_works"),
    path("qui-peut-saisir/", views.who_may_ask, name="who_may_ask"),
    path("qui-finance/", views.funders, name="funders"),
    path("qui-intervient/", views.provider, name="provider"),
    path("qui-contacter/", views.contact, name="contact"),
    path("accompagnement/", views.support, name="support"),
    path("historique/", views.history, name="history"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("accessibilite/schema/", views.accessibility_scheme, name="accessibility_scheme"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", views.privacy, name="privacy"),
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
    path("gestion/", views.manage_home, name="manage"),
    path("gestion/demandes-de-compte/", views.account_request_list, name="account_requests"),
    path(
        "gestion/demandes-de-compte/<int:pk>/",
        views.account_request_detail,
        name="account_request_detail",
    ),
    path(
        "gestion/demandes-de-compte/<int:pk>/accepter/",
        views.account_request_approve_view,
        name="account_request_approve",
    ),
    path(
        "gestion/demandes-de-compte/<int:pk>/refuser/",
        views.account_request_refuse_view,
        name="account_request_refuse",
    ),
    path("gestion/pages/", views.page_text_list, name="manage_pages"),
    path("gestion/pages/<slug:slug>/", views.page_text_edit, name="page_text_edit"),
]
