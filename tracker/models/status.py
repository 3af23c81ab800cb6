"""The compliance scale: its statuses, what each counts toward progress, and its short forms.

Every page, download, form and the API take the scale from here; nothing else spells out a weight or
a label.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """The compliance scale of the Inter-American Commission on Human Rights, in its order.

    "Not yet assessed" is the starting point, so that a blank never reads as "pending".
    """

    NOT_ASSESSED = "not_assessed", _("Not yet assessed")
    PENDING = "pending", _("Pending compliance")
    PARTIAL = "partial", _("Partial compliance")
    SUBSTANTIAL = "substantial", _("Substantial partial compliance")
    FULL = "full", _("Full compliance")
    NON_COMPLIANCE = "non_compliance", _("Non-compliance")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


# What each status counts toward progress, in percent. Statuses missing here are left out of the
# roll-up: "not yet assessed" is shown apart, "not applicable" does not concern the actor.
STATUS_WEIGHTS = {
    Status.PENDING: 0,
    Status.PARTIAL: 50,
    Status.SUBSTANTIAL: 75,
    Status.FULL: 100,
    Status.NON_COMPLIANCE: 0,
}

# Short forms for dense tables (the matrix), always shown with a legend.
STATUS_ABBREVIATIONS = {
    Status.NOT_ASSESSED: _("NYA"),
    Status.PENDING: _("P"),
    Status.PARTIAL: _("PC"),
    Status.SUBSTANTIAL: _("SPC"),
    Status.FULL: _("FC"),
    Status.NON_COMPLIANCE: _("NC"),
    Status.NOT_APPLICABLE: _("N/A"),
}

# Counted at 0 % like "pending", but a measure contrary to the recommendation: pages flag it.
FLAGGED = {Status.NON_COMPLIANCE}


# For comparing two assessments of the same responsibility: higher is further along. Non-compliance
# (measures contrary to the recommendation) sits below pending; "not yet assessed" and "not
# applicable" are not on this line.
STATUS_RANK = {**STATUS_WEIGHTS, Status.NON_COMPLIANCE: -1}


class Movement(models.TextChoices):
    """How a status moved between two moments (two closed reporting rounds)."""

    IMPROVED = "improved", _("Improved")
    REGRESSED = "regressed", _("Regressed")
    CHANGED = "changed", _("Changed")
    UNCHANGED = "unchanged", _("Unchanged")
    NEW = "new", _("New")


def movement(before, after) -> str:
    """How a status moved from `before` (None: it was not there) to `after`."""
    if before is None:
        return Movement.NEW
    if before == after:
        return Movement.UNCHANGED
    rank_before, rank_after = STATUS_RANK.get(before), STATUS_RANK.get(after)
    if rank_before is None or rank_after is None or rank_before == rank_after:
        return Movement.CHANGED
    return Movement.IMPROVED if rank_after > rank_before else Movement.REGRESSED


def counts_as(status) -> str:
    """How a status counts toward progress, in words: "50 %", "0 %, flagged", "left out"."""
    status = Status(status)
    if status == Status.NOT_ASSESSED:
        return str(_("left out, shown apart"))
    if status not in STATUS_WEIGHTS:
        return str(_("left out"))
    if status in FLAGGED:
        return str(_("%(weight)s %%, flagged") % {"weight": STATUS_WEIGHTS[status]})
    return f"{STATUS_WEIGHTS[status]}\u00a0%"


def status_constraint(name, field="status"):
    """A database check that a column holds a status on the scale."""
    return models.CheckConstraint(condition=Q(**{f"{field}__in": [s.value for s in Status]}), name=name)
