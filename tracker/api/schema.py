"""How the API pages and filters its lists, and how the OpenAPI schema describes both.

A size or page number that is not a plain whole number is refused rather than silently replaced, so
a script never misreads a page; an invalid filter value answers 400 with the messages by parameter.
"""

import base64
import datetime
import hashlib
import re
from dataclasses import dataclass
from urllib import parse

import django_filters
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import F, Func, Value
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from ..caching import data_version
from ..filters import ActorCodeFilter, RecommendationNumberFilter, TermFilter, recommendation_choices, term_choices
from ..ordering import actor_choices
from ..paging import BadPageNumber, FirstPageCounted, page_number

# Pagination: a page of 50 by default, up to 500 on request. A size or page number that is not a
# plain whole number is refused rather than silently replaced, so a script never misreads a page.

# Matched whole (fullmatch): `$` would also match before a final line break, reading "5\n" as 5.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


class Pagination(PageNumberPagination):
    django_paginator_class = FirstPageCounted
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_page_message = _("There is no such page.")

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        if not _WHOLE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Give a whole number of rows per page, from 1 to %(max)d.") % {"max": self.max_page_size}
                    ]
                }
            )
        return int(raw)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param) or "1"
        if raw in self.last_page_strings:
            return raw
        try:
            # The pages' and the feeds' rule: not a page number at all is a 400; past the end, a 404.
            return page_number(raw)
        except BadPageNumber as error:
            raise ValidationError({self.page_query_param: [str(error)]}) from error

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            # An empty value means the default (the first page, 50 rows), as for the filters.
            parameter["allowEmptyValue"] = True
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1)
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size, default=self.page_size)
        return parameters


def cached_count(queryset, request, view=None) -> int:
    """How many rows a filtered list has, counted once for each version of the record and each query
    (its filters): at a million actions the count costs more than the page itself. A list asked with no
    filter at all takes the count its view keeps (`kept_count`), when it keeps one."""
    filters = sorted((k, v) for k, v in request.query_params.lists() if k not in ("page", "page_size", "cursor"))
    kept = getattr(view, "kept_count", None)
    if kept is not None and not filters and (count := kept()) is not None:
        return count
    key = (
        "api-count:"
        + hashlib.sha256(
            repr((data_version(), queryset.model._meta.label, request.path, filters)).encode()
        ).hexdigest()[:32]
    )
    count = cache.get(key)
    if count is None:
        count = queryset.count()
        cache.set(key, count, timeout=60 * 60)
    return count


class OneValue(Func):
    """A value as a one-value subquery, `(SELECT %s)`, written as its field writes it."""

    template = "(SELECT %(expressions)s)"


@dataclass(frozen=True, slots=True)
class Place:
    """Where a page of a large list starts: just after the row whose values in the list's order are
    `values` or, going back (`back`), just before it. A cursor written before cursors held a row's
    whole place names the first value only, and the rows to skip past it (`skip`)."""

    values: tuple
    back: bool = False
    skip: int = 0


class Keyset(BasePagination):
    """Pages that follow one another by position in the list's order (`cursor`), not by number: the
    same cost for the first page and the thousandth, whatever the size of the record.

    The cursor holds the place of the row where the page starts in each of the list's ordering fields
    (for the actions, the date taken and the key), and the page is read from the index by comparing
    rows, `(taken_on, id) < (%s, %s)`: nothing is counted or skipped, however many rows share a date."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_param = "cursor"
    # A cursor of the earlier form skips rows sharing its date: never more than 1,000 (its writer's limit).
    skip_limit = 1000
    invalid_cursor_message = _("This cursor is not one the API gave: follow the next and previous links.")

    def get_page_size(self, request):
        return Pagination.get_page_size(self, request)

    def paginate_queryset(self, queryset, request, view=None):
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        ordering = view.keyset_ordering
        self.names = [name.lstrip("-") for name in ordering]
        self.descending = descending = ordering[0].startswith("-")
        if any(name.startswith("-") != descending for name in ordering) or self.names[-1] != "id":
            # Each row's place is then its own, and the rows follow one another by comparing places.
            raise ValueError(f"a keyset's ordering runs one way and ends with the key: {ordering}")
        self.fields = [queryset.model._meta.get_field(name) for name in self.names]
        self.place = place = self.decode_cursor(request)
        back = place is not None and place.back
        if back:
            queryset = queryset.order_by(*(name if descending else f"-{name}" for name in self.names))
        else:
            queryset = queryset.order_by(*ordering)
        skip = 0
        if place is not None:
            # The rows that come after the place in the direction read: further down a list in
            # descending order, further up when going back.
            below = descending != back
            if len(place.values) == len(self.names):
                lookup = TupleLessThan if below else TupleGreaterThan
                # Each value as a one-value subquery, `(SELECT %s)`: PostgreSQL then plans the prepared
                # statement once for every place (a generic plan), where with the values themselves
                # it planned it again at each page (0.4 ms, half of reading the page).
                values = tuple(
                    OneValue(Value(value, output_field=f), output_field=f)
                    for f, value in zip(self.fields, place.values, strict=True)
                )
                queryset = queryset.filter(lookup(Tuple(*(F(name) for name in self.names)), values))
            elif place.values:
                queryset = queryset.filter(**{f"{self.names[0]}__{'lt' if below else 'gt'}": place.values[0]})
            skip = place.skip
        rows = list(queryset[skip : skip + self.page_size + 1])
        page = rows[: self.page_size]
        more = len(rows) > self.page_size
        if back:
            page.reverse()
        # Going forward, a cursor means a page before it; going back, the rows from the place on follow.
        self.has_next = True if back else more
        self.has_previous = more if back else place is not None and bool(place.values or place.skip)
        self.page = page
        return page

    def _place_of(self, row) -> list:
        return [getattr(row, name) for name in self.names]

    def _link(self, direction: str, values) -> str:
        if values is None:
            # From a place with no row beyond it: the list from its start.
            return remove_query_param(self.base_url, self.cursor_query_param)
        tokens = parse.urlencode({direction: [_cursor_text(value) for value in values]}, doseq=True)
        encoded = base64.b64encode(tokens.encode("ascii")).decode("ascii")
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def get_next_link(self):
        if not self.has_next:
            return None
        return self._link("after", self._place_of(self.page[-1]) if self.page else None)

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if self.page:
            return self._link("before", self._place_of(self.page[0]))
        if len(self.place.values) != len(self.names):
            # An earlier cursor, by date alone, with no row past it: the list from its start.
            return self._link("before", None)
        # No row past the place (the list ends there, or its last rows were withdrawn): back to the
        # page that ends with the place's own row, the one before the key one step further on.
        *leading, key = self.place.values
        step = -1 if self.descending else 1
        return self._link("before", [*leading, key + step])

    def decode_cursor(self, request) -> Place | None:
        """The place a `cursor` names, or None for the first page (no cursor, or an empty one). Any
        cursor the API did not write is refused (400) with a message saying what to do instead."""
        encoded = request.query_params.get(self.cursor_query_param)
        if not encoded:
            return None
        refusal = ValidationError({self.cursor_query_param: [str(self.invalid_cursor_message)]})
        try:
            tokens = parse.parse_qs(base64.b64decode(encoded, validate=True).decode("ascii"), strict_parsing=True)
            if set(tokens) in ({"after"}, {"before"}):
                ((direction, texts),) = tokens.items()
                if len(texts) != len(self.fields):
                    raise ValueError(texts)
                return Place(tuple(map(_cursor_value, self.fields, texts)), back=direction == "before")
            if tokens and set(tokens) <= {"o", "r", "p"}:
                # An earlier cursor: the first field's value (none on a list with no two values
                # apart on its first page), the rows to skip past it, and whether it goes back.
                positions, skips, backs = tokens.get("p", []), tokens.get("o", ["0"]), tokens.get("r", ["0"])
                if len(positions) > 1 or len(skips) > 1 or backs not in (["0"], ["1"]):
                    raise ValueError(tokens)
                if not _WHOLE_NUMBER.fullmatch(skips[0]) or int(skips[0]) > self.skip_limit:
                    raise ValueError(skips)
                values = tuple(_cursor_value(self.fields[0], text) for text in positions)
                return Place(values, back=backs == ["1"], skip=int(skips[0]))
        except (ValueError, OverflowError, DjangoValidationError) as error:
            raise refusal from error
        raise refusal


def _cursor_text(value) -> str:
    """A value of a row's place as a cursor writes it: dates and instants in ISO 8601, with their offset."""
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def _cursor_value(field, text: str):
    """The value `text` gives `field`, as the field reads it and within its limits (a key within
    the database's integers), or ValueError: an instant must name its offset, as the API writes it."""
    value = field.to_python(text)
    field.run_validators(value)
    if value is None or (isinstance(value, datetime.datetime) and timezone.is_naive(value)):
        raise ValueError(text)
    if isinstance(value, datetime.datetime):
        # As the database is asked it: in UTC, which an instant at the ends of the calendar cannot be
        # ("0001-01-01T00:00:00+05:00"), an OverflowError.
        value = value.astimezone(datetime.UTC)
    return value


class LargeListPagination(BasePagination):
    """For the lists that grow with the record (actions, status changes): pages follow one another by
    cursor (the `next` and `previous` links), and the count is kept per version of the record. A page
    number (`?page=`) is still understood, for a client that jumps to a page; it costs more the
    further the page."""

    def paginate_queryset(self, queryset, request, view=None):
        self.count = cached_count(queryset, request, view)
        if request.query_params.get("page"):
            count = self.count

            class Counted(DjangoPaginator):
                # Counted already, once for this version of the record.
                @property
                def count(self):
                    return count

            self.paginator = Pagination()
            self.paginator.django_paginator_class = Counted
        else:
            self.paginator = Keyset()
        return self.paginator.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if isinstance(self.paginator, Pagination):
            return self.paginator.get_paginated_response(data)
        return Response(
            {
                "count": self.count,
                "next": self.paginator.get_next_link(),
                "previous": self.paginator.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return Pagination().get_paginated_response_schema(schema)

    def get_schema_operation_parameters(self, view):
        parameters = Pagination().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == "page":
                parameter["description"] = str(
                    _(
                        "A page number, for a client that jumps to a page; without it, pages follow one another "
                        "by the next and previous links, which cost the same however far they go."
                    )
                )
        cursor = {
            "name": "cursor",
            "required": False,
            "in": "query",
            "allowEmptyValue": True,
            "description": str(
                _(
                    "Where the page starts: the value in the next or previous link, the place of a row in the "
                    "list's order (its date or instant, then its key). Any other value is refused."
                )
            ),
            "schema": {"type": "string"},
        }
        return [cursor, *parameters]


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, named so the schema can state what each FilterSet accepts.

    An invalid filter value makes the FilterSet invalid, and the backend answers 400 with the
    messages by parameter, never an empty 200 nor a 500. So does a parameter the list does not know
    (a misspelt filter would otherwise return every row, as if it had been applied).
    """

    # What every list accepts besides its filters: paging, and the language (`?lang=`, understood on
    # every address of the site: labels and names come in it).
    PAGING_PARAMETERS = ("page", "page_size", "cursor", "lang")

    def filter_queryset(self, request, queryset, view):
        refuse_unknown_language(request.query_params)
        filterset_class = self.get_filterset_class(view, queryset)
        known = {*self.PAGING_PARAMETERS, *(filterset_class.base_filters if filterset_class else ())}
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            message = _("This list has no such parameter. It knows: %(known)s.") % {"known": ", ".join(sorted(known))}
            raise ValidationError({name: [message] for name in unknown})
        return super().filter_queryset(request, queryset, view)


def refuse_unknown_language(params) -> None:
    """`?lang=` names one of the site's languages, or is left out: any other value is a 400, as the
    schema's enum says (the pages simply ignore it)."""
    if "lang" in params and params["lang"] not in dict(settings.LANGUAGES):
        languages = ", ".join(code for code, _name in settings.LANGUAGES)
        raise ValidationError(
            {"lang": [_("Not one of the site's languages: %(languages)s.") % {"languages": languages}]}
        )


def _on_record(choices) -> list[str]:
    """The values on record (actor codes, recommendation numbers), or none when the database cannot
    be read (the schema is then generated without them, as when the test suite loads it before any
    database exists)."""
    try:
        return [value for value, _label in choices()]
    except Exception:  # noqa: BLE001 - any failure to read leaves the list out, never the schema
        return []


class FilterBackendSchema(DjangoFilterExtension):
    """Adds the FilterSets' own limits to the schema: lengths, whole-number ranges, and that an empty
    value means "no filter". Clients (and schemathesis) then send only what the FilterSet accepts."""

    target_class = "tracker.api.schema.FilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        extra = filter_field.extra
        for parameter in parameters:
            schema = parameter["schema"]
            parameter["allowEmptyValue"] = True
            if isinstance(filter_field, ActorCodeFilter):
                # The codes of the states and bodies on record: any other is refused with a 400.
                codes = _on_record(actor_choices)
                schema.update({"type": "string", "enum": codes} if codes else {"type": "string"})
            if isinstance(filter_field, RecommendationNumberFilter):
                # The numbers of the forum's recommendations: any other is refused with a 400.
                numbers = [int(number) for number in _on_record(recommendation_choices)]
                schema.clear()
                schema.update({"type": "integer", "enum": numbers} if numbers else {"type": "integer", "minimum": 1})
            if isinstance(filter_field, TermFilter):
                # The slugs (for SDG targets, the numbers) of the classification's terms: any other is refused.
                keys = _on_record(lambda field=filter_field: term_choices(field.parameter))
                schema.clear()
                schema.update({"type": "string", "enum": keys} if keys else {"type": "string"})
            if isinstance(filter_field, django_filters.CharFilter) and extra.get("max_length"):
                schema["maxLength"] = extra["max_length"]
            if isinstance(filter_field, django_filters.NumberFilter) and isinstance(extra.get("min_value"), int):
                schema.update(type="integer", minimum=extra["min_value"])
                schema.pop("format", None)
                if isinstance(extra.get("max_value"), int):
                    schema["maximum"] = extra["max_value"]
        return parameters
