"""What was done: implementation actions by one actor, and the evidence that supports them.

Only published actions are public. A withdrawn action stays in the record with its reason.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forum.models import Recommendation

from ..documents import check_upload, stored_name
from ..lookups import Written
from ..validators import http_url_validator, not_in_future
from .actors import Actor
from .classification import MeasureType
from .labels import ChoiceLabels


class JoinedNumbers(models.Aggregate):
    """Whole numbers joined with commas, in one column: `STRING_AGG` on PostgreSQL, `GROUP_CONCAT` on SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(CAST(%(expressions)s AS text), ',')"
    output_field = models.TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", template="%(function)s(%(expressions)s, ',')")


class ActionQuerySet(models.QuerySet):
    def published(self):
        # Written into the statement (see Written): PostgreSQL plans the reads of published actions for
        # the state they ask, and can use the indexes written for it.
        return self.filter(state=Written(Action.State.PUBLISHED))

    def with_recommendation_numbers(self):
        """Add the numbers of the recommendations each action addresses, in the same query.

        Pages, feeds and downloads show them by number only: one column per row instead of a
        second query and a model instance per recommendation.
        """
        links = Action.recommendations.through.objects.filter(action=OuterRef("pk")).values("action")
        numbers = links.annotate(numbers=JoinedNumbers("recommendation__number")).values("numbers")
        return self.annotate(joined_recommendation_numbers=Subquery(numbers))


class Action(ChoiceLabels, models.Model):
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
    measure_type = models.ForeignKey(
        MeasureType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("type of measure"),
        help_text=_("What kind of measure it is: legislation, a public policy, a programme, a budget..."),
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
            # The lists of published actions, newest first, in their full order: a recommendation's
            # timeline reads it without sorting, its rows' keys from the index alone.
            models.Index(fields=["state", "-taken_on", "-id"], name="action_state_date_id_idx"),
            # An actor's page lists its published actions, newest first, a page at a time.
            models.Index(fields=["actor", "state", "-taken_on", "-id"], name="action_actor_state_date_idx"),
            # The feeds list the published actions by when they became public, newest first
            # (`selectors.open_data.feed_entries`): without it, every request sorts them all.
            models.Index(
                Coalesce("published_at", "entered_at").desc(),
                models.F("id").desc(),
                condition=Q(state="published"),
                name="action_made_public_idx",
            ),
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

    def describe_current(self) -> str:
        """What the action says now, for someone whose edit was refused as out of date."""
        return _("“%(title)s”, %(state)s") % {"title": self.title, "state": self.get_state_display()}

    def clean(self):
        if self.state == self.State.WITHDRAWN and not self.withdrawal_reason.strip():
            raise ValidationError({"withdrawal_reason": _("Give the reason for withdrawing this action.")})


class Evidence(models.Model):
    """A link or a document that supports an action.

    A document is checked by its content when it is uploaded (`tracker.documents`), stored under a
    random name, and served only through the page that checks who may read it, never from the storage.
    """

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("action"))
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), blank=True, max_length=500, validators=[http_url_validator])
    document = models.FileField(
        _("document"),
        blank=True,
        max_length=200,
        upload_to=stored_name,
        help_text=_("PDF, an image, an office document or plain text."),
    )
    content_type = models.CharField(_("kind of document"), max_length=100, blank=True, editable=False)
    original_name = models.CharField(_("name as uploaded"), max_length=255, blank=True, editable=False)

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
        if self.document and not self.document._committed:
            # A new upload: its kind is read from its content, and its name kept only for display.
            try:
                self.content_type = check_upload(self.document.file)
            except ValidationError as error:
                raise ValidationError({"document": error.messages}) from error
            self.original_name = self.document.name[:255]
