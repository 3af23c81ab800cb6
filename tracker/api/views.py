"""The public JSON API's endpoints: read-only, published information only.

Each endpoint reads through a selector (so its query count is fixed per page) and filters with the
same FilterSet as the public page it mirrors, so a filtered page and a filtered API call give the same
rows. Nothing here writes. The responses other than 200 are documented so that clients (and the
schemathesis run in the test suite) can rely on them.
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace, csp_update
from django.http import JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from ..caching import published_action_count
from ..filters import (
    ActionHarvestFilter,
    ActorFilter,
    RecommendationHarvestFilter,
    ResponsibilityHarvestFilter,
    RoundFilter,
    StatusChangeHarvestFilter,
)
from ..ordering import sorted_actors, sorted_responsibilities
from ..selectors import search as search_selectors
from ..selectors.rounds import completeness, rounds_queryset, rounds_with_tally, snapshot, snapshot_rows
from ..views.search import search_request
from .schema import FilterBackend, LargeListPagination, Pagination, refuse_unknown_language
from .serializers import (
    ActionSerializer,
    ActorSerializer,
    RecommendationSerializer,
    ResponsibilitySerializer,
    RoundDetailSerializer,
    RoundSerializer,
    SearchPageSerializer,
    SearchResultSerializer,
    StatusChangeSerializer,
)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


_FILTER_ERRORS = OpenApiResponse(
    response={"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    description=_("A filter or the page size could not be understood: the messages, by parameter."),
)
_NOT_FOUND = OpenApiResponse(response=ErrorSerializer, description=_("No such record, or no such page."))
_TOO_MANY = OpenApiResponse(
    response=ErrorSerializer,
    description=_(
        "Too many requests from this client: anonymous clients by address, signed-in users by account, "
        "each at its own rate (120 and 600 a minute unless the site says otherwise). Retry-After says "
        "how many seconds to wait."
    ),
)
_RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    description=_("Seconds to wait before the next request."),
)


def _documented(serializer_class, *, summary_list, summary_detail, lookup=None):
    return extend_schema_view(
        list=extend_schema(
            summary=summary_list,
            parameters=[_RETRY_AFTER],
            responses={200: serializer_class(many=True), 400: _FILTER_ERRORS, 404: _NOT_FOUND, 429: _TOO_MANY},
        ),
        retrieve=extend_schema(
            summary=summary_detail,
            parameters=[lookup, _RETRY_AFTER] if lookup else [_RETRY_AFTER],
            responses={200: serializer_class, 404: _NOT_FOUND, 429: _TOO_MANY},
        ),
    )


class PublicViewSet(viewsets.ReadOnlyModelViewSet):
    pagination_class = Pagination
    filter_backends = [FilterBackend]


@_documented(
    RecommendationSerializer,
    summary_list=_("The recommendations, by number, with the overall status and the roll-up"),
    summary_detail=_("One recommendation, by its number"),
    lookup=OpenApiParameter(
        "number", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The recommendation's number (1 to 13).")
    ),
)
class RecommendationViewSet(PublicViewSet):
    serializer_class = RecommendationSerializer
    filterset_class = RecommendationHarvestFilter
    lookup_field = "number"

    def get_queryset(self):
        return selectors.harvestable_recommendations()

    def paginate_queryset(self, queryset):
        # The classification of the whole page in one query.
        return selectors.attach_classification(super().paginate_queryset(queryset))

    def get_object(self):
        return selectors.attach_classification([super().get_object()])[0]


@_documented(
    ActorSerializer,
    summary_list=_("The member states and bodies, by name (member states first), with the roll-up of their statuses"),
    summary_detail=_("One member state or body, by its code"),
    lookup=OpenApiParameter("code", str, OpenApiParameter.PATH, description=_("Its code, such as MEX or OAS-GS.")),
)
class ActorViewSet(PublicViewSet):
    serializer_class = ActorSerializer
    filterset_class = ActorFilter
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return selectors.public_actors()

    def paginate_queryset(self, queryset):
        return super().paginate_queryset(sorted_actors(queryset))

    def get_object(self):
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()


@_documented(
    ResponsibilitySerializer,
    summary_list=_("The status matrix: each responsibility, by recommendation number, then by name of state or body"),
    summary_detail=_("One responsibility"),
)
class ResponsibilityViewSet(PublicViewSet):
    serializer_class = ResponsibilitySerializer
    filterset_class = ResponsibilityHarvestFilter

    def get_queryset(self):
        return selectors.public_responsibilities()

    def paginate_queryset(self, queryset):
        return super().paginate_queryset(sorted_responsibilities(queryset))


@_documented(
    ActionSerializer,
    summary_list=_("Published implementation actions, newest first"),
    summary_detail=_("One published action"),
)
class ActionViewSet(PublicViewSet):
    serializer_class = ActionSerializer
    filterset_class = ActionHarvestFilter
    pagination_class = LargeListPagination
    keyset_ordering = ("-taken_on", "-id")
    # Unfiltered, the list is every published action: counted when the record last changed.
    kept_count = staticmethod(published_action_count)

    def get_queryset(self):
        return selectors.api_actions()

    def paginate_queryset(self, queryset):
        return selectors.with_evidence(super().paginate_queryset(queryset))

    def get_object(self):
        return selectors.with_evidence([super().get_object()])[0]


@_documented(
    StatusChangeSerializer,
    summary_list=_("Every assessment (status change), newest first"),
    summary_detail=_("One assessment"),
)
class StatusChangeViewSet(PublicViewSet):
    serializer_class = StatusChangeSerializer
    filterset_class = StatusChangeHarvestFilter
    pagination_class = LargeListPagination
    keyset_ordering = ("-changed_at", "-id")

    def get_queryset(self):
        return selectors.public_status_changes()


def not_found(request, *args, **kwargs):
    """Any other address under /api/: a JSON 404, as the API's own 404s are."""
    return JsonResponse({"detail": str(_("Not found."))}, status=404)


def with_docs_policy(view):
    """Swagger UI needs inline styles (its stylesheet is local, its script a separate file): allow them
    on the docs page only. The rest of the site keeps its policy."""
    # Replaced, not extended: browsers ignore 'unsafe-inline' beside a nonce.
    view = csp_replace({"style-src": [SELF, UNSAFE_INLINE]})(view)
    return csp_update({"img-src": ["data:"]})(view)


@_documented(
    RoundSerializer,
    summary_list=_("The reporting rounds, newest first, with who has reported"),
    summary_detail=_(
        "One reporting round: its request, each state's and body's standing and, once closed, the snapshot"
    ),
)
class RoundViewSet(PublicViewSet):
    filterset_class = RoundFilter

    def get_queryset(self):
        return rounds_queryset()

    def get_serializer_class(self):
        return RoundDetailSerializer if self.action == "retrieve" else RoundSerializer

    def paginate_queryset(self, queryset):
        return rounds_with_tally(super().paginate_queryset(queryset))

    def get_object(self):
        round_ = rounds_with_tally([super().get_object()])[0]
        round_.standings = completeness(round_)
        round_.snapshot_rows = [
            {
                "recommendation": row["recommendation"].number,
                "actor": row["actor"].code if row["actor"] else None,
                "status": row["status"],
                "previous_status": row["previous"],
                "movement": row["movement"],
            }
            for row in (snapshot_rows(snapshot(round_)) if round_.is_closed else [])
        ]
        return round_


def _OR_EMPTY(schema):  # noqa: N802 - reads as a type in the list below
    """A parameter's schema that also allows it empty, as every filter does (empty means "any")."""
    return {"anyOf": [schema, {"type": "string", "maxLength": 0}]}


_SEARCH_PARAMETERS = [
    OpenApiParameter(
        "q",
        {"type": "string", "minLength": 1, "maxLength": 200},
        required=True,
        description=_(
            "The words to search for: each must be found, in any case, with or without accents; "
            '"quotes" for a phrase, OR for either word, -word to leave a word out. In the language of '
            "`lang` (or Accept-Language) and in the original English."
        ),
    ),
    OpenApiParameter(
        "kind",
        str,
        enum=["", *search_selectors.KINDS],
        allow_blank=True,
        description=_("Only results of this kind (`counts` still counts every kind)."),
    ),
    OpenApiParameter(
        "actor",
        str,
        allow_blank=True,
        description=_(
            "A state's or body's code: its actions, the recommendations it answers for, and itself "
            "(forum comments are left out)."
        ),
    ),
    OpenApiParameter(
        "recommendation",
        _OR_EMPTY({"type": "integer", "minimum": 1}),
        allow_blank=True,
        description=_(
            "A recommendation's number: itself, its related comments, the actions that address it and "
            "the states and bodies that answer for it."
        ),
    ),
    OpenApiParameter(
        "date_after",
        _OR_EMPTY({"type": "string", "format": "date"}),
        allow_blank=True,
        description=_("Actions taken on or after this day (the other kinds are then left out)."),
    ),
    OpenApiParameter(
        "date_before",
        _OR_EMPTY({"type": "string", "format": "date"}),
        allow_blank=True,
        description=_("Actions taken on or before this day (the other kinds are then left out)."),
    ),
    OpenApiParameter(
        "lang",
        str,
        enum=["en", "es", "fr", "pt"],
        allow_blank=True,
        description=_("The language searched beside English."),
    ),
    OpenApiParameter(
        "page", {"type": "integer", "minimum": 1}, allow_blank=True, description=_("A page number, from 1.")
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": Pagination.max_page_size, "default": Pagination.page_size},
        allow_blank=True,
        description=_("Results per page, from 1 to 500 (50 by default)."),
    ),
    _RETRY_AFTER,
]


class SearchView(APIView):
    """The site search (`/search/`) as JSON: published information only, ranked, paginated."""

    pagination_class = Pagination
    KNOWN = {"q", "kind", "actor", "recommendation", "date_after", "date_before", "lang", "page", "page_size"}

    @extend_schema(
        summary=_("Search the recommendations, forum comments, states and bodies, and published actions"),
        parameters=_SEARCH_PARAMETERS,
        responses={200: SearchPageSerializer, 400: _FILTER_ERRORS, 404: _NOT_FOUND, 429: _TOO_MANY},
    )
    def get(self, request):
        unknown = sorted(set(request.query_params) - self.KNOWN)
        if unknown:
            message = _("The search has no such parameter. It knows: %(known)s.") % {
                "known": ", ".join(sorted(self.KNOWN))
            }
            raise ValidationError({name: [message] for name in unknown})
        refuse_unknown_language(request.query_params)
        if not request.query_params.get("q"):
            raise ValidationError({"q": [_("Give the words to search for.")]})
        form, query, filters = search_request(request.query_params, check_period=False)
        if form.errors:
            raise ValidationError(form.errors)
        # A query with nothing to look for (punctuation, or only words to leave out) finds nothing.
        language = get_language()
        kinds = search_selectors.matching(query, language, filters)
        numbers = search_selectors.counts(kinds)
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(search_selectors.ranked(kinds, numbers, filters.kind), request, view=self)
        context = {"request": request, "language": language}
        results = SearchResultSerializer(search_selectors.results(rows, query, language), many=True, context=context)
        response = paginator.get_paginated_response(results.data)
        response.data["counts"] = numbers
        return Response(
            {key: response.data[key] for key in ("count", "next", "previous", "counts", "results")},
            headers=dict(response.items()),
        )
