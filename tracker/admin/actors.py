"""Member states and bodies, and the liaisons who report for them."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from forum.admin import translation_fieldsets

from .. import services
from ..models import Actor, Liaison
from .common import NoDeleteMixin


@admin.register(Actor)
class ActorAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "member_until", "responsibility_count"]
    list_display_links = ["code", "name"]
    list_filter = ["kind"]
    search_fields = ["code", "name_en", "name_es", "name_fr", "name_pt", "notes_en"]
    fieldsets = [
        (None, {"fields": ["code", "name_en", "kind", "notes_en", "member_since", "member_until"]}),
        *translation_fieldsets("name", "notes"),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(responsibility_count=Count("responsibilities"))

    @admin.display(description=_("responsibilities"), ordering="responsibility_count")
    def responsibility_count(self, obj):
        return obj.responsibility_count

    def save_model(self, request, obj, form, change):
        services.actor_save(actor=obj, by=request.user)


@admin.register(Liaison)
class LiaisonAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["user", "actor"]
    list_select_related = ["user", "actor"]
    list_filter = ["actor__kind", "actor"]
    search_fields = ["user__username", "user__email", "actor__name", "actor__code"]
    autocomplete_fields = ["actor"]
    raw_id_fields = ["user"]
