from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Comment, CommentSection, Forum, Panel


def translation_fields(*fields):
    """The columns of these fields in the languages other than the official English."""
    return [f"{field}_{code}" for code, _name in settings.LANGUAGES if code != "en" for field in fields]


def translation_fieldsets(*fields):
    """One collapsed admin fieldset per language for the translations of these fields."""
    return [
        (
            _("Translation: %(language)s (unofficial)") % {"language": name},
            {
                "fields": [f"{field}_{code}" for field in fields],
                "classes": ["collapse"],
                "description": _(
                    "Shown in this language, labelled as a translation with who provided it; "
                    "the English stays the official text."
                ),
            },
        )
        for code, name in settings.LANGUAGES
        if code != "en"
    ]


class ReadOnlyOnceSavedMixin:
    """The forum's words are verbatim: entered once, then shown read-only."""

    verbatim_fields = ()

    class Media:
        # Fields as wide as the texts they hold.
        css = {"all": ["css/admin.css"]}

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + list(self.verbatim_fields) if obj else readonly

    def has_delete_permission(self, request, obj=None):
        return False


class VerbatimInlineMixin:
    """The rows of a saved forum keep their words as printed: only their translations can change."""

    verbatim_fields = ()

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + list(self.verbatim_fields) if obj else readonly


class PanelInline(VerbatimInlineMixin, admin.TabularInline):
    model = Panel
    extra = 0
    can_delete = False
    fields = ["position", "topic_en", *translation_fields("topic")]
    verbatim_fields = ["position", "topic_en"]


class CommentSectionInline(VerbatimInlineMixin, admin.TabularInline):
    model = CommentSection
    extra = 0
    can_delete = False
    fields = ["letter", "position", "heading_en", *translation_fields("heading")]
    verbatim_fields = ["letter", "position", "heading_en"]


@admin.register(Forum)
class ForumAdmin(ReadOnlyOnceSavedMixin, admin.ModelAdmin):
    list_display = ["name", "date", "place", "convening_body"]
    # What the source prints (its name, place, date, convening body, introduction) stays as loaded.
    verbatim_fields = ["name_en", "slug", "date", "place_en", "convening_body_en", "introduction_en"]
    inlines = [PanelInline, CommentSectionInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name_en",
                    "slug",
                    "date",
                    "place_en",
                    "convening_body_en",
                    "introduction_en",
                    "source_reference",
                ]
            },
        ),
        *translation_fieldsets("name", "place", "convening_body", "introduction", "translation_credit"),
    ]
    prepopulated_fields = {"slug": ["name_en"]}

    def get_prepopulated_fields(self, request, obj=None):
        # The slug is read-only once saved, so there is nothing left to fill in.
        return {} if obj else super().get_prepopulated_fields(request, obj)


@admin.register(Comment)
class CommentAdmin(ReadOnlyOnceSavedMixin, admin.ModelAdmin):
    list_display = ["position", "number", "section", "excerpt"]
    list_display_links = ["position", "number"]
    list_filter = ["section"]
    list_select_related = ["section"]
    search_fields = ["text_en"]
    verbatim_fields = ["forum", "section", "number", "position", "text_en"]
    fieldsets = [
        (None, {"fields": ["forum", "section", "number", "position", "text_en"]}),
        *translation_fieldsets("text", "translation_credit"),
    ]

    @admin.display(description=_("text"))
    def excerpt(self, obj):
        return obj.text_en[:100]
