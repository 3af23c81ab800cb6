"""Responsibilities: who answers for which recommendation, and where each stands."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from .. import services
from ..forms import AssessmentForm
from ..models import Responsibility
from .common import NoDeleteMixin, message_errors
from .forms import ResponsibilityForm
from .imports import SpreadsheetImportMixin
from .resources import ResponsibilityStatusResource


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
        assessment = form.new_assessment()
        if assessment:
            services.responsibility_set_status(responsibility=obj, by=request.user, **assessment)

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
                message_errors(self, request, error)
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
