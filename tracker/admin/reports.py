"""Liaisons' reports, for reference and history."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..models import Report, ReportProposal
from .common import NoDeleteMixin


class ProposalInline(admin.TabularInline):
    """The statuses a report proposes, as decided on the review page: read only here."""

    model = ReportProposal
    fields = ["recommendation", "status", "reasoning", "decision", "review_comment", "decided_by", "decided_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("proposed status")
    verbose_name_plural = _("statuses proposed, one per recommendation")

    @admin.display(description=_("recommendation"))
    def recommendation(self, proposal):
        return proposal.responsibility.recommendation.number

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("responsibility__recommendation", "decided_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """Liaisons' reports, for reference and history. Decisions are taken on the review page, which calls
    the review services; the admin does not change reports."""

    list_display = ["title", "actor", "author", "state", "submitted_at", "reviewed_by", "reviewed_at"]
    list_filter = ["state", "actor__kind", "actor", "recommendations", "submitted_at"]
    search_fields = ["title", "description", "actor__name", "actor__code", "author__username"]
    list_select_related = ["actor", "author", "reviewed_by"]
    date_hierarchy = "submitted_at"
    inlines = [ProposalInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
