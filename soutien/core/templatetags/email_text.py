"""Filters for email templates: ``{% load email_text %}`` then ``{{ name|one_line }}``."""

from django import template

from soutien.core import text

register = template.Library()


@register.filter
def one_line(value) -> str:
    """A name or a title inserted into an email, on one line (see soutien.core.text)."""
    return text.one_line(value)
