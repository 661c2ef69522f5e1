from django.contrib.auth.models import AnonymousUser
from django.shortcuts import render
from django.utils import timezone
from django.views import defaults

from soutien.accounts.policies import can_review_account_requests
from soutien.accounts.selectors import pending_account_requests
from soutien.cases import policies as case_policies
from soutien.cases.awaiting import todo_for
from soutien.core import clock
from soutien.directory.selectors import memberships_of
from soutien.evaluation.policies import can_view_evaluation
from soutien.security.decorators import private_page
from soutien.security.policies import can_view_audit_log, can_view_technical_status
from soutien.security.status import technical_status


@private_page
def my_space(request):
    """« Mon espace »: what this person must do now (their to-do list, the most urgent
    first), and a useful home for those who follow no case (the evaluation body, the
    technical administration)."""
    user = request.user
    can_list = case_policies.can_list_cases(user)
    todo = todo_for(user) if can_list else None
    account_requests = None
    if can_review_account_requests(user):
        account_requests = pending_account_requests(user, newest=5)
    today = timezone.localdate(clock.now())
    return render(
        request,
        "web/my_space.html",
        {
            "memberships": memberships_of(user),
            "todo": todo,
            "awaiting": (
                [{"label": g.title, "count": g.count, "filter": g.list_query} for g in todo.groups]
                if todo
                else []
            ),
            "can_list_cases": can_list,
            "can_create_case": case_policies.can_create_case(user),
            "can_edit_targets": case_policies.can_edit_target_durations(user),
            "account_requests": account_requests,
            "can_view_evaluation": can_view_evaluation(user),
            "last_complete_year": today.year - 1,
            "can_view_audit_log": can_view_audit_log(user),
            "technical_status": (technical_status() if can_view_technical_status(user) else None),
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
