"""Paged lists: which page of a list an address asks for (`?page=2`).

One rule for the HTML lists, the feeds and the API: a page number is a whole number from 1, written
in plain digits. Anything else (`page=0`, `page=-1`, `page=two`, an empty `page=` on the pages and
the feeds) is a mistake in the address, answered 400 naming the parameter, never read as the first
page; a number past the last page asks for a page that does not exist, a 404.
"""

from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.utils.translation import gettext

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
