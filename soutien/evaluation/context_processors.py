"""Template context: whether to show the « Évaluation » entry of the menu."""

from functools import cache

from soutien.evaluation.policies import can_view_evaluation


def evaluation_access(request):
    """``can_view_evaluation`` is computed only when a template asks for it (the menu)."""

    @cache
    def can_view() -> bool:
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and can_view_evaluation(user))

    return {"can_view_evaluation": can_view}
