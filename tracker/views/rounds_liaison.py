"""A liaison's answer to a reporting round: drafted over several visits, submitted once.

Scoped to the liaison's own actor like every liaison page: a round that does not ask this actor
answers 404, and no other actor's report can be reached from here.
"""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import selectors, services
from ..forms import RoundReportForm, apply_errors
from ..models import ReportingRound, RoundReport
from ..selectors.rounds import scope_responsibilities, standing_of
from .liaison import get_liaison_actor

# How many of the actor's published actions a round report offers to cite, newest first.
CITABLE_ACTIONS = 200


def _citable_actions(actor, numbers) -> dict:
    """The actor's latest published actions, by the number of each recommendation they address."""
    by_number = defaultdict(list)
    actions = selectors.published_actions().filter(actor=actor, recommendations__number__in=numbers).distinct()
    for action in actions.order_by("-taken_on", "-id")[:CITABLE_ACTIONS]:
        for number in action.recommendation_numbers:
            by_number[number].append(action)
    return by_number


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def round_report(request, round_id):
    actor = get_liaison_actor(request)
    round_ = get_object_or_404(ReportingRound, pk=round_id)
    if not scope_responsibilities(round_, actor).exists():
        raise Http404
    report = RoundReport.objects.filter(round=round_, actor=actor).first()
    if report is None and request.method == "POST" and not round_.is_closed:
        try:
            report = services.round_report_start(round_=round_, actor=actor, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("tracker:liaison_home")
        # Started: show the new report's form, unbound (the start button's post is not an edit).
        return redirect("tracker:liaison_round", round_id=round_.pk)
    entries = (
        list(report.entries.select_related("responsibility__recommendation", "reviewed_by").prefetch_related("actions"))
        if report
        else []
    )
    numbers = [entry.responsibility.recommendation.number for entry in entries]
    form = None
    if report is not None and report.is_editable and not round_.is_closed:
        form = RoundReportForm(
            request.POST or None,
            report=report,
            entries=entries,
            actions_by_recommendation=_citable_actions(actor, numbers),
        )
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            report = services.round_report_save(
                report=report, by=request.user, entries=form.entries_data(), expected_version=form.version_read
            )
            if "submit" in request.POST:
                services.round_report_submit(report=report, by=request.user, expected_version=report.version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if "submit" in request.POST:
                messages.success(request, _("Your report is submitted. The committee's staff will review it."))
            else:
                messages.success(request, _("Your draft is saved. Submit it when every recommendation is answered."))
            return redirect("tracker:liaison_round", round_id=round_.pk)
    today = timezone.localdate()
    return render(
        request,
        "tracker/liaison/round_report.html",
        {
            "actor": actor,
            "round": round_,
            "report": report,
            "entries": entries,
            "form": form,
            "standing": standing_of(report, round_, today),
            "days_left": (round_.due_on - today).days,
            "responsibilities": list(scope_responsibilities(round_, actor)) if report is None else [],
        },
    )
