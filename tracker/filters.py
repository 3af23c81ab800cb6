"""FilterSets: one per list, shared by its page, its API endpoint and its download.

Every filter lives in the query string, so a filtered view is a link someone can share. A value that
cannot be understood makes the FilterSet invalid; the pages then show the errors and no rows, the API
and the downloads answer 400 naming it.
"""

import copy
from functools import partial

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import CharField, F, Value
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ChoiceField

from forum.models import Recommendation

from .kept import plain_rows
from .models import (
    Action,
    Actor,
    MeasureType,
    PopulationGroup,
    RecommendationClassification,
    Report,
    ReportingRound,
    Responsibility,
    SdgTarget,
    Status,
    StatusChange,
    Theme,
)
from .ordering import actor_choices
from .search import contains_every_word, match_actions, match_recommendations, parse_query
from .selectors.common import column_language, current_recommendations

# Fields entered in each language (see the translation.py modules): the lists' search on names and
# reasons looks in every language's column, so a visitor finds the English original too.
TRANSLATED_FIELDS = {"text", "short_title", "name", "notes"}


def _columns(field):
    name = field.rsplit("__", 1)[-1]
    if name not in TRANSLATED_FIELDS:
        return [field]
    return [f"{field}_{code}" for code, _label in settings.LANGUAGES]


def _search(queryset, fields, value):
    """Every word (or "phrase") of `value` in one of the fields, whatever its case and accents; `-word`
    in none: the site search's syntax and matching (`tracker.search`), on names, codes and reasons."""
    return contains_every_word(queryset, parse_query(value), [column for field in fields for column in _columns(field)])


class DateInput(forms.DateInput):
    """A browser's date picker. Its value is an ISO date (YYYY-MM-DD) in every language, or none: a date
    sent in another format the form accepts is shown as ISO; a value that is no date is named by the
    form's error, never put back in the field, where it would be invalid HTML (a browser drops it)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        if isinstance(value, str):
            try:
                value = forms.DateField().to_python(value)
            except ValidationError:
                return None
        return super().format_value(value)


def date_range(field_name, after_label, before_label):
    """Two filters, a list's rows on or after a date and on or before one."""
    return (
        django_filters.DateFilter(label=after_label, field_name=field_name, lookup_expr="gte", widget=DateInput),
        django_filters.DateFilter(label=before_label, field_name=field_name, lookup_expr="lte", widget=DateInput),
    )


class FilterSelect(forms.Select):
    """A select whose options are written in one template, not one template each: a list's filters
    offer dozens of states and bodies, and Django's per-option rendering cost more than the list."""

    template_name = "tracker/widgets/select.html"


class ChoiceFilter(django_filters.ChoiceFilter):
    """A choice among fixed values (a status, a kind of actor), offered in a `FilterSelect`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", FilterSelect)
        super().__init__(*args, **kwargs)


class ActorCodeField(ChoiceField):
    """A state or body chosen by its code, in any case ("mex" is MEX)."""

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class ActorCodeFilter(ChoiceFilter):
    """The state or body a list is narrowed to: a choice of names, in the one order, sent as the code.

    An unknown code is refused (the page says so, the API answers 400), never read as "no rows"."""

    field_class = ActorCodeField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", actor_choices)
        kwargs.setdefault("field_name", "actor__code")
        super().__init__(*args, **kwargs)


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, built for a request without deep copies.

    django-filter deep-copies the class's filters for each FilterSet, and Django's form deep-copies
    every field it is given, with its widget and choices: a third of building a list's filters, on
    every list and API request. Here each filter is copied shallowly (with its own `extra`, its own
    form field and its method bound to the copy), and the form takes the fields made for this
    FilterSet as they are, since nothing else holds them.
    """

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: _own_copy(filter_) for name, filter_ in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self

    @property
    def form(self):
        if not hasattr(self, "_form"):
            data = (self.data,) if self.is_bound else ()
            form = self._meta.form(*data, prefix=self.form_prefix)
            form.fields.update((name, filter_.field) for name, filter_ in self.filters.items())
            self._form = form
        return self._form


def _own_copy(filter_):
    """A filter of the class, for one FilterSet: what a request may change (`extra`, the form field
    made from it, the method bound to its FilterSet) is its own; the rest is shared, and never changed."""
    own = copy.copy(filter_)
    own.__dict__.pop("_field", None)
    own.extra = dict(filter_.extra)
    if filter_.method is not None:
        own.method = filter_.method  # binds the method to the copy, and so to the copy's FilterSet
    return own


class SameRowFilterSet(FilterSet):
    """A FilterSet whose filters in `same_row` each describe one related row, and so apply together.

    "Responsible for recommendation 5, at non-compliance" means one responsibility that is both, not
    a responsibility for 5 and another at non-compliance. The filters named in `same_row` (filter
    name: lookup on `related`) are applied in one subquery, after the others.
    """

    related = None  # the related model's queryset, e.g. Responsibility.objects
    related_key = ""  # the related rows' column that points back to this FilterSet's model
    same_row: dict = {}

    def apply_together(self, queryset, name, value: str):
        return queryset  # applied with the other same-row filters, in `filter_queryset`

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        conditions = {
            lookup: self.form.cleaned_data[name]
            for name, lookup in self.same_row.items()
            if self.form.cleaned_data.get(name) not in (None, "")
        }
        if conditions:
            related = self.related.filter(**self.row_conditions(conditions))
            queryset = queryset.filter(pk__in=related.values(self.related_key))
        return queryset

    def row_conditions(self, conditions: dict) -> dict:
        """All the conditions on the one related row (a subclass may add to them)."""
        return conditions


def recommendation_choices(recommendations=None) -> list[tuple[str, str]]:
    """(number, "number. short title") of these recommendations (model instances or records with the
    short title's columns), or of the current forum's, read with SQL kept per language, since every
    list's filters offer them. A title not translated is the English one, as the translation layer
    gives it."""
    language = column_language()
    if recommendations is None:
        numbered = plain_rows(
            ("recommendation-choices",),
            lambda: (
                current_recommendations()
                .rewrite(False)
                .select_related(None)
                .order_by("number")
                .values_list("number", f"short_title_{language}", "short_title_en")
            ),
        )
    else:
        numbered = [(r.number, getattr(r, f"short_title_{language}"), r.short_title_en) for r in recommendations]
    titled = [(number, title or english) for number, title, english in numbered]
    return [(str(number), f"{number}. {title}" if title else str(number)) for number, title in titled]


class RecommendationNumberFilter(ChoiceFilter):
    """A recommendation, chosen by its number among those of the forum; another number is refused."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", recommendation_choices)
        super().__init__(*args, **kwargs)


# The classification's filters: the parameter, the term's model, its key in addresses, the column of
# its name, and the recommendation classification's link to it (none for the type of an action).
TERMS = {
    "theme": (Theme, "slug", "name", "themes"),
    "population": (PopulationGroup, "slug", "name", "population_groups"),
    "sdg": (SdgTarget, "number", "title", "sdg_targets"),
    "measure": (MeasureType, "slug", "name", None),
}
# An SDG target's title is long: a filter's choice shows its number and the start of the title.
SDG_CHOICE_LENGTH = 70


def _term_rows(parameters) -> list[tuple]:
    """(parameter, key, label in each language..., position) of every term of these kinds: one query,
    its SQL kept (every list's filters offer the terms)."""
    parameters = tuple(parameters)

    def build():
        codes = [code for code, _label in settings.LANGUAGES]
        selects = []
        for parameter in parameters:
            model, key, label, _link = TERMS[parameter]
            columns = {f"label_{code}": F(f"{label}_{code}") for code in codes}
            rows = (
                model.objects.rewrite(False)
                .order_by()
                .annotate(
                    parameter=Value(parameter, output_field=CharField()), key=F(key), **columns, place=F("position")
                )
            )
            selects.append(rows.values_list("parameter", "key", *columns, "place"))
        first, *others = selects
        return first.union(*others, all=True) if others else first

    return list(plain_rows(("term-rows", parameters), build))


def _term_label(parameter, key, labels: dict) -> str:
    language = get_language() or settings.LANGUAGE_CODE
    label = labels.get(language) or labels.get(settings.LANGUAGE_CODE) or key
    if parameter != "sdg":
        return label
    if len(label) > SDG_CHOICE_LENGTH:
        label = label[:SDG_CHOICE_LENGTH].rsplit(" ", 1)[0] + "…"
    return f"{key}: {label}"


class TermChoices:
    """The choices of every classification filter of one FilterSet, read together, in one query, the
    first time one of them is needed (to check a value, or to offer the choices in a form)."""

    def __init__(self, parameters):
        self.parameters = list(parameters)
        self.rows = None

    def __call__(self, parameter) -> list[tuple[str, str]]:
        if self.rows is None:
            self.rows = sorted(_term_rows(self.parameters), key=lambda row: (row[0], row[-1], row[1]))
        codes = [code for code, _label in settings.LANGUAGES]
        return [
            (row[1], _term_label(parameter, row[1], dict(zip(codes, row[2:-1], strict=True))))
            for row in self.rows
            if row[0] == parameter
        ]


def term_choices(parameter) -> list[tuple[str, str]]:
    """(slug or number, name the visitor reads) of the terms of one kind, in their order."""
    return TermChoices([parameter])(parameter)


class TermFilter(ChoiceFilter):
    """A term of the classification, chosen by its slug (an SDG target, by its number); a value that
    names no term is refused (the page says so, the API and the downloads answer 400 naming it)."""

    def __init__(self, *args, parameter, **kwargs):
        kwargs.setdefault("choices", partial(term_choices, parameter))
        kwargs.setdefault("method", "filter_term")
        super().__init__(*args, **kwargs)
        self.parameter = parameter


def classified_recommendations(parameter, value):
    """The ids of the recommendations classified under this term, as a subquery."""
    _model, key, _label, link = TERMS[parameter]
    return RecommendationClassification.objects.filter(**{f"{link}__{key}": value}).values("recommendation")


def theme_filter():
    return TermFilter(label=_("Theme"), parameter="theme")


def population_filter():
    return TermFilter(label=_("Population group"), parameter="population")


def sdg_filter():
    return TermFilter(label=_("SDG target"), parameter="sdg")


class TermFiltersMixin:
    """A FilterSet with classification filters: their choices are read in one query, and a row is
    kept when its recommendation (`recommendation_path`) is classified under the term chosen."""

    recommendation_path = "recommendation"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        terms = [f for f in self.filters.values() if isinstance(f, TermFilter)]
        shared = TermChoices(f.parameter for f in terms)
        for term in terms:
            term.extra["choices"] = partial(shared, term.parameter)

    def filter_term(self, queryset, name, value: str):
        return queryset.filter(**{f"{self.recommendation_path}__in": classified_recommendations(name, value)})


class RecommendationFilter(TermFiltersMixin, SameRowFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    status = ChoiceFilter(label=_("Overall status"), field_name="overall_assessment__status", choices=Status.choices)
    actor = ActorCodeFilter(label=_("Responsible state or body"), method="apply_together")
    actor_kind = ChoiceFilter(label=_("Kind of actor responsible"), choices=Actor.Kind.choices, method="apply_together")
    theme = theme_filter()
    population = population_filter()
    sdg = sdg_filter()

    related, related_key = Responsibility.objects, "recommendation"
    same_row = {"actor": "actor__code", "actor_kind": "actor__kind"}
    recommendation_path = "pk"

    class Meta:
        model = Recommendation
        fields = ["q", "status", "actor", "actor_kind", "theme", "population", "sdg"]

    def search(self, queryset, name, value):
        # The site search's matching: full-text on PostgreSQL, in the visitor's language and English.
        return match_recommendations(queryset, parse_query(value), get_language(), ranked=False)


class ActorFilter(SameRowFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    kind = ChoiceFilter(label=_("Kind"), choices=Actor.Kind.choices)
    recommendation = RecommendationNumberFilter(label=_("Responsible for recommendation"), method="apply_together")
    status = ChoiceFilter(label=_("Has a responsibility at status"), choices=Status.choices, method="apply_together")

    related, related_key = Responsibility.objects, "actor"
    same_row = {"recommendation": "recommendation__number", "status": "status"}

    class Meta:
        model = Actor
        fields = ["q", "kind", "recommendation", "status"]

    def search(self, queryset, name, value):
        return _search(queryset, ["name", "code"], value)


class ActionFilter(TermFiltersMixin, SameRowFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    actor = ActorCodeFilter(label=_("State or body"))
    actor_kind = ChoiceFilter(label=_("Kind of actor"), field_name="actor__kind", choices=Actor.Kind.choices)
    recommendation = RecommendationNumberFilter(label=_("Recommendation"), method="apply_together")
    status = ChoiceFilter(
        label=_("Status of the actor on that recommendation"), choices=Status.choices, method="apply_together"
    )
    date_after, date_before = date_range("taken_on", _("Taken on or after"), _("Taken on or before"))
    theme = theme_filter()
    population = population_filter()
    sdg = sdg_filter()
    measure = TermFilter(label=_("Type of measure"), parameter="measure")

    # One recommendation the action addresses: its number, and the acting actor's status on it.
    related, related_key = Action.recommendations.through.objects, "action"
    same_row = {"recommendation": "recommendation__number", "status": "recommendation__responsibilities__status"}

    class Meta:
        model = Action
        fields = [
            "q",
            "actor",
            "actor_kind",
            "recommendation",
            "status",
            "date_after",
            "date_before",
            "theme",
            "population",
            "sdg",
            "measure",
        ]

    def filter_term(self, queryset, name, value: str):
        if name == "measure":
            return queryset.filter(measure_type__slug=value)
        # An action addressing two recommendations under the term is listed once.
        links = Action.recommendations.through.objects.filter(
            recommendation__in=classified_recommendations(name, value)
        )
        return queryset.filter(pk__in=links.values("action"))

    def search(self, queryset, name, value):
        # The site search's matching: title, description and evidence titles (the actor has its filter).
        return match_actions(queryset, parse_query(value), get_language(), ranked=False)

    def row_conditions(self, conditions):
        if "recommendation__responsibilities__status" in conditions:
            # The status is the acting actor's own, on that same recommendation.
            return {**conditions, "recommendation__responsibilities__actor": F("action__actor")}
        return conditions


class ResponsibilityFilter(TermFiltersMixin, FilterSet):
    """The status matrix, one responsibility a row: for its download, its import and the API."""

    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    recommendation = RecommendationNumberFilter(label=_("Recommendation"), field_name="recommendation__number")
    actor = ActorCodeFilter(label=_("State or body"))
    actor_kind = ChoiceFilter(label=_("Kind of actor"), field_name="actor__kind", choices=Actor.Kind.choices)
    status = ChoiceFilter(label=_("Status"), choices=Status.choices)
    role = ChoiceFilter(label=_("Role"), choices=Responsibility.Role.choices)
    date_after, date_before = date_range(
        "last_assessed", _("Last assessed on or after"), _("Last assessed on or before")
    )
    theme = theme_filter()
    population = population_filter()
    sdg = sdg_filter()

    class Meta:
        model = Responsibility
        fields = [
            "q",
            "recommendation",
            "actor",
            "actor_kind",
            "status",
            "role",
            "date_after",
            "date_before",
            "theme",
            "population",
            "sdg",
        ]

    def search(self, queryset, name, value):
        return _search(queryset, ["actor__name", "actor__code", "recommendation__short_title", "reasoning"], value)


class StatusChangeFilter(TermFiltersMixin, FilterSet):
    """The public log of assessments."""

    class Scope(models.TextChoices):
        ACTOR = "actor", _("A state's or body's status")
        OVERALL = "overall", _("The committee's overall status")

    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    recommendation = RecommendationNumberFilter(label=_("Recommendation"), field_name="recommendation__number")
    actor = ActorCodeFilter(label=_("State or body"))
    actor_kind = ChoiceFilter(label=_("Kind of actor"), field_name="actor__kind", choices=Actor.Kind.choices)
    status = ChoiceFilter(label=_("New status"), field_name="to_status", choices=Status.choices)
    from_status = ChoiceFilter(label=_("Previous status"), choices=Status.choices)
    scope = ChoiceFilter(label=_("Whose status"), choices=Scope.choices, method="filter_scope")
    date_after, date_before = date_range("assessed_on", _("Assessed on or after"), _("Assessed on or before"))
    theme = theme_filter()
    population = population_filter()
    sdg = sdg_filter()

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
            "theme",
            "population",
            "sdg",
        ]

    def search(self, queryset, name, value):
        return _search(queryset, ["reason", "actor__name", "actor__code"], value)

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


class CommitteeReportFilter(FilterSet):
    """The committee report's choices: one actor, and the period whose actions and assessments it lists.

    The report reads the cleaned values and filters the roll-up, the matrix, the actions and the
    assessments with them.
    """

    actor = ActorCodeFilter(label=_("State or body"), empty_label=_("All states and bodies"))
    date_from, date_to = date_range("taken_on", _("Period from"), _("Period to"))

    class Meta:
        model = Action
        fields = ["actor", "date_from", "date_to"]
        form = _PeriodForm


class ReviewQueueFilter(FilterSet):
    """The staff's review queue: liaisons' reports by review state, state or body, and recommendation."""

    state = ChoiceFilter(label=_("Review state"), choices=Report.State.choices)
    actor = ActorCodeFilter(label=_("State or body"))
    recommendation = RecommendationNumberFilter(
        label=_("Recommendation"), field_name="recommendations__number", distinct=True
    )

    class Meta:
        model = Report
        fields = ["state", "actor", "recommendation"]


class RoundFilter(FilterSet):
    """Reporting rounds, by where they stand and the year they open."""

    state = ChoiceFilter(label=_("State"), choices=ReportingRound.State.choices, method="filter_state")
    year = django_filters.NumberFilter(
        label=_("Year it opens"), field_name="opens_on__year", min_value=2000, max_value=2100
    )

    class Meta:
        model = ReportingRound
        fields = ["state", "year"]

    def filter_state(self, queryset, name, value: str):
        today = timezone.localdate()
        if value == ReportingRound.State.CLOSED:
            return queryset.filter(closed_at__isnull=False)
        if value == ReportingRound.State.OPEN:
            return queryset.filter(closed_at__isnull=True, opens_on__lte=today)
        return queryset.filter(closed_at__isnull=True, opens_on__gt=today)


class SearchForm(forms.Form):
    """The site search (`/search/`): the words, and the filters the lists have, each optional.

    A filter that applies to some kinds of result only leaves the others out (the page says so)."""

    q = forms.CharField(label=_("Search for"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("Kind of result"),
        required=False,
        choices=[
            ("", _("Any")),
            ("recommendation", _("Recommendations")),
            ("actor", _("States and bodies")),
            ("comment", _("Forum comments")),
            ("action", _("Actions")),
        ],
        widget=FilterSelect,
    )
    actor = ActorCodeField(label=_("State or body"), required=False, choices=(), widget=FilterSelect)
    recommendation = forms.TypedChoiceField(
        label=_("Recommendation"), required=False, coerce=int, empty_value=None, choices=(), widget=FilterSelect
    )
    date_after = forms.DateField(label=_("Actions taken on or after"), required=False, widget=DateInput)
    date_before = forms.DateField(label=_("Actions taken on or before"), required=False, widget=DateInput)

    def __init__(self, *args, check_period=True, **kwargs):
        super().__init__(*args, **kwargs)
        # The API, as its other lists do, answers a period that ends before it starts with no rows.
        self.check_period = check_period
        any_choice = [("", settings.FILTERS_EMPTY_CHOICE_LABEL)]
        self.fields["actor"].choices = any_choice + actor_choices()
        self.fields["recommendation"].choices = any_choice + recommendation_choices()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_after"), cleaned.get("date_before")
        if self.check_period and start and end and start > end:
            raise forms.ValidationError(_("The period ends before it starts: swap the two dates."), code="period")
        return cleaned


# Incremental harvest: the API's lists also take `updated_after`, so a client that polls asks only
# for the rows changed since its last visit. The pages and the downloads keep their own filters.
UPDATED_AFTER = "updated_after"


def updated_after(field_name="updated_at"):
    """Rows changed strictly after an ISO 8601 date-time (`2024-05-01T12:00:00Z`; without an offset,
    the site's time zone). A value that is not one is refused with a 400 naming the parameter."""
    return django_filters.IsoDateTimeFilter(
        field_name=field_name,
        lookup_expr="gt",
        label=_("Changed after"),
        help_text=_(
            "Only the rows whose updated_at is later than this ISO 8601 date-time (such as "
            "2024-05-01T12:00:00Z; without an offset, the site's time zone): for a client that polls, "
            "the updated_at of the latest row it has."
        ),
    )


class RecommendationHarvestFilter(RecommendationFilter):
    updated_after = updated_after()

    class Meta(RecommendationFilter.Meta):
        fields = [*RecommendationFilter.Meta.fields, UPDATED_AFTER]


class ResponsibilityHarvestFilter(ResponsibilityFilter):
    updated_after = updated_after()

    class Meta(ResponsibilityFilter.Meta):
        fields = [*ResponsibilityFilter.Meta.fields, UPDATED_AFTER]


class ActionHarvestFilter(ActionFilter):
    updated_after = updated_after()

    class Meta(ActionFilter.Meta):
        fields = [*ActionFilter.Meta.fields, UPDATED_AFTER]


class StatusChangeHarvestFilter(StatusChangeFilter):
    # An assessment is never changed once recorded: its updated_at is when it was recorded.
    updated_after = updated_after("changed_at")

    class Meta(StatusChangeFilter.Meta):
        fields = [*StatusChangeFilter.Meta.fields, UPDATED_AFTER]
