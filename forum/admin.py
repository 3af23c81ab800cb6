from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Comment, CommentSection, Forum, Panel


class ReadOnlyOnceSavedMixin:
    """The forum's words are verbatim: entered once, then shown read-only."""

    verbatim_fields = ()

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + list(self.verbatim_fields) if obj else readonly

    def has_delete_permission(self, request, obj=None):
        return False


class PanelInline(admin.TabularInline):
    model = Panel
    extra = 0
    can_delete = False


class CommentSectionInline(admin.TabularInline):
    model = CommentSection
    extra = 0
    can_delete = False


@admin.register(Forum)
class ForumAdmin(ReadOnlyOnceSavedMixin, admin.ModelAdmin):
    list_display = ["name", "date", "place", "convening_body"]
    verbatim_fields = ["introduction"]
    inlines = [PanelInline, CommentSectionInline]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Comment)
class CommentAdmin(ReadOnlyOnceSavedMixin, admin.ModelAdmin):
    list_display = ["position", "number", "section", "excerpt"]
    list_display_links = ["position", "number"]
    list_filter = ["section"]
    list_select_related = ["section"]
    search_fields = ["text"]
    verbatim_fields = ["forum", "section", "number", "position", "text"]

    @admin.display(description=_("text"))
    def excerpt(self, obj):
        return obj.text[:100]
