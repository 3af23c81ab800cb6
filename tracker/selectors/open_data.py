"""What the API, the downloads, the feeds and the committee report read: published information only.

Draft and withdrawn actions never leave these functions, not even as a count; nor does who recorded
an assessment or entered an action.
"""

import datetime
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import connections
from django.db.models import F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.db.models.query import ValuesListIterable
from django.utils import timezone

from forum.models import translation_columns

from ..kept import Kept, kept_queryset
from ..models import Action, Actor, Evidence, ReportingRound, Responsibility, StatusChange
from ..rollup import RollUp, annotate_status_counts, rollup_of
from .common import (
    column_language,
    current_recommendations,
    listed_evidence,
    published_actions,
    responsibility_statuses,
)
from .pages import TIMELINE_LENGTH, status_matrix

FEED_LENGTH = 50
REPORT_ACTIONS_PER_RECOMMENDATION = 10
REPORT_STATUS_CHANGES = 100
# Beyond this many earlier actions, a recommendation of the committee report says "more than".
REPORT_MORE_ACTIONS_COUNTED = 100


@kept_queryset
def public_recommendations() -> QuerySet:
    """The current forum's recommendations by number, with the overall assessment and status counts."""
    return annotate_status_counts(current_recommendations()).order_by("number")


@kept_queryset
def harvestable_recommendations() -> QuerySet:
    """`public_recommendations`, each with `updated_at`: when its overall assessment or the status of
    one of its responsibilities last changed (what its API object shows beside the forum's fixed
    text), or null when neither has been recorded."""
    overall = F("overall_assessment__updated_at")
    # Over the responsibilities the status counts already join: an aggregate of the group, where a
    # subquery was run again for every joined row (387 times for thirteen recommendations).
    responsibilities = Max("responsibilities__updated_at")
    # GREATEST is NULL on SQLite when either side is: each side falls back on the other.
    return public_recommendations().annotate(
        updated_at=Greatest(Coalesce(overall, responsibilities), Coalesce(responsibilities, overall))
    )


@kept_queryset
def public_actors() -> QuerySet:
    """Every actor with the status counts of its responsibilities (listed in `ordering`'s order)."""
    return annotate_status_counts(Actor.objects.all()).order_by("code")


def recommendation_numbers_by_actor() -> dict[int, list[int]]:
    """Each actor's recommendations (of the current forum), by number: one query."""
    numbers: dict[int, list[int]] = {}
    pairs = (
        Responsibility.objects.filter(recommendation__in=current_recommendations().values("pk"))
        .order_by("actor_id", "recommendation__number")
        .values_list("actor_id", "recommendation__number")
    )
    for actor_id, number in pairs:
        numbers.setdefault(actor_id, []).append(number)
    return numbers


@kept_queryset
def public_responsibilities() -> QuerySet:
    """The status matrix as rows: the current forum's responsibilities with their recommendation and actor."""
    return (
        Responsibility.objects.filter(recommendation__in=current_recommendations().values("pk"))
        .select_related("recommendation", "actor")
        .order_by("recommendation__number", "actor__code", "pk")
    )


@kept_queryset
def public_status_changes() -> QuerySet:
    """Every assessment of the current forum's recommendations, newest first. Who recorded it is not public."""
    return (
        StatusChange.objects.filter(recommendation__in=current_recommendations().values("pk"))
        .select_related("recommendation", "actor")
        .order_by("-changed_at", "-id")
    )


@kept_queryset
def public_actions() -> QuerySet:
    """Published actions, newest first, with their actor, recommendation numbers and evidence in two queries."""
    return published_actions().prefetch_related(listed_evidence()).order_by("-taken_on", "-id")


# What the API shows of an action, of its actor and of its type of measure, read as plain values: a
# page of fifty as model instances (an action, its actor, its type of measure) cost some four times as
# much to build as the JSON written from them.
API_ACTION_FIELDS = (
    "id",
    "taken_on",
    "title",
    "description",
    "information_source",
    "published_at",
    "updated_at",
    "joined_recommendation_numbers",
    "actor__code",
    *(f"actor__{column}" for column in translation_columns("name")),
    "measure_type__slug",
    *(f"measure_type__{column}" for column in translation_columns("name")),
)
_NAME_COLUMNS = translation_columns("name")


@dataclass(slots=True)
class ApiAction:
    """A published action as the API gives it (`ActionSerializer`): its actor and its type of measure
    as plain records named in the active language, its evidence once `with_evidence` has read it."""

    id: int
    taken_on: datetime.date
    title: str
    description: str
    information_source: str
    published_at: datetime.datetime | None
    updated_at: datetime.datetime
    recommendation_numbers: list
    actor: SimpleNamespace
    measure_type: SimpleNamespace | None
    listed_evidence: list = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.id


def _named(names: tuple, language: str) -> str:
    """The name of a row of _NAME_COLUMNS in `language`, or the English one when it has none (as the
    translation layer gives a model's)."""
    by_language = dict(zip(_NAME_COLUMNS, names, strict=True))
    return by_language.get(f"name_{language}") or by_language["name_en"]


class ApiActionIterable(ValuesListIterable):
    """Rows of API_ACTION_FIELDS as ApiAction records."""

    def __iter__(self):
        language = column_language()
        width = len(_NAME_COLUMNS)
        for row in super().__iter__():
            pk, taken_on, title, description, source, published_at, updated_at, joined, code, *rest = row
            actor_names, (slug, *measure_names) = rest[:width], rest[width:]
            yield ApiAction(
                id=pk,
                taken_on=taken_on,
                title=title,
                description=description,
                information_source=source,
                published_at=published_at,
                updated_at=updated_at,
                recommendation_numbers=sorted(int(number) for number in joined.split(",")) if joined else [],
                actor=SimpleNamespace(code=code, name=_named(actor_names, language)),
                measure_type=None if slug is None else SimpleNamespace(slug=slug, name=_named(measure_names, language)),
            )


@kept_queryset
def api_actions() -> QuerySet:
    """The published actions as the API lists them, newest first: ApiAction records, their evidence
    read for a page at a time by `with_evidence`."""
    queryset = published_actions().order_by("-taken_on", "-id").values_list(*API_ACTION_FIELDS)
    queryset._iterable_class = ApiActionIterable
    return queryset


# The SQL of the read of a page's evidence, per number of actions on the page.
_evidence_reads = Kept(size=64)


def _evidence_read(count: int) -> tuple[str, str]:
    """The SQL reading the evidence of `count` actions, whose values are their keys and nothing else:
    built once for each page size, with placeholder keys, and run with each page's."""
    placeholders = [-1 - position for position in range(count)]  # no action has a negative key
    read = Evidence.objects.filter(action__in=placeholders).order_by("id")
    read = read.values_list("action_id", "id", "title", "url")
    sql, params = read.query.sql_with_params()
    if list(params) != placeholders:
        raise ValueError(f"the evidence's read takes other values than the actions' keys: {params}")
    return sql, read.db


def with_evidence(actions: list) -> list:
    """`actions` (ApiAction records), each with its evidence in the order it was entered, as plain
    records (pk, title, url), in one query whatever their number."""
    by_action = {action.id: action for action in actions}
    if by_action:
        sql, alias = _evidence_reads.get(len(by_action), lambda: _evidence_read(len(by_action)))
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, list(by_action))
            for action_id, pk, title, url in cursor.fetchall():
                by_action[action_id].listed_evidence.append(SimpleNamespace(pk=pk, title=title, url=url))
    return actions


def feed_entries(
    *, recommendation=None, actor=None, page: int = 1, limit: int = FEED_LENGTH
) -> tuple[list[dict], bool]:
    """One page of the published actions and status changes merged, newest first, by when they became
    public, and whether an older page follows.

    An action counts from its publication (its entry for older rows published before that was
    stamped), a status change from when it was recorded: a feed reader sees each once, in the
    order it appeared. The first page takes three queries (five with the rounds) whatever the size of
    the record. A later page first merges the keys (kind, time, id) of every newer entry, which are
    small, then reads only its own rows: two queries more, and still none per entry.
    """
    actions = published_actions()
    changes = _with_page_positions(StatusChange.objects.select_related("recommendation", "actor"))
    if recommendation is not None:
        actions = actions.filter(recommendations=recommendation)
        changes = changes.filter(recommendation=recommendation)
    else:
        changes = changes.filter(recommendation__in=current_recommendations().values("pk"))
    if actor is not None:
        actions = actions.filter(actor=actor)
        changes = changes.filter(actor=actor)
    actions = actions.annotate(made_public=Coalesce("published_at", "entered_at")).order_by("-made_public", "-id")
    changes = changes.order_by("-changed_at", "-id")
    offset = (page - 1) * limit
    # One entry more than the page holds tells whether another page follows.
    wanted = offset + limit + 1
    rounds = round_entries(wanted) if recommendation is None and actor is None else []
    if offset == 0:
        entries = [{"kind": "action", "when": a.made_public, "item": a} for a in actions[:wanted]]
        entries += [{"kind": "status", "when": c.changed_at, "item": c} for c in changes[:wanted]]
        entries += rounds
        _newest_first(entries)
        return entries[:limit], len(entries) > limit
    action_keys = actions.values_list("pk", "made_public")[:wanted]
    change_keys = changes.values_list("pk", "changed_at")[:wanted]
    keys = [{"kind": "action", "when": when, "pk": pk} for pk, when in action_keys]
    keys += [{"kind": "status", "when": when, "pk": pk} for pk, when in change_keys]
    keys += [{**entry, "pk": entry["item"].pk} for entry in rounds]
    _newest_first(keys, key=lambda e: (e["when"], e["pk"]))
    window = keys[offset : offset + limit + 1]
    has_next, window = len(window) > limit, window[:limit]
    wanted_pks = {kind: [k["pk"] for k in window if k["kind"] == kind] for kind in ("action", "status")}
    rows = {
        "action": actions.in_bulk(wanted_pks["action"]) if wanted_pks["action"] else {},
        "status": changes.in_bulk(wanted_pks["status"]) if wanted_pks["status"] else {},
    }
    entries = []
    for k in window:
        item = k["item"] if "item" in k else rows[k["kind"]].get(k["pk"])
        if item is not None:
            entries.append({"kind": k["kind"], "when": k["when"], "item": item})
    return entries, has_next


class _CountUpTo(Subquery):
    """How many rows `queryset` (correlated to the outer row) has, counting no further than `limit`:
    the database stops reading at the limit, however many rows there are."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"

    def __init__(self, queryset, limit, *, order_by=()):
        # An order that an index gives lets the database read that index and stop at the limit.
        super().__init__(queryset.order_by(*order_by).values("pk")[:limit], output_field=IntegerField())


def _with_page_positions(changes: QuerySet) -> QuerySet:
    """Where each status change stands on the pages that show it, so that a feed links to its anchor
    only on a page that holds it (the pages show their newest TIMELINE_LENGTH entries), in the same
    query as the changes.

    `newer_of_actor`: how many of the actor's changes its page lists before it (exact: the actor's
    history is its changes, newest recorded first). `before_on_recommendation`: at least as many
    entries as the recommendation's timeline can show before it (newest by the day assessed or
    taken, then by when recorded or published), so that a count below the timeline's length means
    it is there. Each count stops at that length.
    """
    newer = Q(changed_at__gt=OuterRef("changed_at")) | Q(changed_at=OuterRef("changed_at"), pk__gt=OuterRef("pk"))
    later_day = Q(assessed_on__gt=OuterRef("assessed_on"))
    same_day = Q(assessed_on=OuterRef("assessed_on"), changed_at__gte=OuterRef("changed_at"))
    changes_before = StatusChange.objects.filter(
        newer | later_day | same_day, recommendation=OuterRef("recommendation")
    )
    # Taken on the day assessed or later: a range of the index on (state, taken_on).
    actions_before = Action.objects.published().filter(
        taken_on__gte=OuterRef("assessed_on"), recommendations=OuterRef("recommendation")
    )
    shown = TIMELINE_LENGTH
    return changes.annotate(
        newer_of_actor=_CountUpTo(StatusChange.objects.filter(newer, actor=OuterRef("actor")), shown),
        before_on_recommendation=_CountUpTo(changes_before.exclude(pk=OuterRef("pk")), shown)
        + _CountUpTo(actions_before, shown, order_by=["state", "-taken_on"]),
    )


def _newest_first(entries: list[dict], key=lambda e: (e["when"], e["item"].pk)) -> None:
    # Python's sort is stable: entries at the same time keep the order of the lists they came from,
    # so a page and the keys the next page is cut from agree on the order.
    entries.sort(key=key, reverse=True)


def round_entries(limit: int) -> list[dict]:
    """A feed entry for each reporting round that opened (on its opening day) and each that closed."""
    now = timezone.now()
    opened = ReportingRound.objects.filter(opens_on__lte=timezone.localdate()).order_by("-opens_on", "-pk")[:limit]
    closed = ReportingRound.objects.filter(closed_at__isnull=False).order_by("-closed_at", "-pk")[:limit]
    entries = []
    for round_ in opened:
        start = timezone.make_aware(datetime.datetime.combine(round_.opens_on, datetime.time.min))
        entries.append({"kind": "round-opened", "when": min(start, now), "item": round_})
    entries += [{"kind": "round-closed", "when": round_.closed_at, "item": round_} for round_ in closed]
    return entries


def committee_report(*, actor=None, date_from=None, date_to=None) -> dict:
    """Everything the committee report shows, for one actor or all, over a period or all dates.

    The roll-up, the matrix and each recommendation's status are as they stand now; the actions and
    the assessments listed are those of the period. Each recommendation lists its latest actions
    and says how many more the period holds, up to REPORT_MORE_ACTIONS_COUNTED: both read in the
    order of an index and stop there, so that neither the queries nor their cost grow with the record.
    """
    links = Action.recommendations.through.objects.filter(action__state=Action.State.PUBLISHED)
    changes = StatusChange.objects.all()
    if actor is not None:
        links = links.filter(action__actor=actor)
        changes = changes.filter(actor=actor)
    if date_from is not None:
        links = links.filter(action__taken_on__gte=date_from)
        changes = changes.filter(assessed_on__gte=date_from)
    if date_to is not None:
        links = links.filter(action__taken_on__lte=date_to)
        changes = changes.filter(assessed_on__lte=date_to)
    # Beyond the actions listed, counting stops where the page stops saying how many.
    limit = REPORT_ACTIONS_PER_RECOMMENDATION + REPORT_MORE_ACTIONS_COUNTED + 1
    recommendations = list(
        public_recommendations().annotate(links_counted=_CountUpTo(links.filter(recommendation=OuterRef("pk")), limit))
    )
    for recommendation in recommendations:
        recommendation.rollup = rollup_of(recommendation)
        recommendation.report_actions = []
        recommendation.actor_status = None
    by_pk = {r.pk: r for r in recommendations}
    statuses = responsibility_statuses(recommendations, actor)
    if actor is not None:
        for _actor_id, recommendation_id, status, *_actor in statuses:
            by_pk[recommendation_id].actor_status = status
    for link in _latest_links(links, list(by_pk)):
        by_pk[link.recommendation_id].report_actions.append(link.action)
    for recommendation in recommendations:
        more = recommendation.links_counted - len(recommendation.report_actions)
        recommendation.more_actions = min(more, REPORT_MORE_ACTIONS_COUNTED)
        recommendation.more_actions_uncounted = more > REPORT_MORE_ACTIONS_COUNTED

    changes = changes.filter(recommendation__in=list(by_pk))
    status_changes = list(
        changes.select_related("recommendation", "actor").order_by("-assessed_on", "-changed_at", "-id")[
            : REPORT_STATUS_CHANGES + 1
        ]
    )
    return {
        "rollup": RollUp.of(row[2] for row in statuses),
        "recommendations": recommendations,
        "matrix": status_matrix(recommendations, statuses),
        "status_changes": status_changes[:REPORT_STATUS_CHANGES],
        "more_status_changes": len(status_changes) > REPORT_STATUS_CHANGES,
    }


def _latest_links(links: QuerySet, recommendation_ids: list[int]) -> list:
    """Each recommendation's latest REPORT_ACTIONS_PER_RECOMMENDATION links of `links`, newest action
    first, with the action and its actor, in one query: a UNION of one read per recommendation, each
    following the actions' index by date and stopping once it has its share."""
    reads = [
        links.model.objects.filter(
            pk__in=links.filter(recommendation_id=pk)
            .order_by("-action__taken_on", "-action_id")
            .values("pk")[:REPORT_ACTIONS_PER_RECOMMENDATION]
        ).select_related("action__actor")
        for pk in recommendation_ids
    ]
    if not reads:
        return []
    latest = list(reads[0].union(*reads[1:], all=True))
    latest.sort(key=lambda link: (link.action.taken_on, link.action_id), reverse=True)
    return latest
