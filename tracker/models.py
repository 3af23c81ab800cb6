"""The follow-up of the forum's recommendations: who is responsible, where each stands, what was done.

Nothing here is ever hard-deleted (`on_delete=PROTECT`, and the admin offers no delete): the record
from 2008 onwards must stay whole. Status changes are written only by `tracker.services`, which keeps
a `StatusChange` row for each one in the same transaction; django-simple-history keeps every version
of every row besides.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator, URLValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forum.links import page_url
from forum.models import Recommendation, translation_columns


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


def not_in_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future_date")


actor_code_validator = RegexValidator(
    r"^[A-Z][A-Z0-9-]{1,19}$",
    _("Use 2 to 20 capital letters, digits or hyphens, starting with a letter (e.g. MEX, OAS-GS)."),
)
http_url_validator = URLValidator(
    schemes=["http", "https"], message=_("Enter a link that starts with http:// or https://.")
)


class ActorQuerySet(models.QuerySet):
    def member_states(self):
        return self.filter(kind=Actor.Kind.MEMBER_STATE)

    def bodies(self):
        return self.exclude(kind=Actor.Kind.MEMBER_STATE)

    def get_by_natural_key(self, code):
        return self.get(code=code)


class Actor(models.Model):
    """A member state or a body that can be responsible for a recommendation or act on it.

    Membership changes (a withdrawal, a suspension) are recorded as dates and notes, never by
    deleting the state: its follow-up record must stay whole.
    """

    class Kind(models.TextChoices):
        MEMBER_STATE = "member_state", _("Member state")
        OAS_ORGAN = "oas_organ", _("OAS organ")
        REGIONAL_PROCESS = "regional_process", _("Regional process")
        INTERNATIONAL_ORGANISATION = "international_org", _("International organisation")
        CIVIL_SOCIETY = "civil_society", _("Civil society")

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        validators=[actor_code_validator],
        help_text=_("ISO 3166-1 alpha-3 for member states (MEX); a short code for bodies (CJI)."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    notes = models.TextField(_("notes"), blank=True)
    member_since = models.DateField(_("member since"), null=True, blank=True)
    member_until = models.DateField(
        _("member until"), null=True, blank=True, help_text=_("The date a withdrawal took effect.")
    )

    objects = ActorQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=translation_columns("name", "notes"))

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=["member_state", "oas_organ", "regional_process", "international_org", "civil_society"]
                ),
                name="actor_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(member_until__isnull=True)
                | Q(member_since__isnull=True)
                | Q(member_until__gte=models.F("member_since")),
                name="actor_membership_dates_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return page_url("tracker:actor_detail", self.code)

    def natural_key(self):
        return (self.code,)

    @property
    def is_member_state(self):
        return self.kind == self.Kind.MEMBER_STATE


def _status_constraint(name, field="status"):
    return models.CheckConstraint(condition=Q(**{f"{field}__in": [s.value for s in Status]}), name=name)


class ResponsibilityManager(models.Manager):
    def get_by_natural_key(self, forum_slug, number, actor_code):
        return self.get(recommendation__forum__slug=forum_slug, recommendation__number=number, actor__code=actor_code)


class Responsibility(models.Model):
    """A recommendation assigned to an actor, with the actor's current status on the scale.

    `status`, `last_assessed` and `reasoning` are the latest assessment; change them only through
    `tracker.services.responsibility_set_status`, which keeps the history. `version` rises with every
    change so that a form filled in from an older version can be refused.
    """

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        SUPPORTING = "supporting", _("Supporting")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("recommendation")
    )
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("actor"))
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.LEAD)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_ASSESSED)
    last_assessed = models.DateField(_("last assessed"), null=True, blank=True)
    reasoning = models.TextField(_("reasoning"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ResponsibilityManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation__number", "actor__kind", "actor__name"]
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "actor"], name="responsibility_unique_actor"),
            _status_constraint("responsibility_status_valid"),
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


class OverallAssessment(models.Model):
    """The committee's own assessment of a recommendation as a whole.

    Kept beside, not derived from, the roll-up of its responsibilities: the committee may judge a
    recommendation differently from the sum of its parts. Changed only through
    `tracker.services.recommendation_set_status`.
    """

    recommendation = models.OneToOneField(
        Recommendation, on_delete=models.PROTECT, related_name="overall_assessment", verbose_name=_("recommendation")
    )
    status = models.CharField(_("overall status"), max_length=20, choices=Status.choices, default=Status.NOT_ASSESSED)
    last_assessed = models.DateField(_("last assessed"), null=True, blank=True)
    reasoning = models.TextField(_("reasoning"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OverallAssessmentManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("overall assessment")
        verbose_name_plural = _("overall assessments")
        constraints = [_status_constraint("overall_status_valid")]

    def __str__(self):
        return _("Overall status of recommendation %(number)s") % {"number": self.recommendation.number}

    def natural_key(self):
        return self.recommendation.natural_key()

    natural_key.dependencies = ["forum.recommendation"]


class StatusChange(models.Model):
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
            _status_constraint("status_change_from_valid", "from_status"),
            _status_constraint("status_change_to_valid", "to_status"),
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


class JoinedNumbers(models.Aggregate):
    """Whole numbers joined with commas, in one column: `STRING_AGG` on PostgreSQL, `GROUP_CONCAT` on SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(CAST(%(expressions)s AS text), ',')"
    output_field = models.TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", template="%(function)s(%(expressions)s, ',')")


class ActionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=Action.State.PUBLISHED)

    def with_recommendation_numbers(self):
        """Add the numbers of the recommendations each action addresses, in the same query.

        Pages, feeds and downloads show them by number only: one column per row instead of a
        second query and a model instance per recommendation.
        """
        links = Action.recommendations.through.objects.filter(action=OuterRef("pk")).values("action")
        numbers = links.annotate(numbers=JoinedNumbers("recommendation__number")).values("numbers")
        return self.annotate(joined_recommendation_numbers=Subquery(numbers))


class Action(models.Model):
    """A dated implementation action taken by one actor, addressing one or more recommendations.

    Only published actions are public. A withdrawn action stays in the record with its reason.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="actions", verbose_name=_("actor"))
    recommendations = models.ManyToManyField(
        Recommendation, related_name="actions", verbose_name=_("recommendations addressed")
    )
    taken_on = models.DateField(_("date taken"), validators=[not_in_future])
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=20000,
        validators=[MaxLengthValidator(20000)],
        help_text=_("Markdown: paragraphs, lists, links, emphasis."),
    )
    information_source = models.CharField(
        _("source of the information"),
        max_length=300,
        blank=True,
        help_text=_("Who reported it, or where it was found (a national report, a liaison, a press release)."),
    )
    state = models.CharField(_("publication state"), max_length=10, choices=State.choices, default=State.DRAFT)
    withdrawal_reason = models.TextField(
        _("reason for withdrawal"), blank=True, max_length=5000, validators=[MaxLengthValidator(5000)]
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = ActionQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[recommendations])

    class Meta:
        ordering = ["-taken_on", "-id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["draft", "published", "withdrawn"]), name="action_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state="withdrawn") | ~Q(withdrawal_reason=""), name="action_withdrawal_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-taken_on"], name="action_state_date_idx"),
            # An actor's page lists its published actions, newest first, a page at a time.
            models.Index(fields=["actor", "state", "-taken_on", "-id"], name="action_actor_state_date_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def recommendation_numbers(self) -> list[int]:
        """The numbers of the recommendations it addresses, ascending."""
        if "joined_recommendation_numbers" in self.__dict__:
            joined = self.joined_recommendation_numbers
            return sorted(int(number) for number in joined.split(",")) if joined else []
        return sorted(self.recommendations.values_list("number", flat=True))

    def clean(self):
        if self.state == self.State.WITHDRAWN and not self.withdrawal_reason.strip():
            raise ValidationError({"withdrawal_reason": _("Give the reason for withdrawing this action.")})


class Evidence(models.Model):
    """A link or a document that supports an action."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("action"))
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), blank=True, max_length=500, validators=[http_url_validator])
    document = models.FileField(_("document"), blank=True, upload_to="evidence/%Y/")

    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(condition=~Q(url="") | ~Q(document=""), name="evidence_has_link_or_document"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if not self.url and not self.document:
            raise ValidationError(_("Give a link or attach a document."))


class Liaison(models.Model):
    """Ties a user account to the one actor (a member state or a body) it reports for."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="liaison")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="liaisons", verbose_name=_("actor"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("liaison")
        verbose_name_plural = _("liaisons")

    def __str__(self):
        return f"{self.user} ({self.actor.code})"


class ReportQuerySet(models.QuerySet):
    def for_actor(self, actor):
        return self.filter(actor=actor)

    def awaiting_review(self):
        return self.filter(state=Report.State.SUBMITTED)


class Report(models.Model):
    """An implementation report by a liaison for their own actor, reviewed by staff before publication.

    A report is a draft until submitted; the liaison may edit it while it is a draft or after staff
    asked for changes. Staff approve it (the action is published, and a proposed status, if accepted,
    is recorded through the status service), ask for changes with a comment, or reject it with a
    reason. Nothing is deleted.
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
    proposed_status = models.CharField(_("proposed status"), max_length=20, choices=Status.choices, blank=True)
    proposed_reasoning = models.TextField(
        _("reasoning for the proposed status"), blank=True, max_length=5000, validators=[MaxLengthValidator(5000)]
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

    objects = ReportQuerySet.as_manager()
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


class RecordVersion(models.Model):
    """One row counting the changes to the record, for the page cache and the ETags.

    Raised in the same transaction as each write (see `tracker.caching`), so a reader sees the new
    number exactly when it can see the new data, in every worker and on every machine, whatever the
    cache backend keeps or forgets.
    """

    number = models.BigIntegerField(default=1)

    class Meta:
        verbose_name = _("record version")
        verbose_name_plural = _("record versions")

    def __str__(self):
        return str(self.number)
