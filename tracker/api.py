"""The public JSON API: read-only, published information only, described by an OpenAPI 3 schema.

Each endpoint reads through a selector in `tracker.selectors` (so its query count is fixed per page)
and filters with the same FilterSet as the public page it mirrors, so a filtered page and a filtered
API call give the same rows. Nothing here writes. Who recorded an assessment and who entered an
action are never exposed, nor are liaisons or any account.
"""

import re

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.routers import DefaultRouter

from . import selectors
from .filters import ActionFilter, ActorFilter, RecommendationFilter, ResponsibilityFilter, StatusChangeFilter
from .models import Actor, Responsibility, Status
from .templatetags.tracker_tags import markdown

# Pagination: a page of 50 by default, up to 500 on request. A size or page number that is not a
# plain whole number is refused rather than silently replaced, so a script never misreads a page.

_WHOLE_NUMBER = re.compile(r"^[0-9]{1,9}$")


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_page_message = _("There is no such page.")

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        if not _WHOLE_NUMBER.match(raw) or not 1 <= int(raw) <= self.max_page_size:
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
        if not _WHOLE_NUMBER.match(raw):
            raise NotFound(self.invalid_page_message)
        return raw

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


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, named so the schema can state what each FilterSet accepts.

    An invalid filter value makes the FilterSet invalid, and the backend answers 400 with the
    messages by parameter, never an empty 200 nor a 500.
    """


class FilterBackendSchema(DjangoFilterExtension):
    """Adds the FilterSets' own limits to the schema: lengths, whole-number ranges, and that an empty
    value means "no filter". Clients (and schemathesis) then send only what the FilterSet accepts."""

    target_class = "tracker.api.FilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        import django_filters

        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        extra = filter_field.extra
        for parameter in parameters:
            schema = parameter["schema"]
            parameter["allowEmptyValue"] = True
            if isinstance(filter_field, django_filters.CharFilter) and extra.get("max_length"):
                schema["maxLength"] = extra["max_length"]
            if isinstance(filter_field, django_filters.NumberFilter) and isinstance(extra.get("min_value"), int):
                schema.update(type="integer", minimum=extra["min_value"])
                schema.pop("format", None)
                if isinstance(extra.get("max_value"), int):
                    schema["maximum"] = extra["max_value"]
        return parameters


# Serializers.


class CountsSerializer(serializers.Serializer):
    """How many responsibilities sit at each status."""

    not_assessed = serializers.IntegerField()
    pending = serializers.IntegerField()
    partial = serializers.IntegerField()
    substantial = serializers.IntegerField()
    full = serializers.IntegerField()
    non_compliance = serializers.IntegerField()
    not_applicable = serializers.IntegerField()


class RollUpSerializer(serializers.Serializer):
    """The roll-up: counts per status and progress, with "not yet assessed" apart, never as pending."""

    counts = CountsSerializer(help_text=_("Responsibilities at each status."))
    total = serializers.IntegerField(help_text=_("Responsibilities, at any status."))
    assessed = serializers.IntegerField(
        source="counted", help_text=_("Responsibilities counted toward progress (assessed and applicable).")
    )
    not_assessed = serializers.IntegerField(help_text=_("Responsibilities not yet assessed, left out of progress."))
    progress = serializers.FloatField(
        allow_null=True,
        help_text=_(
            "Mean weight of the assessed, applicable responsibilities, in percent (pending 0, partial 50, "
            "substantial 75, full 100, non-compliance 0); null when none has been assessed."
        ),
    )


def _status_field(**kwargs):
    return serializers.ChoiceField(choices=Status.choices, **kwargs)


class RecommendationSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text=_("The number the forum gave it (1 to 13)."))
    short_title = serializers.CharField(help_text=_("The committee's short title: an editorial label."))
    text = serializers.CharField(help_text=_("The forum's words, verbatim."))
    overall_status = serializers.SerializerMethodField(help_text=_("The committee's overall status."))
    overall_status_label = serializers.SerializerMethodField()
    overall_last_assessed = serializers.SerializerMethodField()
    overall_reasoning = serializers.SerializerMethodField()
    rollup = serializers.SerializerMethodField(help_text=_("The statuses of the responsible states and bodies."))
    url = serializers.SerializerMethodField(help_text=_("Its public page."))

    def _assessment(self, obj):
        return getattr(obj, "overall_assessment", None)

    @extend_schema_field(_status_field())
    def get_overall_status(self, obj):
        assessment = self._assessment(obj)
        return assessment.status if assessment else Status.NOT_ASSESSED.value

    @extend_schema_field(OpenApiTypes.STR)
    def get_overall_status_label(self, obj):
        return str(Status(self.get_overall_status(obj)).label)

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_overall_last_assessed(self, obj):
        assessment = self._assessment(obj)
        return assessment.last_assessed.isoformat() if assessment and assessment.last_assessed else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_overall_reasoning(self, obj):
        assessment = self._assessment(obj)
        return assessment.reasoning if assessment else ""

    @extend_schema_field(RollUpSerializer)
    def get_rollup(self, obj):
        return RollUpSerializer(selectors.rollup_of(obj)).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class ActorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("ISO 3166-1 alpha-3 for member states; a short code for bodies."))
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Actor.Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    notes = serializers.CharField(help_text=_("Membership changes and other facts about it."))
    member_since = serializers.DateField(allow_null=True)
    member_until = serializers.DateField(allow_null=True, help_text=_("The date a withdrawal took effect."))
    rollup = serializers.SerializerMethodField(help_text=_("The statuses of its responsibilities."))
    url = serializers.SerializerMethodField(help_text=_("Its public page."))

    @extend_schema_field(RollUpSerializer)
    def get_rollup(self, obj):
        return RollUpSerializer(selectors.rollup_of(obj)).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class ResponsibilitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    recommendation = serializers.IntegerField(source="recommendation.number", help_text=_("Recommendation number."))
    actor = serializers.CharField(source="actor.code", help_text=_("Actor code."))
    actor_name = serializers.CharField(source="actor.name")
    actor_kind = serializers.ChoiceField(source="actor.kind", choices=Actor.Kind.choices)
    role = serializers.ChoiceField(choices=Responsibility.Role.choices)
    status = _status_field()
    status_label = serializers.CharField(source="get_status_display")
    last_assessed = serializers.DateField(allow_null=True)
    reasoning = serializers.CharField()


class EvidenceSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.SerializerMethodField(help_text=_("The link, or the address of the attached document."))

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        if obj.url:
            return obj.url
        return self.context["request"].build_absolute_uri(obj.document.url)


class ActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    taken_on = serializers.DateField()
    actor = serializers.CharField(source="actor.code", help_text=_("Actor code."))
    actor_name = serializers.CharField(source="actor.name")
    title = serializers.CharField()
    description = serializers.CharField(help_text=_("Markdown, as entered."))
    description_html = serializers.SerializerMethodField(help_text=_("The description rendered and sanitised."))
    information_source = serializers.CharField()
    recommendations = serializers.SerializerMethodField(help_text=_("Numbers of the recommendations it addresses."))
    evidence = EvidenceSerializer(many=True)
    published_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(OpenApiTypes.STR)
    def get_description_html(self, obj):
        return str(markdown(obj.description))

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_recommendations(self, obj):
        return obj.recommendation_numbers


class StatusChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    recommendation = serializers.IntegerField(source="recommendation.number", help_text=_("Recommendation number."))
    scope = serializers.SerializerMethodField(
        help_text=_("`actor`: a state's or body's status; `overall`: the committee's overall status.")
    )
    actor = serializers.CharField(source="actor.code", allow_null=True, help_text=_("Actor code, or null."))
    actor_name = serializers.CharField(source="actor.name", allow_null=True)
    from_status = _status_field()
    from_status_label = serializers.CharField(source="get_from_status_display")
    to_status = _status_field()
    to_status_label = serializers.CharField(source="get_to_status_display")
    assessed_on = serializers.DateField()
    reason = serializers.CharField()
    recorded_at = serializers.DateTimeField(source="changed_at")

    @extend_schema_field(serializers.ChoiceField(choices=StatusChangeFilter.Scope.choices))
    def get_scope(self, obj):
        return StatusChangeFilter.Scope.OVERALL.value if obj.is_overall else StatusChangeFilter.Scope.ACTOR.value


# Views. Every one is read-only; the responses other than 200 are documented so that clients (and the
# schemathesis run in the test suite) can rely on them.


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


_FILTER_ERRORS = OpenApiResponse(
    response={"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    description=_("A filter or the page size could not be understood: the messages, by parameter."),
)
_NOT_FOUND = OpenApiResponse(response=ErrorSerializer, description=_("No such record, or no such page."))


def _documented(serializer_class, *, summary_list, summary_detail, lookup=None):
    return extend_schema_view(
        list=extend_schema(
            summary=summary_list,
            responses={200: serializer_class(many=True), 400: _FILTER_ERRORS, 404: _NOT_FOUND},
        ),
        retrieve=extend_schema(
            summary=summary_detail,
            parameters=[lookup] if lookup else None,
            responses={200: serializer_class, 404: _NOT_FOUND},
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
    filterset_class = RecommendationFilter
    lookup_field = "number"

    def get_queryset(self):
        return selectors.public_recommendations()


@_documented(
    ActorSerializer,
    summary_list=_("The member states and bodies, by code, with the roll-up of their statuses"),
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

    def get_object(self):
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()


@_documented(
    ResponsibilitySerializer,
    summary_list=_("The status matrix: each responsibility, by recommendation number, then actor code"),
    summary_detail=_("One responsibility"),
)
class ResponsibilityViewSet(PublicViewSet):
    serializer_class = ResponsibilitySerializer
    filterset_class = ResponsibilityFilter

    def get_queryset(self):
        return selectors.public_responsibilities()


@_documented(
    ActionSerializer,
    summary_list=_("Published implementation actions, newest first"),
    summary_detail=_("One published action"),
)
class ActionViewSet(PublicViewSet):
    serializer_class = ActionSerializer
    filterset_class = ActionFilter

    def get_queryset(self):
        return selectors.public_actions()


@_documented(
    StatusChangeSerializer,
    summary_list=_("Every assessment (status change), newest first"),
    summary_detail=_("One assessment"),
)
class StatusChangeViewSet(PublicViewSet):
    serializer_class = StatusChangeSerializer
    filterset_class = StatusChangeFilter

    def get_queryset(self):
        return selectors.public_status_changes()


def not_found(request, *args, **kwargs):
    """Any other address under /api/: a JSON 404, as the API's own 404s are."""
    return JsonResponse({"detail": str(_("Not found."))}, status=404)


def _with_docs_policy(view):
    """Swagger UI needs inline styles (its stylesheet is local, its script a separate file): allow them
    on the docs page only, when django-csp is installed. The rest of the site keeps its policy."""
    try:
        from csp.constants import SELF, UNSAFE_INLINE
        from csp.decorators import csp_replace, csp_update
    except ImportError:
        return view
    # Replaced, not extended: browsers ignore 'unsafe-inline' beside a nonce.
    view = csp_replace({"style-src": [SELF, UNSAFE_INLINE]})(view)
    return csp_update({"img-src": ["data:"]})(view)


router = DefaultRouter()
router.include_format_suffixes = False
router.register("recommendations", RecommendationViewSet, basename="recommendation")
router.register("actors", ActorViewSet, basename="actor")
router.register("responsibilities", ResponsibilityViewSet, basename="responsibility")
router.register("actions", ActionViewSet, basename="action")
router.register("status-changes", StatusChangeViewSet, basename="status-change")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", _with_docs_policy(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    path("", include(router.urls)),
    # Only addresses ending in a slash: one without it first gets CommonMiddleware's redirect.
    re_path(r"^.*/$", not_found),
]
