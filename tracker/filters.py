"""FilterSets shared by the public lists (and later the API and exports).

Every filter lives in the query string, so a filtered view is a link someone can share. A value that
cannot be understood makes the FilterSet invalid; the views then show the errors and no rows.
"""

import django_filters
from django import forms
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from forum.models import Recommendation

from .models import Action, Actor, Responsibility, Status, StatusChange
from .selectors import ordered_actors

# Fields entered in each language (see the translation.py modules): a search looks in every
# language's column, not only the current one, so a visitor finds the English original too.
TRANSLATED_FIELDS = {"text", "short_title", "name", "notes"}


def _columns(field):
    name = field.rsplit("__", 1)[-1]
    if name not in TRANSLATED_FIELDS:
        return [field]
    return [f"{field}_{code}" for code, _label in settings.LANGUAGES]


def _search(queryset, fields, value):
    condition = Q()
    for term in value.split()[:10]:
        term_condition = Q()
        for field in fields:
            for column in _columns(field):
                term_condition |= Q(**{f"{column}__icontains": term})
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


class ResponsibilityFilter(django_filters.FilterSet):
    """The status matrix, one responsibility a row: for its download, its import and the API."""

    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    recommendation = django_filters.NumberFilter(
        label=_("Recommendation"), field_name="recommendation__number", min_value=1, max_value=1000
    )
    actor = django_filters.CharFilter(label=_("Actor (code)"), method="filter_actor", max_length=20)
    actor_kind = django_filters.ChoiceFilter(
        label=_("Kind of actor"), field_name="actor__kind", choices=Actor.Kind.choices
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Responsibility.Role.choices)
    date_after = django_filters.DateFilter(
        label=_("Last assessed on or after"), field_name="last_assessed", lookup_expr="gte", widget=DateInput
    )
    date_before = django_filters.DateFilter(
        label=_("Last assessed on or before"), field_name="last_assessed", lookup_expr="lte", widget=DateInput
    )

    class Meta:
        model = Responsibility
        fields = ["q", "recommendation", "actor", "actor_kind", "status", "role", "date_after", "date_before"]

    def search(self, queryset, name, value):
        return _search(queryset, ["actor__name", "actor__code", "recommendation__short_title", "reasoning"], value)

    def filter_actor(self, queryset, name, value):
        return queryset.filter(actor__code=value.upper())


class StatusChangeFilter(django_filters.FilterSet):
    """The public log of assessments."""

    class Scope(models.TextChoices):
        ACTOR = "actor", _("A state's or body's status")
        OVERALL = "overall", _("The committee's overall status")

    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    recommendation = django_filters.NumberFilter(
        label=_("Recommendation"), field_name="recommendation__number", min_value=1, max_value=1000
    )
    actor = django_filters.CharFilter(label=_("Actor (code)"), method="filter_actor", max_length=20)
    actor_kind = django_filters.ChoiceFilter(
        label=_("Kind of actor"), field_name="actor__kind", choices=Actor.Kind.choices
    )
    status = django_filters.ChoiceFilter(label=_("New status"), field_name="to_status", choices=Status.choices)
    from_status = django_filters.ChoiceFilter(label=_("Previous status"), choices=Status.choices)
    scope = django_filters.ChoiceFilter(label=_("Whose status"), choices=Scope.choices, method="filter_scope")
    date_after = django_filters.DateFilter(
        label=_("Assessed on or after"), field_name="assessed_on", lookup_expr="gte", widget=DateInput
    )
    date_before = django_filters.DateFilter(
        label=_("Assessed on or before"), field_name="assessed_on", lookup_expr="lte", widget=DateInput
    )

    class Meta:
        model = StatusChange
        fields = [
            "q",
            "recommendation",
            "actor",
            "actor_kind",
            "status",
            "from_status",
            "scope",
            "date_after",
            "date_before",
        ]

    def search(self, queryset, name, value):
        return _search(queryset, ["reason", "actor__name", "actor__code"], value)

    def filter_actor(self, queryset, name, value):
        return queryset.filter(actor__code=value.upper())

    def filter_scope(self, queryset, name, value):
        return queryset.filter(responsibility__isnull=(value == self.Scope.OVERALL))


class _PeriodForm(forms.Form):
    """Refuses a period that ends before it starts, rather than showing an empty report."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The period ends before it starts: swap the two dates."), code="period")
        return cleaned


class ReportFilter(django_filters.FilterSet):
    """The committee report's choices: one actor, and the period whose actions and assessments it lists.

    The report reads the cleaned values and filters the roll-up, the matrix, the actions and the
    assessments with them; `qs` is the published actions in the period.
    """

    actor = django_filters.ModelChoiceFilter(
        label=_("State or body"),
        queryset=lambda request: ordered_actors(Actor.objects.all()),
        to_field_name="code",
        empty_label=_("All states and bodies"),
    )
    date_from = django_filters.DateFilter(
        label=_("Period from"), field_name="taken_on", lookup_expr="gte", widget=DateInput
    )
    date_to = django_filters.DateFilter(
        label=_("Period to"), field_name="taken_on", lookup_expr="lte", widget=DateInput
    )

    class Meta:
        model = Action
        fields = ["actor", "date_from", "date_to"]
        form = _PeriodForm
