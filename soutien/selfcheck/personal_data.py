"""Right of access (RGPD): the self-checks a person saved for a centre or attached to a
request. Only when and for which centre: the answers describe the centre, not the person."""

from django.db.models import Q

from soutien.selfcheck.models import SavedSelfCheck


def personal_data_in_selfchecks(user) -> dict[str, list[dict]]:
    return {
        "selfchecks": [
            {
                "date": saved.saved_at.isoformat(),
                "centre": saved.centre.name,
                "case": saved.attached_to.display_number if saved.attached_to else None,
            }
            for saved in SavedSelfCheck.objects.filter(Q(saved_by=user) | Q(attached_by=user))
            .select_related("centre", "attached_to")
            .order_by("saved_at", "pk")
        ]
    }
