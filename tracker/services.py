"""Every write to the follow-up record goes through these functions.

The admin, the bulk actions, the management commands (and later the liaison forms, the API and the
imports) call them; none writes around them. Each runs in one transaction and records what it did in
the same transaction: a `StatusChange` row for each assessment, and a django-simple-history row
(with the user) for every saved version.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.models import Recommendation

from .models import Action, OverallAssessment, Responsibility, Status, StatusChange


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


def _check_version(*, current, expected):
    if expected is not None and current.version != expected:
        raise StaleEdit(
            _(
                "Someone else changed this record while you were editing it (it is now at status "
                "“%(status)s”, assessed on %(date)s). Review the current values and try again."
            )
            % {"status": current.get_status_display(), "date": current.last_assessed or "–"},
            code="stale",
        )


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
    _check_version(current=current, expected=expected_version)
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
    _check_version(current=current, expected=expected_version)
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
def action_save(*, action: Action, by, recommendations=None, expected_version: int | None = None) -> Action:
    """Create or update an action, keeping its publication state consistent.

    Publishing stamps `published_at` once; withdrawing needs a reason; a withdrawn action is not
    deleted and stays in the record. The user who first enters an action is kept as `entered_by`.
    """
    if action.pk:
        current = Action.objects.select_for_update().get(pk=action.pk)
        if expected_version is not None and current.version != expected_version:
            raise StaleEdit(
                _("Someone else changed this action while you were editing it. Reload it and try again."),
                code="stale",
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
