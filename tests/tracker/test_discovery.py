"""What crawlers and browsers ask of the site: robots.txt, the sitemap with its language alternates,
and the favicon."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import UserFactory
from tests.tracker.test_api import build_record
from tracker import services, sitemaps
from tracker.models import Action, ReportingRound, SdgTarget, Theme

SITE = "https://followup.example.org"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(autouse=True)
def site_address(settings):
    settings.SITE_URL = SITE


def _local(url):
    assert url.startswith(SITE + "/"), url
    return url.removeprefix(SITE)


def _xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own output


def _sitemap_entries(client):
    """Every <url> of every section and page the index lists."""
    index = _xml(client, "/sitemap.xml")
    entries = []
    for loc in index.iter(f"{SM}loc"):
        entries += _xml(client, _local(loc.text)).findall(f"{SM}url")
    return entries


def _record():
    build_record(recommendations=2, states=2, actions=3)
    staff = UserFactory(is_staff=True)
    services.round_save(
        round_=ReportingRound(name="2024 round", opens_on=datetime.date(2024, 3, 1), due_on=datetime.date(2024, 5, 31)),
        by=staff,
    )
    Theme.objects.create(slug="test-return", name="Return")
    SdgTarget.objects.create(number="10.7", title="Facilitate orderly, safe, regular and responsible migration.")


def test_robots_allows_the_public_pages_and_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt", HTTP_HOST="127.0.0.1")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *" and "Allow: /" in lines
    disallowed = {line.removeprefix("Disallow: ") for line in lines if line.startswith("Disallow:")}
    assert disallowed == {"/admin/", "/liaison/", "/review/", "/accounts/"}
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    # Nothing public is disallowed.
    for public in ("/", "/recommendations/1/", "/actors/", "/actions/", "/feed/", "/export/actions.csv"):
        assert not any(public.startswith(prefix) for prefix in disallowed)


def test_the_sitemap_lists_every_public_page_in_every_language(client, db):
    _record()
    entries = _sitemap_entries(client)
    locations = [entry.find(f"{SM}loc").text for entry in entries]
    assert len(locations) == len(set(locations))
    pages = {}
    for location in locations:
        path, _, query = _local(location).partition("?")
        pages.setdefault(path, set()).add(query)
    expected = {"/", "/recommendations/", "/actors/", "/actions/", "/map/", "/forum/", "/rounds/", "/report/"}
    expected |= {"/themes/", "/themes/test-return/", "/sdg/10.7/"}
    expected |= {"/recommendations/1/", "/recommendations/2/", "/actors/S00/", "/actors/S01/", "/actors/RCM/"}
    expected |= {f"/actions/{pk}/" for pk in Action.objects.published().values_list("pk", flat=True)}
    expected |= {f"/rounds/{pk}/" for pk in ReportingRound.objects.values_list("pk", flat=True)}
    assert set(pages) == expected
    assert all(queries == {"lang=en", "lang=es", "lang=fr", "lang=pt"} for queries in pages.values())
    for draft in Action.objects.exclude(state=Action.State.PUBLISHED):
        assert f"/actions/{draft.pk}/" not in pages


def test_each_entry_names_its_alternates_and_each_alternate_gives_the_page_in_that_language(client, db):
    _record()
    entries = _sitemap_entries(client)
    checked = 0
    for entry in entries:
        location = entry.find(f"{SM}loc").text
        alternates = {link.get("hreflang"): link.get("href") for link in entry.findall(f"{XHTML}link")}
        assert all(link.get("rel") == "alternate" for link in entry.findall(f"{XHTML}link"))
        assert set(alternates) == {"en", "es", "fr", "pt", "x-default"}
        assert location in alternates.values()
        assert alternates["x-default"] == location.split("?")[0]
        if "/recommendations/1/" in location and location.endswith("lang=en"):
            for language in ("en", "es", "fr", "pt"):
                # A fresh visitor with no cookie, so only the address decides the language.
                client.cookies.clear()
                body = client.get(_local(alternates[language])).content.decode()
                assert re.search(rf'<html lang="{language}"', body), language
            checked += 1
    assert checked == 1


def test_every_address_in_the_sitemap_answers(client, db):
    _record()
    for entry in _sitemap_entries(client):
        url = _local(entry.find(f"{SM}loc").text)
        if url.endswith("lang=en"):
            assert client.get(url).status_code == 200, url


def test_actions_carry_their_last_change_and_long_sections_are_paged(client, db, monkeypatch):
    _record()
    monkeypatch.setattr(sitemaps.ActionSitemap, "limit", 4)
    index = _xml(client, "/sitemap.xml")
    locations = [_local(loc.text) for loc in index.iter(f"{SM}loc")]
    published = Action.objects.published().count()
    pages = -(-published * 4 // 4)  # four languages an action, four entries a page
    assert [loc for loc in locations if loc.startswith("/sitemap-actions.xml")] == [
        "/sitemap-actions.xml",
        *[f"/sitemap-actions.xml?p={page}" for page in range(2, pages + 1)],
    ]
    entry = _xml(client, "/sitemap-actions.xml").find(f"{SM}url")
    pk = int(re.search(r"/actions/(\d+)/", entry.find(f"{SM}loc").text).group(1))
    # The day as the site's time zone counts it (between midnight UTC and midnight in New York, a day apart).
    changed = timezone.localtime(Action.objects.get(pk=pk).updated_at)
    assert entry.find(f"{SM}lastmod").text == changed.date().isoformat()
    assert client.get("/sitemap-nothing.xml").status_code == 404


@pytest.mark.parametrize("section", list(sitemaps.SITEMAPS))
def test_a_sitemap_sections_query_count_does_not_grow_with_the_record(client, db, section):
    build_record(recommendations=1, states=1, actions=1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/sitemap-{section}.xml").status_code == 200
    build_record(recommendations=4, states=6, actions=30, first_state=1)
    with CaptureQueriesContext(connection) as large:
        assert client.get(f"/sitemap-{section}.xml").status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries) <= 2


def test_the_favicon_is_linked_from_every_page_and_asked_for_at_favicon_ico(client, db):
    build_record(recommendations=1, states=1, actions=1)
    body = client.get("/").content.decode()
    match = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', body)
    assert match and match.group(1).endswith("favicon.svg")
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == match.group(1)
    # The file the static address serves: a small SVG, in the site's colours.
    icon = ET.parse(finders.find("favicon.svg")).getroot()  # noqa: S314 - our own file
    assert icon.tag == "{http://www.w3.org/2000/svg}svg" and icon.get("viewBox") == "0 0 32 32"
