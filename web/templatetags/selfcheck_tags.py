from django import template

from soutien.selfcheck import selectors
from soutien.selfcheck.policies import can_attach_selfcheck
from soutien.selfcheck.scoring import Level

register = template.Library()


@register.inclusion_tag("selfcheck/_attached_panel.html", takes_context=True)
def selfcheck_panel(context, case, back="detail"):
    """The self-check attached to a request, for the readers of its fiche; for the manager
    filling it in, the choice of a saved self-check to attach (or to withdraw)."""
    request = context.get("request")
    user = request.user if request else None
    attached = selectors.attached_selfcheck(user, case) if user else None
    may_attach = bool(user) and can_attach_selfcheck(user, case)
    levels = []
    if attached is not None:
        levels = [
            (domain.name, Level(attached.levels[domain.code]))
            for domain in selectors.domain_specs()
            if domain.code in attached.levels
        ]
    return {
        "request": request,
        "case": case,
        "attached": attached,
        "levels": levels,
        "may_attach": may_attach,
        "choices": list(selectors.attachable_selfchecks(user, case)) if may_attach else [],
        "back": back,
    }
