"""Reads shaped for pages and exports: scoped, filtered and annotated so templates never query."""

from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When

from .models import STATUS_WEIGHTS, Responsibility, Status

_COUNTED = list(STATUS_WEIGHTS)


def _status_counts(prefix=""):
    """Aggregate expressions: one count per status, plus the weighted sum of the counted ones."""
    expressions = {
        f"n_{status.value}": Count("pk" if not prefix else f"{prefix}pk", filter=Q(**{f"{prefix}status": status}))
        for status in Status
    }
    expressions["weight_sum"] = Sum(
        Case(
            *[When(**{f"{prefix}status": status}, then=Value(weight)) for status, weight in STATUS_WEIGHTS.items()],
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    return expressions


@dataclass
class RollUp:
    """How many responsibilities sit at each status, and the progress they add up to.

    Progress is the mean weight of the assessed, applicable responsibilities; "not yet assessed" and
    "not applicable" are left out of it and reported apart.
    """

    counts: dict = field(default_factory=dict)
    weight_sum: int = 0

    @classmethod
    def from_row(cls, row, prefix=""):
        counts = {status: row.get(f"{prefix}n_{status.value}") or 0 for status in Status}
        return cls(counts=counts, weight_sum=row.get(f"{prefix}weight_sum") or 0)

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def counted(self):
        return sum(self.counts[s] for s in _COUNTED)

    @property
    def not_assessed(self):
        return self.counts[Status.NOT_ASSESSED]

    @property
    def progress(self):
        """Percent, or None when nothing has been assessed yet."""
        if not self.counted:
            return None
        return round(self.weight_sum / self.counted, 1)

    def rows(self):
        """(status, count, share of total in percent), in the scale's order."""
        total = self.total
        return [
            (status, self.counts[status], round(100 * self.counts[status] / total, 1) if total else 0)
            for status in Status
        ]


def rollup(responsibilities: QuerySet | None = None) -> RollUp:
    """The roll-up of a set of responsibilities (all of them by default), in one query."""
    qs = Responsibility.objects.all() if responsibilities is None else responsibilities
    return RollUp.from_row(qs.aggregate(**_status_counts()))


def annotate_rollup(recommendations: QuerySet) -> QuerySet:
    """Add each recommendation's per-status counts and weight sum, computed in SQL."""
    return recommendations.annotate(**_status_counts("responsibilities__"))


def rollup_of(recommendation) -> RollUp:
    """Read the roll-up off a recommendation annotated by `annotate_rollup`."""
    return RollUp.from_row(vars(recommendation))
