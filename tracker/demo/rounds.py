"""Synthetic reporting rounds: two closed ones and an open one, with realistic completeness.

Each closed round's snapshot is the status every responsibility had on the day it closed, read from
the assessments the demo data wrote (its chains of status changes); most actors reported, and their
entries proposed the status they then had. The open round is under way: some reported, some are in
review or drafting, the rest still owe. Written in bulk like the rest of the demo data, with a
history row for every row written.
"""

import datetime
from collections import defaultdict

from django.utils import timezone

from ..models import (
    ReportingRound,
    Responsibility,
    RoundReport,
    RoundReportEntry,
    RoundStatus,
    Status,
    StatusChange,
)
from .bulk import tracked, write_rows

# (name, days before today it opened, days it ran until due, days after the due date it closed, or
# None for the round still open, and how many days after today it is due).
ROUNDS = [
    ("Reporting round {year}", 760, 60, 30),
    ("Reporting round {year}", 395, 60, 35),
    ("Reporting round {year}", 20, None, None),
]
OPEN_ROUND_DUE_IN = 25
PROGRESS = [
    "Measures reported in the national report, confirmed by the secretariat.",
    "A programme is running in part of the territory; an evaluation is planned.",
    "Legislation adopted; its regulations are being drafted.",
    "No new measure since the previous round.",
    "Inter-ministerial committee created; budget approved for next year.",
]


def _status_on(chains, key, day, default):
    """The status a chain of status changes had reached on `day`."""
    status = default
    for assessed_on, to_status in chains.get(key, []):
        if assessed_on > day:
            break
        status = to_status
    return status


def add_rounds(*, rng, today, user) -> dict:
    """Write the three rounds unless demo rounds exist already; returns how many rows of each it wrote."""
    counts = defaultdict(int)
    if ReportingRound.objects.exists():
        return counts
    responsibilities = list(Responsibility.objects.select_related("recommendation").order_by("actor_id", "pk"))
    by_actor = defaultdict(list)
    for responsibility in responsibilities:
        by_actor[responsibility.actor_id].append(responsibility)
    chains = defaultdict(list)
    for change in StatusChange.objects.order_by("assessed_on", "changed_at", "id").values_list(
        "responsibility_id", "recommendation_id", "assessed_on", "to_status"
    ):
        responsibility_id, recommendation_id, assessed_on, to_status = change
        chains[responsibility_id or ("overall", recommendation_id)].append((assessed_on, to_status))
    recommendations = sorted({r.recommendation for r in responsibilities}, key=lambda r: r.number)

    rounds = []
    for name, opened_ago, runs_for, closed_after in ROUNDS:
        opens_on = today - datetime.timedelta(days=opened_ago)
        due_on = (
            opens_on + datetime.timedelta(days=runs_for)
            if runs_for
            else today + datetime.timedelta(days=OPEN_ROUND_DUE_IN)
        )
        closed_on = due_on + datetime.timedelta(days=closed_after) if closed_after is not None else None
        rounds.append(
            ReportingRound(
                name=name.format(year=opens_on.year),
                request=(
                    "The Special Committee asks each member state and body to report, for each recommendation it "
                    "answers for, the measures taken since the previous round, the status it proposes on the "
                    "compliance scale, and links to the evidence."
                ),
                opens_on=opens_on,
                due_on=due_on,
                closes_on=closed_on,
                closed_at=timezone.make_aware(datetime.datetime.combine(closed_on, datetime.time(17)))
                if closed_on
                else None,
                closed_by=user if closed_on else None,
                created_at=timezone.make_aware(
                    datetime.datetime.combine(opens_on - datetime.timedelta(days=14), datetime.time(9))
                ),
            )
        )
    write_rows(ReportingRound, rounds)
    _history(ReportingRound, rounds, user, lambda r: r.created_at, counts)

    reports, entries, snapshot = [], [], []
    for round_ in rounds:
        closed = round_.closed_at is not None
        horizon = round_.closes_on if closed else today
        for actor_id, owned in by_actor.items():
            roll = rng.random()
            if closed:
                state = RoundReport.State.ACCEPTED if roll < 0.78 else None
            else:
                state = (
                    RoundReport.State.ACCEPTED
                    if roll < 0.2
                    else RoundReport.State.SUBMITTED
                    if roll < 0.4
                    else RoundReport.State.DRAFT
                    if roll < 0.55
                    else None
                )
            if state is None:
                continue
            last_day = min(horizon, round_.due_on + datetime.timedelta(days=10), today)
            span = max((last_day - round_.opens_on).days, 0)
            submitted_on = round_.opens_on + datetime.timedelta(days=rng.randrange(span + 1))
            submitted_at = timezone.make_aware(
                datetime.datetime.combine(submitted_on, datetime.time(10 + rng.randrange(6)))
            )
            submitted = state != RoundReport.State.DRAFT
            report = RoundReport(
                round=round_,
                actor_id=actor_id,
                state=state,
                first_submitted_at=submitted_at if submitted else None,
                submitted_at=submitted_at if submitted else None,
                submitted_by=None,
                reviewed_at=submitted_at + datetime.timedelta(days=3) if state == RoundReport.State.ACCEPTED else None,
                created_at=submitted_at - datetime.timedelta(days=2),
            )
            reports.append(report)
            for responsibility in owned:
                status = _status_on(chains, responsibility.pk, submitted_on, Status.NOT_ASSESSED)
                accepted = state == RoundReport.State.ACCEPTED
                entries.append(
                    RoundReportEntry(
                        report=report,
                        responsibility=responsibility,
                        proposed_status=status if status != Status.NOT_ASSESSED else Status.PENDING,
                        progress=rng.choice(PROGRESS),
                        decision=RoundReportEntry.Decision.ACCEPTED if accepted else RoundReportEntry.Decision.PENDING,
                        reviewed_by=user if accepted else None,
                        reviewed_at=report.reviewed_at,
                    )
                )
        if closed:
            for responsibility in responsibilities:
                snapshot.append(
                    RoundStatus(
                        round=round_,
                        recommendation_id=responsibility.recommendation_id,
                        actor_id=responsibility.actor_id,
                        status=_status_on(chains, responsibility.pk, round_.closes_on, Status.NOT_ASSESSED),
                    )
                )
            for recommendation in recommendations:
                snapshot.append(
                    RoundStatus(
                        round=round_,
                        recommendation=recommendation,
                        actor=None,
                        status=_status_on(
                            chains, ("overall", recommendation.pk), round_.closes_on, Status.NOT_ASSESSED
                        ),
                    )
                )
    write_rows(RoundReport, reports)
    for entry in entries:
        entry.report_id = entry.report.pk
    write_rows(RoundReportEntry, entries)
    write_rows(RoundStatus, snapshot)
    _history(RoundReport, reports, user, lambda r: r.created_at, counts)
    _history(RoundReportEntry, entries, user, lambda e: e.report.created_at, counts)
    counts.update(rounds=len(rounds), round_reports=len(reports), round_entries=len(entries), snapshot=len(snapshot))
    return counts


def _history(model, rows, user, when, counts):
    history = model.history.model
    write_rows(
        history,
        [
            history(
                **tracked(history, row),
                history_date=when(row),
                history_type="+",
                history_user=user,
                history_change_reason="",
            )
            for row in rows
        ],
    )
    counts["history"] += len(rows)
