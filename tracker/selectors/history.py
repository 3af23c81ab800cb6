"""Progress through time: how the statuses stood at the end of each month, and at each closed round.

The months come from the status history's movements, kept by month as each change is recorded
(`StatusMonth`), walked back from the statuses as they stand now, so that the last month always agrees
with the page's roll-up: a row a month, however long the history. The rounds come from their
snapshots, frozen when each round closed. Two queries each, whatever the size of the record.

Each is read (`month_movements`, `round_counts`) apart from what is worked out of it (`walk`,
`round_moments`): what a page draws is a pure function of the rows read, so a page can keep the
drawing of rows it has seen before.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from ..kept import plain_rows, reference_rows
from ..lookups import Written
from ..models import ReportingRound, RoundStatus, Status, StatusMonth
from ..rollup import RollUp
from .common import column_language


@dataclass(frozen=True)
class Moment:
    """The statuses at one point in time: the end of a month, or the close of a round."""

    when: datetime.date
    rollup: RollUp
    label: str = ""  # a round's name


def _scope(*, recommendations=None, actor=None) -> Q:
    scope = Q()
    if recommendations is not None:
        # Written into the kept statement (see Written): planned once per connection.
        scope &= Q(recommendation__in=Written(tuple(r.pk for r in recommendations)))
    if actor is not None:
        scope &= Q(actor=actor)
    return scope


def _scope_key(*, recommendations=None, actor=None) -> tuple:
    """What `_scope` is built from, as a key of the reads' kept SQL (`plain_rows`)."""
    return (None if recommendations is None else tuple(r.pk for r in recommendations), getattr(actor, "pk", actor))


def month_movements(*, recommendations=None, actor=None) -> tuple:
    """(month, then how many more responsibilities stood at each status at the end of the month than
    at its start, in the scale's order) of every month the status history of these responsibilities
    (of these recommendations, of this actor; all of them when neither is given) holds a change in,
    in order; a month is numbered year × 12 + month - 1.

    Read from the movements kept by month (`StatusMonth`): a row a month for the whole record, a
    recommendation or an actor, summed over the recommendations of a list. One query."""
    if recommendations is not None and actor is not None:
        raise ValueError("the movements are kept for a recommendation or for an actor, not for both")

    def build():
        if recommendations is None and actor is None:
            scope = Q(recommendation__isnull=True, actor__isnull=True)  # the whole record's row
        else:
            scope = _scope(recommendations=recommendations, actor=actor)
        return (
            StatusMonth.objects.filter(scope)
            .values_list("month")
            .annotate(**{f"moved_{status.value}": Sum(status.value) for status in Status})
            .order_by()
        )

    rows = plain_rows(("month_movements", *_scope_key(recommendations=recommendations, actor=actor)), build)
    # Sorted here rather than by the database: the same history gives the same rows.
    return tuple(sorted(rows))


def walk(now: RollUp, movements, today: datetime.date) -> list[Moment]:
    """The statuses at the end of every month from the first month in `movements` (`month_movements`)
    to `today`'s month, walked back from `now`."""
    by_month = {month: moved for month, *moved in movements}
    if not by_month:
        return []
    # Keyed by the statuses themselves: a status and its value are the same key (Status is a str enum).
    counts = dict(now.counts)
    index, first = today.year * 12 + today.month - 1, min(by_month)
    moments = []
    # From this month back: each month ends as the next one began.
    while index >= first:
        when = datetime.date(index // 12, index % 12 + 1, 1)
        moments.append(Moment(when=when, rollup=RollUp(counts=dict(counts))))
        for status, n in zip(Status, by_month.get(index, ()), strict=False):
            counts[status] -= n
        index -= 1
    moments.reverse()
    return moments


def monthly(now: RollUp, *, recommendations=None, actor=None, today: datetime.date | None = None) -> list[Moment]:
    """The statuses at the end of every month from the first assessment to this one, for the
    responsibilities `now` counts (of these recommendations, of this actor)."""
    movements = month_movements(recommendations=recommendations, actor=actor)
    return walk(now, movements, today or timezone.localdate())


def closed_rounds() -> list[tuple]:
    """(id, name in the language asked, or the English one, when it closed) of every closed round,
    oldest first: read with SQL kept per language, since every page with a chart reads them, and the
    rows kept under the reference number."""
    language = column_language()
    rows = reference_rows(
        ("closed-rounds",),
        lambda: (
            ReportingRound.objects.rewrite(False)
            .filter(closed_at__isnull=False)
            .order_by("closed_at", "pk")
            .values_list("pk", f"name_{language}", "name_en", "closed_at")
        ),
        converted=True,
    )
    return [(pk, name or english, closed_at) for pk, name, english, closed_at in rows]


def round_counts(*, recommendations=None, actor=None) -> tuple:
    """(round's name, the day it closed, its count at each status in the scale's order) of every closed
    round that froze any of these responsibilities, oldest first: two queries (one when none closed),
    none while the reference number holds (a round's snapshot is frozen as it closes)."""
    rounds = closed_rounds()
    if not rounds:
        return ()
    keys = tuple(pk for pk, _name, _closed_at in rounds)
    counts = reference_rows(
        ("round_counts", *_scope_key(recommendations=recommendations, actor=actor), keys),
        lambda: (
            RoundStatus.objects.filter(
                _scope(recommendations=recommendations, actor=actor), round__in=list(keys), actor__isnull=False
            )
            .values_list("round_id", "status")
            .annotate(n=Count("id"))
            .order_by()
        ),
    )
    tallies = {pk: dict.fromkeys(Status, 0) for pk in keys}
    for round_id, status, n in counts:
        tallies[round_id][Status(status)] = n
    return tuple(
        (name, timezone.localdate(closed_at), tuple(tallies[pk].values()))
        for pk, name, closed_at in rounds
        if any(tallies[pk].values())
    )


def round_moments(rows) -> list[Moment]:
    """The moments of `round_counts`'s rows."""
    return [
        Moment(when=when, rollup=RollUp(counts=dict(zip(Status, counts, strict=True))), label=label)
        for label, when, counts in rows
    ]


def at_closed_rounds(*, recommendations=None, actor=None) -> list[Moment]:
    """The statuses as each closed round froze them, oldest round first."""
    return round_moments(round_counts(recommendations=recommendations, actor=actor))
