"""The classification: its terms, kept in every language, and each recommendation's classification."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from forum.admin import translation_fieldsets

from .. import services
from ..models import MeasureType, PopulationGroup, RecommendationClassification, SdgTarget, Theme
from .common import NoDeleteMixin


class TermAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["slug", "name_en", "name_es", "name_fr", "name_pt"]
    prepopulated_fields = {"slug": ["name_en"]}
    fieldsets = [(None, {"fields": ["name_en", "slug", "position"]}), *translation_fieldsets("name")]

    def save_model(self, request, obj, form, change):
        services.term_save(term=obj, by=request.user)


@admin.register(Theme)
class ThemeAdmin(TermAdmin):
    pass


@admin.register(PopulationGroup)
class PopulationGroupAdmin(TermAdmin):
    pass


@admin.register(MeasureType)
class MeasureTypeAdmin(TermAdmin):
    pass


@admin.register(SdgTarget)
class SdgTargetAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["number", "title", "position"]
    list_display_links = ["number", "title"]
    list_editable = ["position"]
    search_fields = ["number", "title_en", "title_es", "title_fr", "title_pt"]
    fieldsets = [(None, {"fields": ["number", "title_en", "position"]}), *translation_fieldsets("title")]

    def save_model(self, request, obj, form, change):
        services.term_save(term=obj, by=request.user)


@admin.register(RecommendationClassification)
class RecommendationClassificationAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """Each recommendation's classification with its history; also edited on the recommendation's page."""

    list_display = ["recommendation", "theme_list", "population_group_list", "sdg_target_list"]
    list_filter = ["themes", "population_groups", "sdg_targets"]
    fields = ["recommendation", "themes", "population_groups", "sdg_targets"]
    filter_horizontal = ["themes", "population_groups", "sdg_targets"]
    ordering = ["recommendation__forum", "recommendation__number"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("recommendation")
            .prefetch_related("themes", "population_groups", "sdg_targets")
        )

    def get_readonly_fields(self, request, obj=None):
        return ["recommendation"] if obj else []

    @admin.display(description=_("themes"))
    def theme_list(self, obj):
        return ", ".join(str(term) for term in obj.themes.all())

    @admin.display(description=_("population groups"))
    def population_group_list(self, obj):
        return ", ".join(str(term) for term in obj.population_groups.all())

    @admin.display(description=_("SDG targets"))
    def sdg_target_list(self, obj):
        return ", ".join(term.number for term in obj.sdg_targets.all())

    def save_model(self, request, obj, form, change):
        # The row itself; its links are set in `save_related`, by the same service.
        obj.pk = services.recommendation_classify(recommendation=obj.recommendation, by=request.user).pk

    def save_related(self, request, form, formsets, change):
        services.recommendation_classify(
            recommendation=form.instance.recommendation,
            by=request.user,
            themes=form.cleaned_data["themes"],
            population_groups=form.cleaned_data["population_groups"],
            sdg_targets=form.cleaned_data["sdg_targets"],
        )
