"""The committee report: one printable page for a meeting."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import selectors
from ..caching import public_page
from ..filters import CommitteeReportFilter
from ..models import Actor


@public_page
@require_safe
def committee_report(request):
    """The roll-up, each recommendation's status and recent actions, and the matrix, as of now.

    Filtered by one actor and a period; filters that cannot be understood are listed and the report
    shows the whole record rather than nothing, so a meeting always has something to print.
    """
    filterset = CommitteeReportFilter(request.GET or None)
    valid = filterset.is_bound and filterset.is_valid()
    choices = filterset.form.cleaned_data if valid else {}
    actor_code, date_from, date_to = choices.get("actor"), choices.get("date_from"), choices.get("date_to")
    actor = Actor.objects.filter(code=actor_code).first() if actor_code else None
    context = selectors.committee_report(actor=actor, date_from=date_from, date_to=date_to)
    context.update(
        {
            "filter": filterset,
            "actor": actor,
            "date_from": date_from,
            "date_to": date_to,
            "produced_at": timezone.localtime(),
            "per_recommendation": selectors.REPORT_ACTIONS_PER_RECOMMENDATION,
        }
    )
    return render(request, "tracker/report.html", context)
