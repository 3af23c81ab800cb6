"""Implementation actions and their evidence: entered, corrected, published or withdrawn, never deleted."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Action
from .common import refuse_if_stale, save_with_history


@transaction.atomic
def action_save(*, action: Action, by, recommendations=None, expected_version: int | None = None) -> Action:
    """Create or update an action, keeping its publication state consistent.

    Publishing stamps `published_at` once; withdrawing needs a reason; a withdrawn action is not
    deleted and stays in the record. The user who first enters an action is kept as `entered_by`.
    """
    if action.pk:
        current = Action.objects.select_for_update().get(pk=action.pk)
        refuse_if_stale(current, expected_version)
        action.version = current.version + 1
        # Read by the page cache: taking an action off the public pages changes them too.
        action.was_published = current.state == Action.State.PUBLISHED
    elif action.entered_by_id is None:
        action.entered_by = by
    if recommendations is not None and not list(recommendations):
        raise ValidationError({"recommendations": _("Choose at least one recommendation this action addresses.")})
    if action.state == Action.State.PUBLISHED and action.published_at is None:
        action.published_at = timezone.now()
    if action.state != Action.State.WITHDRAWN:
        action.withdrawal_reason = ""
    action.full_clean(exclude=["recommendations"])
    save_with_history(action, by=by)
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
    save_with_history(evidence, by=by)
    return evidence
