"""Reads shaped for pages and exports: scoped, filtered and annotated so templates never query."""

import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.db.models import Case, CharField, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language

from forum.models import translation_columns

from .models import STATUS_WEIGHTS, Responsibility, Status

_COUNTED = list(STATUS_WEIGHTS)


def _status_counts(prefix):
    """Aggregate expressions over related responsibilities (`prefix` reaches them): one count per
    status, plus the weighted sum of the counted ones."""
    expressions = {
        f"n_{status.value}": Count(f"{prefix}pk", filter=Q(**{f"{prefix}status": status})) for status in Status
    }
    expressions["weight_sum"] = Sum(
        Case(
            *[When(**{f"{prefix}status": status}, then=Value(weight)) for status, weight in STATUS_WEIGHTS.items()],
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    return expressions


@dataclass
class RollUp:
    """How many responsibilities sit at each status, and the progress they add up to.

    Progress is the mean weight of the assessed, applicable responsibilities; "not yet assessed" and
    "not applicable" are left out of it and reported apart.
    """

    counts: dict = field(default_factory=dict)
    weight_sum: int = 0

    @classmethod
    def from_row(cls, row, prefix=""):
        counts = {status: row.get(f"{prefix}n_{status.value}") or 0 for status in Status}
        return cls(counts=counts, weight_sum=row.get(f"{prefix}weight_sum") or 0)

    @classmethod
    def of(cls, statuses):
        """The roll-up of statuses already read (the same figures `annotate_rollup` computes in SQL)."""
        tally = Counter(statuses)
        counts = {status: tally[status.value] for status in Status}
        return cls(counts=counts, weight_sum=sum(weight * counts[status] for status, weight in STATUS_WEIGHTS.items()))

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def counted(self):
        return sum(self.counts[s] for s in _COUNTED)

    @property
    def not_assessed(self):
        return self.counts[Status.NOT_ASSESSED]

    @property
    def progress(self):
        """Percent, or None when nothing has been assessed yet."""
        if not self.counted:
            return None
        return round(self.weight_sum / self.counted, 1)

    @property
    def segments(self):
        """(status, count, share in percent, offset in percent) of the statuses present, for a bar."""
        offset, segments = 0.0, []
        for status, count, share in self.rows():
            if count:
                segments.append((status, count, share, offset))
                offset += share
        return segments

    def rows(self):
        """(status, count, share of total in percent), in the scale's order."""
        total = self.total
        return [
            (status, self.counts[status], round(100 * self.counts[status] / total, 1) if total else 0)
            for status in Status
        ]


def annotate_rollup(recommendations: QuerySet) -> QuerySet:
    """Add each recommendation's per-status counts and weight sum, computed in SQL."""
    return recommendations.annotate(**_status_counts("responsibilities__"))


def rollup_of(recommendation) -> RollUp:
    """Read the roll-up off a recommendation annotated by `annotate_rollup`."""
    return RollUp.from_row(vars(recommendation))


# Page-shaped reads. Each returns what one page shows, with a fixed number of queries whatever the
# size of the record: related rows are joined or prefetched, aggregates computed in SQL.

LATEST_ACTIONS = 8
TIMELINE_LENGTH = 50


def actor_order(prefix: str = "") -> list:
    """Member states first, then bodies, each by the name the visitor reads: its translation into the
    page's language, else the English (`prefix` reaches the actor from a related model: "actor__")."""
    from .models import Actor

    language = get_language()
    column = f"name_{language}" if language in dict(settings.LANGUAGES) else "name_en"
    return [
        Case(
            When(**{f"{prefix}kind": Actor.Kind.MEMBER_STATE}, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        Coalesce(NullIf(f"{prefix}{column}", Value("")), f"{prefix}name_en", output_field=CharField()),
        f"{prefix}code",
    ]


def ordered_actors(actors: QuerySet) -> QuerySet:
    return actors.order_by(*actor_order())


def current_recommendations() -> QuerySet:
    """The recommendations of the most recent forum, with the committee's overall assessment."""
    from forum.models import Forum, Recommendation

    latest = Forum.objects.order_by("-date").values("pk")[:1]
    return Recommendation.objects.filter(forum__in=latest).select_related("overall_assessment")


def published_actions() -> QuerySet:
    """Published actions with their actor and the numbers of their recommendations, in one query."""
    from .models import Action

    return Action.objects.published().select_related("actor").with_recommendation_numbers()


# What the matrix shows of an actor, read with its responsibilities.
MATRIX_ACTOR_FIELDS = ("code", "kind", "name", *translation_columns("name"))


def responsibility_statuses(recommendations: list, actor=None) -> list[tuple]:
    """(actor id, recommendation id, status, *the actor's MATRIX_ACTOR_FIELDS) of every responsibility
    for these recommendations.

    At most one row per actor and recommendation: a page reads them once and derives its roll-ups and
    its matrix from them, rather than asking the database for each.
    """
    responsibilities = Responsibility.objects.filter(recommendation__in=[r.pk for r in recommendations])
    if actor is not None:
        responsibilities = responsibilities.filter(actor=actor)
    # Unordered: the default ordering would join the recommendations only to sort.
    actor_fields = [f"actor__{name}" for name in MATRIX_ACTOR_FIELDS]
    return list(responsibilities.order_by().values_list("actor_id", "recommendation_id", "status", *actor_fields))


def dashboard() -> dict:
    """Everything the dashboard shows: the roll-up, one row per recommendation, the matrix, the news."""
    # Only the overall status is shown: one column rather than the assessment's row.
    overall = F("overall_assessment__status")
    recommendations = list(
        current_recommendations().select_related(None).annotate(overall_status=overall).order_by("number")
    )
    statuses = responsibility_statuses(recommendations)
    by_recommendation = defaultdict(list)
    for _actor_id, recommendation_id, status, *_actor in statuses:
        by_recommendation[recommendation_id].append(status)
    for recommendation in recommendations:
        recommendation.rollup = RollUp.of(by_recommendation[recommendation.pk])
    return {
        "rollup": RollUp.of(row[2] for row in statuses),
        "recommendations": recommendations,
        "matrix": status_matrix(recommendations, statuses),
        "latest_actions": list(published_actions()[:LATEST_ACTIONS]),
    }


@dataclass
class MatrixRow:
    actor: SimpleNamespace  # MATRIX_ACTOR_FIELDS: a plain record, since the matrix shows nothing else
    cells: list  # one status per recommendation column, or None where the actor is not responsible


def _alphabetical(text: str) -> str:
    # Letters without their accents, case folded: "Áustria" sorts with the other A's.
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def status_matrix(recommendations: list, statuses: list[tuple]) -> list[MatrixRow]:
    """Actors down, recommendations across: each cell the actor's status on that recommendation.

    `statuses` are the responsibilities as `responsibility_statuses` reads them: only actors with at
    least one of them are shown. Member states come first, then bodies, each by the name the visitor sees.
    """
    from .models import Actor

    by_actor, actors = defaultdict(dict), {}
    for actor_id, recommendation_id, status, *actor in statuses:
        by_actor[actor_id][recommendation_id] = status
        if actor_id not in actors:
            actors[actor_id] = SimpleNamespace(pk=actor_id, **dict(zip(MATRIX_ACTOR_FIELDS, actor, strict=True)))
    language = get_language() or "en"

    def order(actor):
        shown = getattr(actor, f"name_{language}", None) or actor.name_en or actor.name
        return (actor.kind != Actor.Kind.MEMBER_STATE, _alphabetical(shown), actor.code)

    columns = [r.pk for r in recommendations]
    return [
        MatrixRow(actor=actor, cells=[by_actor[actor.pk].get(column) for column in columns])
        for actor in sorted(actors.values(), key=order)
    ]


def timeline(*, actions: list, status_changes: list) -> list[dict]:
    """Published actions and status changes merged into one list, newest first."""
    entries = [{"kind": "action", "date": a.taken_on, "when": a.published_at, "item": a} for a in actions]
    entries += [{"kind": "status", "date": c.assessed_on, "when": c.changed_at, "item": c} for c in status_changes]
    entries.sort(key=lambda e: (e["date"], e["when"] is not None, e["when"] or 0), reverse=True)
    return entries[:TIMELINE_LENGTH]


def recommendation_page(number: int):
    """The recommendation and its follow-up, or None when there is no such recommendation."""
    recommendation = current_recommendations().select_related("forum").filter(number=number).first()
    if recommendation is None:
        return None
    responsibilities = list(recommendation.responsibilities.select_related("actor").order_by(*actor_order("actor__")))
    recommendation.rollup = RollUp.of(responsibility.status for responsibility in responsibilities)
    actions = list(published_actions().filter(recommendations=recommendation)[:TIMELINE_LENGTH])
    changes = list(recommendation.status_changes.select_related("actor")[:TIMELINE_LENGTH])
    return {
        "recommendation": recommendation,
        "responsibilities": responsibilities,
        "timeline": timeline(actions=actions, status_changes=changes),
        "comments": list(recommendation.related_comments.select_related("section").order_by("position")),
    }


def actor_page(actor):
    """An actor's responsibilities with their statuses, and the public history of its assessments."""
    responsibilities = list(actor.responsibilities.select_related("recommendation").order_by("recommendation__number"))
    return {
        "actor": actor,
        "responsibilities": responsibilities,
        "rollup": RollUp.of(responsibility.status for responsibility in responsibilities),
        "status_changes": list(actor.status_changes.select_related("recommendation")[:TIMELINE_LENGTH]),
    }


# Open data: the API, the downloads, the feeds and the committee report. Published information only:
# draft and withdrawn actions never leave these functions, not even as a count.


def public_recommendations() -> QuerySet:
    """The current forum's recommendations by number, with the overall assessment and the roll-up in SQL."""
    return annotate_rollup(current_recommendations()).order_by("number")


def public_actors() -> QuerySet:
    """Every actor by code, with the roll-up of its responsibilities in SQL."""
    from .models import Actor

    return annotate_rollup(Actor.objects.all()).order_by("code")


def public_responsibilities() -> QuerySet:
    """The status matrix as rows: the current forum's responsibilities by recommendation, then actor code."""
    return (
        Responsibility.objects.filter(recommendation__in=current_recommendations().values("pk"))
        .select_related("recommendation", "actor")
        .order_by("recommendation__number", "actor__code", "pk")
    )


def public_status_changes() -> QuerySet:
    """Every assessment of the current forum's recommendations, newest first. Who recorded it is not public."""
    from .models import StatusChange

    return (
        StatusChange.objects.filter(recommendation__in=current_recommendations().values("pk"))
        .select_related("recommendation", "actor")
        .order_by("-changed_at", "-id")
    )


def public_actions() -> QuerySet:
    """Published actions, newest first, with their actor, recommendation numbers and evidence in two queries."""
    return published_actions().prefetch_related("evidence").order_by("-taken_on", "-id")


FEED_LENGTH = 50


def feed_entries(*, recommendation=None, actor=None, limit: int = FEED_LENGTH) -> list[dict]:
    """The latest published actions and status changes merged, newest first, by when they became public.

    An action counts from its publication (its entry for older rows published before that was
    stamped), a status change from when it was recorded: a feed reader sees each once, in the
    order it appeared. Three queries whatever the size of the record.
    """
    from django.db.models.functions import Coalesce

    from .models import StatusChange

    actions = published_actions()
    changes = StatusChange.objects.select_related("recommendation", "actor")
    if recommendation is not None:
        actions = actions.filter(recommendations=recommendation)
        changes = changes.filter(recommendation=recommendation)
    else:
        changes = changes.filter(recommendation__in=current_recommendations().values("pk"))
    if actor is not None:
        actions = actions.filter(actor=actor)
        changes = changes.filter(actor=actor)
    actions = actions.annotate(made_public=Coalesce("published_at", "entered_at")).order_by("-made_public", "-id")
    entries = [{"kind": "action", "when": a.made_public, "item": a} for a in actions[:limit]]
    changes = changes.order_by("-changed_at", "-id")[:limit]
    entries += [{"kind": "status", "when": c.changed_at, "item": c} for c in changes]
    entries.sort(key=lambda e: (e["when"], e["item"].pk), reverse=True)
    return entries[:limit]


REPORT_ACTIONS_PER_RECOMMENDATION = 10
REPORT_STATUS_CHANGES = 100


def committee_report(*, actor=None, date_from=None, date_to=None) -> dict:
    """Everything the committee report shows, for one actor or all, over a period or all dates.

    The roll-up, the matrix and each recommendation's status are as they stand now; the actions and
    the assessments listed are those of the period. Each recommendation lists its latest actions
    (ranked in SQL with a window function, so the query count does not grow with the record) and
    says how many more the period holds.
    """
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    from .models import Action, StatusChange

    recommendations = list(public_recommendations())
    for recommendation in recommendations:
        recommendation.rollup = rollup_of(recommendation)
        recommendation.report_actions = []
        recommendation.report_action_count = 0
        recommendation.actor_status = None
    by_pk = {r.pk: r for r in recommendations}
    statuses = responsibility_statuses(recommendations, actor)
    if actor is not None:
        for _actor_id, recommendation_id, status, *_actor in statuses:
            by_pk[recommendation_id].actor_status = status

    links = Action.recommendations.through.objects.filter(
        action__state=Action.State.PUBLISHED, recommendation__in=list(by_pk)
    )
    changes = StatusChange.objects.filter(recommendation__in=list(by_pk))
    if actor is not None:
        links = links.filter(action__actor=actor)
        changes = changes.filter(actor=actor)
    if date_from is not None:
        links = links.filter(action__taken_on__gte=date_from)
        changes = changes.filter(assessed_on__gte=date_from)
    if date_to is not None:
        links = links.filter(action__taken_on__lte=date_to)
        changes = changes.filter(assessed_on__lte=date_to)
    links = (
        links.select_related("action__actor")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("recommendation_id")],
                order_by=[F("action__taken_on").desc(), F("action_id").desc()],
            ),
            in_period=Window(Count("pk"), partition_by=[F("recommendation_id")]),
        )
        .filter(rank__lte=REPORT_ACTIONS_PER_RECOMMENDATION)
        .order_by("recommendation_id", "rank")
    )
    for link in links:
        recommendation = by_pk[link.recommendation_id]
        recommendation.report_actions.append(link.action)
        recommendation.report_action_count = link.in_period
    for recommendation in recommendations:
        recommendation.more_actions = recommendation.report_action_count - len(recommendation.report_actions)

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
