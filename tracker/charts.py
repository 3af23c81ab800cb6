"""The chart of progress through time, as SVG drawn on the server: no script, no third-party host.

Stacked areas give the share of responsibilities at each status at the end of each month; a line gives
the roll-up's progress. Both read on the same 0–100 scale. The geometry is worked out here; the
markup is in `templates/tracker/includes/progress_over_time.html`.
"""

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.utils import timezone

from .models import Status
from .selectors import history

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 10, 26
MOST_YEAR_LABELS = 10
# Bottom to top: what counts most toward progress lies on the axis, what is not yet assessed on top.
STACK = [
    Status.FULL,
    Status.SUBSTANTIAL,
    Status.PARTIAL,
    Status.PENDING,
    Status.NON_COMPLIANCE,
    Status.NOT_APPLICABLE,
    Status.NOT_ASSESSED,
]


@dataclass(frozen=True)
class Chart:
    areas: list  # (status, "x,y x,y ..." polygon points)
    line: str  # path data of the progress line ("" when nothing was ever assessed)
    years: list  # (x, year) of the labelled Januaries
    gridlines: list  # (y, percent)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom_y: float = HEIGHT - BOTTOM


def level_corners(points: list) -> list:
    """The points of a path, (x, y) in order, less those in the middle of a level stretch (the point
    before and the point after at the same height): the same drawing in fewer points. A status that
    stands still for years draws its months as one line (a recommendation's chart weighed 38 kB)."""
    return [
        point
        for i, point in enumerate(points)
        if i == 0 or i == len(points) - 1 or not (points[i - 1][1] == point[1] == points[i + 1][1])
    ]


def _y(share: float) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - share), 1)


def chart(moments: list) -> Chart | None:
    """The chart of `moments` (see `tracker.selectors.history.monthly`), or None when there are none."""
    if not moments:
        return None
    plot = WIDTH - LEFT - RIGHT
    step = plot / (len(moments) - 1) if len(moments) > 1 else 0
    xs = [f"{LEFT + i * step if step else LEFT + plot / 2:.1f}" for i in range(len(moments))]
    # Heights in drawing units from the bottom of the plot, worked out once per month (the dashboard
    # draws some 200 months: the chart is built in about a millisecond this way).
    height = HEIGHT - TOP - BOTTOM
    base = HEIGHT - BOTTOM
    scales = [height / m.rollup.total if m.rollup.total else 0 for m in moments]
    bottoms = [0.0] * len(moments)
    lower = level_corners([(x, f"{base:.1f}") for x in xs])
    areas = []
    for status in STACK:
        tops = [
            bottom + m.rollup.counts[status] * scale for bottom, m, scale in zip(bottoms, moments, scales, strict=True)
        ]
        upper = level_corners([(x, f"{base - top:.1f}") for x, top in zip(xs, tops, strict=True)])
        if tops != bottoms:
            areas.append((status, " ".join(f"{x},{y}" for x, y in upper + lower[::-1])))
        bottoms, lower = tops, upper
    # The progress line, in stretches where there is a progress (none while nothing is assessed).
    stretches, stretch = [], []
    for x, moment in zip(xs, moments, strict=True):
        progress = moment.rollup.progress
        if progress is None:
            stretch = []
            continue
        if not stretch:
            stretches.append(stretch)
        stretch.append((x, str(_y(progress / 100))))
    line = []
    for stretch in stretches:
        line += [f"{'L' if i else 'M'}{x},{y}" for i, (x, y) in enumerate(level_corners(stretch))]
    januaries = [(x, m.when.year) for x, m in zip(xs, moments, strict=True) if m.when.month == 1]
    every = max(1, -(-len(januaries) // MOST_YEAR_LABELS))
    return Chart(
        areas=areas,
        line="".join(line),
        years=januaries[::every],
        gridlines=[(_y(share / 100), share) for share in (0, 25, 50, 75, 100)],
    )


def yearly(moments: list) -> list:
    """The moments that end a year, and the last one: the rows of the chart's table."""
    return [m for i, m in enumerate(moments) if m.when.month == 12 or i == len(moments) - 1]


class OverTime:
    """What the "progress through time" section shows, worked out from the rows it is drawn from.

    Two sections read from equal rows are equal (and hash alike), so the section's markup can be kept
    per distinct content (`tracker_tags.progress_over_time`): what is drawn is worked out only when the
    markup is not kept already.
    """

    def __init__(self, now, movements: tuple, round_rows: tuple, today: datetime.date):
        self._now, self._movements, self._round_rows, self._today = now, movements, round_rows, today
        self.key = (tuple(now.counts.values()), movements, round_rows, (today.year, today.month))

    def __eq__(self, other):
        return isinstance(other, OverTime) and self.key == other.key

    def __hash__(self):
        return hash(self.key)

    @cached_property
    def moments(self) -> list:
        return history.walk(self._now, self._movements, self._today)

    @cached_property
    def chart(self) -> Chart | None:
        return chart(self.moments)

    @property
    def first(self):
        return self.moments[0] if self.moments else None

    @property
    def last(self):
        return self.moments[-1] if self.moments else None

    @cached_property
    def table(self) -> list:
        return yearly(self.moments)

    @cached_property
    def rounds(self) -> list:
        return history.round_moments(self._round_rows)


def over_time(now, *, recommendations=None, actor=None) -> OverTime:
    """What the "progress through time" section shows for the responsibilities `now` counts: three
    queries (two when no round has closed)."""
    return OverTime(
        now,
        history.month_movements(recommendations=recommendations, actor=actor),
        history.round_counts(recommendations=recommendations, actor=actor),
        timezone.localdate(),
    )
