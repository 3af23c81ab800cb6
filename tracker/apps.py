from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Follow-up")

    def ready(self):
        # Imported here, not at the top: the cache's signals need the models, which exist only once
        # the app registry is ready.
        from django.db.backends.signals import connection_created

        from config.postgresql import read_timestamps_natively
        from forum.history import record_translations

        from . import checks, lookups  # noqa: F401 - registers the deploy checks and `__any_of`
        from .caching import connect_signals
        from .models import Actor, MeasureType, PopulationGroup, ReportingRound, SdgTarget, Theme
        from .search.matching import register_fold

        connect_signals()
        connection_created.connect(register_fold, dispatch_uid="search-fold")
        connection_created.connect(read_timestamps_natively, dispatch_uid="timestamptz-loader")
        for model in (Actor, ReportingRound, Theme, PopulationGroup, MeasureType, SdgTarget):
            record_translations(model)
