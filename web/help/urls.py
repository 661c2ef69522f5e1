from django.urls import path

from web.help import views

app_name = "help"

urlpatterns = [
    path("", views.index, name="index"),
    path("questions-frequentes/", views.faq, name="faq"),
]
