"""What the menu offers the signed-in person (each right decided by its policy)."""

from django import template

from soutien.security.policies import can_view_audit_log

register = template.Library()


@register.simple_tag(takes_context=True)
def views_audit_log(context) -> bool:
    request = context.get("request")
    return bool(request and can_view_audit_log(request.user))
