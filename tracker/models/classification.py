"""How the follow-up is clustered: themes, population groups, SDG targets and types of measure.

The secretariat's classification, kept by staff in the admin: each term has a stable slug (or, for an
SDG target, its number) that shareable addresses use (`?theme=remittances`, `/sdg/10.7/`), and a name
in each official language of the OAS (`tracker.translation`). A recommendation is classified by a
`RecommendationClassification` row on this side, since the forum's record knows nothing of the
follow-up; an action names its type of measure directly.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forum.models import Recommendation

from ..links import page_url

# \A and \Z, not ^ and $: a "$" lets a value ending in a line break through.
sdg_number_validator = RegexValidator(
    r"\A(?:[1-9]|1[0-7])\.(?:[1-9][0-9]?|[a-z])\Z",
    _("Write the target's number as the UN does: the goal, a dot, then the target (10.7, 17.18, 10.c)."),
)

# Lower case, so that an address or a spreadsheet cell names a term one way only.
term_slug_validator = RegexValidator(
    r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z",
    _("Use lower-case letters and digits, words joined by hyphens (e.g. labour-migration)."),
)


class TermManager(models.Manager):
    key_field = "slug"

    def get_by_natural_key(self, key):
        return self.get(**{self.key_field: key})


class SdgTargetManager(TermManager):
    key_field = "number"


class Term(models.Model):
    """What every term of a classification has: a slug for addresses, a name, and a place in lists."""

    slug = models.SlugField(
        _("slug"),
        max_length=60,
        unique=True,
        validators=[term_slug_validator],
        help_text=_("Its part of shareable addresses (lower case, hyphens): keep it once published."),
    )
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Its place in lists."))

    objects = TermManager()
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["position", "slug"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Theme(Term):
    """A theme of migration policy that recommendations address (labour migration, remittances, ...)."""

    class Meta(Term.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def get_absolute_url(self):
        return page_url("tracker:theme_detail", self.slug)


class PopulationGroup(Term):
    """A group of people a recommendation names (migrant workers, children and adolescents, ...)."""

    class Meta(Term.Meta):
        verbose_name = _("population group")
        verbose_name_plural = _("population groups")


class MeasureType(Term):
    """The kind of measure an implementation action is (legislation, a public policy, a budget, ...)."""

    class Meta(Term.Meta):
        verbose_name = _("type of measure")
        verbose_name_plural = _("types of measure")


class SdgTarget(models.Model):
    """A target of the 2030 Agenda's Sustainable Development Goals, by its number and official title.

    The English title is the UN's own, verbatim; a title in another language is shown where staff
    have entered the UN's official text in it, else the English.
    """

    number = models.CharField(
        _("number"),
        max_length=5,
        unique=True,
        validators=[sdg_number_validator],
        help_text=_("The goal and the target, as the UN numbers them: 10.7, 17.18, 10.c."),
    )
    title = models.TextField(_("official title"), help_text=_("The UN's words, verbatim."))
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Its place in lists."))

    objects = SdgTargetManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "number"]
        verbose_name = _("SDG target")
        verbose_name_plural = _("SDG targets")

    def __str__(self):
        return _("SDG target %(number)s") % {"number": self.number}

    def get_absolute_url(self):
        return page_url("tracker:sdg_detail", self.number)

    def natural_key(self):
        return (self.number,)


class RecommendationClassificationManager(models.Manager):
    def get_by_natural_key(self, forum_slug, number):
        return self.get(recommendation__forum__slug=forum_slug, recommendation__number=number)


class RecommendationClassification(models.Model):
    """The secretariat's classification of one recommendation: its themes, the population groups it
    names and the SDG targets it serves. Staff change it; its history keeps each version.

    Written by `tracker.services.recommendation_classify`.
    """

    recommendation = models.OneToOneField(
        Recommendation, on_delete=models.PROTECT, related_name="classification", verbose_name=_("recommendation")
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="classifications", verbose_name=_("themes"))
    population_groups = models.ManyToManyField(
        PopulationGroup, blank=True, related_name="classifications", verbose_name=_("population groups")
    )
    sdg_targets = models.ManyToManyField(
        SdgTarget, blank=True, related_name="classifications", verbose_name=_("SDG targets")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RecommendationClassificationManager()
    history = HistoricalRecords(m2m_fields=[themes, population_groups, sdg_targets])

    class Meta:
        verbose_name = _("classification of a recommendation")
        verbose_name_plural = _("classifications of recommendations")

    def __str__(self):
        return _("Classification of recommendation %(number)s") % {"number": self.recommendation.number}

    def natural_key(self):
        return self.recommendation.natural_key()

    natural_key.dependencies = ["forum.recommendation", "tracker.theme", "tracker.populationgroup", "tracker.sdgtarget"]
