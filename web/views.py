from django.shortcuts import render

from soutien.directory.selectors import memberships_of


def my_space(request):
    """« Mon espace »: what concerns the signed-in user."""
    return render(
        request,
        "web/my_space.html",
        {"memberships": memberships_of(request.user)},
    )


def csrf_failure(request, reason=""):
    """A French page instead of Django's technical CSRF explanation."""
    return render(request, "403_csrf.html", status=403)
