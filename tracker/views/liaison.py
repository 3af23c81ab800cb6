"""Pages for member-state liaisons: their actor's record, and their implementation reports.

A liaison sees and acts for their own actor only, on pages that no cache keeps (`never_cache`: drafts
are on them). Every object is looked up through
`_get_report_for_liaison`, scoped to the liaison's actor, so another actor's report answers 404
whatever identifier is tried.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import services
from ..forms import ReportForm, SubmitReportForm, apply_errors
from ..models import Report, Responsibility
from ..selectors.rounds import open_rounds_for


def get_liaison_actor(request):
    liaison = getattr(request.user, "liaison", None)
    if liaison is None:
        raise Http404
    return liaison.actor


def _get_report_for_liaison(request, pk):
    actor = get_liaison_actor(request)
    report = (
        Report.objects.filter(actor=actor, pk=pk)
        .select_related("actor", "action")
        .prefetch_related("recommendations", "proposals__responsibility__recommendation")
        .first()
    )
    if report is None:
        raise Http404
    return report


@never_cache
@login_required
@require_safe
def after_login(request):
    """Send each role to where its work is."""
    if hasattr(request.user, "liaison"):
        return redirect("tracker:liaison_home")
    if request.user.has_perm("tracker.change_report"):
        return redirect("tracker:review_queue")
    return redirect("tracker:dashboard")


@never_cache
@login_required
@require_safe
def liaison_home(request):
    actor = get_liaison_actor(request)
    reports = list(actor.reports.prefetch_related("recommendations").order_by("-updated_at", "-id"))
    owed = open_rounds_for(actor)
    responsibilities = Responsibility.objects.filter(actor=actor).select_related("recommendation")
    return render(
        request,
        "tracker/liaison/home.html",
        {
            "actor": actor,
            "responsibilities": list(responsibilities.order_by("recommendation__number")),
            "reports": reports,
            "changes_requested": [r for r in reports if r.state == Report.State.CHANGES_REQUESTED],
            "owed": owed,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_create(request):
    actor = get_liaison_actor(request)
    form = ReportForm(request.POST or None, instance=Report(actor=actor, author=request.user), actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_save(
                report=form.instance,
                by=request.user,
                recommendations=form.cleaned_data["recommendations"],
                proposals=form.proposals(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your report is saved as a draft. Submit it when it is ready for review."))
            return redirect("tracker:liaison_report", pk=report.pk)
    return render(request, "tracker/liaison/report_form.html", {"form": form, "actor": actor, "report": None})


@never_cache
@login_required
@require_safe
def report_detail(request, pk):
    report = _get_report_for_liaison(request, pk)
    return render(
        request,
        "tracker/liaison/report_detail.html",
        {"report": report, "actor": report.actor, "submit_form": SubmitReportForm(report=report)},
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_edit(request, pk):
    report = _get_report_for_liaison(request, pk)
    if not report.is_editable:
        messages.error(request, _("This report is under review or reviewed: it can no longer be edited."))
        return redirect("tracker:liaison_report", pk=report.pk)
    form = ReportForm(request.POST or None, instance=report, actor=report.actor)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_save(
                report=form.instance,
                by=request.user,
                recommendations=form.cleaned_data["recommendations"],
                proposals=form.proposals(),
                expected_version=form.version_read,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("tracker:liaison_report", pk=report.pk)
    return render(request, "tracker/liaison/report_form.html", {"form": form, "actor": report.actor, "report": report})


@never_cache
@login_required
@require_POST
def report_submit(request, pk):
    report = _get_report_for_liaison(request, pk)
    form = SubmitReportForm(request.POST, report=report)
    if form.is_valid():
        try:
            services.report_submit(report=report, by=request.user, expected_version=form.version_read)
        except ValidationError as error:
            apply_errors(form, error)
    if form.errors:
        for message in form.non_field_errors() + form.errors.get("loaded_version", []):
            messages.error(request, message)
    else:
        messages.success(request, _("Your report was submitted. The committee's staff will review it."))
    return redirect("tracker:liaison_report", pk=report.pk)
