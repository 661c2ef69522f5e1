from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("gestion/auto-diagnostic/", include("web.selfcheck.manage_urls")),
    path("", include("web.public.urls")),
    path("auto-diagnostic/", include("web.selfcheck.urls")),
    path("compte/", include("web.accounts.urls")),
    path("mon-compte/", include("web.accounts.profile_urls")),
    path("aide/", include("web.help.urls")),
    path("mon-espace/", include("web.urls")),
    path("", include("web.meetings.urls")),
    path("dossiers/", include("web.cases.urls")),
    path("documents/", include("web.documents.urls")),
    path("suivi/", include("web.followup.urls")),
    path("evaluation/", include("web.evaluation.urls")),
    path("securite/", include("web.security.urls")),
    path("admin/", admin.site.urls),
]

# The French 400 page, also when the request was refused before authentication.
handler400 = "web.views.bad_request"
