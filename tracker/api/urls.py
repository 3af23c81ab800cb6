from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from ..caching import public_page
from ..throttling import throttled_api
from .views import (
    ActionViewSet,
    ActorViewSet,
    RecommendationViewSet,
    ResponsibilityViewSet,
    RoundViewSet,
    SearchView,
    StatusChangeViewSet,
    not_found,
    with_docs_policy,
)

router = DefaultRouter()
router.include_format_suffixes = False
router.register("recommendations", RecommendationViewSet, basename="recommendation")
router.register("actors", ActorViewSet, basename="actor")
router.register("responsibilities", ResponsibilityViewSet, basename="responsibility")
router.register("actions", ActionViewSet, basename="action")
router.register("status-changes", StatusChangeViewSet, basename="status-change")
router.register("rounds", RoundViewSet, basename="round")


def public(view):
    """Anonymous reads of the API are served like the pages, from the cache with validators (304),
    and counted against the anonymous rate before that."""
    return throttled_api(public_page(view))


def _public(patterns):
    for pattern in patterns:
        pattern.callback = public(pattern.callback)
    return patterns


app_name = "api"
urlpatterns = [
    # The schema changes with the code, not with the record: counted, not cached.
    path("schema/", throttled_api(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", with_docs_policy(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    path("search/", public(SearchView.as_view()), name="search"),
    path("", include(_public(router.urls))),
    # Only addresses ending in a slash: one without it first gets CommonMiddleware's redirect.
    re_path(r"^.*/$", not_found),
]
