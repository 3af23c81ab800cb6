"""The committee staff's workplace. Every save here calls a service in `tracker.services`."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from forum.admin import ReadOnlyOnceSavedMixin, translation_fields, translation_fieldsets
from forum.models import Recommendation

from . import services
from .forms import AssessmentFieldsMixin, AssessmentForm
from .models import Action, Actor, Evidence, Liaison, OverallAssessment, Report, Responsibility, StatusChange
from .resources import ActionResource, ResponsibilityStatusResource, SpreadsheetImportMixin
from .selectors import annotate_rollup, rollup_of


class NoDeleteMixin:
    """The follow-up record is never hard-deleted."""

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


def _message_errors(modeladmin, request, error: ValidationError):
    for message in error.messages:
        modeladmin.message_user(request, message, messages.ERROR)


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


class ActionInline(admin.TabularInline):
    model = Action.recommendations.through
    extra = 0
    can_delete = False
    verbose_name = _("action")
    verbose_name_plural = _("Actions addressing this recommendation")
    fields = ["action"]
    readonly_fields = ["action"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("action__actor")


class RecommendationForm(AssessmentFieldsMixin, forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = [
            "forum",
            "number",
            "text_en",
            "short_title_en",
            "related_comments",
            *translation_fields("text", "short_title", "translation_credit"),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.assessment_record() is not None:
            self.fields["loaded_version"].initial = self.assessment_record().version

    def assessment_record(self):
        if not self.instance.pk:
            return None
        return OverallAssessment.objects.filter(recommendation=self.instance).first()


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyOnceSavedMixin, SimpleHistoryAdmin):
    form = RecommendationForm
    list_display = ["number", "short_title", "overall_status", "responsible", "progress", "not_assessed"]
    list_display_links = ["number", "short_title"]
    list_filter = ["forum", "overall_assessment__status"]
    search_fields = ["text_en", "short_title_en"]
    list_select_related = ["overall_assessment"]
    verbatim_fields = ["forum", "number", "text_en"]
    readonly_fields = ["current_overall_status"]
    filter_horizontal = ["related_comments"]
    inlines = [ResponsibilityInline, ActionInline, StatusChangeInline]

    def get_fieldsets(self, request, obj=None):
        source = (_("The forum's words (verbatim)"), {"fields": ["forum", "number", "text_en"]})
        editorial = (
            _("Editorial (the committee's, not the forum's)"),
            {"fields": ["short_title_en", "related_comments"]},
        )
        if obj is None:
            return [source, editorial]
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
        return [source, editorial, *translations, assessment]

    def get_queryset(self, request):
        return annotate_rollup(super().get_queryset(request))

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
        if change and form.cleaned_data.get("new_status"):
            services.recommendation_set_status(
                recommendation=obj,
                status=form.cleaned_data["new_status"],
                by=request.user,
                reason=form.cleaned_data["reason"],
                assessed_on=form.cleaned_data["assessed_on"],
                expected_version=form.cleaned_data.get("loaded_version"),
            )


# Responsibilities: who answers for which recommendation, and where each stands.


class ResponsibilityForm(AssessmentFieldsMixin, forms.ModelForm):
    class Meta:
        model = Responsibility
        fields = ["recommendation", "actor", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def assessment_record(self):
        if not self.instance.pk:
            return None
        return Responsibility.objects.get(pk=self.instance.pk)


@admin.register(Responsibility)
class ResponsibilityAdmin(NoDeleteMixin, SpreadsheetImportMixin, SimpleHistoryAdmin):
    form = ResponsibilityForm
    resource_classes = [ResponsibilityStatusResource]
    list_display = ["recommendation_number", "actor", "role", "status", "last_assessed"]
    list_display_links = ["recommendation_number", "actor"]
    list_filter = ["status", "role", "actor__kind", "recommendation", "actor", "last_assessed"]
    search_fields = ["actor__name", "actor__code", "reasoning"]
    list_select_related = ["recommendation", "actor"]
    actions = ["set_status"]
    autocomplete_fields = ["actor"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["recommendation", "actor", "role"]})]
        return [
            (None, {"fields": ["recommendation", "actor", "role"]}),
            (_("Current assessment"), {"fields": ["status", "last_assessed", "reasoning"]}),
            (
                _("New assessment"),
                {
                    "fields": ["new_status", "assessed_on", "reason", "loaded_version"],
                    "description": _("Recorded in the status history with your name and the reason."),
                },
            ),
            (_("Status history"), {"fields": ["history_table"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["recommendation", "actor", "status", "last_assessed", "reasoning", "history_table"]

    @admin.display(description=_("recommendation"), ordering="recommendation__number")
    def recommendation_number(self, obj):
        return obj.recommendation.number

    @admin.display(description=_("status changes"))
    def history_table(self, obj):
        from django.template.loader import render_to_string

        changes = obj.status_changes.select_related("changed_by").order_by("-changed_at", "-id")
        return render_to_string("admin/tracker/status_changes.html", {"changes": changes})

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.responsibility_assign(
                recommendation=obj.recommendation, actor=obj.actor, role=obj.role, by=request.user
            )
            obj.pk = created.pk
            return
        if "role" in form.changed_data:
            services.responsibility_set_role(responsibility=obj, role=obj.role, by=request.user)
        if form.cleaned_data.get("new_status"):
            services.responsibility_set_status(
                responsibility=obj,
                status=form.cleaned_data["new_status"],
                by=request.user,
                reason=form.cleaned_data["reason"],
                assessed_on=form.cleaned_data["assessed_on"],
                expected_version=form.cleaned_data.get("loaded_version"),
            )

    @admin.action(description=_("Set a status on the selected responsibilities…"), permissions=["change"])
    def set_status(self, request, queryset):
        form = AssessmentForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            try:
                changed = services.responsibilities_set_status(
                    responsibilities=list(queryset.select_related("recommendation")),
                    status=form.cleaned_data["status"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    assessed_on=form.cleaned_data["assessed_on"],
                )
            except ValidationError as error:
                _message_errors(self, request, error)
                return None
            unchanged = queryset.count() - changed
            self.message_user(
                request,
                ngettext(
                    "%(count)d responsibility set to the new status.",
                    "%(count)d responsibilities set to the new status.",
                    changed,
                )
                % {"count": changed},
                messages.SUCCESS,
            )
            if unchanged:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d already had this status and was left as it was.",
                        "%(count)d already had this status and were left as they were.",
                        unchanged,
                    )
                    % {"count": unchanged},
                    messages.INFO,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Set a status on %(count)d responsibilities") % {"count": queryset.count()},
            "form": form,
            "responsibilities": queryset.select_related("recommendation", "actor"),
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/tracker/responsibility/set_status.html", context)


# Actors: member states and bodies.


@admin.register(Actor)
class ActorAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "member_until", "responsibility_count"]
    list_display_links = ["code", "name"]
    list_filter = ["kind"]
    search_fields = ["code", "name_en", "name_es", "name_fr", "name_pt", "notes_en"]
    fieldsets = [
        (None, {"fields": ["code", "name_en", "kind", "notes_en", "member_since", "member_until"]}),
        *translation_fieldsets("name", "notes"),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(responsibility_count=Count("responsibilities"))

    @admin.display(description=_("responsibilities"), ordering="responsibility_count")
    def responsibility_count(self, obj):
        return obj.responsibility_count

    def save_model(self, request, obj, form, change):
        services.actor_save(actor=obj, by=request.user)


# Actions: what was done, with evidence.


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 1
    can_delete = False
    fields = ["title", "url", "document"]


class ActionForm(forms.ModelForm):
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Action
        fields = [
            "actor",
            "recommendations",
            "taken_on",
            "title",
            "description",
            "information_source",
            "state",
            "withdrawal_reason",
        ]
        widgets = {"taken_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_version")
        if self.instance.pk and loaded is not None:
            current = Action.objects.get(pk=self.instance.pk)
            if current.version != loaded:
                self.data = self.data.copy()
                self.data["loaded_version"] = current.version
                raise forms.ValidationError(
                    _(
                        "Someone else changed this action while you were editing it (now “%(title)s”, "
                        "%(state)s). Review it and save again."
                    ),
                    params={"title": current.title, "state": current.get_state_display()},
                    code="stale",
                )
        if cleaned.get("state") == Action.State.WITHDRAWN and not (cleaned.get("withdrawal_reason") or "").strip():
            self.add_error("withdrawal_reason", _("Give the reason for withdrawing this action."))
        return cleaned


@admin.register(Action)
class ActionAdmin(NoDeleteMixin, SpreadsheetImportMixin, SimpleHistoryAdmin):
    form = ActionForm
    resource_classes = [ActionResource]
    list_display = ["title", "actor", "taken_on", "state", "entered_by", "entered_at"]
    list_filter = ["state", "actor__kind", "actor", "recommendations", "taken_on"]
    search_fields = ["title", "description", "actor__name", "actor__code"]
    list_select_related = ["actor", "entered_by"]
    date_hierarchy = "taken_on"
    filter_horizontal = ["recommendations"]
    autocomplete_fields = ["actor"]
    readonly_fields = ["entered_by", "entered_at", "published_at"]
    inlines = [EvidenceInline]
    actions = ["publish"]
    fieldsets = [
        (None, {"fields": ["actor", "recommendations", "taken_on", "title", "description", "information_source"]}),
        (
            _("Publication"),
            {"fields": ["state", "withdrawal_reason", "published_at", "entered_by", "entered_at", "loaded_version"]},
        ),
    ]

    def save_model(self, request, obj, form, change):
        services.action_save(
            action=obj,
            by=request.user,
            recommendations=form.cleaned_data["recommendations"],
            expected_version=form.cleaned_data.get("loaded_version"),
        )

    def save_related(self, request, form, formsets, change):
        # The recommendations were set by the service; only the evidence is left to save.
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request, form, formset, change):
        for evidence in formset.save(commit=False):
            services.evidence_save(evidence=evidence, by=request.user)

    @admin.action(description=_("Publish the selected actions"), permissions=["change"])
    def publish(self, request, queryset):
        published = 0
        for action in queryset.exclude(state=Action.State.PUBLISHED):
            services.action_publish(action=action, by=request.user)
            published += 1
        self.message_user(
            request,
            ngettext("%(count)d action published.", "%(count)d actions published.", published) % {"count": published},
            messages.SUCCESS,
        )


@admin.register(Liaison)
class LiaisonAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["user", "actor"]
    list_select_related = ["user", "actor"]
    list_filter = ["actor__kind", "actor"]
    search_fields = ["user__username", "user__email", "actor__name", "actor__code"]
    autocomplete_fields = ["actor"]
    raw_id_fields = ["user"]


admin.site.site_header = _("Follow-up of the Special Forum on Migration Issues")
admin.site.site_title = _("Follow-up administration")
admin.site.index_title = _("Committee staff")


@admin.register(Report)
class ReportAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """Liaisons' reports, for reference and history. Decisions are taken on the review page, which calls
    the review services; the admin does not change reports."""

    list_display = ["title", "actor", "author", "state", "submitted_at", "reviewed_by", "reviewed_at"]
    list_filter = ["state", "actor__kind", "actor", "recommendations", "submitted_at"]
    search_fields = ["title", "description", "actor__name", "actor__code", "author__username"]
    list_select_related = ["actor", "author", "reviewed_by"]
    date_hierarchy = "submitted_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
