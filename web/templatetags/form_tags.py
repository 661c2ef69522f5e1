"""``{% forms_have_errors as has_errors %}``: whether any form given to the page was
refused, so that the page title can say so (« Erreur — … », RGAA 8.6)."""

from django import template
from django.forms import BaseForm, BaseFormSet

register = template.Library()


def _refused(value) -> bool:
    if isinstance(value, BaseForm):
        return value.is_bound and bool(value.errors)
    if isinstance(value, BaseFormSet):
        return value.is_bound and not value.is_valid()
    return False


@register.simple_tag(takes_context=True)
def forms_have_errors(context) -> bool:
    return any(_refused(value) for layer in context.dicts for value in layer.values())
