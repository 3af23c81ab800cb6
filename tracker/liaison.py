"""Pages for member-state liaisons: their actor's record, and their implementation reports.

A liaison sees and acts for their own actor only. Every object is looked up through
`_get_report_for_liaison`, scoped to the liaison's actor, so another actor's report answers 404
whatever identifier is tried.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import services
from .forms import ReportForm
from .models import Report, Responsibility


def _get_liaison_actor(request):
    liaison = getattr(request.user, "liaison", None)
    if liaison is None:
        raise Http404
    return liaison.actor


def _get_report_for_liaison(request, pk):
    actor = _get_liaison_actor(request)
    report = Report.objects.filter(actor=actor, pk=pk).select_related("actor", "action").first()
    if report is None:
        raise Http404
    return report


def _apply_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
@require_safe
def after_login(request):
    """Send each role to where its work is."""
    if hasattr(request.user, "liaison"):
        return redirect("tracker:liaison_home")
    if request.user.has_perm("tracker.change_report"):
        return redirect("tracker:review_queue")
    return redirect("tracker:dashboard")


@login_required
@require_safe
def liaison_home(request):
    actor = _get_liaison_actor(request)
    reports = list(actor.reports.prefetch_related("recommendations").order_by("-updated_at", "-id"))
    return render(
        request,
        "tracker/liaison/home.html",
        {
            "actor": actor,
            "responsibilities": list(
                Responsibility.objects.filter(actor=actor)
                .select_related("recommendation")
                .order_by("recommendation__number")
            ),
            "reports": reports,
            "changes_requested": [r for r in reports if r.state == Report.State.CHANGES_REQUESTED],
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_create(request):
    actor = _get_liaison_actor(request)
    report = Report(actor=actor, author=request.user)
    form = ReportForm(request.POST or None, instance=report, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_save(
                report=form.instance, by=request.user, recommendations=form.cleaned_data["recommendations"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Your report is saved as a draft. Submit it when it is ready for review."))
            return redirect("tracker:liaison_report", pk=report.pk)
    return render(request, "tracker/liaison/report_form.html", {"form": form, "actor": actor, "report": None})


@login_required
@require_safe
def report_detail(request, pk):
    report = _get_report_for_liaison(request, pk)
    return render(request, "tracker/liaison/report_detail.html", {"report": report, "actor": report.actor})


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
                expected_version=form.cleaned_data.get("loaded_version"),
            )
        except services.StaleEdit as error:
            current = Report.objects.get(pk=report.pk)
            form.add_error(None, error.messages)
            form.add_error(
                None,
                _("Now saved: “%(title)s”, dated %(date)s, %(state)s.")
                % {"title": current.title, "date": current.taken_on, "state": current.get_state_display()},
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("tracker:liaison_report", pk=report.pk)
    return render(request, "tracker/liaison/report_form.html", {"form": form, "actor": report.actor, "report": report})


@login_required
@require_POST
def report_submit(request, pk):
    report = _get_report_for_liaison(request, pk)
    try:
        version = int(request.POST.get("loaded_version", ""))
    except ValueError:
        # Without the version the page was read at, a change made since could go unnoticed.
        messages.error(request, _("The page was out of date. Review the report and submit it again."))
        return redirect("tracker:liaison_report", pk=report.pk)
    try:
        services.report_submit(report=report, by=request.user, expected_version=version)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Your report was submitted. The committee's staff will review it."))
    return redirect("tracker:liaison_report", pk=report.pk)
