from django import template

from soutien.cases import policies

register = template.Library()


@register.simple_tag(takes_context=True)
def lists_cases(context) -> bool:
    """Whether the signed-in user has a list of cases (for the menu)."""
    request = context.get("request")
    return bool(request) and policies.can_list_cases(request.user)
