"""What every ModelAdmin of the follow-up shares."""

from django.contrib import messages
from django.core.exceptions import ValidationError


class WideFieldsMedia:
    """The admin's stylesheet of this project: fields wide enough for what they hold."""

    class Media:
        css = {"all": ["css/admin.css"]}


class NoDeleteMixin(WideFieldsMedia):
    """The follow-up record is never hard-deleted."""

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


def message_errors(modeladmin, request, error: ValidationError):
    for message in error.messages:
        modeladmin.message_user(request, message, messages.ERROR)
