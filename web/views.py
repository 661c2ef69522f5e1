from django.contrib.auth.models import AnonymousUser
from django.shortcuts import render
from django.views import defaults

from soutien.accounts.policies import can_review_account_requests
from soutien.accounts.selectors import pending_account_requests
from soutien.cases import policies as case_policies
from soutien.cases import selectors as case_selectors
from soutien.directory.selectors import memberships_of
from soutien.security.decorators import private_page


@private_page
def my_space(request):
    """« Mon espace »: what concerns the signed-in user, and what awaits them."""
    user = request.user
    can_list = case_policies.can_list_cases(user)
    overdue_cases = []
    if case_policies.is_coordinator(user):
        overdue_cases = list(case_selectors.case_list(user, filters={"overdue": True})[:10])
    account_requests = None
    if can_review_account_requests(user):
        account_requests = pending_account_requests(user, newest=5)
    return render(
        request,
        "web/my_space.html",
        {
            "memberships": memberships_of(user),
            "awaiting": case_selectors.awaiting(user) if can_list else [],
            "can_list_cases": can_list,
            "can_create_case": case_policies.can_create_case(user),
            "can_edit_targets": case_policies.can_edit_target_durations(user),
            "overdue_cases": overdue_cases,
            "account_requests": account_requests,
        },
    )


def csrf_failure(request, reason=""):
    """A French page instead of Django's technical CSRF explanation."""
    return render(request, "403_csrf.html", status=403)


def bad_request(request, exception):
    """The French 400 page (``handler400``), also for a request refused before the
    authentication middleware ran (a bogus Host header, refused by the first
    middleware): its visitor is anonymous, and the session is not even read."""
    if not hasattr(request, "user"):
        request.user = AnonymousUser()
    return defaults.bad_request(request, exception)
