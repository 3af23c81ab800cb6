"""Reads that several pages and endpoints share."""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.db.models.query import ValuesListIterable
from django.utils.translation import get_language

from forum.models import Forum, Recommendation, translation_columns

from ..kept import kept_queryset, plain_records, plain_rows
from ..lookups import Written
from ..models import Action, Evidence, Responsibility

# What a page shows of an actor read with its responsibilities: enough to name, order and link it.
ACTOR_FIELDS = ("code", "kind", "name", *translation_columns("name"))


@kept_queryset
def current_recommendations() -> QuerySet:
    """The recommendations of the most recent forum, with the committee's overall assessment."""
    latest = Forum.objects.order_by("-date").values("pk")[:1]
    return Recommendation.objects.filter(forum__in=latest).select_related("overall_assessment")


# What a page shows of a recommendation it names (`recommendation_label`): its key, its number, its
# short title and its text (the start of which names it when it has no short title), in each language.
NAMED_RECOMMENDATION_FIELDS = ("pk", "number", *translation_columns("short_title", "text", "translation_credit"))


def named_recommendations() -> list[SimpleNamespace]:
    """The current forum's recommendations by number, as plain records of NAMED_RECOMMENDATION_FIELDS
    (for pages that name or number them: the map, a state's row of the matrix)."""
    return plain_records(
        lambda: current_recommendations().rewrite(False).select_related(None).order_by("number"),
        NAMED_RECOMMENDATION_FIELDS,
        key=("named-recommendations",),
    )


def column_language() -> str:
    """The language whose columns a plain read takes the translated texts from: the active one, or
    the default when it has none."""
    language = get_language()
    if language not in settings.MODELTRANSLATION_LANGUAGES:
        return settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    return language


def in_language(record, *fields) -> None:
    """Give a plain record each of `fields` as the translation layer gives a model's: its column in
    the active language, or the English one where that is empty."""
    language = column_language()
    for field in fields:
        setattr(record, field, getattr(record, f"{field}_{language}") or getattr(record, f"{field}_en"))


def listed_evidence() -> Prefetch:
    """Each action's evidence in the order it was entered, as `action.listed_evidence` (a list).

    Kept as an attribute rather than in the relation's manager, the prefetch makes no queryset for each
    action: for a list of fifty, cloning one each took half the API list's time. In its own order:
    Evidence's default order (by action) would join the actions again."""
    return Prefetch("evidence", queryset=Evidence.objects.order_by("id"), to_attr="listed_evidence")


@kept_queryset
def published_actions() -> QuerySet:
    """Published actions with their actor, type of measure and the numbers of their recommendations, in
    one query."""
    return Action.objects.published().select_related("actor", "measure_type").with_recommendation_numbers()


# What a list or a timeline shows of an action (`tracker/includes/action.html`, the compact table).
LISTED_ACTION_FIELDS = (
    "id",
    "title",
    "taken_on",
    "description",
    "information_source",
    "published_at",
    "joined_recommendation_numbers",
    "actor_id",
    *(f"actor__{name}" for name in ACTOR_FIELDS),
)


@dataclass(frozen=True, slots=True)
class ListedAction:
    """A published action as lists and timelines show it: read as plain values, with its actor as a
    plain record (ACTOR_FIELDS) and the numbers of its recommendations."""

    pk: int
    title: str
    taken_on: datetime.date
    description: str
    information_source: str
    published_at: datetime.datetime | None
    recommendation_numbers: tuple
    actor: SimpleNamespace

    @property
    def id(self) -> int:
        return self.pk


def listed_action(row) -> ListedAction:
    """A row of LISTED_ACTION_FIELDS as a ListedAction."""
    pk, title, taken_on, description, source, published_at, joined, actor_id, *actor = row
    return ListedAction(
        pk=pk,
        title=title,
        taken_on=taken_on,
        description=description,
        information_source=source,
        published_at=published_at,
        recommendation_numbers=tuple(sorted(int(number) for number in joined.split(","))) if joined else (),
        actor=SimpleNamespace(pk=actor_id, **dict(zip(ACTOR_FIELDS, actor, strict=True))),
    )


class ListedActionIterable(ValuesListIterable):
    """Rows of LISTED_ACTION_FIELDS as ListedAction records."""

    def __iter__(self):
        return map(listed_action, super().__iter__())


@kept_queryset
def listed_actions() -> QuerySet:
    """Published actions as lists and timelines show them (ListedAction records, in one query): a
    model instance for each action and its actor cost three times as much to build as these."""
    queryset = Action.objects.published().with_recommendation_numbers().values_list(*LISTED_ACTION_FIELDS)
    queryset._iterable_class = ListedActionIterable
    return queryset


def kept_listed_actions(key: tuple, build) -> list[ListedAction]:
    """The actions of `build()` (a slice of `listed_actions()`), read by SQL kept under `key`
    (`tracker.kept.plain_rows`): for the short lists a page always shows (the latest actions)."""
    return [listed_action(row) for row in plain_rows(key, build, converted=True)]


def responsibility_statuses(recommendations: list, actor=None) -> list[tuple]:
    """(actor id, recommendation id, status, *the actor's ACTOR_FIELDS) of every responsibility for
    these recommendations (of one actor, if given).

    At most one row per actor and recommendation: a page reads them once and derives its roll-ups and
    its matrix from them, rather than asking the database for each.
    """
    pks = tuple(r.pk for r in recommendations)

    def build():
        # Written into the kept statement (see Written): planned once per connection.
        responsibilities = Responsibility.objects.filter(recommendation__in=Written(pks))
        if actor is not None:
            responsibilities = responsibilities.filter(actor=actor)
        # Unordered: the default ordering would join the recommendations only to sort.
        actor_fields = [f"actor__{name}" for name in ACTOR_FIELDS]
        return responsibilities.order_by().values_list("actor_id", "recommendation_id", "status", *actor_fields)

    return list(plain_rows(("responsibility_statuses", pks, getattr(actor, "pk", actor)), build))
