"""Who the follow-up is about: member states and bodies, and the liaisons who report for them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..links import page_url
from ..validators import actor_code_validator
from .labels import ChoiceLabels

# The group of the committee's technical secretariat (created by migration 0002).
STAFF_GROUP = "Committee staff"


class ActorManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Actor(ChoiceLabels, models.Model):
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

    objects = ActorManager()
    history = HistoricalRecords()

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


class AccountPreferences(ChoiceLabels, models.Model):
    """What one account prefers: the language of the e-mails it is sent (empty: the site's)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="preferences")
    language = models.CharField(_("language of e-mails"), max_length=8, choices=settings.LANGUAGES, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("account preferences")
        verbose_name_plural = _("account preferences")

    def __str__(self):
        return str(self.user)


def language_of(user) -> str:
    """The language an account is written to in: its preference, else the site's."""
    preferences = getattr(user, "preferences", None) if user is not None else None
    return (preferences.language if preferences is not None else "") or settings.LANGUAGE_CODE
