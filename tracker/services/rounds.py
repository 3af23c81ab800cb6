"""Reporting rounds: opened and closed by staff, answered by liaisons, reviewed entry by entry.

Closing a round freezes a snapshot of every in-scope status (`RoundStatus`); a closed round, and its
snapshot, never change. A liaison answers for their own actor only, while the round is open; staff
accept each entry (its proposed status is then recorded through `responsibility_set_status`, with the
history row every assessment has) or return it with a comment.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import OverallAssessment, ReportingRound, RoundReport, RoundReportEntry, RoundStatus, Status
from ..notifications import notify_round_report_reviewed, notify_round_report_submitted
from ..selectors.rounds import scope_recommendations, scope_responsibilities
from ..validators import http_url_validator
from .assessments import responsibility_set_status
from .common import refuse_if_stale, save_with_history


def _refuse_if_closed(round_):
    if round_.closed_at is not None:
        raise ValidationError(_("This round is closed: it no longer changes."), code="closed")


@transaction.atomic
def round_save(
    *, round_: ReportingRound, by, recommendations=None, actors=None, expected_version: int | None = None
) -> ReportingRound:
    """Create a round, or change one that is not closed (its dates, its request, its scope)."""
    if round_.pk:
        current = ReportingRound.objects.select_for_update().get(pk=round_.pk)
        _refuse_if_closed(current)
        refuse_if_stale(current, expected_version)
        round_.version = current.version + 1
    round_.full_clean(exclude=["recommendations", "actors"])
    save_with_history(round_, by=by)
    if recommendations is not None:
        round_.recommendations.set(recommendations)
    if actors is not None:
        round_.actors.set(actors)
    return round_


@transaction.atomic
def round_close(*, round_: ReportingRound, by, expected_version: int | None = None) -> ReportingRound:
    """Close a round and freeze where every in-scope responsibility, and each in-scope recommendation
    as a whole, stands now. Later assessments never alter it."""
    current = ReportingRound.objects.select_for_update().get(pk=round_.pk)
    _refuse_if_closed(current)
    refuse_if_stale(current, expected_version)
    if current.opens_on > timezone.localdate():
        raise ValidationError(_("This round has not opened yet: it cannot be closed."), code="not_open")
    recommendations = scope_recommendations(current)
    overall = {a.recommendation_id: a for a in OverallAssessment.objects.filter(recommendation__in=recommendations)}
    rows = [
        RoundStatus(
            round=current,
            recommendation_id=responsibility.recommendation_id,
            actor_id=responsibility.actor_id,
            status=responsibility.status,
            last_assessed=responsibility.last_assessed,
        )
        for responsibility in scope_responsibilities(current)
    ]
    rows += [
        RoundStatus(
            round=current,
            recommendation=recommendation,
            actor=None,
            status=overall[recommendation.pk].status if recommendation.pk in overall else Status.NOT_ASSESSED,
            last_assessed=overall[recommendation.pk].last_assessed if recommendation.pk in overall else None,
        )
        for recommendation in recommendations
    ]
    RoundStatus.objects.bulk_create(rows)
    current.closed_at = timezone.now()
    current.closed_by = by
    current.version += 1
    save_with_history(current, by=by)
    round_.closed_at, round_.closed_by, round_.version = current.closed_at, by, current.version
    return current


def _require_liaison_of(user, actor):
    liaison = getattr(user, "liaison", None)
    if liaison is None or liaison.actor_id != actor.pk:
        raise PermissionDenied("Only a liaison of this actor can report for it.")


def _require_open(round_):
    _refuse_if_closed(round_)
    if round_.opens_on > timezone.localdate():
        raise ValidationError(_("This round has not opened yet."), code="not_open")


@transaction.atomic
def round_report_start(*, round_: ReportingRound, actor, by) -> RoundReport:
    """The actor's report in this round, started (with an entry per responsibility in scope) if need be."""
    _require_liaison_of(by, actor)
    report = RoundReport.objects.filter(round=round_, actor=actor).first()
    if report is not None:
        return report
    _require_open(round_)
    responsibilities = list(scope_responsibilities(round_, actor))
    if not responsibilities:
        raise ValidationError(_("This round does not ask %(actor)s to report.") % {"actor": actor.name})
    report = RoundReport(round=round_, actor=actor)
    save_with_history(report, by=by)
    for responsibility in responsibilities:
        save_with_history(RoundReportEntry(report=report, responsibility=responsibility), by=by)
    return report


def _lock(report, expected_version, states):
    current = RoundReport.objects.select_for_update().select_related("round", "actor").get(pk=report.pk)
    refuse_if_stale(current, expected_version)
    if current.state not in states:
        raise ValidationError(
            _("This report is “%(state)s”: that cannot be done now.") % {"state": current.get_state_display()},
            code="invalid_state",
        )
    return current


def _check_entry(entry, errors, *, complete):
    prefix = _("Recommendation %(number)s") % {"number": entry.responsibility.recommendation.number}
    for line in entry.link_list:
        try:
            http_url_validator(line)
        except ValidationError:
            errors.append(
                _("%(where)s: “%(link)s” is not a link that starts with http:// or https://.")
                % {"where": prefix, "link": line[:100]}
            )
    if entry.proposed_status and entry.proposed_status not in Status.values:
        errors.append(_("%(where)s: choose a status on the scale.") % {"where": prefix})
    if complete and not entry.progress.strip():
        errors.append(_("%(where)s: say what was done (or that nothing was done yet).") % {"where": prefix})
    if complete and not entry.proposed_status:
        errors.append(_("%(where)s: propose a status.") % {"where": prefix})


@transaction.atomic
def round_report_save(*, report: RoundReport, by, entries: dict, expected_version: int) -> RoundReport:
    """Save the liaison's draft: `entries` maps an entry's id to its new `proposed_status`,
    `progress`, `links` and `actions` (the actor's published actions it refers to). Accepted entries
    are kept as they are."""
    _require_liaison_of(by, report.actor)
    current = _lock(report, expected_version, RoundReport.EDITABLE_STATES)
    _require_open(current.round)
    errors = []
    editable = {entry.pk: entry for entry in current.entries.select_related("responsibility__recommendation")}
    for pk, values in entries.items():
        entry = editable.get(pk)
        if entry is None or entry.decision == RoundReportEntry.Decision.ACCEPTED:
            continue
        entry.proposed_status = values.get("proposed_status", entry.proposed_status) or ""
        entry.progress = (values.get("progress", entry.progress) or "").strip()
        entry.links = (values.get("links", entry.links) or "").strip()
        _check_entry(entry, errors, complete=False)
        actions = values.get("actions")
        if actions is not None and any(
            action.actor_id != current.actor_id or action.state != action.State.PUBLISHED for action in actions
        ):
            errors.append(_("Only the published actions of %(actor)s can be cited.") % {"actor": current.actor.name})
        entry.chosen_actions = actions
    if errors:
        raise ValidationError(errors)
    for entry in editable.values():
        if entry.pk in entries and entry.decision != RoundReportEntry.Decision.ACCEPTED:
            entry.full_clean(exclude=["actions", "report", "responsibility"])
            save_with_history(entry, by=by)
            if entry.chosen_actions is not None:
                entry.actions.set(entry.chosen_actions)
    current.version += 1
    save_with_history(current, by=by)
    report.version = current.version
    return current


@transaction.atomic
def round_report_submit(*, report: RoundReport, by, expected_version: int) -> RoundReport:
    """Send the report, as the liaison last saw it, to the staff: every entry still open must say what
    was done and propose a status. Returned entries go back to review."""
    _require_liaison_of(by, report.actor)
    current = _lock(report, expected_version, RoundReport.EDITABLE_STATES)
    _require_open(current.round)
    errors = []
    entries = list(current.entries.select_related("responsibility__recommendation"))
    for entry in entries:
        if entry.decision != RoundReportEntry.Decision.ACCEPTED:
            _check_entry(entry, errors, complete=True)
    if errors:
        raise ValidationError(errors)
    for entry in entries:
        if entry.decision == RoundReportEntry.Decision.RETURNED:
            entry.decision = RoundReportEntry.Decision.PENDING
            save_with_history(entry, by=by)
    now = timezone.now()
    current.state = RoundReport.State.SUBMITTED
    # Read by the page cache: the public round page shows that the actor reported, and when.
    current.first_submitted_now = current.first_submitted_at is None
    current.first_submitted_at = current.first_submitted_at or now
    current.submitted_at = now
    current.submitted_by = by
    current.version += 1
    save_with_history(current, by=by)
    transaction.on_commit(lambda: notify_round_report_submitted(current))
    return current


@transaction.atomic
def round_report_review(*, report: RoundReport, by, decisions: dict, expected_version: int) -> RoundReport:
    """Decide on each entry awaiting review: `decisions` maps an entry's id to ("accepted", "") or
    ("returned", comment). An accepted entry's proposed status is recorded as an assessment, with what
    was done as its reason. Every entry awaiting review must be decided."""
    current = _lock(report, expected_version, [RoundReport.State.SUBMITTED])
    entries = list(current.entries.select_related("responsibility__recommendation"))
    pending = [entry for entry in entries if entry.decision == RoundReportEntry.Decision.PENDING]
    errors = []
    for entry in pending:
        decision, comment = decisions.get(entry.pk, ("", ""))
        where = _("Recommendation %(number)s") % {"number": entry.responsibility.recommendation.number}
        if decision not in (RoundReportEntry.Decision.ACCEPTED, RoundReportEntry.Decision.RETURNED):
            errors.append(_("%(where)s: accept it or return it.") % {"where": where})
        elif decision == RoundReportEntry.Decision.RETURNED and not (comment or "").strip():
            errors.append(_("%(where)s: say what should change.") % {"where": where})
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    for entry in pending:
        decision, comment = decisions[entry.pk]
        entry.decision, entry.review_comment = decision, (comment or "").strip()
        entry.reviewed_by, entry.reviewed_at = by, now
        save_with_history(entry, by=by)
        if decision == RoundReportEntry.Decision.ACCEPTED and entry.proposed_status:
            responsibility_set_status(
                responsibility=entry.responsibility,
                status=entry.proposed_status,
                by=by,
                reason=_("Reported in “%(round)s”: %(progress)s")
                % {"round": current.round.name, "progress": entry.progress},
            )
    returned = any(entry.decision == RoundReportEntry.Decision.RETURNED for entry in entries)
    current.state = RoundReport.State.RETURNED if returned else RoundReport.State.ACCEPTED
    current.reviewed_at = now
    current.version += 1
    save_with_history(current, by=by)
    transaction.on_commit(lambda: notify_round_report_reviewed(current))
    return current
