"""The map of progress: every member state drawn, coloured by its progress, linked to its page."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import ActorFactory, ForumFactory, RecommendationFactory, ResponsibilityFactory
from tracker.models import Status
from tracker.selectors.map import DRAWING

pytestmark = pytest.mark.django_db


def _state(body, code):
    """The class and the label of a state's shape on the page."""
    found = re.search(rf'<a href="/actors/{code}/" class="map__state map__state--(\w+)" aria-label="([^"]*)">', body)
    assert found, f"{code} is not on the map"
    return found.group(1), found.group(2)


@pytest.fixture
def record():
    forum = ForumFactory()
    first, second = RecommendationFactory(forum=forum, number=1), RecommendationFactory(forum=forum, number=2)
    statuses = {"MEX": Status.FULL, "BRA": Status.PARTIAL, "ARG": Status.PENDING, "CAN": Status.NOT_ASSESSED}
    for code, status in statuses.items():
        ResponsibilityFactory(recommendation=first, actor=ActorFactory(code=code, name=code), status=status)
    # Chile answers for the second recommendation only.
    ResponsibilityFactory(recommendation=second, actor=ActorFactory(code="CHL", name="Chile"), status=Status.FULL)
    ActorFactory(code="URY", name="Uruguay")
    return first, second


def test_the_drawing_holds_every_member_state_of_the_record():
    fixture = json.loads((Path(settings.BASE_DIR) / "fixtures" / "actors.json").read_text())
    members = {row["fields"]["code"] for row in fixture if row["fields"]["kind"] == "member_state"}
    drawing = json.loads(DRAWING.read_text())
    assert len(members) == 35 and set(drawing["states"]) == members
    assert all(shape["d"].startswith("M") for shape in drawing["states"].values())
    assert "Natural Earth" in drawing["source"] and "public domain" in drawing["source"]


def test_each_state_is_coloured_by_its_progress_and_links_to_its_page(client, record, django_assert_num_queries):
    # The version, the recommendations, the themes and SDG targets offered, the statuses, the states.
    with django_assert_num_queries(6):
        response = client.get("/map/")
    assert response.status_code == 200
    body = response.content.decode()
    assert _state(body, "MEX") == ("p3", "MEX: progress 100 %")
    assert _state(body, "BRA") == ("p2", "BRA: progress 50 %")
    assert _state(body, "ARG") == ("p0", "ARG: progress 0 %")
    assert _state(body, "CAN") == ("unassessed", "CAN: not yet assessed")
    assert _state(body, "CHL")[0] == "p3"
    assert _state(body, "URY") == ("none", "Uruguay: not responsible")
    legend = re.findall(r'map__state--(\w+)" aria-hidden="true"></span>([^<]+)</li>', body)
    assert legend == [
        ("p3", "75 % or more"),
        ("p2", "50 % to 74 %"),
        ("p1", "25 % to 49 %"),
        ("p0", "Under 25 %"),
        ("unassessed", "Not yet assessed"),
        ("none", "Not responsible"),
    ]
    # The same figures as a table, for those who do not see the map.
    assert re.search(
        r'<a href="/actors/BRA/">BRA</a></th><td class="num"[^>]*>1</td><td class="num"[^>]*>0</td>'
        r'<td class="num"[^>]*>50',
        body,
    )


def test_one_recommendation_at_a_time(client, record):
    body = client.get("/map/?recommendation=1").content.decode()
    assert _state(body, "MEX")[0] == "p3" and _state(body, "CHL")[0] == "none"
    body = client.get("/map/?recommendation=2").content.decode()
    assert _state(body, "CHL")[0] == "p3" and _state(body, "MEX")[0] == "none"
    assert "Member states by progress on recommendation 2" in body


@pytest.mark.parametrize("query", ["?recommendation=99", "?recommendation=x", "?colour=red"])
def test_what_cannot_be_understood_is_a_400_that_says_so(client, record, query):
    response = client.get("/map/" + query)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body and ("colour" in body if "colour" in query else "Progress on" in body)


def test_nothing_is_fetched_from_another_host(client, record):
    body = client.get("/map/").content.decode()
    assert not re.search(r'(src|href|xlink:href)="(https?:)?//', body)
    assert "<svg" in body and "Natural Earth" in body


def test_the_recommendations_of_one_theme_or_one_sdg_target(client, record):
    from tracker.models import RecommendationClassification, SdgTarget, Theme

    first, second = record
    theme = Theme.objects.create(slug="test-return", name="Return")
    target = SdgTarget.objects.create(number="99.9", title="A target.")
    RecommendationClassification.objects.create(recommendation=second).themes.add(theme)
    RecommendationClassification.objects.create(recommendation=first).sdg_targets.add(target)
    body = client.get("/map/?theme=test-return").content.decode()
    assert _state(body, "CHL")[0] == "p3" and _state(body, "MEX")[0] == "none"
    assert "classified under Return (2)" in body
    body = client.get("/map/?sdg=99.9").content.decode()
    assert _state(body, "MEX")[0] == "p3" and _state(body, "CHL")[0] == "none"
    both = client.get("/map/?theme=test-return&sdg=99.9")
    assert both.status_code == 400 and "not several" in both.content.decode()
    assert client.get("/map/?theme=nowhere").status_code == 400


def test_the_forms_kept_markup_follows_the_choice_made_the_themes_offered_and_the_errors(client, record):
    """The form's fields are drawn once per distinct form and kept: what is chosen, what is offered
    and what is wrong each make a distinct form."""
    from tracker.models import Theme

    def selected(body):
        return re.findall(r'<option value="([^"]*)" selected>', body)

    assert selected(client.get("/map/").content.decode()) == ["", "", ""]
    assert selected(client.get("/map/?recommendation=2").content.decode()) == ["2", "", ""]
    theme = Theme.objects.create(slug="test-return", name="Return")
    assert ">Return</option>" in client.get("/map/").content.decode()
    theme.name = "Return and reintegration"
    theme.save()
    assert ">Return and reintegration</option>" in client.get("/map/").content.decode()
    wrong = client.get("/map/?recommendation=99").content.decode()
    assert 'aria-invalid="true"' in wrong and 'aria-invalid="true"' not in client.get("/map/").content.decode()
