from django import template
from django.utils.safestring import mark_safe

from soutien.accounts.policies import is_coordinator
from soutien.content.rendering import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Markdown rendered then sanitised (see soutien.content.rendering)."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3 just above


@register.simple_tag(takes_context=True)
def manages_site(context) -> bool:
    """Whether the signed-in person sees the « Gestion du site » links (the coordinator)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return False
    if not hasattr(request, "_manages_site"):
        request._manages_site = is_coordinator(request.user)
    return request._manages_site
