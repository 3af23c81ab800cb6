"""Where each recommendation stands: who answers for it, their status, and every assessment made.

Status changes are written only by `tracker.services.assessments`, which keeps a `StatusChange` row
for each one in the same transaction; django-simple-history keeps every version of every row besides.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forum.models import Recommendation

from .actors import Actor
from .labels import ChoiceLabels
from .status import Status, status_constraint


class Assessed(ChoiceLabels, models.Model):
    """What an assessed record holds: its current status, when and why it was set, and a version.

    `version` rises with every change so that a form filled in from an older version can be refused.
    """

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_ASSESSED)
    last_assessed = models.DateField(_("last assessed"), null=True, blank=True)
    reasoning = models.TextField(_("reasoning"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def describe_current(self) -> str:
        """What the record says now, for someone whose edit was refused as out of date."""
        return _("status “%(status)s”, assessed on %(date)s") % {
            "status": self.get_status_display(),
            "date": self.last_assessed or "–",
        }


class ResponsibilityManager(models.Manager):
    def get_by_natural_key(self, forum_slug, number, actor_code):
        return self.get(recommendation__forum__slug=forum_slug, recommendation__number=number, actor__code=actor_code)


class Responsibility(Assessed):
    """A recommendation assigned to an actor, with the actor's current status on the scale.

    `status`, `last_assessed` and `reasoning` are the latest assessment; change them only through
    `tracker.services.responsibility_set_status`, which keeps the history.
    """

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        SUPPORTING = "supporting", _("Supporting")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("recommendation")
    )
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("actor"))
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.LEAD)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = ResponsibilityManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation__number", "actor__kind", "actor__name"]
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "actor"], name="responsibility_unique_actor"),
            status_constraint("responsibility_status_valid"),
            models.CheckConstraint(condition=Q(role__in=["lead", "supporting"]), name="responsibility_role_valid"),
        ]
        indexes = [models.Index(fields=["status"], name="responsibility_status_idx")]

    def __str__(self):
        return _("Recommendation %(number)s – %(actor)s") % {
            "number": self.recommendation.number,
            "actor": self.actor.name,
        }

    def natural_key(self):
        return (*self.recommendation.natural_key(), self.actor.code)

    natural_key.dependencies = ["forum.recommendation", "tracker.actor"]


class OverallAssessmentManager(models.Manager):
    def get_by_natural_key(self, forum_slug, number):
        return self.get(recommendation__forum__slug=forum_slug, recommendation__number=number)


class OverallAssessment(Assessed):
    """The committee's own assessment of a recommendation as a whole.

    Kept beside, not derived from, the roll-up of its responsibilities: the committee may judge a
    recommendation differently from the sum of its parts. Changed only through
    `tracker.services.recommendation_set_status`.
    """

    recommendation = models.OneToOneField(
        Recommendation, on_delete=models.PROTECT, related_name="overall_assessment", verbose_name=_("recommendation")
    )
    status = models.CharField(_("overall status"), max_length=20, choices=Status.choices, default=Status.NOT_ASSESSED)

    objects = OverallAssessmentManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("overall assessment")
        verbose_name_plural = _("overall assessments")
        constraints = [status_constraint("overall_status_valid")]

    def __str__(self):
        return _("Overall status of recommendation %(number)s") % {"number": self.recommendation.number}

    def natural_key(self):
        return self.recommendation.natural_key()

    natural_key.dependencies = ["forum.recommendation"]


class StatusChange(ChoiceLabels, models.Model):
    """One assessment: a status set on a responsibility, or on a recommendation as a whole.

    Written by the status services in the same transaction as the change, never edited afterwards.
    `responsibility` is empty for a change of the committee's overall status; `recommendation` is
    always set, so a recommendation's timeline is one indexed query.
    """

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="status_changes", verbose_name=_("recommendation")
    )
    responsibility = models.ForeignKey(
        Responsibility,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_changes",
        verbose_name=_("responsibility"),
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.PROTECT, null=True, blank=True, related_name="status_changes", verbose_name=_("actor")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    assessed_on = models.DateField(_("assessed on"))
    reason = models.TextField(_("reason"))
    changed_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        constraints = [
            status_constraint("status_change_from_valid", "from_status"),
            status_constraint("status_change_to_valid", "to_status"),
            models.CheckConstraint(condition=~Q(reason=""), name="status_change_reason_required"),
            # A responsibility's change names its actor; the committee's overall change names none.
            models.CheckConstraint(
                condition=Q(responsibility__isnull=True, actor__isnull=True)
                | Q(responsibility__isnull=False, actor__isnull=False),
                name="status_change_actor_matches_responsibility",
            ),
        ]
        indexes = [models.Index(fields=["recommendation", "-changed_at"], name="status_change_rec_idx")]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"

    @property
    def is_overall(self):
        return self.responsibility_id is None


class StatusMonth(models.Model):
    """How the responsibilities' statuses moved in one month, in one scope: for each status, how many
    more stood at it at the end of the month than at its start.

    Worked out from the status history and kept as each change is recorded (`tracker.services.
    status_months`), so that the chart of progress through time reads one row a month, however long
    the history. Three scopes: the whole record (no recommendation, no actor), one recommendation, one
    state or body. The overall assessments of the committee are not counted.
    """

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("recommendation")
    )
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("actor"))
    # Year × 12 + month - 1: one whole number, in the order of time.
    month = models.PositiveIntegerField(_("month"))
    not_assessed = models.IntegerField(Status.NOT_ASSESSED.label, default=0)
    pending = models.IntegerField(Status.PENDING.label, default=0)
    partial = models.IntegerField(Status.PARTIAL.label, default=0)
    substantial = models.IntegerField(Status.SUBSTANTIAL.label, default=0)
    full = models.IntegerField(Status.FULL.label, default=0)
    non_compliance = models.IntegerField(Status.NON_COMPLIANCE.label, default=0)
    not_applicable = models.IntegerField(Status.NOT_APPLICABLE.label, default=0)

    class Meta:
        verbose_name = _("status movement of a month")
        verbose_name_plural = _("status movements by month")
        constraints = [
            models.CheckConstraint(
                condition=Q(recommendation__isnull=True) | Q(actor__isnull=True), name="status_month_one_scope"
            ),
            models.UniqueConstraint(
                fields=["month"],
                condition=Q(recommendation__isnull=True, actor__isnull=True),
                name="status_month_whole_record",
            ),
            models.UniqueConstraint(
                fields=["recommendation", "month"],
                condition=Q(recommendation__isnull=False),
                name="status_month_recommendation",
            ),
            models.UniqueConstraint(
                fields=["actor", "month"], condition=Q(actor__isnull=False), name="status_month_actor"
            ),
        ]

    def __str__(self):
        return f"{self.month // 12}-{self.month % 12 + 1:02d}"
