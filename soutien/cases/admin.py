from django.contrib import admin

from soutien.cases.models import TargetDuration


@admin.register(TargetDuration)
class TargetDurationAdmin(admin.ModelAdmin):
    """Only the target durations are edited in the admin: case files are confidential
    and are never exposed to the technical administrator."""

    list_display = ["step", "days"]
