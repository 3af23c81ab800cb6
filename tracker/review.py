"""The staff's review queue for liaisons' reports.

Only staff allowed to change reports see these pages; anyone else gets 404, so the queue's
existence and its contents are not revealed.
"""

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from . import services
from .forms import ReviewForm
from .models import Actor, Report, Responsibility
from .selectors import ordered_actors


def _require_reviewer(request):
    if not (request.user.is_active and request.user.is_staff and request.user.has_perm("tracker.change_report")):
        raise Http404


class ReportFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=gettext_lazy("Review state"), choices=Report.State.choices)
    actor = django_filters.ModelChoiceFilter(
        label=gettext_lazy("State or body"),
        queryset=lambda request: ordered_actors(Actor.objects.all()),
        to_field_name="code",
    )
    recommendation = django_filters.NumberFilter(
        label=gettext_lazy("Recommendation"), field_name="recommendations__number", distinct=True
    )

    class Meta:
        model = Report
        fields = ["state", "actor", "recommendation"]


@login_required
@require_safe
def review_queue(request):
    _require_reviewer(request)
    data = request.GET.copy()
    data.setdefault("state", Report.State.SUBMITTED)
    queryset = Report.objects.select_related("actor", "author").prefetch_related("recommendations")
    filterset = ReportFilter(data, queryset=queryset.order_by("submitted_at", "id"))
    reports = filterset.qs if filterset.is_valid() else queryset.none()
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    return render(request, "tracker/review/queue.html", {"filter": filterset, "page": page, "is_filtered": True})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def review_detail(request, pk):
    _require_reviewer(request)
    report = Report.objects.select_related("actor", "author", "reviewed_by", "action").filter(pk=pk).first()
    if report is None:
        raise Http404
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
        try:
            if decision == ReviewForm.APPROVE:
                services.report_approve(
                    report=report, by=request.user, accept_status=form.cleaned_data["accept_status"], comment=comment
                )
                messages.success(request, _("The report is approved and its action published."))
            elif decision == ReviewForm.REQUEST_CHANGES:
                services.report_request_changes(report=report, by=request.user, comment=comment)
                messages.success(request, _("The liaison was asked for changes."))
            else:
                services.report_reject(report=report, by=request.user, reason=comment)
                messages.success(request, _("The report was rejected."))
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect("tracker:review_queue")
    recommendations = list(report.recommendations.order_by("number"))
    current = list(
        Responsibility.objects.filter(actor=report.actor, recommendation__in=recommendations)
        .select_related("recommendation")
        .order_by("recommendation__number")
    )
    return render(
        request,
        "tracker/review/detail.html",
        {"report": report, "form": form, "recommendations": recommendations, "current": current},
    )
