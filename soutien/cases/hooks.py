"""What higher packages do after a step of the workflow, named in the settings.

``SOUTIEN_CASE_HOOKS`` maps a step (``"close"``, ``"decide"``) to dotted paths of
functions called at the end of its service, inside its transaction, with the service's
keyword arguments (``case``, ``by``, and what the step produced). The cases package thus
imports none of them (the follow-up questionnaires, the decision letter).
"""

from django.conf import settings
from django.utils.module_loading import import_string


def after(step: str, **arguments) -> None:
    """Call every hook of ``step``; an error rolls the step back with it."""
    for path in getattr(settings, "SOUTIEN_CASE_HOOKS", {}).get(step, ()):
        import_string(path)(**arguments)
