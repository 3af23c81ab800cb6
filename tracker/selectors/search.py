"""The site's search: published recommendations, forum comments, states and bodies, and actions, ranked
in one list, read with a fixed number of queries whatever the number of results.

A count per kind of result (4 queries), one page of the ranked list (one query, a UNION of the kinds'
matches), then the page's rows of each kind (at most one query each, two for actions with their
evidence). Only what the public sees: published actions, the current forum's record, no report.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import DateField, F, IntegerField, QuerySet, Value
from django.db.models.functions import Cast
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forum.models import Comment, Recommendation

from .. import links
from ..models import Action, Actor, Responsibility
from ..search import (
    Marker,
    Query,
    excerpt,
    highlight,
    languages_for,
    match_actions,
    match_actors,
    match_comments,
    match_recommendations,
    plain_text,
)
from .common import current_recommendations, listed_evidence, published_actions

# The kinds of result, in the order a page lists them when their ranks are equal.
KINDS = {
    "recommendation": gettext_lazy("Recommendation"),
    "actor": gettext_lazy("State or body"),
    "comment": gettext_lazy("Forum comment"),
    "action": gettext_lazy("Action"),
}
KIND_ORDER = {kind: position for position, kind in enumerate(KINDS)}
KIND_PLURALS = {
    "recommendation": gettext_lazy("Recommendations"),
    "actor": gettext_lazy("States and bodies"),
    "comment": gettext_lazy("Forum comments"),
    "action": gettext_lazy("Actions"),
}


@dataclass(frozen=True)
class SearchFilters:
    """What a search is narrowed to. A filter that cannot apply to a kind leaves that kind out: a date
    to everything but actions, a state or body to the forum's comments."""

    kind: str = ""
    actor: str = ""  # a code
    recommendation: int | None = None  # a number
    date_after: datetime.date | None = None
    date_before: datetime.date | None = None

    @property
    def dated(self) -> bool:
        return bool(self.date_after or self.date_before)


def _current_comments() -> QuerySet:
    latest = current_recommendations().values("forum")[:1]
    return Comment.objects.filter(forum__in=latest)


def matching(query: Query, language: str, filters: SearchFilters) -> dict[str, QuerySet]:
    """Each kind's matching rows, ranked (`search_rank`, `search_title`), under the filters; a kind the
    filters leave out is not there."""
    if not query:  # nothing to look for: punctuation, or only words to leave out
        return {}
    kinds = {}
    number, code = filters.recommendation, filters.actor
    if not filters.dated:
        recommendations = current_recommendations().select_related(None)
        if number is not None:
            recommendations = recommendations.filter(number=number)
        if code:
            answerable = Responsibility.objects.filter(actor__code=code).values("recommendation")
            recommendations = recommendations.filter(pk__in=answerable)
        kinds["recommendation"] = match_recommendations(recommendations, query, language)

        actors = Actor.objects.all()
        if code:
            actors = actors.filter(code=code)
        if number is not None:
            actors = actors.filter(pk__in=Responsibility.objects.filter(recommendation__number=number).values("actor"))
        kinds["actor"] = match_actors(actors, query, language)

        if not code:
            comments = _current_comments()
            if number is not None:
                related = Recommendation.related_comments.through.objects.filter(recommendation__number=number)
                comments = comments.filter(pk__in=related.values("comment"))
            kinds["comment"] = match_comments(comments, query, language)

    actions = Action.objects.published()
    if code:
        actions = actions.filter(actor__code=code)
    if number is not None:
        addressed = Action.recommendations.through.objects.filter(recommendation__number=number)
        actions = actions.filter(pk__in=addressed.values("action"))
    if filters.date_after:
        actions = actions.filter(taken_on__gte=filters.date_after)
    if filters.date_before:
        actions = actions.filter(taken_on__lte=filters.date_before)
    kinds["action"] = match_actions(actions, query, language)
    return kinds


def counts(kinds: dict[str, QuerySet]) -> dict[str, int]:
    """How many results of each kind (0 for a kind the filters leave out), one query each."""
    return {kind: (kinds[kind].order_by().count() if kind in kinds else 0) for kind in KINDS}


def _ranked_rows(kind: str, queryset: QuerySet) -> QuerySet:
    day = F("taken_on") if kind == "action" else Cast(Value(None), DateField())
    # New names, all given at once, so that every part of the UNION selects them in this order; read
    # through Django's own QuerySet, since django-modeltranslation's reorders the columns of values_list.
    plain = QuerySet(model=queryset.model, query=queryset.query.chain())
    return (
        plain.order_by()
        .annotate(
            s_order=Value(KIND_ORDER[kind], output_field=IntegerField()),
            s_key=F("pk"),
            s_title=F("search_title"),
            s_rank=F("search_rank"),
            s_day=day,
        )
        .values_list("s_order", "s_key", "s_title", "s_rank", "s_day")
    )


class RankedList:
    """The ranked results of the chosen kinds as one list that a paginator reads a page at a time;
    its length is the counts' sum, so the paginator asks the database nothing more."""

    def __init__(self, kinds: dict[str, QuerySet], chosen: list[str], total: int):
        parts = [_ranked_rows(kind, kinds[kind]) for kind in chosen if kind in kinds]
        self.rows = None
        if parts:
            rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
            # Title matches first, then by rank; equal ranks by kind, then the newest action first.
            self.rows = rows.order_by("-s_title", "-s_rank", "s_order", "-s_day", "s_key")
        self.total = total if parts else 0

    def count(self):
        return self.total

    def __len__(self):
        return self.total

    def __getitem__(self, index):
        if self.rows is None:
            return []
        return list(self.rows[index])


def ranked(kinds: dict[str, QuerySet], numbers: dict[str, int], kind: str = "") -> RankedList:
    chosen = [kind] if kind else list(KINDS)
    return RankedList(kinds, chosen, sum(numbers[k] for k in chosen))


@dataclass
class Result:
    """One result as the page and the API show it."""

    kind: str
    key: str  # a recommendation's number, an actor's code, a comment's or an action's id
    title: SafeString
    title_text: str
    url: str
    excerpt: SafeString
    excerpt_text: str
    title_match: bool
    rank: float
    lang: str = ""  # the language of the title and excerpt when not the page's (the English original)
    date: datetime.date | None = None
    actor: Actor | None = None
    recommendation_numbers: list[int] = field(default_factory=list)
    note: str = ""

    @property
    def kind_label(self):
        return KINDS[self.kind]


def _in_language(obj, field_name, languages, marker):
    """(text, language) of a translated field: the visitor's language when entered, else the English;
    the English when only it holds what was found."""
    candidates = [(getattr(obj, f"{field_name}_{code}", "") or "", code) for code in languages]
    candidates = [(text, code) for text, code in candidates if text]
    if not candidates:
        return "", languages[-1]
    for text, code in candidates:
        if any(marker.matches(word) for word in text.split()):
            return text, code
    return candidates[0]


def _recommendation(row, marker, languages):
    text, lang = _in_language(row, "text", languages, marker)
    short_title, _title_lang = _in_language(row, "short_title", languages, marker)
    label = _("Recommendation %(number)d") % {"number": row.number}
    title_text = f"{label}: {short_title}" if short_title else label
    title = format_html("{}: {}", label, highlight(short_title, marker)) if short_title else format_html("{}", label)
    return {
        "key": str(row.number),
        "title": title,
        "title_text": title_text,
        "url": links.recommendation_url(row.number),
        "excerpt": excerpt(text, marker),
        "excerpt_text": text,
        "lang": lang,
    }


def _comment(row, marker, languages):
    text, lang = _in_language(row, "text", languages, marker)
    title = _("Comment %(number)d, section %(letter)s") % {"number": row.number, "letter": row.section.letter}
    return {
        "key": str(row.pk),
        "title": format_html("{}", title),
        "title_text": title,
        "url": f"{links.page_url('tracker:forum_record')}#comment-{row.position}",
        "excerpt": excerpt(text, marker),
        "excerpt_text": text,
        "lang": lang,
    }


def _actor(row, marker, languages):
    name, lang = _in_language(row, "name", languages, marker)
    about = f"{row.code} · {row.get_kind_display()}"
    return {
        "key": row.code,
        "title": highlight(name, marker),
        "title_text": name,
        "url": links.actor_url(row.code),
        "excerpt": highlight(about, marker),
        "excerpt_text": about,
        "lang": lang,
    }


def _action(row, marker, languages):
    text = plain_text(row.description)
    found_in = excerpt(text, marker)
    note = ""
    if "<mark>" not in found_in and "<mark>" not in highlight(row.title, marker):
        for evidence in row.listed_evidence:
            if "<mark>" in highlight(evidence.title, marker):
                note = _("Evidence: %(title)s") % {"title": evidence.title}
                found_in = format_html("{} {}", _("Evidence:"), highlight(evidence.title, marker))
                break
    return {
        "key": str(row.pk),
        "title": highlight(row.title, marker),
        "title_text": row.title,
        "url": links.action_url(row.pk),
        "excerpt": found_in,
        "excerpt_text": note or text,
        "date": row.taken_on,
        "actor": row.actor,
        "recommendation_numbers": row.recommendation_numbers,
        "note": note,
    }


def _rows_of(kind, ids):
    if kind == "recommendation":
        return Recommendation.objects.filter(pk__in=ids)
    if kind == "comment":
        return Comment.objects.filter(pk__in=ids).select_related("section")
    if kind == "actor":
        return Actor.objects.filter(pk__in=ids)
    return published_actions().filter(pk__in=ids).prefetch_related(listed_evidence())


_SHAPES = {"recommendation": _recommendation, "comment": _comment, "actor": _actor, "action": _action}
_KIND_AT = {position: kind for kind, position in KIND_ORDER.items()}


def results(rows, query: Query, language: str) -> list[Result]:
    """The page's rows (as `RankedList` gives them) read and shaped, in their order."""
    languages = languages_for(language)
    marker = Marker(query, languages)
    wanted: dict[str, list[int]] = {}
    for order, pk, *_rest in rows:
        wanted.setdefault(_KIND_AT[order], []).append(pk)
    read = {kind: {row.pk: row for row in _rows_of(kind, ids)} for kind, ids in wanted.items()}
    shaped = []
    for order, pk, title_match, rank, _day in rows:
        kind = _KIND_AT[order]
        row = read[kind].get(pk)
        if row is None:  # withdrawn between the two reads
            continue
        values = _SHAPES[kind](row, marker, languages)
        shaped.append(Result(kind=kind, title_match=bool(title_match), rank=float(rank or 0), **values))
    for result in shaped:
        if result.lang == language:
            result.lang = ""
    return shaped
