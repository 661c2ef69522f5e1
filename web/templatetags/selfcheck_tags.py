from django import template

from soutien.selfcheck import selectors
from soutien.selfcheck.policies import can_attach_selfcheck
from soutien.selfcheck.scoring import Level

register = template.Library()


@register.inclusion_tag("selfcheck/_attached_panel.html", takes_context=True)
def selfcheck_panel(context, case, back="detail", panel=None):
    """The self-check attached to a request, for the readers of its fiche; for the manager
    filling it in, the choice of a saved self-check to attach (or to withdraw). The case
    page reads it beforehand (``panel_for``) and passes it as `panel`."""
    request = context.get("request")
    if panel is None:
        panel = panel_for(request.user if request else None, case, back)
    return {**panel, "request": request}


def panel_for(user, case, back="detail") -> dict:
    """What the self-check panel shows to `user`: for who reads the fiche, the attached
    self-check (one query) and, when there is one, the fields' names (kept in the
    process); for the manager who may attach one, the choices (one more)."""
    attached = selectors.attached_selfcheck(user, case) if user else None
    may_attach = bool(user) and can_attach_selfcheck(user, case)
    levels = []
    if attached is not None:
        levels = [
            (domain.name, Level(attached.levels[domain.code]))
            for domain in selectors.domain_specs_cached()
            if domain.code in attached.levels
        ]
    return {
        "case": case,
        "attached": attached,
        "levels": levels,
        "may_attach": may_attach,
        "choices": list(selectors.attachable_selfchecks(user, case)) if may_attach else [],
        "back": back,
    }
