"""The public pages: published information only, server-rendered, working without JavaScript."""

import datetime

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from forum.models import Forum

from .. import charts, selectors
from ..caching import public_page, published_action_count
from ..filters import ActionFilter, ActorFilter, RecommendationFilter
from ..forms import MapForm, MatrixForm
from ..models import STATUS_RANK, Actor, SdgTarget, Theme
from ..ordering import actor_rank
from ..paging import PAGE_PARAMETER, BadPageNumber, CountedUpTo, FirstPageCounted, page_number
from ..rollup import rollup_of
from ..selectors.common import listed_action
from ..sorting import sort_from, sorted_by


@require_safe
def security_txt(request):
    """How to report a vulnerability (RFC 9116), always valid for the next six months."""
    expires = timezone.now() + datetime.timedelta(days=182)
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires:%Y-%m-%dT%H:%M:%S.000Z}",
        "Preferred-Languages: en, es, fr, pt",
        f"Canonical: {settings.SITE_URL.rstrip('/')}/.well-known/security.txt",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


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


class NoSuchPage(Http404):
    """A page number past the end of a list: answered 404, saying how many pages the list has."""


def page_of(request, rows, per_page=None, count=None, short=False, long=False, kept=None):
    """The page of `rows` the query string asks for (`?page=`, the first by default). A value that is
    not a page number is a 400 (BadPageNumber, answered by `bad_request`), a page past the end a 404.
    `count`, when known already, spares counting the rows; so does `short`, for a list that fits on
    one page (counted from the rows of the first). A `long` list is counted up to COUNT_LIMIT rows, by
    SQL kept under `kept` (a key and what makes a row a record) when given (`CountedUpTo`)."""
    asked = request.GET.get(PAGE_PARAMETER, "1")
    number = page_number(asked)
    size = per_page or settings.PAGE_SIZE
    if count is not None:
        paginator = Paginator(rows, size)
        paginator.count = count
    elif long:
        paginator = CountedUpTo(rows, size, kept=kept)
    else:
        paginator = (FirstPageCounted if short else Paginator)(rows, size)
    try:
        return paginator.page(number)
    except EmptyPage as error:
        raise NoSuchPage(
            _("There is no page “%(page)s” of this list: it has %(count)d page(s).")
            % {"page": asked[:20], "count": paginator.num_pages}
        ) from error


def filtered_page(request, filterset, rows=None, unfiltered_count=None, short=False, long=False):
    """The requested page of a filtered list (`rows`, when given, are the filtered rows already
    read and ordered); no rows at all when a filter could not be understood. `unfiltered_count`, a
    function, gives the count of the whole list when no filter is asked (None when it has none); a
    `long` list, filtered, is counted up to a limit (`page_of`)."""
    if not filterset.is_valid():
        rows = filterset.queryset.none()
    elif rows is None:
        rows = filterset.qs
    count = unfiltered_count() if unfiltered_count and filterset.is_valid() and not is_filtered(filterset) else None
    return page_of(request, rows, count=count, short=short, long=long)


def page_not_found(request, exception=None):
    """The site's 404 page; for a page number past the end of a list, it says which list has how many."""
    message = str(exception) if isinstance(exception, NoSuchPage) else ""
    return render(request, "404.html", {"page_message": message}, status=404)


def bad_request(request, exception=None):
    """The site's 400 page; for a `?page=` that is not a page number, it says what the parameter takes.
    Django's own refusals (a host the site does not serve) show it too, without the message."""
    message = str(exception) if isinstance(exception, BadPageNumber) else ""
    return render(request, "400.html", {"page_message": message}, status=400)


def is_filtered(filterset):
    return any(value for key, value in filterset.data.items() if key not in ("page", "lang", "sort", "view"))


MATRIX_SORTS = {"name": None, "progress": lambda row: row.rollup.progress}


@public_page
@require_safe
def dashboard(request):
    context = selectors.dashboard()
    form = MatrixForm(request.GET)
    choices = form.cleaned_data if form.is_valid() else {}
    rows = selectors.narrow_matrix(context["matrix"], kind=choices.get("kind", ""), status=choices.get("status", ""))
    sort = sort_from(request, MATRIX_SORTS, "name")
    if sort.key != "name":
        rows = sorted_by(rows, sort, MATRIX_SORTS)
    elif sort.descending:
        rows.reverse()
    context.update(
        # The record holds the one forum: its recommendations' history is the whole record's, kept in
        # one row a month.
        history=charts.over_time(context["rollup"], recommendations=None),
        matrix=rows,
        matrix_form=form,
        sort=sort,
        matrix_narrowed=bool(choices.get("kind") or choices.get("status")),
    )
    return render(request, "tracker/dashboard.html", context)


MAP_PARAMETERS = {"recommendation", "theme", "sdg", "lang"}


@public_page
@require_safe
def progress_map(request):
    """The member states on a map, each coloured by its progress: overall, on one recommendation, or on
    the recommendations of one theme or one SDG target."""
    recommendations = selectors.named_recommendations()
    themes, sdg_targets = list(Theme.objects.all()), list(SdgTarget.objects.all())
    form = MapForm(request.GET, recommendations=recommendations, themes=themes, sdg_targets=sdg_targets)
    unknown = sorted(set(request.GET) - MAP_PARAMETERS)
    valid = form.is_valid() and not unknown
    choice = form.cleaned_data if valid else {}
    number = choice.get("recommendation")
    term = next((t for t in themes if t.slug == choice.get("theme")), None) or next(
        (t for t in sdg_targets if t.number == choice.get("sdg")), None
    )
    if number:
        chosen = [r for r in recommendations if r.number == number]
    elif term:
        classified = selectors.classified_numbers(term)
        chosen = [r for r in recommendations if r.number in classified]
    else:
        chosen = recommendations
    context = {
        **selectors.progress_map(chosen),
        "form": form,
        "chosen": chosen[0] if number else None,
        "term": term,
        "term_numbers": [r.number for r in chosen] if term else [],
        "unknown": unknown,
    }
    return render(request, "tracker/map.html", context, status=200 if valid else 400)


@public_page
@require_safe
def recommendation_list(request):
    filterset = RecommendationFilter(request.GET, queryset=selectors.recommendation_list())
    # Thirteen recommendations: one page, counted from its rows.
    page = filtered_page(request, filterset, short=True)
    for recommendation in page:
        recommendation.rollup = rollup_of(recommendation)
    return render(
        request,
        "tracker/recommendation_list.html",
        {"filter": filterset, "page": page, "is_filtered": is_filtered(filterset)},
    )


RESPONSIBILITY_SORTS = {
    "name": None,  # the one order of actors, as the selector gives it
    "status": lambda responsibility: STATUS_RANK.get(responsibility.status),
    "assessed": lambda responsibility: responsibility.last_assessed,
}


@public_page
@require_safe
def recommendation_detail(request, number):
    context = selectors.recommendation_page(number)
    if context is None:
        raise Http404
    sort = sort_from(request, RESPONSIBILITY_SORTS, "name")
    if sort.key != "name":
        context["responsibilities"] = sorted_by(context["responsibilities"], sort, RESPONSIBILITY_SORTS)
    elif sort.descending:
        context["responsibilities"].reverse()
    context["sort"] = sort
    recommendation = context["recommendation"]
    context["history"] = charts.over_time(recommendation.rollup, recommendations=[recommendation])
    return render(request, "tracker/recommendation_detail.html", context)


# The states and bodies fit on one page: a list of all of them is what people compare.
ACTORS_PER_PAGE = 500
ACTOR_SORTS = {
    "name": None,  # the one order of actors, as the selector gives it
    "progress": lambda actor: actor.rollup.progress,
    "not_assessed": lambda actor: actor.rollup.not_assessed,
}


@public_page
@require_safe
def actor_list(request):
    filterset = ActorFilter(request.GET, queryset=Actor.objects.all())
    sort = sort_from(request, ACTOR_SORTS, "name")
    rows = None
    if filterset.is_valid():
        rows = selectors.actor_list(filterset.qs)
        if sort.key != "name":
            rows = sorted_by(rows, sort, ACTOR_SORTS)
        elif sort.descending:
            rows.reverse()
    if not filterset.is_valid():
        rows = filterset.queryset.none()
    page = page_of(request, rows, ACTORS_PER_PAGE)
    return render(
        request,
        "tracker/actor_list.html",
        {"filter": filterset, "page": page, "is_filtered": is_filtered(filterset), "sort": sort},
    )


@public_page
@require_safe
def actor_detail(request, code):
    if code != code.upper():
        return redirect("tracker:actor_detail", code=code.upper(), permanent=True)
    context = selectors.actor_page(code)
    if context is None:
        raise Http404
    actor = context["actor"]
    # Its first page of actions, the one most visitors see, and their count by SQL kept per actor.
    kept = (("actions-of-actor", actor.pk), listed_action)
    context["actions"] = page_of(request, context["actions"], long=True, kept=kept)
    context["history"] = charts.over_time(context["rollup"], actor=actor.pk)
    return render(request, "tracker/actor_detail.html", context)


ACTION_SORTS = ("date", "actor")


@public_page
@require_safe
def action_list(request):
    sort = sort_from(request, ACTION_SORTS, "-date")
    actions = selectors.listed_actions()
    if sort.key == "actor":
        rank = actor_rank()
        actions = actions.order_by(rank.desc() if sort.descending else rank, "-taken_on", "-id")
    else:
        actions = actions.order_by(*(["-taken_on", "-id"] if sort.descending else ["taken_on", "id"]))
    filterset = ActionFilter(request.GET, queryset=actions)
    # Every published action, unfiltered: their count is kept with the record's version.
    page = filtered_page(request, filterset, unfiltered_count=published_action_count, long=True)
    compact = request.GET.get("view") == "compact"
    return render(
        request,
        "tracker/action_list.html",
        {"filter": filterset, "page": page, "is_filtered": is_filtered(filterset), "sort": sort, "compact": compact},
    )


@public_page
@require_safe
def action_detail(request, pk):
    """A published action's own page, its permanent address: what was done, by whom, on which
    recommendations, with its evidence."""
    action = selectors.public_actions().filter(pk=pk).first()
    if action is None:
        raise Http404
    return render(request, "tracker/action_detail.html", {"action": action})


@public_page
@require_safe
def forum_record(request):
    forum = (
        Forum.objects.order_by("-date")
        .prefetch_related("panels", "comment_sections__comments", "recommendations")
        .first()
    )
    if forum is None:
        raise Http404
    return render(request, "tracker/forum_record.html", {"forum": forum})


@public_page
@require_safe
def theme_list(request):
    """The classification's themes, population groups and SDG targets, each a way into the record."""
    return render(request, "tracker/theme_list.html", selectors.classification_index())


def _term_detail(request, term, filter_query):
    """A theme's or an SDG target's page; `filter_query` lists its recommendations' actions."""
    context = selectors.term_page(term)
    context["filter_query"] = filter_query
    context["history"] = charts.over_time(context["rollup"], recommendations=context["recommendations"])
    return render(request, "tracker/term_detail.html", context)


@public_page
@require_safe
def theme_detail(request, slug):
    """A theme's recommendations, each with its progress, and their progress together."""
    theme = get_object_or_404(Theme, slug=slug)
    return _term_detail(request, theme, f"theme={theme.slug}")


@public_page
@require_safe
def sdg_detail(request, number):
    """An SDG target's official title, the recommendations that serve it, each with its progress."""
    target = get_object_or_404(SdgTarget, number=number)
    return _term_detail(request, target, f"sdg={target.number}")
