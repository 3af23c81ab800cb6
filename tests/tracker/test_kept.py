"""What a process keeps: the SQL of repeated reads, plain records and rows, and marked sections."""

import datetime

import factory
import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from forum.models import Recommendation
from tests.factories import ActorFactory, RecommendationFactory, ThemeFactory, UserFactory
from tests.tracker.test_api import build_record
from tracker import kept
from tracker.filters import recommendation_choices
from tracker.kept import plain_records
from tracker.models import Action, Actor, Responsibility, StatusChange, Theme
from tracker.selectors import common, listed_actions, named_recommendations, open_data, responsibility_statuses
from tracker.selectors.common import ACTOR_FIELDS

pytestmark = pytest.mark.django_db


def _statuses(recommendations):
    fields = ["actor_id", "recommendation_id", "status", *(f"actor__{name}" for name in ACTOR_FIELDS)]
    rows = Responsibility.objects.filter(recommendation__in=recommendations).values_list(*fields)
    return sorted(map(tuple, rows))


def test_a_kept_read_gives_what_the_orm_gives_and_is_built_once_per_input_and_language():
    recommendations, _actors = build_record(recommendations=2, states=2, actions=1)
    kept._statements.clear()
    built = []

    def build():
        built.append(translation.get_language())
        return Responsibility.objects.filter(recommendation__in=recommendations[:1]).order_by().values_list("status")

    key = ("statuses-of-the-first", recommendations[0].pk)
    with translation.override("en"):
        first = kept.plain_rows(key, build)
        assert kept.plain_rows(key, build) == first
    with translation.override("es"):
        kept.plain_rows(key, build)
    assert built == ["en", "es"]
    assert sorted(first) == sorted(recommendations[0].responsibilities.values_list("status"))
    assert sorted(responsibility_statuses(recommendations)) == _statuses(recommendations)
    # A change of the data is read at once: only the SQL is kept, never the rows.
    Responsibility.objects.filter(recommendation=recommendations[0]).update(status="full")
    assert set(kept.plain_rows(key, build)) == {("full",)}


def test_a_kept_read_of_nothing_makes_no_query_and_a_union_only_of_parts_giving_the_columns_asked():
    with CaptureQueriesContext(connection) as queries:
        assert responsibility_statuses([]) == []
    assert len(queries) == 0
    ThemeFactory(slug="housing", name="Housing")
    themes = Theme.objects.rewrite(False).order_by()
    read = themes.values_list("slug", "name_en")
    assert kept.plain_rows(("themes-twice",), lambda: read.union(read, all=True)) == (("housing", "Housing"),) * 2
    # A part that selects the columns in another order: its rows would come back swapped.
    swapped = themes.values_list("name_en", "slug")
    with pytest.raises(ValueError, match="not as asked"):
        kept.plain_rows(("themes-swapped",), lambda: read.union(swapped, all=True))
    with pytest.raises(ValueError, match="name its fields"):
        kept.plain_rows(("themes-whole",), lambda: themes.union(themes, all=True))


def test_plain_records_nest_related_fields_and_an_absent_one_is_none():
    recommendations, _actors = build_record(recommendations=1, states=1, actions=0)
    fields = ("id", "to_status", "actor__code", "actor__name")
    records = plain_records(StatusChange.objects.filter(recommendation=recommendations[0]).order_by("pk"), fields)
    changes = list(StatusChange.objects.filter(recommendation=recommendations[0]).order_by("pk"))
    assert [(r.pk, r.id, r.to_status) for r in records] == [(c.pk, c.pk, c.to_status) for c in changes]
    assert [r.actor and (r.actor.code, r.actor.name) for r in records] == [
        c.actor and (c.actor.code, c.actor.name) for c in changes
    ]
    assert any(r.actor is None for r in records)  # the committee's overall status has no actor


def test_plain_records_given_a_builder_build_the_queryset_once_per_key_and_read_the_rows_every_time():
    built = []

    def actors():
        built.append(True)
        return Actor.objects.rewrite(False).filter(code__startswith="ZZ").order_by("code")

    ActorFactory(code="ZZA", name="First")
    assert [r.code for r in plain_records(actors, ("pk", "code"), key=("zz-actors",))] == ["ZZA"]
    ActorFactory(code="ZZB", name="Second")
    assert [r.code for r in plain_records(actors, ("pk", "code"), key=("zz-actors",))] == ["ZZA", "ZZB"]
    assert len(built) == 1
    # Without a key nothing is kept: the builder is called each time.
    plain_records(actors, ("pk", "code"))
    assert len(built) == 2


def test_a_kept_count_counts_what_the_orm_counts_up_to_its_slice_and_is_built_once_per_key():
    built = []

    def actors():
        built.append(True)
        return Actor.objects.filter(code__startswith="ZC").order_by()[:3]

    assert kept.kept_count(("zc-actors",), actors) == 0
    ActorFactory.create_batch(2, code=factory.Sequence(lambda n: f"ZC{n}"))
    assert kept.kept_count(("zc-actors",), actors) == 2 == actors().count()
    ActorFactory.create_batch(2, code=factory.Sequence(lambda n: f"ZD{n}"))
    ActorFactory.create_batch(2, code=factory.Sequence(lambda n: f"ZC{n + 10}"))
    assert kept.kept_count(("zc-actors",), actors) == 3 == actors().count()  # stopped at its slice
    assert len(built) == 1 + 2  # built once for the key; the ORM's own counts above called it too


def test_a_read_whose_columns_would_come_in_another_order_is_refused():
    """The rows are read as the SQL gives them: its columns must be the fields, in the order asked."""
    build_record(recommendations=1, states=2, actions=0)
    read = Actor.objects.rewrite(False).values_list("code", "pk", "kind")
    assert kept.plain_rows(("actors-in-order",), lambda: read) == tuple(read)
    read._fields = ("pk", "code", "kind")  # what the SQL does not give
    with pytest.raises(ValueError, match="not as asked"):
        kept.plain_rows(("actors-out-of-order",), lambda: read)
    # The translation layer takes the fields as a set: records of its queryset refuse what they
    # cannot be sure of, and read in the order asked with its rewriting off.
    fields = ["pk", "code", "kind", "name_en", "name_es", "name_fr", "name_pt"]
    translated = Actor.objects.values_list(*fields)
    if list(translated._fields) != fields:
        with pytest.raises(ValueError, match="rewrite"):
            plain_records(Actor.objects.all(), fields)
    records = plain_records(Actor.objects.rewrite(False).order_by("pk"), fields, key=("actors-named",))
    assert [(r.pk, r.code, r.kind, r.name_en) for r in records] == list(
        Actor.objects.order_by("pk").values_list("pk", "code", "kind", "name_en")
    )


def test_listed_actions_are_the_published_ones_with_their_actor_and_numbers_in_one_query():
    build_record(recommendations=3, states=2, actions=5)
    with CaptureQueriesContext(connection) as queries:
        listed = list(listed_actions().order_by("pk"))
    assert len(queries) == 1
    published = list(Action.objects.published().order_by("pk"))
    assert [a.pk for a in listed] == [a.pk for a in published]
    for shown, action in zip(listed, published, strict=True):
        assert (shown.title, shown.taken_on, shown.description) == (action.title, action.taken_on, action.description)
        assert shown.actor.code == action.actor.code and shown.actor.name_en == action.actor.name_en
        assert list(shown.recommendation_numbers) == action.recommendation_numbers


def test_a_kept_section_is_drawn_once_per_value_and_language():
    drawn = []
    template = Template('{% load tracker_tags %}{% keep "counted" value %}{{ draw }}{% endkeep %}')

    class Counter:
        def __str__(self):
            drawn.append(1)
            return str(len(drawn))

    def render(value, language="en"):
        with translation.override(language):
            return template.render(Context({"value": value, "draw": Counter()}))

    assert render("test-a") == "1"
    assert render("test-a") == "1"
    assert render("test-b") == "2"
    assert render("test-a", "fr") == "3"
    assert len(drawn) == 3


def test_the_header_kept_for_visitors_never_reaches_a_signed_in_user_nor_the_reverse(client):
    build_record(recommendations=1, states=1, actions=0)
    assert "Sign out" not in client.get("/?lang=en").content.decode()
    client.force_login(UserFactory(is_staff=True))
    signed_in = client.get("/?lang=en").content.decode()
    assert "Sign out" in signed_in and "Administration" in signed_in and "csrfmiddlewaretoken" in signed_in
    client.logout()
    client.cookies.clear()
    visitor = client.get("/?lang=en").content.decode()
    assert "Sign out" not in visitor and "csrfmiddlewaretoken" not in visitor
    # The header marks the page it is on, and links this very address in each language.
    assert '<a href="/actors/" aria-current="page">' in client.get("/actors/?lang=en").content.decode()
    assert '<a href="?lang=fr&amp;kind=body" hreflang="fr"' in client.get("/actors/?lang=en&kind=body").content.decode()


def test_a_kept_read_converted_gives_values_as_the_orm_does():
    recommendations, _actors = build_record(recommendations=1, states=1, actions=2)
    fields = ("assessed_on", "changed_at", "to_status")
    changes = StatusChange.objects.filter(recommendation=recommendations[0]).order_by("pk")
    key = ("changes-converted", recommendations[0].pk)
    rows = kept.plain_rows(key, lambda: changes.values_list(*fields), converted=True)
    assert rows == tuple(changes.values_list(*fields))
    assert all(isinstance(row[0], datetime.date) and isinstance(row[1], datetime.datetime) for row in rows)


def test_the_recommendations_offered_to_filter_by_are_named_as_the_models_name_them_in_each_language():
    forum = RecommendationFactory(number=1, short_title_en="Migration policy", short_title_es="Política").forum
    RecommendationFactory(forum=forum, number=2, short_title_en="Displaced persons")
    RecommendationFactory(forum=forum, number=3, short_title_en="")
    for language in ("en", "es", "fr"):
        with translation.override(language):
            plain = recommendation_choices()
            assert plain == recommendation_choices(list(Recommendation.objects.order_by("number")))
            # Their plain records (the map's, a state's page's) name them alike.
            assert plain == recommendation_choices(named_recommendations())
            assert plain[1:] == [("2", "2. Displaced persons"), ("3", "3")]
    with translation.override("es"):
        assert recommendation_choices()[0] == ("1", "1. Política")


def test_a_kept_selector_builds_its_read_once_per_language_and_gives_each_call_a_fresh_queryset():
    built = []

    @kept.kept_queryset
    def themes_by_position():
        built.append(translation.get_language())
        return Theme.objects.order_by("position", "slug")

    kept._querysets.clear()
    ThemeFactory(slug="remittances", position=1)
    with translation.override("en"):
        first = themes_by_position()
        assert [theme.slug for theme in first] == ["remittances"]
        # A row added after a call is read by the next one: only the building is kept, never rows.
        ThemeFactory(slug="cooperation", position=2)
        second = themes_by_position()
        assert second is not first
        assert [theme.slug for theme in second] == ["remittances", "cooperation"]
        # Narrowing one call's queryset leaves the next whole.
        assert [theme.slug for theme in second.filter(slug="cooperation")] == ["cooperation"]
        assert themes_by_position().count() == 2
    with translation.override("es"):
        assert themes_by_position().count() == 2
    assert built == ["en", "es"]


def test_the_kept_selectors_read_what_they_build():
    recommendations, _actors = build_record(recommendations=2, states=2, actions=3)
    kept._querysets.clear()
    for selector in (
        common.current_recommendations,
        common.published_actions,
        open_data.public_recommendations,
        open_data.harvestable_recommendations,
        open_data.public_actors,
        open_data.public_actions,
        open_data.public_responsibilities,
        open_data.public_status_changes,
    ):
        built = selector.__wrapped__()
        assert str(selector().query) == str(built.query), selector.__name__
        assert [row.pk for row in selector()] == [row.pk for row in built], selector.__name__
    assert {r.number for r in common.current_recommendations()} == {r.number for r in recommendations}
