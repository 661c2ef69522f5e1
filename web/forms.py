"""Form rendering shared by every page: Bootstrap classes, accessible errors."""

from django import forms
from django.forms.renderers import TemplatesSetting


class SoutienFormRenderer(TemplatesSetting):
    """Renders each field with its label, help text and French error beside it."""

    field_template_name = "forms/field.html"


def style_widget(widget: forms.Widget) -> None:
    """Give a widget the Bootstrap class that fits its kind."""
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
        css = "form-check-input"  # on each option; the container stays a plain <div>
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    existing = widget.attrs.get("class", "")
    if css not in existing.split():
        widget.attrs["class"] = f"{existing} {css}".strip()


class StyledFormMixin:
    """Mix into any form so that its widgets look like the rest of the site."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_widget(field.widget)
