from django import template

from soutien.audit.selectors import report_readers as readers_of
from soutien.cases import policies

register = template.Library()


@register.simple_tag(takes_context=True)
def lists_cases(context) -> bool:
    """Whether the signed-in user has a list of cases (for the menu)."""
    request = context.get("request")
    return bool(request) and policies.can_list_cases(request.user)


@register.inclusion_tag("cases/_report_readers.html", takes_context=True)
def report_readers(context, case, panel=None):
    """« Qui a consulté le rapport » for the manager (and the coordination); the case page
    reads it beforehand (``report_readers_for``) and passes it as `panel`."""
    if panel is not None:
        return panel
    request = context.get("request")
    return report_readers_for(request.user if request else None, case)


def report_readers_for(user, case) -> dict:
    allowed = user is not None and policies.can_view_report_readers(user, case)
    return {"allowed": allowed, "readers": readers_of(case.pk) if allowed else []}
