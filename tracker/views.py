"""The public pages: published information only, server-rendered, working without JavaScript."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from forum.models import Forum

from . import selectors
from .caching import public_page
from .filters import ActionFilter, ActorFilter, RecommendationFilter
from .models import STATUS_ABBREVIATIONS, Actor, Status


@require_safe
def healthz(request):
    """200 after a real round trip to the database; 503 when it cannot be reached."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def _filtered_page(request, filterset):
    """The requested page of a filtered list; no rows at all when a filter could not be understood."""
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    paginator = Paginator(queryset, settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _is_filtered(filterset):
    return any(value for key, value in filterset.data.items() if key != "page")


def _legend():
    return [(Status(value), STATUS_ABBREVIATIONS[value]) for value in Status.values]


@require_safe
@public_page
def dashboard(request):
    context = selectors.dashboard()
    context["legend"] = _legend()
    return render(request, "tracker/dashboard.html", context)


@require_safe
@public_page
def recommendation_list(request):
    queryset = selectors.annotate_rollup(selectors.current_recommendations()).order_by("number")
    filterset = RecommendationFilter(request.GET, queryset=queryset)
    page = _filtered_page(request, filterset)
    for recommendation in page:
        recommendation.rollup = selectors.rollup_of(recommendation)
    return render(
        request,
        "tracker/recommendation_list.html",
        {"filter": filterset, "page": page, "is_filtered": _is_filtered(filterset)},
    )


@require_safe
@public_page
def recommendation_detail(request, number):
    context = selectors.recommendation_page(number)
    if context is None:
        raise Http404
    return render(request, "tracker/recommendation_detail.html", context)


@require_safe
@public_page
def actor_list(request):
    queryset = selectors.ordered_actors(selectors.annotate_rollup(Actor.objects.all()))
    filterset = ActorFilter(request.GET, queryset=queryset)
    page = _filtered_page(request, filterset)
    for actor in page:
        actor.rollup = selectors.rollup_of(actor)
    return render(
        request, "tracker/actor_list.html", {"filter": filterset, "page": page, "is_filtered": _is_filtered(filterset)}
    )


@require_safe
@public_page
def actor_detail(request, code):
    if code != code.upper():
        return redirect("tracker:actor_detail", code=code.upper(), permanent=True)
    actor = get_object_or_404(Actor, code=code)
    context = selectors.actor_page(actor)
    paginator = Paginator(selectors.published_actions().filter(actor=actor), settings.PAGE_SIZE)
    context["actions"] = paginator.get_page(request.GET.get("page"))
    return render(request, "tracker/actor_detail.html", context)


@require_safe
@public_page
def action_list(request):
    filterset = ActionFilter(request.GET, queryset=selectors.published_actions())
    page = _filtered_page(request, filterset)
    return render(
        request, "tracker/action_list.html", {"filter": filterset, "page": page, "is_filtered": _is_filtered(filterset)}
    )


@require_safe
@public_page
def forum_record(request):
    forum = (
        Forum.objects.order_by("-date")
        .prefetch_related("panels", "comment_sections__comments", "recommendations")
        .first()
    )
    if forum is None:
        raise Http404
    return render(request, "tracker/forum_record.html", {"forum": forum})
