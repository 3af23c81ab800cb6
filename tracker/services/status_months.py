"""The status movements by month (`StatusMonth`), kept with the status history they are worked out of.

`count_change` counts one change as the assessment service records it, in its transaction;
`rebuild` works every month out again from the whole history: after the demo data, which writes the
changes in bulk around the service, and in the migration that made the table. A backup holds the
movements with the changes (and is refused by another version), so a restore gives both back.
"""

from collections import defaultdict

from django.db.models import Count, F

from ..models import Status, StatusChange, StatusMonth


def month_number(day) -> int:
    """A day's month as one whole number, year × 12 + month - 1."""
    return day.year * 12 + day.month - 1


def _scopes(recommendation_id, actor_id) -> tuple:
    """The three scopes a change of a responsibility's status counts in: the whole record, its
    recommendation, its state or body."""
    return (
        {"recommendation_id": None, "actor_id": None},
        {"recommendation_id": recommendation_id, "actor_id": None},
        {"recommendation_id": None, "actor_id": actor_id},
    )


def count_change(change: StatusChange) -> None:
    """Count a change of a responsibility's status just recorded, in the caller's transaction. A month
    is counted even when the status stayed as it was (the chart starts at the first assessment)."""
    if change.responsibility_id is None:
        return
    month = month_number(change.assessed_on)
    for scope in _scopes(change.recommendation_id, change.actor_id):
        row, _created = StatusMonth.objects.get_or_create(month=month, **scope)
        if change.from_status != change.to_status:
            StatusMonth.objects.filter(pk=row.pk).update(
                **{change.from_status: F(change.from_status) - 1, change.to_status: F(change.to_status) + 1}
            )


def rebuild(*, status_change=StatusChange, status_month=StatusMonth) -> int:
    """Work out every month's movements again from the status history, in the caller's transaction;
    returns how many rows it wrote. The models can be given (a migration passes its own)."""
    moved = defaultdict(lambda: dict.fromkeys(Status.values, 0))
    changes = (
        status_change.objects.filter(responsibility__isnull=False)
        .values_list("assessed_on", "recommendation_id", "actor_id", "from_status", "to_status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for day, recommendation_id, actor_id, from_status, to_status, n in changes.iterator():
        month = month_number(day)
        for scope in _scopes(recommendation_id, actor_id):
            counts = moved[(scope["recommendation_id"], scope["actor_id"], month)]
            counts[from_status] -= n
            counts[to_status] += n
    status_month.objects.all().delete()
    rows = [
        status_month(recommendation_id=recommendation_id, actor_id=actor_id, month=month, **counts)
        for (recommendation_id, actor_id, month), counts in moved.items()
    ]
    status_month.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
