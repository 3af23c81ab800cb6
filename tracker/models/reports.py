"""Liaisons' implementation reports, reviewed by staff before anything is published."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forum.models import Recommendation

from ..validators import not_in_future
from .actions import Action
from .actors import Actor
from .labels import ChoiceLabels
from .status import Status


class Report(ChoiceLabels, models.Model):
    """An implementation report by a liaison for their own actor, reviewed by staff before publication.

    A report is a draft until submitted; the liaison may edit it while it is a draft or after staff
    asked for changes. It may propose a status for each recommendation it addresses (`proposals`),
    which staff accept, return or decline one by one. Staff approve the report (the action is
    published, and each accepted status recorded through the status service), ask for changes with a
    comment, or reject it with a reason. Nothing is deleted.

    `proposed_status` and `proposed_reasoning` hold the one proposal, for every recommendation
    addressed, that reports made before proposals were per recommendation: migration 0016 copied them
    into `proposals`, and they are kept, with their history, but no longer written.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted, awaiting review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved and published")
        REJECTED = "rejected", _("Rejected")

    EDITABLE_STATES = (State.DRAFT, State.CHANGES_REQUESTED)

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="reports", verbose_name=_("actor"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    taken_on = models.DateField(_("date the action was taken"), validators=[not_in_future])
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=20000,
        validators=[MaxLengthValidator(20000)],
        help_text=_("Markdown: paragraphs, lists, links, emphasis."),
    )
    recommendations = models.ManyToManyField(
        Recommendation, related_name="reports", verbose_name=_("recommendations addressed")
    )
    evidence_links = models.TextField(
        _("evidence links"),
        blank=True,
        max_length=5000,
        validators=[MaxLengthValidator(5000)],
        help_text=_("One link per line, starting with https://."),
    )
    proposed_status = models.CharField(
        _("proposed status (before proposals per recommendation)"),
        max_length=20,
        choices=Status.choices,
        blank=True,
        editable=False,
    )
    proposed_reasoning = models.TextField(
        _("reasoning for the proposed status (before proposals per recommendation)"),
        blank=True,
        max_length=5000,
        validators=[MaxLengthValidator(5000)],
        editable=False,
    )
    state = models.CharField(_("review state"), max_length=20, choices=State.choices, default=State.DRAFT)
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
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    action = models.OneToOneField(
        Action,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report",
        verbose_name=_("published action"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords(m2m_fields=[recommendations])

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["draft", "submitted", "changes_requested", "approved", "rejected"]),
                name="report_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(proposed_status="") | Q(proposed_status__in=[s.value for s in Status]),
                name="report_proposed_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["changes_requested", "rejected"]) | ~Q(review_comment=""),
                name="report_review_has_comment",
            ),
        ]
        indexes = [models.Index(fields=["state", "submitted_at"], name="report_queue_idx")]

    def __str__(self):
        return self.title

    @property
    def is_editable(self):
        return self.state in self.EDITABLE_STATES

    @property
    def links(self):
        return [line.strip() for line in self.evidence_links.splitlines() if line.strip()]

    def describe_current(self) -> str:
        """What the report says now, for someone whose edit was refused as out of date."""
        return _("“%(title)s”, dated %(date)s, %(state)s") % {
            "title": self.title,
            "date": self.taken_on,
            "state": self.get_state_display(),
        }


class ReportProposal(ChoiceLabels, models.Model):
    """The status a report proposes for its actor on one recommendation, and the staff's decision on it.

    Pending until reviewed. Accepted proposals are recorded in the status history when the report is
    approved; a returned one goes back to the liaison with a comment, to be changed and submitted
    again; a declined one is final, with its reason. An empty status is no proposal (the liaison
    cleared it): the row stays, with its history.
    """

    class Decision(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned for changes")
        DECLINED = "declined", _("Not accepted")

    DECIDED = (Decision.ACCEPTED, Decision.DECLINED)

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("report"))
    responsibility = models.ForeignKey(
        "tracker.Responsibility",
        on_delete=models.PROTECT,
        related_name="report_proposals",
        verbose_name=_("responsibility"),
    )
    status = models.CharField(_("proposed status"), max_length=20, choices=Status.choices, blank=True)
    reasoning = models.TextField(_("reasoning"), blank=True, max_length=5000, validators=[MaxLengthValidator(5000)])
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    review_comment = models.TextField(
        _("reviewer's comment"), blank=True, max_length=5000, validators=[MaxLengthValidator(5000)]
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "responsibility__recommendation__number"]
        verbose_name = _("proposed status")
        verbose_name_plural = _("proposed statuses")
        constraints = [
            models.UniqueConstraint(fields=["report", "responsibility"], name="report_proposal_one_per_responsibility"),
            models.CheckConstraint(
                condition=Q(status="") | Q(status__in=[s.value for s in Status]), name="report_proposal_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["pending", "accepted", "returned", "declined"]),
                name="report_proposal_decision_valid",
            ),
            models.CheckConstraint(
                condition=~Q(decision__in=["returned", "declined"]) | ~Q(review_comment=""),
                name="report_proposal_refusal_has_comment",
            ),
        ]

    def __str__(self):
        return f"{self.report} – {self.responsibility.recommendation.number}: {self.get_status_display()}"

    @property
    def is_open(self):
        """Whether the liaison may still change it: not yet accepted nor declined."""
        return self.decision not in self.DECIDED
