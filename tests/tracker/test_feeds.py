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
    UserFactory,
)
from tests.tracker.test_api import build_record
from tracker import selectors, services
from tracker.models import Action, ReportingRound, StatusChange

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


@pytest.fixture(autouse=True)
def site_address(settings):
    settings.SITE_URL = "https://followup.example.org"


def test_entries_have_unique_ids_and_link_to_a_permanent_address(client, db):
    """An action's entry links to its own page; a status change's to the page holding it, by fragment."""
    build_record(recommendations=2, states=2, actions=3)
    entries = _entries(_feed(client, "/feed/"))
    ids = [_text(e, "id") for e in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        link = entry.find(f"{ATOM}link").get("href")
        assert re.search(r"/actions/\d+/$", link) or ("/recommendations/" in link and "#status-change-" in link)
        assert link.startswith("https://followup.example.org/")
        assert client.get(link.removeprefix("https://followup.example.org").split("#")[0]).status_code == 200


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


def test_ids_and_links_come_from_the_site_address_not_the_request_host(client, db, settings):
    """A feed fetched through another name of the server gives the same ids and links."""
    settings.ALLOWED_HOSTS = ["followup.example.org", "10.0.0.5"]
    build_record(recommendations=1, states=1, actions=2)
    feeds = [
        ET.fromstring(client.get("/feed/", HTTP_HOST=host).content)  # noqa: S314 - our own output
        for host in ("followup.example.org", "10.0.0.5")
    ]
    ids = [[_text(e, "id") for e in _entries(feed)] for feed in feeds]
    links = [[e.find(f"{ATOM}link").get("href") for e in _entries(feed)] for feed in feeds]
    assert ids[0] == ids[1] and all(i.startswith("tag:followup.example.org,2008-04-17:") for i in ids[0])
    assert links[0] == links[1] and all(link.startswith("https://followup.example.org/") for link in links[0])
    for feed in feeds:
        assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "https://followup.example.org/feed/"
        assert "10.0.0.5" not in ET.tostring(feed, encoding="unicode")


@pytest.mark.parametrize("url", ["/feed/", "/recommendations/1/feed/", "/actors/S00/feed/"])
def test_every_feed_states_the_data_licence(client, db, url):
    build_record(recommendations=1, states=1, actions=1)
    rights = _feed(client, url).find(f"{ATOM}rights").text
    assert "CC BY 4.0" in rights and "https://creativecommons.org/licenses/by/4.0/" in rights


def _links(feed):
    return {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}


def test_the_feed_pages_through_every_older_entry(client, db):
    """RFC 5005 paged feed: `next` until the last page, `previous` back, `first` on every page; each
    entry once, newest first across the pages."""
    actor = ActorFactory(code="MEX")
    rec = RecommendationFactory(number=1)
    now = timezone.now()
    for n in range(120):
        ActionFactory(actor=actor, recommendations=[rec], title=f"Plan {n}", published_at=now - datetime.timedelta(n))
    seen, url, pages = [], "https://followup.example.org/feed/", 0
    while url:
        feed = _feed(client, url.removeprefix("https://followup.example.org"))
        pages += 1
        links = _links(feed)
        assert links["first"] == "https://followup.example.org/feed/"
        assert links["self"] == url
        assert ("previous" in links) == (pages > 1)
        seen += [_text(e, "title") for e in _entries(feed)]
        url = links.get("next")
    assert pages == 3
    assert [title.rsplit(" ", 1)[1] for title in seen] == [str(n) for n in range(120)]
    assert _links(_feed(client, "/feed/?page=2"))["previous"] == "https://followup.example.org/feed/"
    _feed(client, "/feed/?page=4", status=404)


def test_pages_merge_actions_status_changes_and_rounds_in_one_order(client, db):
    """A later page is cut from the same order as the first: no entry lost or repeated at the seams."""
    build_record(recommendations=3, states=6, actions=40)
    now = timezone.now()
    for days, action in enumerate(Action.objects.order_by("pk")):
        Action.objects.filter(pk=action.pk).update(published_at=now - datetime.timedelta(days=days, hours=1))
    staff = UserFactory(is_staff=True)
    for days in (5, 20, 35):
        opens_on = timezone.localdate() - datetime.timedelta(days=days)
        round_ = services.round_save(
            round_=ReportingRound(
                name=f"Round {days}", opens_on=opens_on, due_on=opens_on + datetime.timedelta(days=30)
            ),
            by=staff,
        )
        if days > 5:
            services.round_close(round_=round_, by=staff)
    everything, _more = selectors.feed_entries(limit=10_000)
    ids = []
    url = "/feed/"
    while url:
        feed = _feed(client, url.removeprefix("https://followup.example.org"))
        ids += [_text(e, "id") for e in _entries(feed)]
        url = _links(feed).get("next")
    assert len(ids) == len(everything) > 50
    assert any(":round-" in i for i in ids[50:])
    kinds = {"action": "action", "status": "status-change"}
    assert ids == [
        f"tag:followup.example.org,2008-04-17:{kinds.get(e['kind'], e['kind'])}-{e['item'].pk}" for e in everything
    ]


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=two", "page=", "pgae=2"])
def test_a_bad_page_or_unknown_parameter_is_a_400_naming_it(client, db, query):
    response = client.get(f"/feed/?{query}")
    assert response.status_code == 400
    assert ("pgae" if "pgae" in query else "page") in response.content.decode()


@pytest.mark.parametrize("number", ["2", "99999999999999999999999", pytest.param("9" * 5000, id="5000 digits")])
def test_a_page_past_the_last_is_not_found(client, db, number):
    """However far past: never a database error on a number too large for its LIMIT and OFFSET."""
    _alternating(ResponsibilityFactory(recommendation=RecommendationFactory(number=1)), 3)
    assert client.get(f"/feed/?page={number}").status_code == 404
    assert client.get(f"/recommendations/1/feed/?page={number}").status_code == 404


def test_a_bad_page_is_named_in_the_asked_language(client, db):
    response = client.get("/feed/?lang=es&page=0")
    assert response.status_code == 400 and "debe ser un número entero a partir de 1" in response.content.decode()


def _alternating(responsibility, count, start=0):
    """Actions and status changes of one actor on one recommendation, alternating in time, so that
    every page of every feed holds both kinds."""
    now = timezone.now()
    for n in range(start, start + count):
        ActionFactory(
            actor=responsibility.actor,
            recommendations=[responsibility.recommendation],
            published_at=now - datetime.timedelta(minutes=2 * n),
        )
        change = StatusChangeFactory(responsibility=responsibility)
        StatusChange.objects.filter(pk=change.pk).update(changed_at=now - datetime.timedelta(minutes=2 * n + 1))


@pytest.mark.parametrize("url", ["/feed/?page=2", "/recommendations/1/feed/?page=2", "/actors/S00/feed/?page=2"])
def test_a_later_page_query_count_does_not_grow_with_the_record(client, db, url):
    """Guards a later page against a query per entry, and against reading more than its own rows."""
    responsibility = ResponsibilityFactory(
        recommendation=RecommendationFactory(number=1), actor=ActorFactory(code="S00")
    )
    _alternating(responsibility, 40)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _alternating(responsibility, 100, start=40)
    build_record(recommendations=3, states=4, actions=30, first_state=1)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)
    assert len(large.captured_queries) <= 7


def _every_page(client, url):
    """The entries of every page of a feed, following its `next` links."""
    entries = []
    while url:
        feed = _feed(client, url.removeprefix("https://followup.example.org"))
        entries += _entries(feed)
        url = _links(feed).get("next")
    return entries


@pytest.mark.parametrize("feed_url", ["/feed/", "/recommendations/1/feed/", "/actors/S00/feed/", "/actors/S01/feed/"])
def test_every_link_on_every_page_of_a_feed_reaches_its_entry(client, db, feed_url):
    """The pages show their newest entries only: an older entry's link still reaches it. An action's
    leads to its own page; a status change's to the anchor on a page that holds it, else to a page
    without an anchor, never to an anchor that is not there."""
    recommendation = RecommendationFactory(number=1)
    busy = ResponsibilityFactory(recommendation=recommendation, actor=ActorFactory(code="S00"))
    # A quiet actor, assessed once long ago on the busy recommendation: its page still holds the change.
    quiet = ResponsibilityFactory(recommendation=recommendation, actor=ActorFactory(code="S01"))
    old = StatusChangeFactory(responsibility=quiet)
    StatusChange.objects.filter(pk=old.pk).update(changed_at=timezone.now() - datetime.timedelta(days=30))
    _alternating(busy, 70)
    pages, anchors = {}, []
    for entry in _every_page(client, feed_url):
        link = entry.find(f"{ATOM}link").get("href").removeprefix("https://followup.example.org")
        path, _hash, anchor = link.partition("#")
        if path not in pages:
            response = client.get(path)
            assert response.status_code == 200, link
            pages[path] = response.content.decode()
        if ":action-" in _text(entry, "id"):
            assert re.fullmatch(r"/actions/\d+/", path), link
            assert f"<h1>{_text(entry, 'title').split(': ', 1)[1]}</h1>" in pages[path], link
        elif anchor:
            assert f'id="{anchor}"' in pages[path], f"{link}: the page does not hold the anchor"
            anchors.append(link)
    # The newest changes keep their anchor, and the quiet actor's is found on its own page.
    assert len(anchors) >= (1 if feed_url == "/actors/S01/feed/" else 50)
    if feed_url in ("/feed/", "/recommendations/1/feed/", "/actors/S01/feed/"):
        assert f"/actors/S01/#status-change-{old.pk}" in anchors


FEED_TEXTS = {
    "es": [
        "Realizada el 2023-06-01 por Mexico.",
        "Recomendaciones abordadas: 1.",
        "Fuente: National report",
        "Recomendación 1, Mexico: ",
        "Recomendación 1, el estado general según la Comisión: ",
        "Motivo: Measures reported in the national plan.",
        "Ronda de informes abierta: Round 2024",
        "La fecha límite de los informes es el ",
    ],
    "fr": [
        "Menée le 2023-06-01 par Mexico.",
        "Recommandations concernées\xa0: 1.",
        "Source\xa0: National report",
        "Recommandation 1, Mexico\xa0: ",
        "Recommandation 1, le statut global de la Commission\xa0: ",
        "Motif\xa0: Measures reported in the national plan.",
        "Cycle de rapports ouvert\xa0: Round 2024",
        "Les rapports sont à remettre le ",
    ],
    "pt": [
        "Realizada em 2023-06-01 por Mexico.",
        "Recomendações abordadas: 1.",
        "Fonte: National report",
        "Recomendação 1, Mexico: ",
        "Recomendação 1, a situação geral atribuída pela Comissão: ",
        "Motivo: Measures reported in the national plan.",
        "Rodada de relatórios aberta: Round 2024",
        "O prazo dos relatórios vence em ",
    ],
}


@pytest.mark.parametrize("code", sorted(FEED_TEXTS))
def test_entries_are_written_in_the_asked_language(client, db, code):
    """The entries' titles and summaries, not only the feed's title, follow `?lang=`."""
    mexico = ActorFactory(code="MEX", name="Mexico")
    recommendation = RecommendationFactory(number=1)
    ActionFactory(actor=mexico, recommendations=[recommendation])
    StatusChangeFactory(responsibility=ResponsibilityFactory(recommendation=recommendation, actor=mexico))
    StatusChangeFactory(responsibility=None, recommendation=recommendation, actor=None)
    opens_on = timezone.localdate()
    services.round_save(
        round_=ReportingRound(name="Round 2024", opens_on=opens_on, due_on=opens_on + datetime.timedelta(days=30)),
        by=UserFactory(is_staff=True),
    )
    feed = _feed(client, f"/feed/?lang={code}")
    texts = " ".join(_text(e, "title") + " " + _text(e, "summary") for e in _entries(feed))
    missing = [text for text in FEED_TEXTS[code] if text not in texts]
    assert not missing, f"not in the {code} feed: {missing}"
    titles = {
        "es": "Mexico: acciones y evaluaciones",
        "fr": "Mexico\xa0: actions et évaluations",
        "pt": "Mexico: ações e avaliações",
    }
    assert _feed(client, f"/actors/MEX/feed/?lang={code}").find(f"{ATOM}title").text == titles[code]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("es", "Este canal no tiene el parámetro pgae. Admite: lang, page."),
        ("fr", "Ce flux n'a pas de paramètre pgae. Paramètres reconnus\xa0: lang, page."),
    ],
)
def test_an_unknown_parameter_is_named_in_the_asked_language(client, db, code, message):
    response = client.get(f"/feed/?lang={code}&pgae=2")
    assert response.status_code == 400 and response.content.decode().strip() == message
