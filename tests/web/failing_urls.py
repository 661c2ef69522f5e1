"""A URLconf with a view that crashes, to check what a user sees on a server error."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path


@login_not_required
def crash(request):
    raise RuntimeError("secret technical detail")


urlpatterns = [path("panne/", crash), path("", include("config.urls"))]
