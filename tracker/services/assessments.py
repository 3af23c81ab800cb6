"""Assessments: a status on the scale set on a responsibility or on a recommendation as a whole.

Each one is a `StatusChange` row (who, when, from, to, why) written in the same transaction as the
new current status, with the version raised. `assessment_step` is that step, shared with the demo
data, which writes the same rows in bulk.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.models import Recommendation

from ..models import OverallAssessment, Responsibility, Status, StatusChange
from .common import refuse_if_stale, save_with_history
from .status_months import count_change


def check_assessment(*, status, reason, assessed_on) -> None:
    """Refuse a status off the scale, a missing reason or a date in the future."""
    errors = {}
    if status not in Status.values:
        errors["status"] = _("“%(status)s” is not a status on the scale.") % {"status": status}
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for this assessment.")
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = _("The date of an assessment cannot be in the future.")
    if errors:
        raise ValidationError(errors)


def assessment_step(record, *, status, reason, assessed_on, by, changed_at=None) -> StatusChange:
    """Apply an assessment to `record` (a responsibility or an overall assessment) in memory and
    return its history row, unsaved: the caller saves both, in one transaction."""
    responsibility = record if isinstance(record, Responsibility) else None
    change = StatusChange(
        recommendation_id=record.recommendation_id,
        responsibility=responsibility,
        actor_id=responsibility.actor_id if responsibility else None,
        from_status=record.status,
        to_status=status,
        assessed_on=assessed_on,
        reason=reason.strip(),
        changed_by=by,
    )
    if changed_at is not None:
        change.changed_at = changed_at
    record.status, record.last_assessed, record.reasoning = status, assessed_on, change.reason
    record.version += 1
    return change


def _assess(current, *, status, by, reason, assessed_on, expected_version) -> StatusChange:
    assessed_on = assessed_on or timezone.localdate()
    check_assessment(status=status, reason=reason, assessed_on=assessed_on)
    refuse_if_stale(current, expected_version)
    change = assessment_step(current, status=status, reason=reason, assessed_on=assessed_on, by=by)
    change.save()
    count_change(change)
    save_with_history(current, by=by)
    return change


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
    current = Responsibility.objects.select_for_update().get(pk=responsibility.pk)
    change = _assess(
        current, status=status, by=by, reason=reason, assessed_on=assessed_on, expected_version=expected_version
    )
    for name in ("status", "last_assessed", "reasoning", "version"):
        setattr(responsibility, name, getattr(current, name))
    return change


@transaction.atomic
def responsibilities_set_status(*, responsibilities, status: str, by, reason: str, assessed_on=None) -> int:
    """Set one status on many responsibilities, one history row each; those already at it are left.

    Returns how many changed. All or nothing: one refusal leaves every row as it was.
    """
    assessed_on = assessed_on or timezone.localdate()
    check_assessment(status=status, reason=reason, assessed_on=assessed_on)
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
    OverallAssessment.objects.get_or_create(recommendation=recommendation)
    current = OverallAssessment.objects.select_for_update().get(recommendation=recommendation)
    return _assess(
        current, status=status, by=by, reason=reason, assessed_on=assessed_on, expected_version=expected_version
    )


@transaction.atomic
def responsibility_assign(*, recommendation: Recommendation, actor, role: str, by) -> Responsibility:
    """Make an actor responsible for a recommendation, starting at "Not yet assessed"."""
    responsibility = Responsibility(recommendation=recommendation, actor=actor, role=role)
    responsibility.full_clean()
    save_with_history(responsibility, by=by)
    return responsibility


@transaction.atomic
def responsibility_set_role(*, responsibility: Responsibility, role: str, by) -> Responsibility:
    """Change whether the actor leads or supports the implementation."""
    if role not in Responsibility.Role.values:
        raise ValidationError({"role": _("Choose lead or supporting.")})
    responsibility.role = role
    save_with_history(responsibility, by=by)
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
