"""The roll-up: how many responsibilities sit at each status, and the progress they add up to.

Defined once here for every page, download and API answer. The counts come either from statuses
already read (`RollUp.of`) or from SQL (`annotate_status_counts`, then `RollUp.from_row`); the
progress is always worked out here, from the counts and the scale's weights.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from .models import STATUS_WEIGHTS, Status


@dataclass(frozen=True)
class RollUp:
    """Responsibilities at each status, and their progress.

    Progress is the mean weight of the assessed, applicable responsibilities; "not yet assessed" and
    "not applicable" are left out of it and reported apart.
    """

    counts: dict = field(default_factory=lambda: dict.fromkeys(Status, 0))

    @classmethod
    def of(cls, statuses) -> "RollUp":
        """The roll-up of statuses already read."""
        tally = Counter(statuses)
        return cls(counts={status: tally[status.value] for status in Status})

    @classmethod
    def from_row(cls, row) -> "RollUp":
        """The roll-up of a row annotated by `annotate_status_counts` (a dict, or a model's `vars()`)."""
        return cls(counts={status: row.get(f"n_{status.value}") or 0 for status in Status})

    @property
    def tally(self) -> tuple:
        """The counts in the scale's order: all that a drawing of the roll-up depends on."""
        return tuple(self.counts[status] for status in Status)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def counted(self) -> int:
        """Responsibilities counted toward progress: assessed, and applicable."""
        return sum(self.counts[status] for status in STATUS_WEIGHTS)

    @property
    def weight_sum(self) -> int:
        return sum(weight * self.counts[status] for status, weight in STATUS_WEIGHTS.items())

    @property
    def not_assessed(self) -> int:
        return self.counts[Status.NOT_ASSESSED]

    @property
    def progress(self) -> float | None:
        """Percent, or None when nothing has been assessed yet."""
        if not self.counted:
            return None
        return round(self.weight_sum / self.counted, 1)

    def rows(self) -> list[tuple]:
        """(status, count, share of the total in percent), in the scale's order."""
        total = self.total
        return [
            (status, self.counts[status], round(100 * self.counts[status] / total, 1) if total else 0)
            for status in Status
        ]

    def segments(self) -> list[tuple]:
        """(status, count, share in percent, offset in percent) of the statuses present, for a bar."""
        offset, segments = 0.0, []
        for status, count, share in self.rows():
            if count:
                segments.append((status, count, share, offset))
                offset += share
        return segments


def annotate_status_counts(queryset: QuerySet, prefix: str = "responsibilities__") -> QuerySet:
    """Add, in SQL, how many related responsibilities (reached by `prefix`) sit at each status."""
    return queryset.annotate(
        **{f"n_{status.value}": Count(f"{prefix}pk", filter=Q(**{f"{prefix}status": status})) for status in Status}
    )


def rollup_of(obj) -> RollUp:
    """The roll-up of a recommendation or an actor annotated by `annotate_status_counts`."""
    return RollUp.from_row(vars(obj))
