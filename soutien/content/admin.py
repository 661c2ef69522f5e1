from django import forms
from django.contrib import admin

from soutien.content.defaults import DEFAULT_TEXTS
from soutien.content.models import PageText, PageTextRevision
from soutien.content.services import page_text_update


class PageTextRevisionInline(admin.TabularInline):
    model = PageTextRevision
    extra = 0
    can_delete = False
    fields = ["edited_at", "edited_by", "previous_title"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class PageTextAdminForm(forms.ModelForm):
    slug = forms.ChoiceField(
        label="Page", choices=[(slug, text.title) for slug, text in DEFAULT_TEXTS.items()]
    )

    class Meta:
        model = PageText
        fields = ["slug", "title", "description", "body"]


@admin.register(PageText)
class PageTextAdmin(admin.ModelAdmin):
    """Technical back-office; coordinators use « Gestion du site » (same service, same history)."""

    form = PageTextAdminForm
    list_display = ["title", "slug", "updated_at", "updated_by"]
    search_fields = ["title", "slug", "body"]
    readonly_fields = ["updated_at", "updated_by"]
    inlines = [PageTextRevisionInline]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "slug"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        saved = page_text_update(
            slug=obj.slug,
            title=obj.title,
            description=obj.description,
            body=obj.body,
            by=request.user,
        )
        obj.pk = saved.pk
        obj._state.adding = False
