from django.urls import path

from web import views

app_name = "web"

urlpatterns = [
    path("", views.my_space, name="my_space"),
]
