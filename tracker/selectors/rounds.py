"""What reporting rounds show: their scope, who has reported, and what moved between closed rounds.

A fixed number of queries per page whatever the number of rounds, actors or actions.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Movement, ReportingRound, Responsibility, RoundReport, RoundStatus, movement
from ..ordering import sorted_actors
from .common import current_recommendations


class Standing:
    """Where an actor stands in a round, as the public and the staff see it."""

    REPORTED = "reported"  # submitted, and every entry accepted
    IN_REVIEW = "in_review"  # submitted, awaiting the staff's review
    RETURNED = "returned"  # sent back for changes
    DUE = "due"  # not yet submitted, before the due date
    OVERDUE = "overdue"  # not yet submitted, after the due date
    MISSED = "missed"  # never submitted, and the round is closed
    LABELS = {
        REPORTED: _("Reported"),
        IN_REVIEW: _("In review"),
        RETURNED: _("Returned for changes"),
        DUE: _("Due"),
        OVERDUE: _("Overdue"),
        MISSED: _("Did not report"),
    }
    # What the public sees as "reported": that a report was submitted and when, never how its review goes.
    PUBLIC = {REPORTED, IN_REVIEW, RETURNED}


@dataclass
class ActorStanding:
    actor: object
    standing: str
    report: RoundReport | None
    responsibilities: list = field(default_factory=list)

    @property
    def label(self):
        return Standing.LABELS[self.standing]

    @property
    def public_standing(self):
        """Reported (however its review goes), due or overdue."""
        return Standing.REPORTED if self.standing in Standing.PUBLIC else self.standing

    @property
    def public_label(self):
        return Standing.LABELS[self.public_standing]

    @property
    def reported_on(self) -> datetime.datetime | None:
        return self.report.first_submitted_at if self.report else None


def scope_recommendations(round_: ReportingRound) -> list:
    """The recommendations a round asks about (all of the current forum's when it names none)."""
    chosen = list(round_.recommendations.all())
    return chosen or list(current_recommendations().select_related(None).order_by("number"))


def scope_responsibilities(round_: ReportingRound, actor=None) -> QuerySet:
    """The responsibilities a round asks about: for its recommendations, of its actors (any actor
    responsible when it names none)."""
    responsibilities = Responsibility.objects.filter(
        recommendation__in=[r.pk for r in scope_recommendations(round_)]
    ).select_related("recommendation", "actor")
    actors = [a.pk for a in round_.actors.all()]
    if actors:
        responsibilities = responsibilities.filter(actor__in=actors)
    if actor is not None:
        responsibilities = responsibilities.filter(actor=actor)
    return responsibilities.order_by("recommendation__number")


def standing_of(report: RoundReport | None, round_: ReportingRound, today: datetime.date) -> str:
    if report is not None and report.state == RoundReport.State.ACCEPTED:
        return Standing.REPORTED
    if report is not None and report.state == RoundReport.State.SUBMITTED:
        return Standing.IN_REVIEW
    if report is not None and report.state == RoundReport.State.RETURNED:
        return Standing.RETURNED
    if round_.closed_at is not None:
        return Standing.MISSED
    return Standing.OVERDUE if today > round_.due_on else Standing.DUE


def completeness(round_: ReportingRound, today: datetime.date | None = None) -> list[ActorStanding]:
    """Every actor in the round's scope, in the one order of actors, with where it stands."""
    today = today or timezone.localdate()
    by_actor = defaultdict(list)
    for responsibility in scope_responsibilities(round_):
        by_actor[responsibility.actor_id].append(responsibility)
    reports = {report.actor_id: report for report in round_.reports.all()}
    rows = [
        ActorStanding(
            actor=responsibilities[0].actor,
            standing=standing_of(reports.get(actor_id), round_, today),
            report=reports.get(actor_id),
            responsibilities=responsibilities,
        )
        for actor_id, responsibilities in by_actor.items()
    ]
    return sorted_actors(rows, key=lambda row: row.actor)


def tally(rows: list[ActorStanding]) -> dict:
    """How many actors stand where: {standing: count}, every standing present."""
    counts = dict.fromkeys(Standing.LABELS, 0)
    for row in rows:
        counts[row.standing] += 1
    return counts


def rounds_queryset() -> QuerySet:
    """Every round, newest first, with what its pages and the API show of each, in a fixed number of queries."""
    reports = RoundReport.objects.only("round", "actor", "state", "first_submitted_at", "submitted_at")
    return ReportingRound.objects.prefetch_related(
        "recommendations", "actors", Prefetch("reports", queryset=reports)
    ).order_by("-opens_on", "-id")


def rounds_list() -> list[ReportingRound]:
    return list(rounds_queryset())


def open_rounds_for(actor, today: datetime.date | None = None) -> list[dict]:
    """The open rounds that ask `actor` to report, most urgent first, with its report in each."""
    today = today or timezone.localdate()
    rounds = (
        ReportingRound.objects.filter(closed_at__isnull=True, opens_on__lte=today)
        .filter(Q(actors=actor) | Q(actors__isnull=True))
        .distinct()
        .prefetch_related("recommendations")
        .order_by("due_on", "pk")
    )
    owed = []
    for round_ in rounds:
        responsibilities = list(scope_responsibilities(round_, actor))
        if not responsibilities:
            continue
        report = round_.reports.filter(actor=actor).first()
        owed.append(
            {
                "round": round_,
                "report": report,
                "standing": standing_of(report, round_, today),
                "days_left": (round_.due_on - today).days,
                "responsibilities": responsibilities,
            }
        )
    return owed


@dataclass
class SnapshotCell:
    status: str | None
    previous: str | None
    movement: str | None


def previous_closed_round(round_: ReportingRound) -> ReportingRound | None:
    if round_.closed_at is None:
        return None
    return ReportingRound.objects.filter(closed_at__lt=round_.closed_at).order_by("-closed_at", "-pk").first()


def snapshot(round_: ReportingRound) -> dict:
    """A closed round's statuses as a recommendation × actor matrix, with what moved since the previous
    closed round: the cells, the overall statuses, and the counts of each movement."""
    previous = previous_closed_round(round_)
    rows = list(RoundStatus.objects.filter(round__in=[r for r in (round_, previous) if r]).select_related("actor"))
    now = {(row.recommendation_id, row.actor_id): row for row in rows if row.round_id == round_.pk}
    before = {
        (row.recommendation_id, row.actor_id): row.status for row in rows if previous and row.round_id == previous.pk
    }
    recommendations = [r for r in scope_recommendations(round_) if any(key[0] == r.pk for key in now)]
    recommendations.sort(key=lambda r: r.number)
    actors = sorted_actors({row.actor_id: row.actor for row in now.values() if row.actor_id}.values())
    counts = dict.fromkeys(Movement.values, 0)
    matrix = []
    for actor in actors:
        cells = []
        for recommendation in recommendations:
            row = now.get((recommendation.pk, actor.pk))
            if row is None:
                cells.append(SnapshotCell(None, None, None))
                continue
            was = before.get((recommendation.pk, actor.pk)) if previous else None
            moved = movement(was, row.status) if previous else None
            if moved:
                counts[moved] += 1
            cells.append(SnapshotCell(row.status, was, moved))
        matrix.append({"actor": actor, "cells": cells})
    overall = []
    for recommendation in recommendations:
        row = now.get((recommendation.pk, None))
        was = before.get((recommendation.pk, None)) if previous else None
        status = row.status if row else None
        overall.append(
            {
                "recommendation": recommendation,
                "status": status,
                "previous": was,
                "movement": movement(was, status) if previous and status else None,
            }
        )
    changed = [
        {"actor": line["actor"], "recommendation": recommendation, "cell": cell}
        for line in matrix
        for recommendation, cell in zip(recommendations, line["cells"], strict=True)
        if cell.movement in (Movement.IMPROVED, Movement.REGRESSED, Movement.CHANGED)
    ]
    return {
        "previous": previous,
        "recommendations": recommendations,
        "matrix": matrix,
        "overall": overall,
        "counts": counts,
        "changed": changed,
    }


def rounds_with_tally(rounds: list[ReportingRound], today: datetime.date | None = None) -> list[ReportingRound]:
    """Each round with `in_scope` (how many actors it asks) and `tally` (where they stand), from one
    read of the responsibilities, whatever the number of rounds. Rounds come with their scope and
    reports prefetched (`rounds_list`)."""
    today = today or timezone.localdate()
    pairs = list(
        Responsibility.objects.filter(recommendation__in=current_recommendations().values("pk"))
        .order_by()
        .values_list("recommendation_id", "actor_id")
    )
    for round_ in rounds:
        recommendations = {r.pk for r in round_.recommendations.all()}
        actors = {a.pk for a in round_.actors.all()}
        in_scope = {
            actor_id
            for recommendation_id, actor_id in pairs
            if (not recommendations or recommendation_id in recommendations) and (not actors or actor_id in actors)
        }
        reports = {report.actor_id: report for report in round_.reports.all()}
        counts = dict.fromkeys(Standing.LABELS, 0)
        for actor_id in in_scope:
            counts[standing_of(reports.get(actor_id), round_, today)] += 1
        round_.in_scope = len(in_scope)
        round_.tally = counts
        round_.submitted = counts[Standing.REPORTED] + counts[Standing.IN_REVIEW] + counts[Standing.RETURNED]
    return rounds


def snapshot_rows(snapshot: dict) -> list[dict]:
    """A snapshot as rows, for the downloads and the API: the overall statuses first (actor None),
    then each actor's, by recommendation."""
    rows = [{"actor": None, **item} for item in snapshot["overall"] if item["status"] is not None]
    for line in snapshot["matrix"]:
        for recommendation, cell in zip(snapshot["recommendations"], line["cells"], strict=True):
            if cell.status is not None:
                rows.append(
                    {
                        "recommendation": recommendation,
                        "actor": line["actor"],
                        "status": cell.status,
                        "previous": cell.previous,
                        "movement": cell.movement,
                    }
                )
    return rows
