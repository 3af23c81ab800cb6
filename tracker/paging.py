"""Paged lists: which page of a list an address asks for (`?page=2`).

One rule for the HTML lists, the feeds and the API: a page number is a whole number from 1, written
in plain digits. Anything else (`page=0`, `page=-1`, `page=two`, an empty `page=` on the pages and
the feeds) is a mistake in the address, answered 400 naming the parameter, never read as the first
page; a number past the last page asks for a page that does not exist, a 404.
"""

from functools import cached_property

from django.core.exceptions import BadRequest
from django.core.paginator import EmptyPage, Page, Paginator
from django.utils.translation import gettext

from .kept import kept_count, plain_rows

PAGE_PARAMETER = "page"
# Past the last page of any list, yet small enough that a page's offset (times a page size of up to
# 500) still fits a database's LIMIT and OFFSET: a longer number is read as this one, and is still a
# page that does not exist (404), never a database error (nor one `int()` refuses to read: too long).
PAST_ANY_LIST = 10**12


class BadPageNumber(BadRequest):
    """A `?page=` that is not a page number: the address is wrong (400), whatever the list holds."""


def page_number(value: str) -> int:
    """The page that `value` (a `?page=` as written) asks for; BadPageNumber, saying why, if none."""
    if not (value.isascii() and value.isdigit()) or not value.strip("0"):
        raise BadPageNumber(gettext("page must be a whole number from 1; “%(value)s” is not.") % {"value": value[:20]})
    digits = value.lstrip("0")
    if len(digits) > len(str(PAST_ANY_LIST)):
        return PAST_ANY_LIST
    return min(int(digits), PAST_ANY_LIST)


class FirstPageCounted(Paginator):
    """A paginator that reads the first page before counting: a list that fits on it (the
    recommendations, the states and bodies, most filtered lists) is counted from its rows, without a
    query of its own. A count given beforehand (`paginator.count = n`) is used as it is."""

    def page(self, number):
        if str(number) != "1" or "count" in self.__dict__:
            return super().page(number)
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            self.count = len(rows)
        return self._get_page(rows[: self.per_page], 1, self)


# A filtered list of actions counts its rows up to this many and says "more than" beyond: counting all
# of a filter's rows costs as much as the rows (every action of a recommendation, at a million actions,
# is 150,000 of them), where counting up to a limit stops there.
COUNT_LIMIT = 1000


class CountedUpTo(Paginator):
    """A paginator that counts at most `limit` rows. Beyond, `more` is true, `count` is the limit and
    the number of pages is unknown (`num_pages` is None): each page then reads one row past its own to
    know whether another follows. A page past the counted rows has the list counted whole first (as a
    plain paginator would), so that a page past the end is a 404 found by counting, not by reading
    every row before it."""

    limit = COUNT_LIMIT

    def __init__(self, object_list, per_page, limit=None, *, kept=None):
        super().__init__(object_list, per_page)
        if limit is not None:
            self.limit = limit
        self.exact = False
        # (key, record): the count and the first page read by SQL kept under `key` (tracker.kept),
        # each row of the page made a record by `record`.
        self.first_page = kept

    @cached_property
    def counted(self):
        # Without its order, the database stops reading once it has found one row past the limit.
        def rows():
            return self.object_list.order_by()[: self.limit + 1]

        if self.first_page is not None:
            key, _record = self.first_page
            return kept_count((*key, "counted", self.limit), rows)
        return rows().count()

    def _kept_first_page(self):
        """The first page, read with one row past it (whether another follows, when uncounted)."""
        key, record = self.first_page
        read = plain_rows((*key, "first", self.per_page), lambda: self.object_list[: self.per_page + 1], converted=True)
        rows = [record(row) for row in read]
        if self.more:
            return UncountedPage(rows[: self.per_page], 1, self, followed=len(rows) > self.per_page)
        return self._get_page(rows[: self.per_page], 1, self)

    @property
    def count(self):
        return self.counted if self.exact else min(self.counted, self.limit)

    @property
    def more(self):
        return not self.exact and self.counted > self.limit

    @property
    def num_pages(self):
        return None if self.more else super().num_pages

    def validate_number(self, number):
        if not self.more:
            return super().validate_number(number)
        if int(number) < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return int(number)

    def page(self, number):
        number = int(number)
        if number == 1 and self.first_page is not None:
            return self._kept_first_page()
        if (number - 1) * self.per_page >= self.limit:
            self.counted, self.exact = self.object_list.order_by().count(), True
        if not self.more:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        return UncountedPage(rows[: self.per_page], number, self, followed=len(rows) > self.per_page)


class UncountedPage(Page):
    """A page of a list that runs past its paginator's limit: whether another page follows is known
    from the rows read, not from the number of pages."""

    def __init__(self, object_list, number, paginator, *, followed):
        super().__init__(object_list, number, paginator)
        self.followed = followed

    def has_next(self):
        return self.followed
