"""Reporting rounds: the committee asks every state (and body) in scope to report by a date.

A round is planned until the day it opens, then open; staff close it (`tracker.services.round_close`),
which freezes a snapshot of every in-scope status. In an open round each actor in scope owes one
round report, with an entry per responsibility in scope; staff accept or return each entry.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forum.models import Recommendation

from .actions import Action
from .actors import Actor
from .follow_up import Responsibility
from .labels import ChoiceLabels
from .status import Status, status_constraint


class ReportingRound(models.Model):
    """A call to the states and bodies to report on the recommendations by a date.

    Its scope is the recommendations and the actors asked; left empty, every recommendation of the
    current forum, and every actor responsible for one of them.
    """

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200)
    request = models.TextField(
        _("request to the states"),
        blank=True,
        max_length=20000,
        validators=[MaxLengthValidator(20000)],
        help_text=_("What the committee asks, in Markdown: shown on the round's page and in the reminders."),
    )
    opens_on = models.DateField(_("opens on"))
    due_on = models.DateField(_("reports due on"))
    closes_on = models.DateField(
        _("closes on"), null=True, blank=True, help_text=_("When the committee plans to close it (informative).")
    )
    recommendations = models.ManyToManyField(
        Recommendation,
        blank=True,
        related_name="reporting_rounds",
        verbose_name=_("recommendations asked"),
        help_text=_("Leave empty for every recommendation."),
    )
    actors = models.ManyToManyField(
        Actor,
        blank=True,
        related_name="reporting_rounds",
        verbose_name=_("states and bodies asked"),
        help_text=_("Leave empty for every state and body responsible for a recommendation asked."),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("closed by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords(m2m_fields=[recommendations, actors])

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gte=F("opens_on")), name="round_due_after_opening"),
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True) | Q(closes_on__gte=F("opens_on")), name="round_closes_after_opening"
            ),
        ]

    def __str__(self):
        return self.name

    def state_on(self, day: datetime.date) -> str:
        if self.closed_at is not None:
            return self.State.CLOSED
        return self.State.OPEN if day >= self.opens_on else self.State.PLANNED

    @property
    def state(self) -> str:
        return self.state_on(timezone.localdate())

    def get_state_display(self):
        return self.State(self.state).label

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def describe_current(self) -> str:
        return _("“%(name)s”, due on %(date)s, %(state)s") % {
            "name": self.name,
            "date": self.due_on,
            "state": self.get_state_display(),
        }

    def clean(self):
        errors = {}
        if self.opens_on and self.due_on and self.due_on < self.opens_on:
            errors["due_on"] = _("Reports cannot be due before the round opens.")
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = _("A round cannot close before it opens.")
        if errors:
            raise ValidationError(errors)


class RoundReport(ChoiceLabels, models.Model):
    """What one state or body reports in a round: an entry for each of its responsibilities in scope.

    The liaison drafts it over several visits and submits it once; staff accept or return each entry.
    A returned entry is corrected and the report submitted again; once every entry is accepted the
    report is complete.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted, awaiting review")
        RETURNED = "returned", _("Returned for changes")
        ACCEPTED = "accepted", _("Accepted")

    EDITABLE_STATES = (State.DRAFT, State.RETURNED)

    round = models.ForeignKey(
        ReportingRound, on_delete=models.PROTECT, related_name="reports", verbose_name=_("reporting round")
    )
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="round_reports", verbose_name=_("actor"))
    state = models.CharField(_("review state"), max_length=12, choices=State.choices, default=State.DRAFT)
    first_submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "actor__code"]
        verbose_name = _("round report")
        verbose_name_plural = _("round reports")
        constraints = [
            models.UniqueConstraint(fields=["round", "actor"], name="round_report_one_per_actor"),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "submitted", "returned", "accepted"]), name="round_report_state_valid"
            ),
        ]
        indexes = [models.Index(fields=["state", "submitted_at"], name="round_report_queue_idx")]

    def __str__(self):
        return _("%(round)s – %(actor)s") % {"round": self.round.name, "actor": self.actor.name}

    @property
    def is_editable(self):
        return self.state in self.EDITABLE_STATES

    def describe_current(self) -> str:
        return _("%(state)s, last changed %(date)s") % {
            "state": self.get_state_display(),
            "date": timezone.localtime(self.updated_at).strftime("%Y-%m-%d %H:%M"),
        }


class RoundReportEntry(ChoiceLabels, models.Model):
    """One responsibility's part of a round report: what was done, the status proposed, the evidence,
    and the reviewer's decision on it."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")

    report = models.ForeignKey(RoundReport, on_delete=models.PROTECT, related_name="entries", verbose_name=_("report"))
    responsibility = models.ForeignKey(
        Responsibility, on_delete=models.PROTECT, related_name="round_entries", verbose_name=_("responsibility")
    )
    proposed_status = models.CharField(_("proposed status"), max_length=20, choices=Status.choices, blank=True)
    progress = models.TextField(
        _("what was done"),
        blank=True,
        max_length=10000,
        validators=[MaxLengthValidator(10000)],
        help_text=_("Measures taken since the last round, and what remains. Markdown."),
    )
    links = models.TextField(
        _("evidence links"),
        blank=True,
        max_length=5000,
        validators=[MaxLengthValidator(5000)],
        help_text=_("One link per line, starting with https://."),
    )
    actions = models.ManyToManyField(
        Action, blank=True, related_name="round_entries", verbose_name=_("published actions it refers to")
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    review_comment = models.TextField(
        _("reviewer's comment"), blank=True, max_length=5000, validators=[MaxLengthValidator(5000)]
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[actions])

    class Meta:
        ordering = ["report", "responsibility__recommendation__number"]
        verbose_name = _("round report entry")
        verbose_name_plural = _("round report entries")
        constraints = [
            models.UniqueConstraint(fields=["report", "responsibility"], name="round_entry_one_per_responsibility"),
            models.CheckConstraint(
                condition=Q(proposed_status="") | Q(proposed_status__in=[s.value for s in Status]),
                name="round_entry_proposed_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["pending", "accepted", "returned"]), name="round_entry_decision_valid"
            ),
            models.CheckConstraint(
                condition=~Q(decision="returned") | ~Q(review_comment=""), name="round_entry_return_has_comment"
            ),
        ]

    def __str__(self):
        return _("Recommendation %(number)s") % {"number": self.responsibility.recommendation.number}

    @property
    def link_list(self):
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class RoundStatus(ChoiceLabels, models.Model):
    """A status as it stood when its round closed: a responsibility's, or (with no actor) the committee's
    overall status of a recommendation. Written once, by `round_close`, and never changed."""

    round = models.ForeignKey(
        ReportingRound, on_delete=models.PROTECT, related_name="snapshot", verbose_name=_("reporting round")
    )
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="+", verbose_name=_("recommendation")
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    last_assessed = models.DateField(_("last assessed"), null=True, blank=True)

    class Meta:
        ordering = ["round", "recommendation__number", "actor__code"]
        verbose_name = _("status at the close of a round")
        verbose_name_plural = _("statuses at the close of a round")
        constraints = [
            models.UniqueConstraint(fields=["round", "recommendation", "actor"], name="round_status_once_per_actor"),
            models.UniqueConstraint(
                fields=["round", "recommendation"], condition=Q(actor__isnull=True), name="round_status_once_overall"
            ),
            status_constraint("round_status_valid"),
        ]

    def __str__(self):
        return f"{self.round} · {self.recommendation.number} · {self.actor or '–'}: {self.status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("A closed round's snapshot never changes."), code="frozen")
        super().save(*args, **kwargs)


class Reminder(models.Model):
    """One reminder e-mail sent to one liaison about one round: recorded once, so that it is sent once.

    `kind` names which reminder it is ("opened", "due_in_14", "overdue_2"...); the database's
    uniqueness makes two runs on the same day, or two copies on two machines, send it once.
    """

    round = models.ForeignKey(ReportingRound, on_delete=models.PROTECT, related_name="reminders")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20)
    sent_on = models.DateField(_("sent on"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["round", "actor", "recipient", "kind"], name="reminder_sent_once"),
        ]

    def __str__(self):
        return f"{self.round} · {self.actor.code} · {self.recipient} · {self.kind}"
