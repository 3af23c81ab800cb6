"""Reporting rounds, in public: the request and its deadline, who has reported, and once a round is
closed, where everything stood and what moved since the round before.

Only that a report was submitted, and when, is public: never a draft, nor what was reported before
the staff accepted it.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from ..caching import public_page
from ..columns import ROUND_COMPLETENESS_COLUMNS, ROUND_SNAPSHOT_COLUMNS
from ..models import ReportingRound
from ..selectors import rounds as selectors
from ..throttling import throttled_download
from .downloads import refuse_unknown, spreadsheet_download


@public_page
@require_safe
def round_list(request):
    rounds = selectors.rounds_with_tally(selectors.rounds_list())
    return render(request, "tracker/rounds/list.html", {"rounds": rounds})


def _round_or_404(pk):
    return get_object_or_404(ReportingRound.objects.prefetch_related("recommendations", "actors"), pk=pk)


@public_page
@require_safe
def round_detail(request, pk):
    round_ = _round_or_404(pk)
    rows = selectors.completeness(round_)
    context = {
        "round": round_,
        "rows": rows,
        "tally": selectors.tally(rows),
        "snapshot": selectors.snapshot(round_) if round_.is_closed else None,
    }
    return render(request, "tracker/rounds/detail.html", context)


@require_safe
@throttled_download
@public_page
def round_completeness_export(request, pk, fmt):
    refusal = refuse_unknown(request)
    if refusal:
        return refusal
    round_ = _round_or_404(pk)
    return spreadsheet_download(
        request,
        fmt,
        name=f"round-{round_.pk}-completeness",
        columns=ROUND_COMPLETENESS_COLUMNS,
        rows=selectors.completeness(round_),
        title=gettext_lazy("Who reported"),
    )


@require_safe
@throttled_download
@public_page
def round_snapshot_export(request, pk, fmt):
    refusal = refuse_unknown(request)
    if refusal:
        return refusal
    round_ = _round_or_404(pk)
    if not round_.is_closed:
        raise Http404
    return spreadsheet_download(
        request,
        fmt,
        name=f"round-{round_.pk}-snapshot",
        columns=ROUND_SNAPSHOT_COLUMNS,
        rows=selectors.snapshot_rows(selectors.snapshot(round_)),
        title=gettext_lazy("Statuses at the close"),
    )
