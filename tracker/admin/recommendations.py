"""Recommendations: the verbatim text, its follow-up, the committee's overall assessment, and the
read-only log of every assessment."""

from django.contrib import admin
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from forum.admin import ReadOnlyOnceSavedMixin, translation_fieldsets
from forum.models import Recommendation

from .. import services
from ..links import recommendation_url
from ..models import OverallAssessment, Responsibility, StatusChange
from ..rollup import annotate_status_counts, rollup_of
from .forms import RecommendationForm

# Status history, shown read-only where staff work.


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    fk_name = "recommendation"
    extra = 0
    can_delete = False
    verbose_name_plural = _("Status history")
    fields = ["changed_at", "actor", "from_status", "to_status", "assessed_on", "reason", "changed_by"]
    readonly_fields = fields
    ordering = ["-changed_at", "-id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "changed_by")


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    """The log of every assessment, read-only: it is written by the status services alone."""

    list_display = [
        "changed_at",
        "recommendation_number",
        "actor",
        "from_status",
        "to_status",
        "assessed_on",
        "changed_by",
    ]
    list_filter = ["to_status", "from_status", "actor__kind", "recommendation", "assessed_on", "changed_at"]
    search_fields = ["reason", "actor__name", "actor__code"]
    list_select_related = ["recommendation", "actor", "changed_by"]
    date_hierarchy = "changed_at"

    @admin.display(description=_("recommendation"), ordering="recommendation__number")
    def recommendation_number(self, obj):
        return obj.recommendation.number

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Recommendations: the verbatim text, its follow-up and the committee's overall assessment.


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["actor", "role", "status", "last_assessed", "reasoning"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


# How many of a recommendation's actions its change page lists; the rest are a link away.
ADMIN_ACTIONS_SHOWN = 20


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyOnceSavedMixin, SimpleHistoryAdmin):
    form = RecommendationForm
    list_display = ["number", "short_title", "overall_status", "responsible", "progress", "not_assessed"]
    list_display_links = ["number", "short_title"]
    list_filter = ["forum", "overall_assessment__status", "classification__themes", "classification__sdg_targets"]
    search_fields = ["text_en", "short_title_en"]
    list_select_related = ["overall_assessment"]
    verbatim_fields = ["forum", "number", "text_en"]
    readonly_fields = ["current_overall_status", "actions_addressing"]
    filter_horizontal = ["related_comments"]
    inlines = [ResponsibilityInline, StatusChangeInline]

    def view_on_site(self, obj):
        return recommendation_url(obj.number)

    def get_fieldsets(self, request, obj=None):
        source = (_("The forum's words (verbatim)"), {"fields": ["forum", "number", "text_en"]})
        editorial = (
            _("Editorial (the committee's, not the forum's)"),
            {"fields": ["short_title_en", "related_comments"]},
        )
        classification = (
            _("The secretariat's classification"),
            {"fields": ["themes", "population_groups", "sdg_targets"]},
        )
        if obj is None:
            return [source, editorial, classification]
        translations = translation_fieldsets("text", "short_title", "translation_credit")
        assessment = (
            _("The committee's overall assessment"),
            {
                "fields": ["current_overall_status", "new_status", "assessed_on", "reason", "loaded_version"],
                "description": _(
                    "Kept beside the roll-up of the responsibilities below. A new status is recorded "
                    "in the status history with the reason."
                ),
            },
        )
        actions = (_("Actions addressing this recommendation"), {"fields": ["actions_addressing"]})
        return [source, editorial, classification, *translations, assessment, actions]

    @admin.display(description=_("latest actions"))
    def actions_addressing(self, obj):
        actions = obj.actions.select_related("actor").order_by("-taken_on", "-id")[:ADMIN_ACTIONS_SHOWN]
        changelist = reverse("admin:tracker_action_changelist") + f"?recommendations__id__exact={obj.pk}"
        return render_to_string(
            "admin/tracker/recommendation_actions.html",
            {"actions": actions, "changelist": changelist, "count": obj.actions.count()},
        )

    def get_queryset(self, request):
        return annotate_status_counts(super().get_queryset(request))

    @admin.display(description=_("current overall status"))
    def current_overall_status(self, obj):
        assessment = getattr(obj, "overall_assessment", None)
        if assessment is None:
            return _("Not yet assessed")
        if assessment.last_assessed:
            return _("%(status)s (assessed on %(date)s): %(reason)s") % {
                "status": assessment.get_status_display(),
                "date": assessment.last_assessed,
                "reason": assessment.reasoning,
            }
        return assessment.get_status_display()

    @admin.display(description=_("overall status"), ordering="overall_assessment__status")
    def overall_status(self, obj):
        assessment = getattr(obj, "overall_assessment", None)
        return assessment.get_status_display() if assessment else _("Not yet assessed")

    @admin.display(description=_("responsible actors"))
    def responsible(self, obj):
        return rollup_of(obj).total

    @admin.display(description=_("progress"))
    def progress(self, obj):
        value = rollup_of(obj).progress
        return "–" if value is None else f"{value:g} %"

    @admin.display(description=_("not yet assessed"))
    def not_assessed(self, obj):
        return rollup_of(obj).not_assessed

    def save_model(self, request, obj, form, change):
        obj.save()
        OverallAssessment.objects.get_or_create(recommendation=obj)
        services.recommendation_classify(recommendation=obj, by=request.user, **form.classification())
        assessment = form.new_assessment() if change else None
        if assessment:
            services.recommendation_set_status(recommendation=obj, by=request.user, **assessment)
