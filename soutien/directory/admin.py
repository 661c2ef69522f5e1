from django.contrib import admin

from soutien.directory.models import (
    Commune,
    ConventionPeriod,
    Domain,
    Membership,
    Organisation,
    ProviderContract,
    Signatory,
    SocialCentre,
    WarningSign,
)

admin.site.site_header = "Soutien — administration"
admin.site.site_title = "Soutien — administration"
admin.site.index_title = "Données de référence"


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "insee_code", "parent", "is_signatory"]
    list_filter = ["is_signatory"]
    search_fields = ["name", "insee_code"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "funder_level", "commune", "is_fictitious"]
    list_filter = ["kind", "funder_level", "is_fictitious"]
    search_fields = ["name", "short_name"]


@admin.register(SocialCentre)
class SocialCentreAdmin(admin.ModelAdmin):
    list_display = ["name", "commune", "manager", "priority_area", "is_fictitious"]
    list_filter = ["priority_area", "is_fictitious", "manager__kind"]
    search_fields = ["name", "commune__name", "manager__name"]
    list_select_related = ["commune", "manager"]
    autocomplete_fields = ["manager", "commune"]


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(ConventionPeriod)
class ConventionPeriodAdmin(admin.ModelAdmin):
    list_display = ["name", "start", "end", "has_mstr"]
    inlines = [SignatoryInline]


@admin.register(ProviderContract)
class ProviderContractAdmin(admin.ModelAdmin):
    list_display = ["provider", "procedure", "start", "end"]


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]


@admin.register(WarningSign)
class WarningSignAdmin(admin.ModelAdmin):
    list_display = ["label", "domain", "order", "is_active"]
    list_filter = ["domain", "is_active"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
