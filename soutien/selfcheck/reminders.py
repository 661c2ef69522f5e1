"""The yearly reminder: a year after a centre last kept a self-check, its managers are
invited (by email, through the outbox) to take it again. Once per year at most."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from soutien.core import clock
from soutien.directory.models import Membership, Role
from soutien.selfcheck.models import SavedSelfCheck
from soutien.selfcheck.notifications import SelfCheckYearly

YEAR = dt.timedelta(days=365)
MANAGER_ROLES = (Role.BOARD_MEMBER, Role.FEDERATION_STAFF)


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def send_yearly_reminders(*, now=None) -> int:
    """Invite the managers of every centre whose latest saved self-check is a year old or
    more, and who were not invited in the past year. Returns the number of centres."""
    now = now or clock.now()
    cutoff = now - YEAR
    latest_ids = [
        SavedSelfCheck.objects.filter(centre_id=centre_id).order_by("-saved_at", "-pk")[0].pk
        for centre_id in SavedSelfCheck.objects.values_list("centre_id", flat=True).distinct()
    ]
    reminded = 0
    for pk in latest_ids:
        with transaction.atomic():
            saved = SavedSelfCheck.objects.select_for_update().select_related("centre").get(pk=pk)
            if saved.saved_at > cutoff or (saved.reminded_at and saved.reminded_at > cutoff):
                continue
            emails = list(
                Membership.objects.filter(
                    organisation_id=saved.centre.manager_id,
                    role__in=MANAGER_ROLES,
                    is_active=True,
                    user__is_active=True,
                )
                .values_list("user__email", flat=True)
                .distinct()
            )
            if not emails:
                continue
            SelfCheckYearly(centre=saved.centre, url=_site_url(reverse("selfcheck:start"))).send(
                to=emails
            )
            saved.reminded_at = now
            saved.save(update_fields=["reminded_at"])
            reminded += 1
    return reminded
