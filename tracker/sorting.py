"""Sortable tables: the order a table is in is part of its address (`?sort=progress`, `?sort=-date`).

A table offers a few sorts by name; `?sort=key` sorts ascending, `?sort=-key` descending. An unknown
value falls back to the table's default, as an unknown filter never would: a sort changes no row.
The header of the sorted column says so to screen readers (`aria-sort`).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Sort:
    key: str
    descending: bool = False

    @property
    def value(self) -> str:
        return f"-{self.key}" if self.descending else self.key


def sort_from(request, keys, default: str, param: str = "sort") -> Sort:
    """The sort the query string asks for, among `keys`, else `default` (e.g. "name" or "-date")."""
    asked = (request.GET.get(param) or "").strip()
    for candidate in (asked, default):
        key = candidate.removeprefix("-")
        if key in keys:
            return Sort(key, candidate.startswith("-"))
    raise ValueError(f"the default sort {default!r} is not one of {keys}")


def sorted_by(rows, sort: Sort, keys: dict) -> list:
    """`rows` sorted by `keys[sort.key]` (a function of a row); rows whose value is None come last,
    whichever the direction, so that "no progress yet" never reads as the best or the worst."""
    key = keys[sort.key]
    present = [row for row in rows if key(row) is not None]
    missing = [row for row in rows if key(row) is None]
    return sorted(present, key=key, reverse=sort.descending) + missing
