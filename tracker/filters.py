"""FilterSets shared by the public lists (and later the API and exports).

Every filter lives in the query string, so a filtered view is a link someone can share. A value that
cannot be understood makes the FilterSet invalid; the views then show the errors and no rows.
"""

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from forum.models import Recommendation

from .models import Action, Actor, Status


def _search(queryset, fields, value):
    condition = Q()
    for term in value.split()[:10]:
        term_condition = Q()
        for field in fields:
            term_condition |= Q(**{f"{field}__icontains": term})
        condition &= term_condition
    return queryset.filter(condition)


class DateInput(forms.DateInput):
    input_type = "date"


class RecommendationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    status = django_filters.ChoiceFilter(
        label=_("Overall status"), field_name="overall_assessment__status", choices=Status.choices
    )
    actor = django_filters.CharFilter(label=_("Responsible actor (code)"), method="filter_actor", max_length=20)
    actor_kind = django_filters.ChoiceFilter(
        label=_("Kind of actor responsible"), choices=Actor.Kind.choices, method="filter_actor_kind"
    )

    class Meta:
        model = Recommendation
        fields = ["q", "status", "actor", "actor_kind"]

    def search(self, queryset, name, value):
        return _search(queryset, ["text", "short_title"], value)

    def filter_actor(self, queryset, name, value):
        return queryset.filter(pk__in=Recommendation.objects.filter(responsibilities__actor__code=value.upper()))

    def filter_actor_kind(self, queryset, name, value):
        return queryset.filter(pk__in=Recommendation.objects.filter(responsibilities__actor__kind=value))


class ActorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Actor.Kind.choices)
    recommendation = django_filters.NumberFilter(
        label=_("Responsible for recommendation"), method="filter_recommendation", min_value=1, max_value=1000
    )
    status = django_filters.ChoiceFilter(
        label=_("Has a responsibility at status"), choices=Status.choices, method="filter_status"
    )

    class Meta:
        model = Actor
        fields = ["q", "kind", "recommendation", "status"]

    def search(self, queryset, name, value):
        return _search(queryset, ["name", "code"], value)

    def filter_recommendation(self, queryset, name, value):
        return queryset.filter(pk__in=Actor.objects.filter(responsibilities__recommendation__number=value))

    def filter_status(self, queryset, name, value):
        return queryset.filter(pk__in=Actor.objects.filter(responsibilities__status=value))


class ActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    actor = django_filters.CharFilter(label=_("Actor (code)"), method="filter_actor", max_length=20)
    actor_kind = django_filters.ChoiceFilter(
        label=_("Kind of actor"), field_name="actor__kind", choices=Actor.Kind.choices
    )
    recommendation = django_filters.NumberFilter(
        label=_("Recommendation"), method="filter_recommendation", min_value=1, max_value=1000
    )
    status = django_filters.ChoiceFilter(
        label=_("Status of the actor on that recommendation"),
        choices=Status.choices,
        method="filter_status",
    )
    date_after = django_filters.DateFilter(
        label=_("Taken on or after"), field_name="taken_on", lookup_expr="gte", widget=DateInput
    )
    date_before = django_filters.DateFilter(
        label=_("Taken on or before"), field_name="taken_on", lookup_expr="lte", widget=DateInput
    )

    class Meta:
        model = Action
        fields = ["q", "actor", "actor_kind", "recommendation", "status", "date_after", "date_before"]

    def search(self, queryset, name, value):
        return _search(queryset, ["title", "description", "actor__name"], value)

    def filter_actor(self, queryset, name, value):
        return queryset.filter(actor__code=value.upper())

    def filter_recommendation(self, queryset, name, value):
        return queryset.filter(pk__in=Action.objects.filter(recommendations__number=value))

    def filter_status(self, queryset, name, value):
        # Actions by actors whose responsibility for an addressed recommendation is at this status.
        return queryset.filter(
            pk__in=Action.objects.filter(
                recommendations__responsibilities__actor=F("actor"),
                recommendations__responsibilities__status=value,
            )
        )
