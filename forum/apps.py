from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = _("Forum record")

    def ready(self):
        # Here, not at the top: the models and their translations exist only once the registry is ready.
        from .history import record_translations
        from .models import Comment, CommentSection, Forum, Panel, Recommendation

        for model in (Forum, Panel, CommentSection, Comment, Recommendation):
            record_translations(model)
