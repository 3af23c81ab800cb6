"""Every write to the follow-up record goes through these functions.

The admin, the bulk actions, the management commands (and later the liaison forms, the API and the
imports) call them; none writes around them. Each runs in one transaction and records what it did in
the same transaction: a `StatusChange` row for each assessment, and a django-simple-history row
(with the user) for every saved version.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.models import Recommendation

from .models import (
    Action,
    Evidence,
    OverallAssessment,
    Report,
    Responsibility,
    Status,
    StatusChange,
    http_url_validator,
)


class StaleEdit(ValidationError):
    """The record changed since the form was filled in; saving would overwrite someone else's change."""


def _check_assessment(*, status, reason, assessed_on):
    errors = {}
    if status not in Status.values:
        errors["status"] = _("“%(status)s” is not a status on the scale.") % {"status": status}
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for this assessment.")
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = _("The date of an assessment cannot be in the future.")
    if errors:
        raise ValidationError(errors)


def _refuse_if_stale(current, expected_version, message):
    """Refuse a save made from a form filled in before `current` (the locked row) last changed;
    `message` says what the record is now."""
    if expected_version is not None and current.version != expected_version:
        raise StaleEdit(message, code="stale")


def _assessment_changed(current):
    return _(
        "Someone else changed this record while you were editing it (it is now at status "
        "“%(status)s”, assessed on %(date)s). Review the current values and try again."
    ) % {"status": current.get_status_display(), "date": current.last_assessed or "–"}


def _save_with_history(instance, *, by):
    # simple-history takes the user from the request when there is one; services also run from
    # commands and imports, so the user is set explicitly.
    instance._history_user = by
    instance.save()


@transaction.atomic
def responsibility_set_status(
    *,
    responsibility: Responsibility,
    status: str,
    by,
    reason: str,
    assessed_on: datetime.date | None = None,
    expected_version: int | None = None,
) -> StatusChange:
    """Record an assessment of one actor's responsibility and make it the current status.

    The row is locked for the transaction, so two concurrent assessments are applied one after the
    other and both are kept in the history. With `expected_version`, an assessment made from an
    out-of-date form is refused with `StaleEdit`.
    """
    assessed_on = assessed_on or timezone.localdate()
    _check_assessment(status=status, reason=reason, assessed_on=assessed_on)
    current = Responsibility.objects.select_for_update().select_related("recommendation").get(pk=responsibility.pk)
    _refuse_if_stale(current, expected_version, _assessment_changed(current))
    change = StatusChange.objects.create(
        recommendation=current.recommendation,
        responsibility=current,
        actor_id=current.actor_id,
        from_status=current.status,
        to_status=status,
        assessed_on=assessed_on,
        reason=reason.strip(),
        changed_by=by,
    )
    current.status = status
    current.last_assessed = assessed_on
    current.reasoning = reason.strip()
    current.version += 1
    _save_with_history(current, by=by)
    responsibility.status, responsibility.last_assessed = current.status, current.last_assessed
    responsibility.reasoning, responsibility.version = current.reasoning, current.version
    return change


@transaction.atomic
def responsibilities_set_status(*, responsibilities, status: str, by, reason: str, assessed_on=None) -> int:
    """Set one status on many responsibilities, one history row each; those already at it are left.

    Returns how many changed. All or nothing: one refusal leaves every row as it was.
    """
    assessed_on = assessed_on or timezone.localdate()
    _check_assessment(status=status, reason=reason, assessed_on=assessed_on)
    changed = 0
    for responsibility in responsibilities:
        if responsibility.status == status:
            continue
        responsibility_set_status(
            responsibility=responsibility, status=status, by=by, reason=reason, assessed_on=assessed_on
        )
        changed += 1
    return changed


@transaction.atomic
def recommendation_set_status(
    *,
    recommendation: Recommendation,
    status: str,
    by,
    reason: str,
    assessed_on: datetime.date | None = None,
    expected_version: int | None = None,
) -> StatusChange:
    """Record the committee's overall assessment of a recommendation."""
    assessed_on = assessed_on or timezone.localdate()
    _check_assessment(status=status, reason=reason, assessed_on=assessed_on)
    OverallAssessment.objects.get_or_create(recommendation=recommendation)
    current = OverallAssessment.objects.select_for_update().get(recommendation=recommendation)
    _refuse_if_stale(current, expected_version, _assessment_changed(current))
    change = StatusChange.objects.create(
        recommendation=recommendation,
        from_status=current.status,
        to_status=status,
        assessed_on=assessed_on,
        reason=reason.strip(),
        changed_by=by,
    )
    current.status = status
    current.last_assessed = assessed_on
    current.reasoning = reason.strip()
    current.version += 1
    _save_with_history(current, by=by)
    return change


@transaction.atomic
def responsibility_assign(*, recommendation: Recommendation, actor, role: str, by) -> Responsibility:
    """Make an actor responsible for a recommendation, starting at "Not yet assessed"."""
    responsibility = Responsibility(recommendation=recommendation, actor=actor, role=role)
    responsibility.full_clean()
    _save_with_history(responsibility, by=by)
    return responsibility


@transaction.atomic
def responsibility_set_role(*, responsibility: Responsibility, role: str, by) -> Responsibility:
    """Change whether the actor leads or supports the implementation."""
    if role not in Responsibility.Role.values:
        raise ValidationError({"role": _("Choose lead or supporting.")})
    responsibility.role = role
    _save_with_history(responsibility, by=by)
    return responsibility


@transaction.atomic
def responsibility_update(
    *,
    responsibility: Responsibility,
    by,
    status: str | None = None,
    reason: str = "",
    assessed_on: datetime.date | None = None,
    role: str | None = None,
    expected_version: int | None = None,
) -> Responsibility:
    """Apply one edited row of the status matrix (a spreadsheet import): a new assessment when
    `status` is given, a new role when `role` is, both or neither, in one transaction."""
    if status is not None:
        responsibility_set_status(
            responsibility=responsibility,
            status=status,
            by=by,
            reason=reason,
            assessed_on=assessed_on,
            expected_version=expected_version,
        )
    if role is not None:
        current = Responsibility.objects.get(pk=responsibility.pk)
        responsibility_set_role(responsibility=current, role=role, by=by)
        responsibility.role = current.role
    return responsibility


@transaction.atomic
def action_save(*, action: Action, by, recommendations=None, expected_version: int | None = None) -> Action:
    """Create or update an action, keeping its publication state consistent.

    Publishing stamps `published_at` once; withdrawing needs a reason; a withdrawn action is not
    deleted and stays in the record. The user who first enters an action is kept as `entered_by`.
    """
    if action.pk:
        current = Action.objects.select_for_update().get(pk=action.pk)
        _refuse_if_stale(
            current,
            expected_version,
            _("Someone else changed this action while you were editing it. Reload it and try again."),
        )
        action.version = current.version + 1
    elif action.entered_by_id is None:
        action.entered_by = by
    if recommendations is not None and not list(recommendations):
        raise ValidationError({"recommendations": _("Choose at least one recommendation this action addresses.")})
    if action.state == Action.State.PUBLISHED and action.published_at is None:
        action.published_at = timezone.now()
    if action.state != Action.State.WITHDRAWN:
        action.withdrawal_reason = ""
    action.full_clean(exclude=["recommendations"])
    _save_with_history(action, by=by)
    if recommendations is not None:
        action.recommendations.set(recommendations)
    return action


def action_publish(*, action: Action, by) -> Action:
    """Make an action public."""
    action.state = Action.State.PUBLISHED
    return action_save(action=action, by=by)


def action_withdraw(*, action: Action, by, reason: str) -> Action:
    """Take an action off the public pages, keeping it and the reason in the record."""
    if not (reason or "").strip():
        raise ValidationError({"withdrawal_reason": _("Give the reason for withdrawing this action.")})
    action.state = Action.State.WITHDRAWN
    action.withdrawal_reason = reason.strip()
    return action_save(action=action, by=by)


@transaction.atomic
def evidence_save(*, evidence, by):
    """Attach a link or document to an action, or correct one."""
    evidence.full_clean()
    _save_with_history(evidence, by=by)
    return evidence


@transaction.atomic
def actor_save(*, actor, by):
    """Create or correct a member state or body. Membership changes are dates and notes on it."""
    actor.full_clean()
    _save_with_history(actor, by=by)
    return actor


STAFF_GROUP = "Committee staff"


@transaction.atomic
def account_create(*, username: str, role: str, password: str, actor=None, email: str = ""):
    """Create a staff account (admin access, in the "Committee staff" group) or a liaison account.

    A liaison is tied to exactly one actor and gets no admin access.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.auth.password_validation import validate_password

    from .models import Liaison

    User = get_user_model()
    if role not in ("staff", "liaison"):
        raise ValidationError(_("The role must be staff or liaison."))
    if role == "liaison" and actor is None:
        raise ValidationError(_("A liaison account must be tied to an actor."))
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("An account named “%(username)s” already exists.") % {"username": username})
    user = User(username=username, email=email, is_staff=(role == "staff"))
    user.full_clean(exclude=["password"])
    validate_password(password, user)
    user.set_password(password)
    user.save()
    if role == "staff":
        user.groups.add(Group.objects.get(name=STAFF_GROUP))
    else:
        liaison = Liaison(user=user, actor=actor)
        _save_with_history(liaison, by=None)
    return user


# Liaison reports and their review.


def _lock_report(report, *, expected_state=None, expected_version=None):
    current = Report.objects.select_for_update().get(pk=report.pk)
    _refuse_if_stale(
        current,
        expected_version,
        _("This report was changed while you were editing it (it is now “%(state)s”). Reload it and try again.")
        % {"state": current.get_state_display()},
    )
    if expected_state is not None and current.state not in expected_state:
        raise ValidationError(
            _("This report is “%(state)s”: that cannot be done now.") % {"state": current.get_state_display()},
            code="invalid_state",
        )
    return current


def _require_liaison_of(user, actor):
    liaison = getattr(user, "liaison", None)
    if liaison is None or liaison.actor_id != actor.pk:
        raise PermissionDenied("Only a liaison of this actor can report for it.")


def report_check(*, report: Report, recommendations) -> None:
    """Refuse a report that its actor could not make: see the messages for each rule."""
    errors = {}
    recommendations = list(recommendations)
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
    if report.proposed_status and not report.proposed_reasoning.strip():
        errors["proposed_reasoning"] = [_("Explain the status you propose.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def report_save(*, report: Report, by, recommendations, expected_version: int | None = None) -> Report:
    """Create or edit a liaison's report for their own actor, while it is a draft or changes were asked."""
    _require_liaison_of(by, report.actor)
    if report.pk:
        current = _lock_report(report, expected_state=Report.EDITABLE_STATES, expected_version=expected_version)
        if current.actor_id != report.actor_id or current.author_id != report.author_id:
            raise PermissionDenied("A report's actor and author do not change.")
        report.state = current.state
        report.version = current.version + 1
    else:
        report.author = by
        report.state = Report.State.DRAFT
    report.full_clean(exclude=["recommendations", "author"])
    report_check(report=report, recommendations=recommendations)
    _save_with_history(report, by=by)
    report.recommendations.set(recommendations)
    return report


@transaction.atomic
def report_submit(*, report: Report, by, expected_version: int | None = None) -> Report:
    """Send a report to the committee's staff for review, and tell them."""
    from .notifications import notify_report_submitted

    _require_liaison_of(by, report.actor)
    current = _lock_report(report, expected_state=Report.EDITABLE_STATES, expected_version=expected_version)
    report_check(report=current, recommendations=current.recommendations.all())
    current.state = Report.State.SUBMITTED
    current.submitted_at = timezone.now()
    current.version += 1
    _save_with_history(current, by=by)
    transaction.on_commit(lambda: notify_report_submitted(current))
    return current


def _review(report, *, by, state, comment):
    from .notifications import notify_report_reviewed

    current = _lock_report(report, expected_state=[Report.State.SUBMITTED])
    current.state = state
    current.review_comment = (comment or "").strip()
    current.reviewed_by = by
    current.reviewed_at = timezone.now()
    current.version += 1
    return current, lambda: transaction.on_commit(lambda: notify_report_reviewed(current))


@transaction.atomic
def report_request_changes(*, report: Report, by, comment: str) -> Report:
    """Send a report back to its liaison with what to change."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what should change.")})
    current, notify = _review(report, by=by, state=Report.State.CHANGES_REQUESTED, comment=comment)
    _save_with_history(current, by=by)
    notify()
    return current


@transaction.atomic
def report_reject(*, report: Report, by, reason: str) -> Report:
    """Refuse a report, with the reason the liaison will read."""
    if not (reason or "").strip():
        raise ValidationError({"comment": _("Give the reason for rejecting this report.")})
    current, notify = _review(report, by=by, state=Report.State.REJECTED, comment=reason)
    _save_with_history(current, by=by)
    notify()
    return current


@transaction.atomic
def report_approve(*, report: Report, by, accept_status: bool, comment: str = "") -> Report:
    """Publish the report's action and, if accepted, record its proposed status.

    The action is entered in the liaison's name and published by the reviewer; the proposed status
    goes through `responsibility_set_status` for each recommendation the report addresses, so each
    has its history row.
    """
    current, notify = _review(report, by=by, state=Report.State.APPROVED, comment=comment)
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
    if accept_status and current.proposed_status:
        for responsibility in Responsibility.objects.filter(actor=current.actor, recommendation__in=recommendations):
            responsibility_set_status(
                responsibility=responsibility,
                status=current.proposed_status,
                by=by,
                reason=current.proposed_reasoning,
            )
    current.action = action
    _save_with_history(current, by=by)
    notify()
    return current
