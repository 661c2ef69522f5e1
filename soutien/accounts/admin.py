from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from soutien.accounts.models import AccountEvent, AccountRequest, Invitation, User
from soutien.accounts.services import user_pseudonymise
from soutien.directory.models import Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name", "phone")}),
        (
            "Droits",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    # Deleting an account pseudonymises it: the case history it took part in stays whole.
    def delete_model(self, request, obj):
        user_pseudonymise(user=obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            user_pseudonymise(user=user)


@admin.register(AccountRequest)
class AccountRequestAdmin(admin.ModelAdmin):
    """Read-only here: the coordination decides from « Gestion du site » (service + emails)."""

    list_display = ["email", "first_name", "last_name", "organisation_name", "status", "created_at"]
    list_filter = ["status", "role"]
    search_fields = ["email", "first_name", "last_name", "organisation_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "expires_at", "used_at"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "account_request", "user", "actor"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
