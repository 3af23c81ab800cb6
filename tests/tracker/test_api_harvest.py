"""Incremental harvest from the API: each object's `updated_at`, and `updated_after` on the lists."""

import datetime
import json

import pytest
from django.utils import timezone

from tests.factories import ActionFactory, ActorFactory, RecommendationFactory, ResponsibilityFactory, UserFactory
from tests.tracker.test_api import build_record
from tracker import services
from tracker.models import Action, OverallAssessment, Responsibility, StatusChange

HARVESTABLE = ["/api/recommendations/", "/api/responsibilities/", "/api/actions/", "/api/status-changes/"]
LONG_AGO = timezone.make_aware(datetime.datetime(2020, 1, 1, 12, 0))


def _results(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.content[:300])
    return json.loads(response.content)


def _age_everything():
    """Every row last changed long ago; `update()` leaves `auto_now` alone, so the dates stay."""
    Action.objects.update(updated_at=LONG_AGO)
    Responsibility.objects.update(updated_at=LONG_AGO)
    OverallAssessment.objects.update(updated_at=LONG_AGO)
    StatusChange.objects.update(changed_at=LONG_AGO)


@pytest.mark.parametrize("url", HARVESTABLE)
def test_every_harvestable_object_says_when_it_last_changed(client, db, url):
    build_record(recommendations=2, states=2, actions=3)
    _age_everything()
    for row in _results(client, url)["results"]:
        assert datetime.datetime.fromisoformat(row["updated_at"]) == LONG_AGO, row


def test_updated_after_gives_only_the_actions_changed_since(client, db):
    build_record(recommendations=2, states=2, actions=4)
    _age_everything()
    changed = Action.objects.published().order_by("pk").first()
    changed.title = "Revised plan"
    changed.save()
    since = (LONG_AGO + datetime.timedelta(days=1)).isoformat()
    rows = _results(client, f"/api/actions/?updated_after={since.replace('+', '%2B')}")["results"]
    assert [row["id"] for row in rows] == [changed.pk]
    assert datetime.datetime.fromisoformat(rows[0]["updated_at"]) == Action.objects.get(pk=changed.pk).updated_at
    # Strictly after: the row's own updated_at, given back, finds nothing newer.
    again = _results(client, f"/api/actions/?updated_after={rows[0]['updated_at'].replace('+', '%2B')}")
    assert again["results"] == []


def test_a_recommendation_changes_when_a_responsibility_or_its_overall_status_does(client, db):
    recs, actors = build_record(recommendations=3, states=2, actions=1)
    _age_everything()
    since = "2021-01-01T00:00:00Z"
    assert _results(client, f"/api/recommendations/?updated_after={since}")["results"] == []
    responsibility = Responsibility.objects.get(recommendation=recs[1], actor=actors[0])
    responsibility.reasoning = "Reconsidered."
    responsibility.save()
    overall = OverallAssessment.objects.get(recommendation=recs[0])
    overall.save()
    rows = _results(client, f"/api/recommendations/?updated_after={since}")["results"]
    assert sorted(row["number"] for row in rows) == [1, 2]
    responsibilities = _results(client, f"/api/responsibilities/?updated_after={since}")["results"]
    assert [row["id"] for row in responsibilities] == [responsibility.pk]


def test_a_recommendation_without_responsibilities_takes_its_overall_assessments_time(client, db):
    """Neither side of the comparison may blank the other (GREATEST is NULL on SQLite when one is)."""
    recommendation = RecommendationFactory(number=1)
    OverallAssessment.objects.filter(recommendation=recommendation).update(updated_at=LONG_AGO)
    assert not recommendation.responsibilities.exists()
    assert datetime.datetime.fromisoformat(_results(client, "/api/recommendations/1/")["updated_at"]) == LONG_AGO


def test_status_changes_are_harvested_by_when_they_were_recorded(client, db):
    recs, _actors = build_record(recommendations=1, states=2, actions=0)
    _age_everything()
    responsibility = ResponsibilityFactory(recommendation=recs[0], actor=ActorFactory(code="ZZZ"))
    services.responsibility_set_status(
        responsibility=responsibility, status="partial", by=UserFactory(is_staff=True), reason="Progress."
    )
    rows = _results(client, "/api/status-changes/?updated_after=2021-01-01T00:00:00Z")["results"]
    assert [row["reason"] for row in rows] == ["Progress."]
    assert rows[0]["updated_at"] == rows[0]["recorded_at"]


@pytest.mark.parametrize("url", HARVESTABLE)
@pytest.mark.parametrize("value", ["yesterday", "2024-13-01T00:00:00", "1714564800"])
def test_an_updated_after_that_is_not_a_date_time_is_a_400_naming_it(client, db, url, value):
    ActionFactory(actor=ActorFactory(), recommendations=[RecommendationFactory(number=1)])
    errors = _results(client, f"{url}?updated_after={value}", status=400)
    assert list(errors) == ["updated_after"]


def test_a_naive_date_time_is_read_in_the_sites_time_zone(client, db):
    ActionFactory(actor=ActorFactory(), recommendations=[RecommendationFactory(number=1)])
    Action.objects.update(updated_at=timezone.make_aware(datetime.datetime(2024, 5, 1, 12, 0)))
    assert len(_results(client, "/api/actions/?updated_after=2024-05-01T11:59:00")["results"]) == 1
    assert _results(client, "/api/actions/?updated_after=2024-05-01T12:00:00")["results"] == []


def test_the_schema_describes_updated_at_and_updated_after(client, db):
    schema = json.loads(client.get("/api/schema/?format=json").content)
    for url in HARVESTABLE:
        parameters = {p["name"]: p for p in schema["paths"][url]["get"]["parameters"]}
        assert parameters["updated_after"]["schema"]["format"] == "date-time", url
        assert "ISO 8601" in parameters["updated_after"]["description"], url
    for component in ("Recommendation", "Responsibility", "Action", "StatusChange"):
        field = schema["components"]["schemas"][component]["properties"]["updated_at"]
        assert field["format"] == "date-time" and field["description"], component
    assert "updated_after" not in {p["name"] for p in schema["paths"]["/api/actors/"]["get"]["parameters"]}, (
        "actors carry no timestamp of their own"
    )
