"""Atom feeds of published actions and status changes: site-wide, per recommendation, per actor."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    ActionFactory,
    ActorFactory,
    RecommendationFactory,
    ResponsibilityFactory,
    StatusChangeFactory,
)
from tests.tracker.test_api import build_record
from tracker.models import Action

ATOM = "{http://www.w3.org/2005/Atom}"


def _feed(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    if status != 200:
        return None
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own output


def _entries(feed):
    return feed.findall(f"{ATOM}entry")


def _text(entry, tag):
    return entry.find(f"{ATOM}{tag}").text


def test_the_site_feed_merges_published_actions_and_status_changes_newest_first(client, db):
    build_record(recommendations=2, states=2, actions=3)
    feed = _feed(client, "/feed/")
    assert "actions and assessments" in feed.find(f"{ATOM}title").text
    entries = _entries(feed)
    ids = [_text(e, "id") for e in entries]
    assert any(":action-" in i for i in ids) and any(":status-change-" in i for i in ids)
    updated = [_text(e, "updated") for e in entries]
    assert updated == sorted(updated, reverse=True)
    titles = " ".join(_text(e, "title") for e in entries)
    assert "Secret draft plan" not in titles and "Withdrawn duplicate" not in titles


def test_entries_have_unique_ids_and_link_to_a_permanent_address(client, db):
    """An action's entry links to its own page; a status change's to the page holding it, by fragment."""
    build_record(recommendations=2, states=2, actions=3)
    entries = _entries(_feed(client, "/feed/"))
    ids = [_text(e, "id") for e in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        link = entry.find(f"{ATOM}link").get("href")
        assert re.search(r"/actions/\d+/$", link) or ("/recommendations/" in link and "#status-change-" in link)
        assert client.get(link.removeprefix("http://testserver").split("#")[0]).status_code == 200


def test_the_site_feed_holds_the_latest_fifty(client, db):
    actor = ActorFactory(code="MEX")
    rec = RecommendationFactory(number=1)
    now = timezone.now()
    for n in range(60):
        ActionFactory(actor=actor, recommendations=[rec], title=f"Plan {n}", published_at=now - datetime.timedelta(n))
    entries = _entries(_feed(client, "/feed/"))
    assert len(entries) == 50
    assert _text(entries[0], "title").endswith("Plan 0")


def test_a_recommendation_feed_holds_only_that_recommendation(client, db):
    recs, actors = build_record(recommendations=3, states=2, actions=6)
    feed = _feed(client, "/recommendations/2/feed/")
    assert "Recommendation 2" in feed.find(f"{ATOM}title").text
    for entry in _entries(feed):
        categories = [c.get("term") for c in entry.findall(f"{ATOM}category")]
        assert "Recommendation 2" in categories
        link = entry.find(f"{ATOM}link").get("href")
        assert "/recommendations/2/#" in link or re.search(r"/actions/\d+/$", link)
    _feed(client, "/recommendations/99/feed/", status=404)


def test_an_actor_feed_holds_only_that_actor_and_unknown_codes_give_404(client, db):
    build_record(recommendations=2, states=2, actions=6)
    feed = _feed(client, "/actors/s01/feed/")
    assert feed.find(f"{ATOM}title").text.startswith("State 01")
    entries = _entries(feed)
    assert entries
    for entry in entries:
        link = entry.find(f"{ATOM}link").get("href")
        assert "/actors/S01/#" in link or re.search(r"/actions/\d+/$", link)
    _feed(client, "/actors/NOPE/feed/", status=404)


def test_titles_and_descriptions_are_plain_text(client, db):
    rec = RecommendationFactory(number=1)
    ActionFactory(
        actor=ActorFactory(code="MEX", name="Mexico"),
        recommendations=[rec],
        title="<script>alert(1)</script> & plan",
        description="<b>bold?</b>\n\nSecond paragraph",
    )
    response = client.get("/feed/")
    assert b"<script>" not in response.content
    entry = _entries(ET.fromstring(response.content))[0]  # noqa: S314 - our own output
    assert _text(entry, "title") == "Mexico: <script>alert(1)</script> & plan"
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    # Escaped once more inside the HTML summary, so a reader shows the characters, not markup.
    assert "&lt;b&gt;bold?&lt;/b&gt;" in summary.text and "<b>" not in summary.text


def test_the_same_entry_keeps_its_id_in_every_feed(client, db):
    responsibility = ResponsibilityFactory(
        recommendation=RecommendationFactory(number=1), actor=ActorFactory(code="MEX")
    )
    change = StatusChangeFactory(responsibility=responsibility)
    ids = [
        {_text(e, "id") for e in _entries(_feed(client, url))}
        for url in ("/feed/", "/recommendations/1/feed/", "/actors/MEX/feed/")
    ]
    assert all(f"status-change-{change.pk}" in next(iter(s)) for s in ids)
    assert ids[0] == ids[1] == ids[2]


def test_pages_advertise_their_feed(client, db):
    build_record(recommendations=1, states=1, actions=1)
    for url, feed in [
        ("/", "/feed/"),
        ("/actions/", "/feed/"),
        ("/recommendations/1/", "/recommendations/1/feed/"),
        ("/actors/S00/", "/actors/S00/feed/"),
    ]:
        body = client.get(url).content.decode()
        assert '<link rel="alternate" type="application/atom+xml"' in body and f'href="{feed}"' in body, url


@pytest.mark.parametrize("url", ["/feed/", "/recommendations/1/feed/", "/actors/S00/feed/"])
def test_query_count_does_not_grow_with_the_record(client, db, url):
    """Guards the feeds against a query per entry (actor, recommendations)."""
    build_record(recommendations=2, states=2, actions=2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    build_record(recommendations=5, states=8, actions=40, first_state=2)
    Action.objects.update(published_at=timezone.now())
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)
    assert len(large.captured_queries) <= 5
