from django.contrib import admin

from soutien.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, even for administrators."""

    list_display = ["created_at", "action", "actor_label", "ip_address", "case_number"]
    list_filter = ["action"]
    search_fields = ["actor_label", "case_number", "target_repr", "ip_address"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
