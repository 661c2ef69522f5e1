from django.urls import path

from web.meetings import views

app_name = "meetings"

# The paths stay where they were (under /dossiers/ and /documents/, which robots.txt
# keeps out of search engines); the poll's signed link is there too.
urlpatterns = [
    path(
        "dossiers/<int:pk>/reunions/nouvelle/<slug:kind>/",
        views.meeting_create,
        name="meeting_create",
    ),
    path("documents/reunion/<int:pk>/invitation.ics", views.meeting_ics, name="meeting_ics"),
    path("documents/reunion/<int:pk>/inviter/", views.meeting_invite, name="meeting_invite"),
    path(
        "documents/reunion/<int:pk>/modifier/",
        views.meeting_reschedule,
        name="meeting_reschedule",
    ),
    path("documents/reunion/<int:pk>/annuler/", views.meeting_cancel, name="meeting_cancel"),
    path(
        "dossiers/<int:pk>/reunions/sondage/<slug:kind>/",
        views.poll_create,
        name="poll_create",
    ),
    path("dossiers/sondage/<int:pk>/repondre/", views.poll_answer, name="poll_answer"),
    path("dossiers/sondage/<int:pk>/retenir/", views.poll_pick, name="poll_pick"),
    path(
        "dossiers/sondage/reponse/<str:token>/",
        views.poll_answer_link,
        name="poll_answer_link",
    ),
]
