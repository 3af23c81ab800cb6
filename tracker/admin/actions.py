"""Actions: what was done, with evidence."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from .. import services
from ..links import evidence_url
from ..models import Action, Evidence
from .common import NoDeleteMixin
from .forms import ActionForm
from .imports import SpreadsheetImportMixin
from .resources import ActionResource


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 1
    can_delete = False
    fields = ["title", "url", "document", "stored_document"]
    readonly_fields = ["stored_document"]
    # The storage's own address of a document is never shown: documents are read through their page.
    formfield_overrides = {models.FileField: {"widget": forms.FileInput}}

    @admin.display(description=_("document on file"))
    def stored_document(self, obj):
        if not obj.pk or not obj.document:
            return "–"
        return format_html('<a href="{}">{}</a>', evidence_url(obj), obj.original_name or obj.title)


@admin.register(Action)
class ActionAdmin(NoDeleteMixin, SpreadsheetImportMixin, SimpleHistoryAdmin):
    form = ActionForm
    resource_classes = [ActionResource]
    list_display = ["title", "actor", "taken_on", "state", "entered_by", "entered_at"]
    list_filter = ["state", "measure_type", "actor__kind", "actor", "recommendations", "taken_on"]
    search_fields = ["title", "description", "actor__name", "actor__code"]
    list_select_related = ["actor", "entered_by"]
    date_hierarchy = "taken_on"
    filter_horizontal = ["recommendations"]
    autocomplete_fields = ["actor"]
    readonly_fields = ["entered_by", "entered_at", "published_at"]
    inlines = [EvidenceInline]
    actions = ["publish"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "actor",
                    "recommendations",
                    "taken_on",
                    "title",
                    "description",
                    "measure_type",
                    "information_source",
                ]
            },
        ),
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
