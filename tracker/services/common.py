"""What every service shares: the refusal of an out-of-date edit, and saving with the history's user."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class StaleEdit(ValidationError):
    """The record changed since the form was filled in; saving would overwrite someone else's change."""


def refuse_if_stale(current, expected_version) -> None:
    """Refuse an edit made from a form read at `expected_version` when `current` has moved on since.

    The one check for every record that carries a `version` (assessments, actions, reports), with
    one message, called by the services under the row's lock and by the admin's forms before saving.
    `current.describe_current()` says what the record holds now, so the person can review it.
    """
    if expected_version is not None and current.version != expected_version:
        error = StaleEdit(
            _(
                "Someone else changed this record while you were editing it, so nothing was saved. "
                "It is now: %(current)s. Review it and save again."
            )
            % {"current": current.describe_current()},
            code="stale",
        )
        # The record as it is now, so that a form can show it and carry its version.
        error.current = current
        raise error


def save_with_history(instance, *, by):
    """Save, naming `by` as the author of the version django-simple-history keeps.

    simple-history takes the user from the request when there is one; services also run from
    commands and imports, so the user is set explicitly.
    """
    instance._history_user = by
    instance.save()
