"""The lists' FilterSets, built for each request from shallow copies of their class's filters
(`tracker.filters.FilterSet`): what one request changes stays its own."""

import pytest
from django.http import QueryDict
from django.utils import translation

from tests.factories import ActionFactory, ActorFactory, PopulationGroupFactory, SdgTargetFactory, ThemeFactory
from tracker.filters import ActionFilter, CommitteeReportFilter, _term_rows, term_choices
from tracker.models import Action, PopulationGroup, SdgTarget, Theme

pytestmark = pytest.mark.django_db


def build(params=""):
    filterset = ActionFilter(QueryDict(params), queryset=Action.objects.all())
    filterset.is_valid()
    return filterset


def test_each_filterset_has_its_own_filters_fields_and_choices():
    # The schema's generator reads the class's own filters' form fields: no copy may share them.
    class_fields = {name: filter_.field for name, filter_ in ActionFilter.base_filters.items()}
    first, second = build("q=plan"), build("actor=MEX")
    for name, filter_ in ActionFilter.base_filters.items():
        assert first.filters[name] is not filter_
        assert first.filters[name] is not second.filters[name]
        assert first.filters[name].extra is not filter_.extra
        assert first.form.fields[name] is first.filters[name].field
        assert first.form.fields[name] is not second.form.fields[name]
        assert first.form.fields[name].widget is not second.form.fields[name].widget
        assert first.form.fields[name] is not class_fields[name]
    assert list(first.form.fields) == list(ActionFilter.base_filters)
    # The classification's filters read their choices through one reader per FilterSet.
    assert first.filters["theme"].extra["choices"] is not second.filters["theme"].extra["choices"]
    assert first.filters["theme"].extra["choices"].func is not second.filters["theme"].extra["choices"].func


def test_a_method_filter_calls_the_method_of_its_own_filterset():
    first, second = build("q=plan"), build("q=plan")
    assert first.filters["q"].filter.method.__self__ is first
    assert second.filters["q"].filter.method.__self__ is second
    assert first.filters["q"].parent is first


def test_choices_are_read_again_for_each_filterset():
    ThemeFactory(slug="remittances", name="Remittances")
    assert [value for value, _label in build().form.fields["theme"].choices][1:] == ["remittances"]
    ThemeFactory(slug="cooperation", name="Cooperation")
    assert sorted(value for value, _label in build().form.fields["theme"].choices if value) == [
        "cooperation",
        "remittances",
    ]


def test_a_value_refused_by_one_request_leaves_the_next_untouched():
    ActorFactory(code="MEX")
    refused = build("actor=XYZ")
    assert not refused.is_valid()
    assert "actor" in refused.form.errors
    accepted = build("actor=mex")
    assert accepted.is_valid()
    assert accepted.form.cleaned_data["actor"] == "MEX"


def test_the_filters_apply_as_before():
    mexico, chile = ActorFactory(code="MEX"), ActorFactory(code="CHL")
    ActionFactory(actor=mexico, title="A consular registry", description="Opened.")
    ActionFactory(actor=chile, title="A consular registry", description="Opened.")
    ActionFactory(actor=mexico, title="A census", description="Counted.")
    filterset = ActionFilter(QueryDict("actor=MEX&q=registry"), queryset=Action.objects.all())
    assert filterset.is_valid()
    assert [(action.actor.code, action.title) for action in filterset.qs] == [("MEX", "A consular registry")]


def test_a_form_of_the_filterset_keeps_its_own_checks():
    refused = CommitteeReportFilter(QueryDict("date_from=2020-01-02&date_to=2020-01-01"))
    assert not refused.is_valid()
    assert refused.form.errors["__all__"]
    assert CommitteeReportFilter(QueryDict("date_from=2020-01-01&date_to=2020-01-02")).is_valid()


def test_the_terms_offered_are_read_with_kept_sql_as_the_models_give_them():
    ThemeFactory(slug="remittances", name="Remittances", name_es="Remesas", position=2)
    ThemeFactory(slug="cooperation", name="Cooperation", position=1)
    PopulationGroupFactory(slug="migrant-workers", name="Migrant workers", position=1)
    SdgTargetFactory(number="10.c", title="Reduce remittance costs", position=1)
    rows = sorted(_term_rows(["theme", "population", "sdg"]))
    expected = sorted(
        [("theme", t.slug, t.name_en, t.name_es, t.name_fr, t.name_pt, t.position) for t in Theme.objects.all()]
        + [
            ("population", g.slug, g.name_en, g.name_es, g.name_fr, g.name_pt, g.position)
            for g in PopulationGroup.objects.all()
        ]
        + [
            ("sdg", s.number, s.title_en, s.title_es, s.title_fr, s.title_pt, s.position)
            for s in SdgTarget.objects.all()
        ]
    )
    assert rows == expected
    # One kind alone is read by its own statement, not the union's.
    assert sorted(_term_rows(["theme"])) == [row for row in expected if row[0] == "theme"]
    with translation.override("es"):
        assert term_choices("theme") == [("cooperation", "Cooperation"), ("remittances", "Remesas")]
