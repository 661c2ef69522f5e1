"""Versioned writes: the one way to save a row that forms edit concurrently.

A form carries the version it was shown with; a save bumps it in the database
(``version = version + 1``, so two saves at once both count) and reads it back, so that
the next form shown carries the new one (a stale form is refused by the services).
"""

from django.db.models import F, Model


def save_versioned(obj: Model, fields=()) -> Model:
    """Save ``fields`` of ``obj`` with its version bumped (and ``updated_at`` when the
    model has one), then read the new version back. Returns ``obj``."""
    obj.version = F("version") + 1
    names = [*fields, "version"]
    if any(field.name == "updated_at" for field in obj._meta.concrete_fields):
        names.append("updated_at")
    obj.save(update_fields=list(dict.fromkeys(names)))
    obj.refresh_from_db(fields=["version"])
    return obj
