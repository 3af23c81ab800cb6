"""Reporting rounds: staff plan and open them, follow who has reported, and close them. The round
reports themselves are reviewed on the review pages; here they are for reference and history."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from forum.admin import translation_fieldsets

from .. import services
from ..forms import VersionedForm
from ..models import AccountPreferences, Reminder, ReportingRound, RoundReport
from .common import NoDeleteMixin, message_errors


class ReportingRoundForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = ReportingRound
        fields = ["name_en", "request_en", "opens_on", "due_on", "closes_on", "recommendations", "actors"]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}),
            "due_on": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.is_closed:
            raise forms.ValidationError(_("This round is closed: it no longer changes."))
        if self.instance.pk and cleaned.get("loaded_version") is not None:
            self.check_version(ReportingRound.objects.get(pk=self.instance.pk))
        return cleaned


@admin.register(ReportingRound)
class ReportingRoundAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    form = ReportingRoundForm
    list_display = ["name", "opens_on", "due_on", "state_shown", "closed_at"]
    list_filter = ["opens_on", "due_on"]
    search_fields = ["name_en", "name_es", "name_fr", "name_pt"]
    filter_horizontal = ["recommendations", "actors"]
    readonly_fields = ["state_shown", "closed_at", "closed_by", "public_page"]
    actions = ["close_rounds"]

    def get_fieldsets(self, request, obj=None):
        main = (None, {"fields": ["name_en", "request_en", "opens_on", "due_on", "closes_on", "loaded_version"]})
        scope = (
            _("Scope"),
            {
                "fields": ["recommendations", "actors"],
                "description": _(
                    "Left empty, the round asks about every recommendation, and asks every state and body "
                    "responsible for one of them."
                ),
            },
        )
        if obj is None:
            return [main, scope]
        state = (_("Where it stands"), {"fields": ["state_shown", "closed_at", "closed_by", "public_page"]})
        return [main, scope, *translation_fieldsets("name", "request"), state]

    @admin.display(description=_("state"))
    def state_shown(self, obj):
        return obj.get_state_display()

    @admin.display(description=_("public page"))
    def public_page(self, obj):
        url = reverse("tracker:round_detail", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, url)

    def save_model(self, request, obj, form, change):
        services.round_save(
            round_=obj,
            by=request.user,
            recommendations=form.cleaned_data["recommendations"],
            actors=form.cleaned_data["actors"],
            expected_version=form.version_read if change else None,
        )

    def save_related(self, request, form, formsets, change):
        # The scope was set by the service, with the round.
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    @admin.action(description=_("Close the selected rounds (their statuses are frozen)"), permissions=["change"])
    def close_rounds(self, request, queryset):
        closed = 0
        for round_ in queryset.filter(closed_at__isnull=True):
            try:
                services.round_close(round_=round_, by=request.user)
            except ValidationError as error:
                message_errors(self, request, error)
            else:
                closed += 1
        self.message_user(
            request,
            ngettext("%(count)d round closed.", "%(count)d rounds closed.", closed) % {"count": closed},
            messages.SUCCESS,
        )


@admin.register(RoundReport)
class RoundReportAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """Round reports, for reference and history; decisions are taken on the review page."""

    list_display = ["round", "actor", "state", "first_submitted_at", "submitted_at", "reviewed_at", "review_page"]
    list_filter = ["round", "state", "actor__kind"]
    search_fields = ["actor__name", "actor__code"]
    list_select_related = ["round", "actor"]

    @admin.display(description=_("review"))
    def review_page(self, obj):
        address = reverse("tracker:round_review", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', address, pgettext_lazy("a link to a review page", "Open"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Every reminder sent, read-only: `manage.py send_reminders` records them."""

    list_display = ["sent_at", "round", "actor", "recipient", "kind"]
    list_filter = ["round", "kind", "sent_on"]
    list_select_related = ["round", "actor", "recipient"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccountPreferences)
class AccountPreferencesAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]
