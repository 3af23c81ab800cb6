"""Liaisons' reports and their review by staff.

A liaison writes and submits a report for their own actor, proposing a status on any recommendation
it addresses; staff decide each proposal (accept, return, decline) and the report (approve: its action
is published and each accepted status recorded; ask for changes; reject). Every decision applies only
to the version of the report its author or reviewer read: a report changed since is refused.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Action, Evidence, Report, ReportProposal, Responsibility, Status
from ..notifications import notify_report_reviewed, notify_report_submitted
from ..validators import http_url_validator
from .actions import action_save, evidence_save
from .assessments import responsibility_set_status
from .common import refuse_if_stale, save_with_history


def _lock_report(report, *, expected_state, expected_version):
    current = Report.objects.select_for_update().get(pk=report.pk)
    refuse_if_stale(current, expected_version)
    if current.state not in expected_state:
        raise ValidationError(
            _("This report is “%(state)s”: that cannot be done now.") % {"state": current.get_state_display()},
            code="invalid_state",
        )
    return current


def _require_liaison_of(user, actor):
    liaison = getattr(user, "liaison", None)
    if liaison is None or liaison.actor_id != actor.pk:
        raise PermissionDenied("Only a liaison of this actor can report for it.")


def report_check(*, report: Report, recommendations, proposals=None) -> None:
    """Refuse a report that its actor could not make: see the messages for each rule. `proposals` maps
    a responsibility to (status, reasoning); by default, the report's own."""
    errors = {}
    recommendations = list(recommendations)
    if proposals is None:
        proposals = (
            {
                p.responsibility: (p.status, p.reasoning)
                for p in report.proposals.select_related("responsibility__recommendation")
            }
            if report.pk
            else {}
        )
    if not recommendations:
        errors["recommendations"] = [_("Choose at least one recommendation this action addresses.")]
    else:
        responsible = set(
            Responsibility.objects.filter(actor=report.actor, recommendation__in=recommendations).values_list(
                "recommendation_id", flat=True
            )
        )
        others = sorted(r.number for r in recommendations if r.pk not in responsible)
        if others:
            errors["recommendations"] = [
                _("%(actor)s is not responsible for recommendation(s) %(numbers)s.")
                % {"actor": report.actor.name, "numbers": ", ".join(map(str, others))}
            ]
    for line in report.links:
        try:
            http_url_validator(line)
        except ValidationError:
            errors.setdefault("evidence_links", []).append(
                _("“%(link)s” is not a link that starts with http:// or https://.") % {"link": line[:100]}
            )
    addressed = {r.pk for r in recommendations}
    for responsibility, (status, reasoning) in proposals.items():
        number = responsibility.recommendation.number
        field = f"proposal-{number}-status"
        if responsibility.actor_id != report.actor_id:
            raise PermissionDenied("A report proposes statuses for its own actor only.")
        if not status:
            continue
        if status not in Status.values:
            errors[field] = [_("“%(status)s” is not a status on the scale.") % {"status": status}]
        elif responsibility.recommendation_id not in addressed:
            errors[field] = [
                _("Tick recommendation %(number)s among those the action addresses, or clear its status.")
                % {"number": number}
            ]
        elif not (reasoning or "").strip():
            errors[f"proposal-{number}-reasoning"] = [_("Explain the status you propose.")]
    if errors:
        raise ValidationError(errors)


def _save_proposals(report, proposals, *, by):
    """Write the liaison's proposals: new ones, and changes to those still open (pending or returned,
    which become pending again). Accepted and declined proposals are final and refused here."""
    existing = {p.responsibility_id: p for p in ReportProposal.objects.select_for_update().filter(report=report)}
    for responsibility, (status, reasoning) in proposals.items():
        proposal = existing.get(responsibility.pk)
        if proposal is None:
            if not status:
                continue
            proposal = ReportProposal(report=report, responsibility=responsibility)
        elif (proposal.status, proposal.reasoning) == (status, (reasoning or "").strip()):
            continue
        elif not proposal.is_open:
            raise ValidationError(
                _("The proposal on recommendation %(number)s is decided: it can no longer change.")
                % {"number": responsibility.recommendation.number}
            )
        proposal.status, proposal.reasoning = status, (reasoning or "").strip()
        proposal.full_clean(exclude=["report", "responsibility"])
        save_with_history(proposal, by=by)


@transaction.atomic
def report_save(*, report: Report, by, recommendations, proposals=None, expected_version: int | None = None) -> Report:
    """Create or edit a liaison's report for their own actor, while it is a draft or changes were asked.

    `proposals` maps a responsibility of the actor to (status, reasoning); an empty status clears a
    proposal still open. Editing an existing report needs the version it was read at."""
    _require_liaison_of(by, report.actor)
    if report.pk:
        if expected_version is None:
            raise ValidationError(_("The version of the report you edited is missing: reload it and try again."))
        current = _lock_report(report, expected_state=Report.EDITABLE_STATES, expected_version=expected_version)
        if current.actor_id != report.actor_id or current.author_id != report.author_id:
            raise PermissionDenied("A report's actor and author do not change.")
        report.state = current.state
        report.version = current.version + 1
    else:
        report.author = by
        report.state = Report.State.DRAFT
    report.full_clean(exclude=["recommendations", "author"])
    if proposals is not None:
        report_check(report=report, recommendations=recommendations, proposals=_merged(report, proposals))
    else:
        report_check(report=report, recommendations=recommendations)
    save_with_history(report, by=by)
    report.recommendations.set(recommendations)
    if proposals:
        _save_proposals(report, proposals, by=by)
    return report


def _merged(report, proposals):
    """The report's proposals as they will be once `proposals` is saved over them."""
    merged = {}
    if report.pk:
        for proposal in report.proposals.select_related("responsibility__recommendation"):
            merged[proposal.responsibility] = (proposal.status, proposal.reasoning)
    merged.update(proposals)
    return merged


@transaction.atomic
def report_submit(*, report: Report, by, expected_version: int) -> Report:
    """Send a report, as its liaison last saw it, to the committee's staff for review, and tell them."""
    _require_liaison_of(by, report.actor)
    current = _lock_report(report, expected_state=Report.EDITABLE_STATES, expected_version=expected_version)
    report_check(report=current, recommendations=current.recommendations.all())
    for proposal in current.proposals.filter(decision=ReportProposal.Decision.RETURNED):
        # Returned, then changed (or not) by the liaison: up for review again.
        proposal.decision = ReportProposal.Decision.PENDING
        save_with_history(proposal, by=by)
    current.state = Report.State.SUBMITTED
    current.submitted_at = timezone.now()
    current.version += 1
    save_with_history(current, by=by)
    transaction.on_commit(lambda: notify_report_submitted(current))
    return current


def _decide(report, *, by, state, comment, expected_version):
    """The submitted report, as the reviewer read it (`expected_version`), with the decision applied."""
    current = _lock_report(report, expected_state=[Report.State.SUBMITTED], expected_version=expected_version)
    current.state = state
    current.review_comment = (comment or "").strip()
    current.reviewed_by = by
    current.reviewed_at = timezone.now()
    current.version += 1
    return current


def _save_decision(current, *, by):
    save_with_history(current, by=by)
    transaction.on_commit(lambda: notify_report_reviewed(current))
    return current


def _decide_proposals(current, decisions, *, by, allowed, all_required=True):
    """Apply the reviewer's decision on each pending proposal: {proposal id: (decision, comment)}, one
    of `allowed`. With `all_required`, every pending proposal with a status must be decided; else
    those left out stay pending."""
    pending = {
        p.pk: p
        for p in current.proposals.select_for_update()
        .filter(decision=ReportProposal.Decision.PENDING)
        .exclude(status="")
        .select_related("responsibility__recommendation")
    }
    unknown = set(decisions) - set(pending)
    if unknown:
        raise ValidationError(_("Some of these proposals are not awaiting review: reload the report."))
    now = timezone.now()
    for pk, proposal in pending.items():
        number = proposal.responsibility.recommendation.number
        decision, comment = decisions.get(pk, (None, ""))
        if decision is None and not all_required:
            continue
        if decision not in allowed:
            raise ValidationError(
                {
                    f"proposal-{pk}-decision": [
                        _("Decide the proposal on recommendation %(number)s.") % {"number": number}
                    ]
                }
            )
        if decision != ReportProposal.Decision.ACCEPTED and not (comment or "").strip():
            raise ValidationError({f"proposal-{pk}-comment": [_("Say why, for the liaison.")]})
        proposal.decision, proposal.review_comment = decision, (comment or "").strip()
        proposal.decided_by, proposal.decided_at = by, now
        save_with_history(proposal, by=by)


@transaction.atomic
def report_request_changes(
    *, report: Report, by, comment: str, expected_version: int, proposal_decisions=None
) -> Report:
    """Send a report back to its liaison with what to change: a comment, or proposals returned with
    theirs. Proposals accepted or declined now are final."""
    proposal_decisions = proposal_decisions or {}
    returned = any(decision == ReportProposal.Decision.RETURNED for decision, _c in proposal_decisions.values())
    if not (comment or "").strip() and not returned:
        raise ValidationError({"comment": _("Say what should change.")})
    current = _decide(
        report, by=by, state=Report.State.CHANGES_REQUESTED, comment=comment, expected_version=expected_version
    )
    _decide_proposals(
        current,
        proposal_decisions,
        by=by,
        allowed=(ReportProposal.Decision.ACCEPTED, ReportProposal.Decision.RETURNED, ReportProposal.Decision.DECLINED),
        all_required=False,
    )
    if not current.review_comment:
        current.review_comment = _("See the comments on the proposed statuses.")
    return _save_decision(current, by=by)


@transaction.atomic
def report_reject(*, report: Report, by, reason: str, expected_version: int) -> Report:
    """Refuse a report, with the reason the liaison will read."""
    if not (reason or "").strip():
        raise ValidationError({"comment": _("Give the reason for rejecting this report.")})
    current = _decide(report, by=by, state=Report.State.REJECTED, comment=reason, expected_version=expected_version)
    return _save_decision(current, by=by)


@transaction.atomic
def report_approve(*, report: Report, by, expected_version: int, comment: str = "", proposal_decisions=None) -> Report:
    """Publish the report's action and record each accepted status.

    Every proposal awaiting review is decided here (accepted or declined: one returned needs the
    report sent back). The action is entered in the liaison's name and published by the reviewer;
    each accepted status (now, or when the report was sent back before) goes through
    `responsibility_set_status`, so each has its history row.
    """
    current = _decide(report, by=by, state=Report.State.APPROVED, comment=comment, expected_version=expected_version)
    _decide_proposals(
        current,
        proposal_decisions or {},
        by=by,
        allowed=(ReportProposal.Decision.ACCEPTED, ReportProposal.Decision.DECLINED),
    )
    returned = current.proposals.filter(decision=ReportProposal.Decision.RETURNED).exclude(status="")
    if returned.exists():
        raise ValidationError(_("A proposal is still with the liaison for changes: the report cannot be approved yet."))
    recommendations = list(current.recommendations.all())
    action = Action(
        actor=current.actor,
        taken_on=current.taken_on,
        title=current.title,
        description=current.description,
        information_source=_("Report by the liaison of %(actor)s") % {"actor": current.actor.name},
        state=Action.State.PUBLISHED,
        entered_by=current.author,
    )
    action_save(action=action, by=by, recommendations=recommendations)
    for index, link in enumerate(current.links, start=1):
        evidence_save(
            evidence=Evidence(action=action, title=_("Evidence %(number)d") % {"number": index}, url=link), by=by
        )
    accepted = current.proposals.filter(decision=ReportProposal.Decision.ACCEPTED).exclude(status="")
    for proposal in accepted.select_related("responsibility").order_by("responsibility__recommendation__number"):
        responsibility_set_status(
            responsibility=proposal.responsibility, status=proposal.status, by=by, reason=proposal.reasoning
        )
    current.action = action
    return _save_decision(current, by=by)
