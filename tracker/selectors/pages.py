"""What each public page shows, read with a fixed number of queries whatever the size of the record.

Related rows are joined or prefetched, roll-ups derived from rows already read; templates never query.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import F
from django.utils import timezone

from forum.models import Comment, translation_columns

from ..kept import kept_queryset, plain_records
from ..lookups import Written
from ..models import STATUS_WEIGHTS, Actor, Responsibility, StatusChange
from ..ordering import sorted_actors
from ..rollup import RollUp, annotate_status_counts, rollup_of
from .classification import attach_classification
from .common import (
    ACTOR_FIELDS,
    NAMED_RECOMMENDATION_FIELDS,
    current_recommendations,
    in_language,
    kept_listed_actions,
    listed_actions,
    named_recommendations,
    responsibility_statuses,
)

LATEST_ACTIONS = 8
TIMELINE_LENGTH = 50


@dataclass
class MatrixRow:
    actor: SimpleNamespace  # ACTOR_FIELDS: a plain record, since the matrix shows nothing else
    cells: list  # one status per recommendation column, or None where the actor is not responsible

    @property
    def rollup(self) -> RollUp:
        return RollUp.of(status for status in self.cells if status is not None)


def narrow_matrix(rows: list[MatrixRow], *, kind: str = "", status: str = "") -> list[MatrixRow]:
    """The matrix's rows for one kind of actor (member states, or bodies), and those with at least one
    responsibility at `status`; either left empty keeps every row."""
    if kind == "member_state":
        rows = [row for row in rows if row.actor.kind == Actor.Kind.MEMBER_STATE]
    elif kind == "body":
        rows = [row for row in rows if row.actor.kind != Actor.Kind.MEMBER_STATE]
    if status:
        rows = [row for row in rows if status in row.cells]
    return rows


def status_matrix(recommendations: list, statuses: list[tuple]) -> list[MatrixRow]:
    """Actors down, recommendations across: each cell the actor's status on that recommendation.

    `statuses` are the responsibilities as `responsibility_statuses` reads them: only actors with at
    least one of them are shown, in the one order of actors.
    """
    by_actor, actors = defaultdict(dict), {}
    for actor_id, recommendation_id, status, *actor in statuses:
        by_actor[actor_id][recommendation_id] = status
        if actor_id not in actors:
            actors[actor_id] = SimpleNamespace(pk=actor_id, **dict(zip(ACTOR_FIELDS, actor, strict=True)))
    columns = [r.pk for r in recommendations]
    return [
        MatrixRow(actor=actor, cells=[by_actor[actor.pk].get(column) for column in columns])
        for actor in sorted_actors(actors.values())
    ]


def dashboard() -> dict:
    """Everything the dashboard shows: the roll-up, one row per recommendation, the matrix, the news."""
    # What names each recommendation and, of the committee's assessment, only its overall status.
    recommendations = plain_records(
        lambda: (
            current_recommendations()
            .rewrite(False)
            .select_related(None)
            .annotate(overall_status=F("overall_assessment__status"))
            .order_by("number")
        ),
        (*NAMED_RECOMMENDATION_FIELDS, "overall_status"),
        key=("dashboard-recommendations",),
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
        "latest_actions": kept_listed_actions(("latest-actions",), lambda: listed_actions()[:LATEST_ACTIONS]),
    }


@kept_queryset
def recommendation_list():
    """The current forum's recommendations by number, each with its roll-up counted in SQL."""
    return annotate_status_counts(current_recommendations()).order_by("number")


def actor_list(actors) -> list:
    """`actors` (a filtered queryset) in the one order of actors, each with its roll-up."""
    actors = list(annotate_status_counts(actors))
    for actor in actors:
        actor.rollup = rollup_of(actor)
    return sorted_actors(actors)


# What a timeline shows of a status change, with its actor (none for the committee's overall status).
TIMELINE_CHANGE_FIELDS = (
    "id",
    "from_status",
    "to_status",
    "reason",
    "assessed_on",
    "changed_at",
    *(f"actor__{name}" for name in ACTOR_FIELDS),
)


def timeline(*, actions: list, status_changes: list) -> list[dict]:
    """Published actions and status changes merged into one list, newest first."""
    entries = [{"kind": "action", "date": a.taken_on, "when": a.published_at, "item": a} for a in actions]
    entries += [{"kind": "status", "date": c.assessed_on, "when": c.changed_at, "item": c} for c in status_changes]
    entries.sort(key=lambda e: (e["date"], e["when"] is not None, e["when"] or 0), reverse=True)
    return entries[:TIMELINE_LENGTH]


# How far (in points of progress) the committee's overall status may lie from the responsible actors'
# average before a page says why the two can differ.
VERDICTS_APART = 25


def verdicts_differ(recommendation) -> bool:
    """Whether the committee's overall status and the responsible actors' progress tell different
    stories: the committee judges the recommendation as a whole, the roll-up averages each actor."""
    assessment = getattr(recommendation, "overall_assessment", None)
    weight = STATUS_WEIGHTS.get(assessment.status) if assessment else None
    progress = recommendation.rollup.progress
    if weight is None or progress is None:
        return False
    return abs(weight - progress) >= VERDICTS_APART


# What a recommendation's page shows of each responsibility, with its actor.
RESPONSIBILITY_FIELDS = (
    "id",
    "role",
    "status",
    "last_assessed",
    "reasoning",
    *(f"actor__{name}" for name in ACTOR_FIELDS),
)


# What a recommendation's page shows of it, of its forum and of the committee's overall assessment.
RECOMMENDATION_PAGE_FIELDS = (
    *NAMED_RECOMMENDATION_FIELDS,
    "forum__date",
    *(f"forum__{column}" for column in translation_columns("name")),
    "overall_assessment__status",
    "overall_assessment__last_assessed",
    "overall_assessment__reasoning",
)


def recommendation_page(number: int):
    """The recommendation and its follow-up, or None when there is no such recommendation.

    The recommendation is read as a plain record (RECOMMENDATION_PAGE_FIELDS): a model instance with
    its forum's, every language's texts cost some eight times as much to build."""
    found = plain_records(
        lambda: current_recommendations().rewrite(False).filter(number=number),
        RECOMMENDATION_PAGE_FIELDS,
        key=("recommendation-page", number),
    )
    if not found:
        return None
    [recommendation] = found
    in_language(recommendation, "short_title")
    in_language(recommendation.forum, "name")
    attach_classification([recommendation])
    key = recommendation.pk
    responsibilities = sorted_actors(
        plain_records(
            lambda: Responsibility.objects.filter(recommendation=key).order_by(),
            RESPONSIBILITY_FIELDS,
            key=("responsibilities-of", key),
        ),
        key=lambda r: r.actor,
    )
    recommendation.rollup = RollUp.of(responsibility.status for responsibility in responsibilities)
    recommendation.verdicts_differ = verdicts_differ(recommendation)
    # The recommendation is written into the kept statement (one for each): PostgreSQL then plans it
    # once per connection rather than for each recommendation asked (see Written).
    actions = kept_listed_actions(
        ("timeline-actions-of", key), lambda: listed_actions().filter(recommendations=Written(key))[:TIMELINE_LENGTH]
    )
    changes = plain_records(
        lambda: StatusChange.objects.filter(recommendation=key)[:TIMELINE_LENGTH],
        TIMELINE_CHANGE_FIELDS,
        key=("timeline-changes-of", key),
    )
    return {
        "recommendation": recommendation,
        "responsibilities": responsibilities,
        "timeline": timeline(actions=actions, status_changes=changes),
        "comments": linked_comments(key),
    }


# What a recommendation's page shows of each forum comment linked to it, with its section.
COMMENT_FIELDS = (
    "id",
    "number",
    *translation_columns("text", "translation_credit"),
    "section__letter",
    *(f"section__{column}" for column in translation_columns("heading")),
)


def linked_comments(recommendation_pk) -> list:
    """The forum comments linked to a recommendation, in their order, as plain records of
    COMMENT_FIELDS, each with `section_title` as its section names itself ("A. General comments")
    in the visitor's language."""
    comments = plain_records(
        lambda: Comment.objects.rewrite(False).filter(recommendations=recommendation_pk).order_by("position"),
        COMMENT_FIELDS,
        key=("comments-of", recommendation_pk),
        reference=True,
    )
    for comment in comments:
        in_language(comment.section, "heading")
        comment.section_title = f"{comment.section.letter}. {comment.section.heading}"
    return comments


# An assessment older than this is flagged on an actor's page: it may no longer say where things stand.
STALE_AFTER_YEARS = 5


def stale_before(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - STALE_AFTER_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - STALE_AFTER_YEARS, day=28)


# What an actor's page shows of each change of its statuses.
ACTOR_CHANGE_FIELDS = ("id", "recommendation__number", "from_status", "to_status", "reason", "assessed_on")
# What it shows of each responsibility, with the recommendation it names.
ACTOR_RESPONSIBILITY_FIELDS = (
    "id",
    "role",
    "status",
    "last_assessed",
    "reasoning",
    *(f"recommendation__{name}" for name in NAMED_RECOMMENDATION_FIELDS),
)


# What an actor's page shows of it.
ACTOR_PAGE_FIELDS = ("id", "code", "kind", "member_until", *translation_columns("name", "notes"))


def actor_page(code: str):
    """An actor's responsibilities with their statuses, its figures (progress, count per status,
    assessments over five years old), and the public history of its assessments; None when no actor
    has this code.

    The actor is a plain record of ACTOR_PAGE_FIELDS, named in the visitor's language (`name`,
    `notes`, `kind_label`); `actions` are its published actions, to be paged."""
    found = plain_records(
        lambda: Actor.objects.rewrite(False).filter(code=code).order_by(), ACTOR_PAGE_FIELDS, key=("actor", code)
    )
    if not found:
        return None
    [actor] = found
    in_language(actor, "name", "notes")
    actor.kind_label = str(Actor.Kind(actor.kind).label)
    key = actor.pk
    responsibilities = plain_records(
        lambda: Responsibility.objects.filter(actor=key).order_by("recommendation__number"),
        ACTOR_RESPONSIBILITY_FIELDS,
        key=("responsibilities-of-actor", key),
    )
    cutoff = stale_before()
    for responsibility in responsibilities:
        responsibility.stale = responsibility.last_assessed is not None and responsibility.last_assessed < cutoff
    # Its row of the dashboard's matrix: a cell for every recommendation, empty where it does not answer.
    recommendations = named_recommendations()
    statuses = {responsibility.recommendation.pk: responsibility.status for responsibility in responsibilities}
    return {
        "actor": actor,
        "recommendations": recommendations,
        "strip": [MatrixRow(actor=actor, cells=[statuses.get(r.pk) for r in recommendations])],
        "responsibilities": responsibilities,
        "stale": sum(1 for responsibility in responsibilities if responsibility.stale),
        "stale_before": cutoff,
        "rollup": RollUp.of(responsibility.status for responsibility in responsibilities),
        "status_changes": plain_records(
            lambda: StatusChange.objects.filter(actor=key)[:TIMELINE_LENGTH],
            ACTOR_CHANGE_FIELDS,
            key=("changes-of-actor", key),
        ),
        "actions": listed_actions().filter(actor=key),
    }
