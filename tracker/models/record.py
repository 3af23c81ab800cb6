"""The record's version, for the page cache and the ETags."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RecordVersion(models.Model):
    """One row counting the changes to the record, for the page cache and the ETags.

    Raised after each committed write (see `tracker.caching`), so a reader sees the new number once
    it can see the new data, in every worker and on every machine, whatever the cache backend keeps.
    """

    number = models.BigIntegerField(default=1)
    # When the number was last raised: the Last-Modified of every public page and download.
    changed_at = models.DateTimeField(default=timezone.now)
    # How many actions are published, counted when the number is raised: the unfiltered lists of
    # actions (the page and the API) read it rather than count a million rows on every request.
    # Empty until the first raise after it was added.
    published_actions = models.BigIntegerField(null=True, blank=True)
    # Raised only when the record's reference data changes (the forum's record, the states and
    # bodies, the classification, the reporting rounds: `caching.REFERENCE_MODELS`), not with every
    # action or assessment: the lists' filters and the reads of that data are kept under it, so a page
    # drawn again after a change does not read them again.
    reference_number = models.BigIntegerField(default=1)

    class Meta:
        verbose_name = _("record version")
        verbose_name_plural = _("record versions")

    def __str__(self):
        return str(self.number)
