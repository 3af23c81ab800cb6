"""How the API pages and filters its lists, and how the OpenAPI schema describes both.

A size or page number that is not a plain whole number is refused rather than silently replaced, so
a script never misreads a page; an invalid filter value answers 400 with the messages by parameter.
"""

import base64
import hashlib
import re
from urllib import parse

import django_filters
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator as DjangoPaginator
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination, CursorPagination, PageNumberPagination
from rest_framework.response import Response

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


class Keyset(CursorPagination):
    """Pages that follow one another by position in the list's order (`cursor`), not by number: the
    same cost for the first page and the thousandth, whatever the size of the record."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_cursor_message = _("This cursor is not one the API gave: follow the next and previous links.")

    def get_page_size(self, request):
        return Pagination.get_page_size(self, request)

    def get_ordering(self, request, queryset, view):
        return view.keyset_ordering

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded == "":
            return None
        refusal = ValidationError({self.cursor_query_param: [str(self.invalid_cursor_message)]})
        if encoded is not None:
            # Only what the API writes: base64 of its own tokens (DRF alone would skip any other
            # character and read what is left, or nothing, as the first page).
            try:
                tokens = parse.parse_qs(base64.b64decode(encoded, validate=True).decode("ascii"), strict_parsing=True)
            except ValueError as error:
                raise refusal from error
            if not tokens or set(tokens) - {"o", "r", "p"}:
                raise refusal
        try:
            return super().decode_cursor(request)
        except NotFound as error:
            raise refusal from error


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
            "description": str(_("Where the page starts: the value in the next or previous link.")),
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
