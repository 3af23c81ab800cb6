"""Progress through time: how the statuses stood at the end of each month, and at each closed round.

The months come from the status history: counted in SQL by month and by change (from, to), then
walked back from the statuses as they stand now, so that the last month always agrees with the page's
roll-up. The rounds come from their snapshots, frozen when each round closed. Two queries each,
whatever the size of the record.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ..models import ReportingRound, RoundStatus, Status, StatusChange
from ..rollup import RollUp


@dataclass(frozen=True)
class Moment:
    """The statuses at one point in time: the end of a month, or the close of a round."""

    when: datetime.date
    rollup: RollUp
    label: str = ""  # a round's name


def _scope(*, recommendations=None, actor=None) -> Q:
    scope = Q()
    if recommendations is not None:
        scope &= Q(recommendation__in=[r.pk for r in recommendations])
    if actor is not None:
        scope &= Q(actor=actor)
    return scope


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def monthly(now: RollUp, *, recommendations=None, actor=None, today: datetime.date | None = None) -> list[Moment]:
    """The statuses at the end of every month from the first assessment to this one, for the
    responsibilities `now` counts (of these recommendations, of this actor)."""
    changes = (
        StatusChange.objects.filter(_scope(recommendations=recommendations, actor=actor), responsibility__isnull=False)
        .annotate(month=TruncMonth("assessed_on"))
        .values_list("month", "from_status", "to_status")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_month = {}
    for month, from_status, to_status, n in changes:
        by_month.setdefault(month, []).append((from_status, to_status, n))
    if not by_month:
        return []
    today = today or timezone.localdate()
    counts = {Status(status): count for status, count in now.counts.items()}
    month, first = _month(today), min(by_month)
    moments = []
    # From this month back: each month ends as the next one began.
    while month >= first:
        moments.append(Moment(when=month, rollup=RollUp(counts=dict(counts))))
        for from_status, to_status, n in by_month.get(month, ()):
            counts[Status(to_status)] -= n
            counts[Status(from_status)] += n
        month = _month(month - datetime.timedelta(days=1))
    moments.reverse()
    return moments


def at_closed_rounds(*, recommendations=None, actor=None) -> list[Moment]:
    """The statuses as each closed round froze them, oldest round first."""
    rounds = {r.pk: r for r in ReportingRound.objects.filter(closed_at__isnull=False).order_by("closed_at", "pk")}
    if not rounds:
        return []
    counts = (
        RoundStatus.objects.filter(
            _scope(recommendations=recommendations, actor=actor), round__in=list(rounds), actor__isnull=False
        )
        .values_list("round_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    tallies = {pk: dict.fromkeys(Status, 0) for pk in rounds}
    for round_id, status, n in counts:
        tallies[round_id][Status(status)] = n
    return [
        Moment(when=timezone.localdate(r.closed_at), rollup=RollUp(counts=tallies[pk]), label=str(r))
        for pk, r in rounds.items()
        if any(tallies[pk].values())
    ]
