"""The committee report: a printable page with the roll-up, each recommendation, the matrix and the period."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    ActionFactory,
    ActorFactory,
    RecommendationFactory,
    ResponsibilityFactory,
    StatusChangeFactory,
)
from tests.tracker.test_api import build_record
from tracker.models import Action, Status
from tracker.selectors import open_data


def _report(client, query=""):
    response = client.get("/report/" + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_report_shows_when_it_was_produced_the_roll_up_each_recommendation_and_the_matrix(client, db):
    recs, actors = build_record(recommendations=3, states=2, actions=4)
    body = _report(client)
    assert "Produced on" in body and re.search(r'<time datetime="\d{4}-\d\d-\d\dT', body)
    assert "Overall progress" in body and "not yet assessed (not counted as pending)" in body
    for rec in recs:
        assert f"Recommendation {rec.number}" in body and rec.text in body
    assert "Status by state and body" in body and "Regional Conference on Migration" in body
    published = Action.objects.published().order_by("pk").first()
    assert published.title in body
    assert "Secret draft plan" not in body and "Withdrawn duplicate" not in body


def test_the_report_is_accessible_markup(client, db):
    build_record(recommendations=2, states=2, actions=1)
    body = _report(client)
    assert body.count("<h1") == 1
    assert "<caption" in body and 'scope="col"' in body and 'scope="row"' in body
    assert 'class="table-scroll" tabindex="0" role="region"' in body


def test_filtering_by_actor_narrows_the_matrix_the_actions_and_the_roll_up(client, db):
    recs, actors = build_record(recommendations=2, states=3, actions=6)
    ActionFactory(actor=actors[2], recommendations=recs[:1], title="Only by S02")
    ActionFactory(actor=actors[1], recommendations=recs[:1], title="Only by S01")
    body = _report(client, "?actor=S01")
    assert "For State 01 (S01)." in body and "Progress of State 01" in body
    assert "Only by S01" in body and "Only by S02" not in body
    matrix = body.split("Status by state and body", 1)[1].split("</table>", 1)[0]
    assert "State 01" in matrix and "State 02" not in matrix and "Regional Conference" not in matrix


def test_filtering_by_period_lists_the_actions_and_assessments_of_that_period(client, db):
    rec = RecommendationFactory(number=1)
    actor = ActorFactory(code="MEX", name="Mexico")
    responsibility = ResponsibilityFactory(recommendation=rec, actor=actor, status=Status.PARTIAL)
    ActionFactory(actor=actor, recommendations=[rec], title="Plan of 2022", taken_on=datetime.date(2022, 5, 1))
    ActionFactory(actor=actor, recommendations=[rec], title="Plan of 2024", taken_on=datetime.date(2024, 5, 1))
    StatusChangeFactory(responsibility=responsibility, assessed_on=datetime.date(2022, 6, 1), reason="Old reason")
    StatusChangeFactory(responsibility=responsibility, assessed_on=datetime.date(2024, 6, 1), reason="New reason")
    body = _report(client, "?date_from=2024-01-01&date_to=2024-12-31")
    assert "Plan of 2024" in body and "Plan of 2022" not in body
    assert "New reason" in body and "Old reason" not in body
    assert "Actions and assessments from" in body


@pytest.mark.parametrize(
    "query, message",
    [
        ("?date_from=yesterday", "Enter a valid date"),
        ("?actor=NOPE", "Select a valid choice"),
        ("?date_from=2024-12-31&date_to=2024-01-01", "The period ends before it starts"),
    ],
)
def test_choices_that_cannot_be_understood_are_explained_and_the_whole_record_is_shown(client, db, query, message):
    recs, actors = build_record(recommendations=1, states=2, actions=2)
    body = _report(client, query)
    assert message in body and 'role="alert"' in body
    assert "For all member states and bodies." in body
    assert "State 01" in body.split("Status by state and body", 1)[1]


def test_each_recommendation_lists_its_latest_actions_and_counts_the_rest(client, db):
    rec = RecommendationFactory(number=1)
    actor = ActorFactory(code="MEX")
    for n in range(13):
        ActionFactory(actor=actor, recommendations=[rec], title=f"Step {n:02d}", taken_on=datetime.date(2020, 1, n + 1))
    body = _report(client)
    assert "Step 12" in body and "Step 03" in body and "Step 02" not in body
    assert "and 3 earlier actions" in body


def test_each_recommendation_lists_its_own_latest_actions_of_the_period_and_actor(client, db):
    first, second = RecommendationFactory(number=1), RecommendationFactory(number=2)
    mexico, peru = ActorFactory(code="MEX"), ActorFactory(code="PER")
    for n in range(12):
        day = datetime.date(2024, 1, n + 1)
        ActionFactory(actor=mexico, recommendations=[first], title=f"First {n:02d}", taken_on=day)
        ActionFactory(actor=peru, recommendations=[second], title=f"Second {n:02d}", taken_on=day)
    ActionFactory(actor=mexico, recommendations=[first, second], title="Both", taken_on=datetime.date(2024, 2, 1))
    march = datetime.date(2024, 3, 1)
    ActionFactory(actor=mexico, recommendations=[second], title="Draft", taken_on=march, state="draft")
    body = _report(client)
    one, two = body.split("Recommendation 2", 1)
    assert "Both" in one and "Both" in two and "Draft" not in body
    assert "First 11" in one and "First 03" in one and "First 02" not in one and "Second" not in one
    assert "Second 11" in two and "Second 03" in two and "Second 02" not in two and "First" not in two
    assert one.index("Both") < one.index("First 11") < one.index("First 10")
    assert "and 3 earlier actions" in one and "and 3 earlier actions" in two
    body = _report(client, "?actor=PER&date_from=2024-01-03&date_to=2024-01-05")
    one, two = body.split("Recommendation 2", 1)
    assert "First" not in body and "Both" not in body and "earlier action" not in body
    assert [t for t in ("Second 01", "Second 02", "Second 03", "Second 04", "Second 05") if t in two] == [
        "Second 02",
        "Second 03",
        "Second 04",
    ]


def test_beyond_so_many_earlier_actions_the_report_says_more_than(client, db, monkeypatch):
    monkeypatch.setattr(open_data, "REPORT_MORE_ACTIONS_COUNTED", 3)
    first, second = RecommendationFactory(number=1), RecommendationFactory(number=2)
    actor = ActorFactory(code="MEX")
    for n in range(14):
        ActionFactory(actor=actor, recommendations=[first], taken_on=datetime.date(2020, 1, n + 1))
    for n in range(13):
        ActionFactory(actor=actor, recommendations=[second], taken_on=datetime.date(2020, 1, n + 1))
    one, two = _report(client).split("Recommendation 2", 1)
    assert "and more than 3 earlier actions" in one and "and 4 earlier" not in one
    assert "and 3 earlier actions" in two and "more than" not in two


def test_the_print_stylesheet_makes_a_clean_handout_of_the_report(client, db):
    body = _report(client)
    assert 'href="/static/css/print.css" media="print"' in body
    css = Path(settings.BASE_DIR, "static/css/print.css").read_text()
    assert ".report__filters" in css and "display: none" in css
    assert "@page" in css


def test_the_report_is_linked_from_the_dashboard(client, db):
    assert 'href="/report/"' in client.get("/").content.decode()


def test_query_count_does_not_grow_with_the_record(client, db):
    """Guards the report against a query per recommendation, actor or action."""
    build_record(recommendations=2, states=2, actions=3)
    counts = []
    for query in ("", "?actor=S00&date_from=2020-01-01&date_to=2030-12-31"):
        with CaptureQueriesContext(connection) as context:
            _report(client, query)
        counts.append(len(context.captured_queries))
    build_record(recommendations=6, states=10, actions=40, first_state=2)
    for query, small in zip(("", "?actor=S00&date_from=2020-01-01&date_to=2030-12-31"), counts, strict=True):
        with CaptureQueriesContext(connection) as context:
            _report(client, query)
        assert len(context.captured_queries) == small, query
    assert max(counts) <= 10
