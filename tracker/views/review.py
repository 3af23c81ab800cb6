"""The staff's review queue for liaisons' reports.

Only staff allowed to change reports see these pages; anyone else gets 404, so the queue's
existence and its contents are not revealed. No cache keeps them (`never_cache`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from .. import services
from ..filters import ReviewQueueFilter
from ..forms import ReviewForm, RoundReviewForm, apply_errors
from ..models import Report, ReportingRound, RoundReport
from ..selectors.rounds import Standing, completeness, tally
from .public import page_of

REVIEW_PAGE_SIZE = 50


def _require_reviewer(request):
    if not (request.user.is_active and request.user.is_staff and request.user.has_perm("tracker.change_report")):
        raise Http404


@never_cache
@login_required
@require_safe
def review_queue(request):
    _require_reviewer(request)
    data = request.GET.copy()
    data.setdefault("state", Report.State.SUBMITTED)
    queryset = Report.objects.select_related("actor", "author").prefetch_related("recommendations")
    filterset = ReviewQueueFilter(data, queryset=queryset.order_by("submitted_at", "id"))
    reports = filterset.qs if filterset.is_valid() else queryset.none()
    page = page_of(request, reports, REVIEW_PAGE_SIZE)
    return render(
        request,
        "tracker/review/queue.html",
        {"filter": filterset, "page": page, "is_filtered": True, "rounds": _open_rounds()},
    )


def _open_rounds():
    """The open rounds, most urgent first (the earliest due), each with where every actor stands and
    the round reports awaiting review."""
    rounds = []
    open_rounds = ReportingRound.objects.filter(closed_at__isnull=True, opens_on__lte=timezone.localdate())
    for round_ in open_rounds.prefetch_related("recommendations", "actors").order_by("due_on", "pk"):
        rows = completeness(round_)
        waiting = sorted(
            (row for row in rows if row.standing == Standing.IN_REVIEW), key=lambda r: r.report.submitted_at
        )
        rounds.append({"round": round_, "rows": rows, "tally": tally(rows), "waiting": waiting})
    return rounds


def _decide(form, report, by):
    decision, comment, version = form.cleaned_data["decision"], form.cleaned_data["comment"], form.version_read
    if decision == ReviewForm.APPROVE:
        services.report_approve(
            report=report,
            by=by,
            proposal_decisions=form.proposal_decisions(),
            comment=comment,
            expected_version=version,
        )
        return _("The report is approved and its action published.")
    if decision == ReviewForm.REQUEST_CHANGES:
        services.report_request_changes(
            report=report,
            by=by,
            comment=comment,
            expected_version=version,
            proposal_decisions=form.proposal_decisions(),
        )
        return _("The liaison was asked for changes.")
    services.report_reject(report=report, by=by, reason=comment, expected_version=version)
    return _("The report was rejected.")


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def review_detail(request, pk):
    _require_reviewer(request)
    report = (
        Report.objects.select_related("actor", "author", "reviewed_by", "action")
        .prefetch_related("recommendations", "proposals__responsibility__recommendation")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    proposals = list(
        report.proposals.select_related("responsibility__recommendation", "decided_by").order_by(
            "responsibility__recommendation__number"
        )
    )
    form = ReviewForm(request.POST or None, report=report, proposals=proposals)
    if request.method == "POST" and form.is_valid():
        try:
            done = _decide(form, report, request.user)
        except ValidationError as error:
            apply_errors(form, error)
            # The report may have changed: show it as it is now, beside the refusal.
            report.refresh_from_db()
        else:
            messages.success(request, done)
            return redirect("tracker:review_queue")
    recommendations = list(report.recommendations.order_by("number"))
    return render(
        request,
        "tracker/review/detail.html",
        {
            "report": report,
            "form": form,
            "recommendations": recommendations,
            "proposals": [p for p in proposals if p.status],
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def round_review(request, pk):
    """One round report: each entry with the status proposed and what was done, decided one by one."""
    _require_reviewer(request)
    report = RoundReport.objects.select_related("round", "actor", "submitted_by").filter(pk=pk).first()
    if report is None:
        raise Http404
    entries = list(
        report.entries.select_related("responsibility__recommendation", "reviewed_by").prefetch_related("actions")
    )
    form = None
    if report.state == RoundReport.State.SUBMITTED:
        form = RoundReviewForm(request.POST or None, report=report, entries=entries)
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.round_report_review(
                report=report, by=request.user, decisions=form.decisions(), expected_version=form.version_read
            )
        except ValidationError as error:
            apply_errors(form, error)
            report.refresh_from_db()
        else:
            messages.success(
                request, _("Your decisions on the report of %(actor)s are recorded.") % {"actor": report.actor.name}
            )
            return redirect("tracker:review_queue")
    return render(request, "tracker/review/round_report.html", {"report": report, "entries": entries, "form": form})
