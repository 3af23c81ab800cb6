"""`__any_of`: membership in a list, as one array parameter on PostgreSQL; `Written`: a constant of
the code in the statement's text."""

import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ActionFactory, ActorFactory, ThemeFactory
from tracker.lookups import Ids, Written
from tracker.models import Action, Actor, RecommendationClassification
from tracker.selectors.common import listed_actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors():
    return [ActorFactory(code=code) for code in ("MEX", "BRA", "CAN")]


def _codes(queryset):
    return sorted(queryset.values_list("code", flat=True))


def test_ids_lists_and_tuples_find_the_same_rows(actors):
    mexico, brazil, _canada = actors
    for ids in ([mexico.pk, brazil.pk], (mexico.pk, brazil.pk), Ids([mexico.pk, brazil.pk, mexico.pk])):
        assert _codes(Actor.objects.filter(pk__any_of=ids)) == ["BRA", "MEX"]


def test_none_and_texts(actors):
    assert _codes(Actor.objects.filter(pk__any_of=Ids([]))) == []
    assert _codes(Actor.objects.filter(pk__any_of=[])) == []
    assert _codes(Actor.objects.filter(code__any_of=["CAN", "XXX"])) == ["CAN"]
    # Ids is one value to the query builder, not a list it looks into.
    assert len(Ids([1, 2])) == 2 and list(Ids((3,))) == [3]


# Written: constants of the code in the statement's text.


def _written_sql(queryset):
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def test_written_values_find_the_same_rows_as_parameters(actors):
    mexico, brazil, canada = actors
    assert _codes(Actor.objects.filter(pk=Written(mexico.pk))) == ["MEX"]
    assert _codes(Actor.objects.filter(pk__in=Written((mexico.pk, canada.pk)))) == ["CAN", "MEX"]
    with CaptureQueriesContext(connection) as asked:
        assert _codes(Actor.objects.filter(pk__in=Written(()))) == []
    assert len(asked) == 0
    assert _codes(Actor.objects.exclude(pk__in=Written(()))) == ["BRA", "CAN", "MEX"]
    assert _codes(Actor.objects.filter(kind=Written(mexico.kind))) == ["BRA", "CAN", "MEX"]
    assert _codes(Actor.objects.exclude(pk__in=Written((brazil.pk,)))) == ["CAN", "MEX"]


def test_published_actions_and_a_timeline_carry_no_parameters():
    """What makes PostgreSQL plan these statements once per connection: the state and the
    recommendation are in the text (a parameter in their place made it plan them at every run)."""
    published = ActionFactory()
    ActionFactory(state=Action.State.DRAFT, recommendations=list(published.recommendations.all()))
    [recommendation] = published.recommendations.all()
    timeline = listed_actions().filter(recommendations=Written(recommendation.pk))[:50]
    sql, params = _written_sql(timeline)
    assert params == []
    assert "'published'" in sql and f"= {recommendation.pk})" in sql
    assert [action.pk for action in timeline] == [published.pk]
    assert _written_sql(Action.objects.published())[1] == []


@pytest.mark.parametrize(
    "value", ["MEX", "published'); DELETE FROM tracker_action; --", "", 1.5, True, (1, "2"), [1, 2], None]
)
def test_only_whole_numbers_and_lower_case_words_are_written(value):
    with pytest.raises(ValueError, match="written into SQL"):
        _written_sql(Actor.objects.filter(pk=Written(value)))


@pytest.mark.skipif(connection.vendor != "postgresql" and not os.environ.get("CI"), reason="PostgreSQL's plans")
def test_postgresql_plans_a_written_statement_once():
    """Run again on one connection, a statement without parameters is executed from its generic plan."""
    published = ActionFactory()
    [recommendation] = published.recommendations.all()
    timeline = listed_actions().filter(recommendations=Written(recommendation.pk))[:50]
    sql, _ = _written_sql(timeline)
    for _ in range(7):
        list(timeline.all())
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans FROM pg_prepared_statements WHERE statement = %s", [sql])
        [(generic,)] = cursor.fetchall()
    assert generic >= 1


def test_the_pages_reads_of_actions_and_statuses_carry_no_constant_parameters(client):
    """A recommendation's page, a theme's and the dashboard send the recommendations and the state of
    their reads in the statements' text (a parameter in their place made PostgreSQL plan them at every
    run): no statement of theirs carries "published" as a parameter, nor the recommendations whose
    responsibilities, month movements or round statuses it reads."""
    published = ActionFactory()
    [recommendation] = published.recommendations.all()
    theme = ThemeFactory()
    RecommendationClassification.objects.create(recommendation=recommendation).themes.add(theme)
    page = f"/recommendations/{recommendation.number}/"
    sent = []

    def capture(execute, sql, params, many, context):
        sent.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    for path in ("/", page, theme.get_absolute_url()):
        sent.clear()
        with connection.execute_wrapper(capture):
            assert client.get(path).status_code == 200
        reads = [(sql, params) for sql, params in sent if '"tracker_action"' in sql or "responsibility" in sql]
        assert reads, path
        for sql, params in reads:
            assert "published" not in params, (path, sql)
        counted = ('FROM "tracker_responsibility"', 'FROM "tracker_statusmonth"', 'FROM "tracker_roundstatus"')
        lists = [sql.split('"recommendation_id" IN (')[1:] for sql, _ in sent if any(t in sql for t in counted)]
        assert any(lists), path
        assert all(written[0].isdigit() for found in lists for written in found), path
        timelines = [params for sql, params in sent if 'FROM "tracker_action"' in sql and "LIMIT" in sql]
        if path == page:
            assert timelines == [()]
