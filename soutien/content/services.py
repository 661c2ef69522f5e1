"""Writes of the public site's texts."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from soutien.content.defaults import DEFAULT_TEXTS
from soutien.content.models import PageText, PageTextRevision
from soutien.content.policies import can_edit_page_text


@transaction.atomic
def page_text_update(*, slug: str, title: str, description: str, body: str, by) -> PageText:
    """The coordination edits the text of a public page; the previous version is kept."""
    if not can_edit_page_text(by):
        raise PermissionDenied("Seule la coordination modifie les textes du site.")
    default = DEFAULT_TEXTS[slug]  # an unknown slug is a programming error
    page, created = PageText.objects.select_for_update().get_or_create(
        slug=slug,
        defaults={
            "title": default.title,
            "description": default.description,
            "body": default.body,
        },
    )
    PageTextRevision.objects.create(
        page=page,
        previous_title=page.title,
        previous_description=page.description,
        previous_body=page.body,
        edited_by=by,
    )
    page.title, page.description, page.body, page.updated_by = title, description, body, by
    page.save(update_fields=["title", "description", "body", "updated_by", "updated_at"])
    return page
