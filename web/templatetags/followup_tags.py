"""`{% followup_panel case %}`: the follow-up questionnaires on the case page, for the
coordination and the case's managers (who read the answers)."""

from django import template

from soutien.followup import policies, selectors

register = template.Library()


@register.inclusion_tag("followup/_panel.html", takes_context=True)
def followup_panel(context, case, panel=None):
    """The panel; the case page reads it beforehand (``panel_for``) and passes it."""
    if panel is not None:
        return panel
    request = context.get("request")
    return panel_for(getattr(request, "user", None), case)


def panel_for(user, case) -> dict:
    """The follow-up questionnaires `user` reads on the case page, with whether they may
    answer each."""
    followups = selectors.followups_visible(user, case) if user is not None else None
    if not followups:
        return {"visible": False}
    return {
        "visible": True,
        "case": case,
        "followups": [(f, policies.can_answer_followup(user, f)) for f in followups],
    }
