"""The committee staff's workplace. Every save here calls a service in `tracker.services`.

One module per group of related ModelAdmins, with their forms in `forms`, and the spreadsheet
imports in `imports` (the mechanics) and `resources` (what each import reads).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import actions, actors, classification, recommendations, reports, responsibilities, rounds

__all__ = ["actions", "actors", "classification", "recommendations", "reports", "responsibilities", "rounds"]

admin.site.site_header = _("Follow-up of the Special Forum on Migration Issues")
admin.site.site_title = _("Follow-up administration")
admin.site.index_title = _("Committee staff")
