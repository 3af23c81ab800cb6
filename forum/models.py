"""The forum's own record: what was said on the day, kept verbatim from the source.

Nothing here is follow-up. These rows are loaded from `fixtures/forum.json` and are read-mostly: the
texts are the forum's words, so the admin shows them read-only once saved. The same models can hold a
later forum's record beside this one.
"""

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def translation_columns(*fields):
    """The per-language columns django-modeltranslation adds for these fields (`forum.history` keeps
    them in the change history)."""
    return [f"{field}_{code}" for field in fields for code, _name in settings.LANGUAGES]


class ForumManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class ForumPartManager(models.Manager):
    """Rows identified within their forum, so fixtures load by natural key and never duplicate."""

    key_field = "position"

    def get_by_natural_key(self, forum_slug, key):
        return self.get(forum__slug=forum_slug, **{self.key_field: key})


class SectionManager(ForumPartManager):
    key_field = "letter"


class RecommendationManager(ForumPartManager):
    key_field = "number"


class Forum(models.Model):
    """A meeting whose comments and recommendations are followed up."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    convening_body = models.CharField(_("convening body"), max_length=200)
    introduction = models.TextField(
        _("introduction"), blank=True, help_text=_("The source's opening paragraphs, verbatim.")
    )
    translation_credit = models.CharField(
        _("translation provided by"),
        max_length=200,
        blank=True,
        help_text=_("Who provided the translation of the forum's texts into the language (shown beside it)."),
    )
    source_reference = models.CharField(
        _("source reference"),
        max_length=300,
        blank=True,
        help_text=_("Where the record comes from, for citations."),
    )

    objects = ForumManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")

    def __str__(self):
        return f"{self.name} ({self.date:%Y-%m-%d})"

    def natural_key(self):
        return (self.slug,)


class Panel(models.Model):
    """One of the forum's panels, by its topic as printed."""

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="panels")
    position = models.PositiveSmallIntegerField(_("position"))
    topic = models.CharField(_("topic"), max_length=300)

    objects = ForumPartManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["forum", "position"]
        verbose_name = _("panel")
        verbose_name_plural = _("panels")
        constraints = [
            models.UniqueConstraint(fields=["forum", "position"], name="panel_unique_position"),
        ]

    def __str__(self):
        return self.topic

    def natural_key(self):
        return (self.forum.slug, self.position)

    natural_key.dependencies = ["forum.forum"]


class CommentSection(models.Model):
    """A headed section of the forum's comments ("A. General comments")."""

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="comment_sections")
    letter = models.CharField(_("letter"), max_length=2)
    heading = models.CharField(_("heading"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"))

    objects = SectionManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["forum", "position"]
        verbose_name = _("comment section")
        verbose_name_plural = _("comment sections")
        constraints = [
            models.UniqueConstraint(fields=["forum", "letter"], name="section_unique_letter"),
            models.UniqueConstraint(fields=["forum", "position"], name="section_unique_position"),
        ]

    def __str__(self):
        return f"{self.letter}. {self.heading}"

    def natural_key(self):
        return (self.forum.slug, self.letter)

    natural_key.dependencies = ["forum.forum"]


def split_bullets(text):
    """A paragraph stored with its list items one a line, each after the bullet as printed: the lead
    paragraph, and the items without their bullet (the same for the original and a translation)."""
    lead, *lines = text.split("\n")
    items = [line.strip().removeprefix(Comment.BULLET).strip() for line in lines if line.strip()]
    return lead.strip(), items


def text_structure(text):
    """How a text is built: for each paragraph (paragraphs are separated by a blank line), how many list
    items it carries. A translation must be built like its original: `(0, 0)` for two plain
    paragraphs, `(4,)` for a paragraph leading a list of four."""
    return tuple(len(split_bullets(paragraph)[1]) for paragraph in re.split(r"\n\s*\n", text.strip()))


class Comment(models.Model):
    """A comment paragraph, numbered as printed.

    The source prints the number 4 twice (the last paragraph of section A and the first of B), so the
    printed `number` is not unique; `position` orders the paragraphs and identifies each one. A
    paragraph that carries a list keeps each item on its own line, starting with the bullet as printed.
    """

    BULLET = "·"

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="comments")
    section = models.ForeignKey(CommentSection, on_delete=models.PROTECT, related_name="comments")
    number = models.PositiveSmallIntegerField(_("number as printed"))
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("text"))
    translation_credit = models.CharField(
        _("translation provided by"),
        max_length=200,
        blank=True,
        help_text=_("Who provided the translation of this text into the language (shown beside it)."),
    )

    objects = ForumPartManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["forum", "position"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.UniqueConstraint(fields=["forum", "position"], name="comment_unique_position"),
        ]

    def __str__(self):
        return f"{self.number}. {self.text[:60]}"

    def natural_key(self):
        return (self.forum.slug, self.position)

    natural_key.dependencies = ["forum.forum", "forum.commentsection"]


class Recommendation(models.Model):
    """A recommendation of the forum, its words exactly as printed.

    `short_title` is editorial: the committee's label for lists, never the forum's words.
    """

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="recommendations")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text (verbatim)"))
    short_title = models.CharField(
        _("short title (editorial)"),
        max_length=120,
        blank=True,
        help_text=_("A label for lists, written by the committee's staff. It is not part of the forum's text."),
    )
    translation_credit = models.CharField(
        _("translation provided by"),
        max_length=200,
        blank=True,
        help_text=_("Who provided the translation of this text into the language (shown beside it)."),
    )
    related_comments = models.ManyToManyField(
        Comment,
        blank=True,
        related_name="recommendations",
        verbose_name=_("related comments"),
        help_text=_("Forum comments that bear on this recommendation (an editorial link)."),
    )

    objects = RecommendationManager()
    # Editorial fields change; the history keeps who changed them.
    history = HistoricalRecords(m2m_fields=[related_comments])

    class Meta:
        ordering = ["forum", "number"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(fields=["forum", "number"], name="recommendation_unique_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="recommendation_number_positive"),
        ]

    def __str__(self):
        if self.short_title:
            return f"{self.number}. {self.short_title}"
        return f"{self.number}. {self.text[:60]}"

    def natural_key(self):
        return (self.forum.slug, self.number)

    natural_key.dependencies = ["forum.forum", "forum.comment"]
