from django.contrib import admin

from soutien.core.models import OutboxEmail


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "created_at", "sent_at", "attempts", "next_attempt_at"]
    list_filter = ["sent_at"]
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]
