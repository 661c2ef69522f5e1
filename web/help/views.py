"""« Aide »: how-tos for the signed-in person's roles, and the public FAQ."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from soutien.content import selectors as content
from soutien.directory.selectors import memberships_of
from web.help.guides import GUIDES, guides_for


@require_safe
def index(request):
    roles = {membership.role for membership in memberships_of(request.user)}
    sections = guides_for(roles)
    return render(
        request,
        "help/index.html",
        {"sections": sections or guides_for(GUIDES), "has_own_roles": bool(sections)},
    )


@login_not_required
@require_safe
def faq(request):
    return render(request, "help/faq.html", {"text": content.page_text("questions-frequentes")})
