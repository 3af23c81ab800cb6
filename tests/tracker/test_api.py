"""The public JSON API: what it exposes, what it never exposes, its filters, pages and query counts."""

import base64
import datetime
import json
import re
from html.parser import HTMLParser
from urllib import parse

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework import serializers
from rest_framework.request import Request

from forum.models import Recommendation
from tests.factories import (
    ActionFactory,
    ActorFactory,
    BodyFactory,
    EvidenceFactory,
    ForumFactory,
    LiaisonFactory,
    PopulationGroupFactory,
    RecommendationFactory,
    ResponsibilityFactory,
    SdgTargetFactory,
    StatusChangeFactory,
    ThemeFactory,
    UserFactory,
)
from tracker import selectors, services
from tracker.api.serializers import ActionSerializer, RecommendationSerializer, datetime_writer
from tracker.models import Action, MeasureType, RecommendationClassification, Status

STATUSES = [s.value for s in Status]


def build_record(*, recommendations=3, states=3, actions=4, first_state=0):
    """A small record: every actor responsible for every recommendation, statuses spread along the
    scale, a status change per responsibility and one overall change, published actions with
    evidence, and a draft and a withdrawn action that must never be seen."""
    forum = ForumFactory()
    existing = {r.number: r for r in RecommendationFactory._meta.model.objects.filter(forum=forum)}
    recs = [existing.get(n + 1) or RecommendationFactory(forum=forum, number=n + 1) for n in range(recommendations)]
    actors = [ActorFactory(code=f"S{n:02d}", name=f"State {n:02d}") for n in range(first_state, first_state + states)]
    actors.append(BodyFactory(code="RCM", name="Regional Conference on Migration"))
    for i, rec in enumerate(recs):
        for j, actor in enumerate(actors):
            if rec.responsibilities.filter(actor=actor).exists():
                continue
            responsibility = ResponsibilityFactory(recommendation=rec, actor=actor, status=STATUSES[(i + j) % 7])
            StatusChangeFactory(responsibility=responsibility, to_status=responsibility.status)
    StatusChangeFactory(
        responsibility=None, recommendation=recs[0], actor=None, to_status=Status.PARTIAL, reason="Overall view."
    )
    for n in range(actions):
        action = ActionFactory(actor=actors[n % len(actors)], recommendations=recs[: 1 + n % len(recs)])
        EvidenceFactory(action=action)
    ActionFactory(actor=actors[0], recommendations=recs[:1], title="Secret draft plan", state=Action.State.DRAFT)
    ActionFactory(
        actor=actors[0],
        recommendations=recs[:1],
        title="Withdrawn duplicate",
        state=Action.State.WITHDRAWN,
        withdrawal_reason="Reported twice.",
    )
    return recs, actors


LISTS = [
    "/api/recommendations/",
    "/api/actors/",
    "/api/responsibilities/",
    "/api/actions/",
    "/api/status-changes/",
]


def _get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_recommendations_give_number_text_short_title_overall_status_and_the_roll_up(client, db, staff):
    recs, actors = build_record(recommendations=2, states=2, actions=1)
    services.recommendation_set_status(
        recommendation=recs[0], status=Status.SUBSTANTIAL, by=staff, reason="Most measures taken."
    )
    body = _get(client, "/api/recommendations/")
    assert body["count"] == 2
    first = body["results"][0]
    assert first["number"] == 1 and first["text"] == recs[0].text and first["short_title"] == recs[0].short_title
    assert first["overall_status"] == "substantial"
    assert first["overall_status_label"] == "Substantial partial compliance"
    assert first["overall_reasoning"] == "Most measures taken."
    assert first["url"].endswith("/recommendations/1/")
    rollup = first["rollup"]
    assert rollup["total"] == 3  # two states and one body
    assert sum(rollup["counts"].values()) == 3
    assert set(rollup["counts"]) == set(STATUSES)
    second = body["results"][1]
    assert second["overall_status"] == "not_assessed"


def test_roll_up_leaves_not_assessed_out_of_progress(client, db):
    rec = RecommendationFactory(number=1)
    ResponsibilityFactory(recommendation=rec, status=Status.FULL)
    ResponsibilityFactory(recommendation=rec, status=Status.PARTIAL)
    ResponsibilityFactory(recommendation=rec, status=Status.NOT_ASSESSED)
    rollup = _get(client, "/api/recommendations/1/")["rollup"]
    assert rollup["progress"] == 75.0
    assert rollup["assessed"] == 2 and rollup["not_assessed"] == 1 and rollup["total"] == 3


def test_recommendation_detail_is_by_number_and_unknown_numbers_give_a_json_404(client, db):
    build_record(recommendations=2, states=1, actions=0)
    assert _get(client, "/api/recommendations/2/")["number"] == 2
    assert _get(client, "/api/recommendations/99/", status=404)["detail"]
    assert _get(client, "/api/recommendations/abc/", status=404)["detail"]
    assert _get(client, "/api/recommendations/99999999999999999999999/", status=404)["detail"]


def test_actor_detail_is_by_code_whatever_its_case(client, db):
    ActorFactory(code="MEX", name="Mexico", notes="Founding member.")
    body = _get(client, "/api/actors/mex/")
    assert body["code"] == "MEX" and body["name"] == "Mexico" and body["kind"] == "member_state"
    assert body["notes"] == "Founding member."
    assert _get(client, "/api/actors/XYZ/", status=404)["detail"]


def test_every_list_has_a_stable_order(client, db):
    build_record(recommendations=3, states=3, actions=5)
    recs = [r["number"] for r in _get(client, "/api/recommendations/")["results"]]
    assert recs == sorted(recs)
    # States and bodies in the one order of actors: member states by name, then bodies.
    codes = [a["code"] for a in _get(client, "/api/actors/")["results"]]
    assert codes == ["S00", "S01", "S02", "RCM"]
    rows = [(r["recommendation"], r["actor"]) for r in _get(client, "/api/responsibilities/")["results"]]
    assert rows == [(number, code) for number in (1, 2, 3) for code in ("S00", "S01", "S02", "RCM")]
    actions = _get(client, "/api/actions/")["results"]
    keys = [(a["taken_on"], a["id"]) for a in actions]
    assert keys == sorted(keys, reverse=True)
    changes = _get(client, "/api/status-changes/")["results"]
    keys = [(c["recorded_at"], c["id"]) for c in changes]
    assert keys == sorted(keys, reverse=True)


def test_drafts_and_withdrawn_actions_never_appear_not_even_in_counts(client, db):
    build_record(recommendations=2, states=2, actions=3)
    body = _get(client, "/api/actions/")
    assert body["count"] == 3
    titles = {a["title"] for a in body["results"]}
    assert "Secret draft plan" not in titles and "Withdrawn duplicate" not in titles
    hidden = Action.objects.exclude(state=Action.State.PUBLISHED)
    for action in hidden:
        _get(client, f"/api/actions/{action.pk}/", status=404)
    for url in LISTS:
        text = json.dumps(_get(client, url))
        assert "Secret draft plan" not in text and "Withdrawn duplicate" not in text


def test_actions_carry_actor_recommendations_and_evidence(client, db):
    rec1, rec3 = RecommendationFactory(number=1), RecommendationFactory(number=3)
    action = ActionFactory(actor=ActorFactory(code="MEX", name="Mexico"), recommendations=[rec3, rec1])
    EvidenceFactory(action=action, title="Gazette", url="https://example.org/gazette")
    body = _get(client, f"/api/actions/{action.pk}/")
    assert body["actor"] == "MEX" and body["actor_name"] == "Mexico"
    assert body["recommendations"] == [1, 3]
    assert body["evidence"] == [{"title": "Gazette", "url": "https://example.org/gazette"}]
    assert "<strong>national</strong>" in body["description_html"]


def test_no_user_or_liaison_is_ever_exposed(client, db, staff):
    recs, actors = build_record(recommendations=1, states=1, actions=1)
    recorder = UserFactory(username="recorder-xyzzy", email="recorder@example.org")
    LiaisonFactory(user=UserFactory(username="liaison-plugh"), actor=actors[0])
    responsibility = recs[0].responsibilities.first()
    services.responsibility_set_status(
        responsibility=responsibility, status=Status.FULL, by=recorder, reason="Implemented in full."
    )
    ActionFactory(actor=actors[0], recommendations=recs, entered_by=recorder)
    for url in [*LISTS, "/api/"]:
        text = json.dumps(_get(client, url))
        for secret in ("recorder-xyzzy", "recorder@example.org", "liaison-plugh", '"changed_by"', '"entered_by"'):
            assert secret not in text, (url, secret)


def test_filters_are_those_of_the_pages(client, db):
    recs, actors = build_record(recommendations=3, states=3, actions=6)
    # RecommendationFilter: the recommendations an actor is responsible for.
    ResponsibilityFactory(recommendation=RecommendationFactory(forum=recs[0].forum, number=4), actor=actors[1])
    numbers = [r["number"] for r in _get(client, "/api/recommendations/?actor=S01")["results"]]
    assert numbers == [1, 2, 3, 4]
    assert [r["number"] for r in _get(client, "/api/recommendations/?q=thing")["results"]]
    # ActorFilter.
    assert [a["code"] for a in _get(client, "/api/actors/?kind=regional_process")["results"]] == ["RCM"]
    # ActionFilter: by actor, recommendation and date.
    actions = _get(client, "/api/actions/?actor=s00")["results"]
    assert actions and {a["actor"] for a in actions} == {"S00"}
    assert all(3 in a["recommendations"] for a in _get(client, "/api/actions/?recommendation=3")["results"])
    assert _get(client, "/api/actions/?date_after=2099-01-01")["count"] == 0
    # ResponsibilityFilter.
    partial = _get(client, "/api/responsibilities/?status=partial")["results"]
    assert partial and {r["status"] for r in partial} == {"partial"}
    assert {r["actor"] for r in _get(client, "/api/responsibilities/?actor_kind=regional_process")["results"]} == {
        "RCM"
    }
    assert {r["recommendation"] for r in _get(client, "/api/responsibilities/?recommendation=2")["results"]} == {2}
    # StatusChangeFilter.
    overall = _get(client, "/api/status-changes/?scope=overall")["results"]
    assert len(overall) == 1 and overall[0]["actor"] is None and overall[0]["scope"] == "overall"
    by_actor = _get(client, "/api/status-changes/?actor=S02&date_after=2024-01-01&date_before=2024-12-31")
    assert by_actor["count"] == 3 and {c["actor"] for c in by_actor["results"]} == {"S02"}


@pytest.mark.parametrize(
    "url, parameter",
    [
        ("/api/responsibilities/?status=bogus", "status"),
        ("/api/recommendations/?actor_kind=planet", "actor_kind"),
        ("/api/actions/?recommendation=abc", "recommendation"),
        ("/api/actions/?recommendation=0", "recommendation"),
        ("/api/actions/?date_after=31/12/2024", "date_after"),
        ("/api/actors/?q=" + "x" * 201, "q"),
        ("/api/status-changes/?scope=everyone", "scope"),
        ("/api/actions/?page_size=0", "page_size"),
        ("/api/actions/?page_size=501", "page_size"),
        ("/api/actions/?page_size=ten", "page_size"),
        # Plain digits only: a trailing line break is not read as the number before it.
        ("/api/responsibilities/?page_size=5%0A", "page_size"),
        ("/api/actions/?page_size=5%0A", "page_size"),
        ("/api/actions/?page=1&page_size=5%0A", "page_size"),
        ("/api/search/?q=plan&page_size=5%0A", "page_size"),
    ],
)
def test_a_filter_that_cannot_be_understood_gives_a_400_naming_it(client, db, url, parameter):
    body = _get(client, url, status=400)
    assert parameter in body and body[parameter][0]


def test_pages_hold_50_rows_by_default_and_up_to_500_on_request(client, db):
    recs = [RecommendationFactory(number=n + 1) for n in range(6)]
    for n in range(11):
        actor = ActorFactory(code=f"P{n:02d}")
        for rec in recs:
            ResponsibilityFactory(recommendation=rec, actor=actor)
    first = _get(client, "/api/responsibilities/")
    assert first["count"] == 66 and len(first["results"]) == 50 and first["next"] and first["previous"] is None
    second = _get(client, "/api/responsibilities/?page=2")
    assert len(second["results"]) == 16
    assert len(_get(client, "/api/responsibilities/?page_size=500")["results"]) == 66
    assert len(_get(client, "/api/responsibilities/?page_size=7")["results"]) == 7
    assert _get(client, "/api/responsibilities/?page=3", status=404)["detail"]
    assert _get(client, "/api/responsibilities/?page=x", status=400)["page"]
    # The pages' and the feeds' words, naming the value.
    assert _get(client, "/api/responsibilities/?page=0", status=400)["page"] == [
        "page must be a whole number from 1; “0” is not."
    ]
    assert _get(client, "/api/actions/?page=-1", status=400)["page"]
    assert len(_get(client, "/api/responsibilities/?page=")["results"]) == 50


def test_a_parameter_a_list_does_not_know_is_refused_by_name(client, db):
    build_record(recommendations=1, states=2, actions=1)
    body = _get(client, "/api/responsibilities/?stauts=partial&actor=S00", status=400)
    assert list(body) == ["stauts"] and "status" in body["stauts"][0]
    assert _get(client, "/api/actions/?actor=S00&page=1&page_size=5")["count"] >= 1
    # The language, understood on every address of the site, is not an unknown parameter.
    assert _get(client, "/api/responsibilities/?lang=es")["results"][0]["status_label"] == "Aún no evaluado"


def test_the_api_is_read_only(client, db):
    build_record(recommendations=1, states=1, actions=1)
    for url in [*LISTS, "/api/recommendations/1/", "/api/actors/S00/"]:
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(url, data={}, content_type="application/json")
            assert response.status_code == 405, (method, url, response.status_code)


def test_an_unknown_api_address_gives_a_json_404(client, db):
    assert _get(client, "/api/nothing-here/", status=404)["detail"]
    assert _get(client, "/api/actors/a/b/c/", status=404)["detail"]


def test_an_address_without_its_final_slash_is_redirected(client, db):
    response = client.get("/api/recommendations?page_size=5")
    assert response.status_code == 301 and response["Location"] == "/api/recommendations/?page_size=5"


def test_the_api_root_lists_every_endpoint(client, db):
    body = _get(client, "/api/")
    for name in ("recommendations", "actors", "responsibilities", "actions", "status-changes"):
        assert name in body


DETAILS = {
    "recommendation": lambda: "/api/recommendations/1/",
    "actor": lambda: "/api/actors/S00/",
    "action": lambda: f"/api/actions/{Action.objects.published().order_by('pk').first().pk}/",
}


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        *LISTS,
        "/api/actions/?status=partial&actor_kind=member_state&q=Action",
        "/api/responsibilities/?actor=S00&status=full",
        "/api/status-changes/?scope=actor&recommendation=1",
        *[f"detail:{name}" for name in DETAILS],
    ],
)
def test_query_count_does_not_grow_with_the_record(client, db, url):
    """Guards every endpoint against a query per recommendation, actor, action, evidence or change."""
    build_record(recommendations=2, states=2, actions=3)

    def resolve():
        return DETAILS[url.split(":")[1]]() if url.startswith("detail:") else url

    small = _count_queries(client, resolve())
    build_record(recommendations=6, states=12, actions=40, first_state=2)
    large = _count_queries(client, resolve())
    assert small == large, f"{url}: {small} queries with few rows, {large} with many"
    assert large <= 5, f"{url} makes {large} queries"


def test_the_schema_is_valid_openapi_3_without_warnings(tmp_path, db):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert text.startswith("openapi: 3.0")
    for path in ("/api/recommendations/{number}/", "/api/actors/{code}/", "/api/status-changes/"):
        assert path in text


def test_the_schema_is_served_at_api_schema(client, db):
    build_record(recommendations=3, states=2, actions=1)
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.0")
    assert "/api/responsibilities/" in schema["paths"]
    parameters = {p["name"]: p for p in schema["paths"]["/api/actions/"]["get"]["parameters"]}
    # The numbers and codes on record: any other is refused with a 400.
    assert parameters["recommendation"]["schema"] == {"type": "integer", "enum": [1, 2, 3]}
    assert parameters["actor"]["schema"]["enum"] == ["S00", "S01", "RCM"]
    assert parameters["page_size"]["schema"]["maximum"] == 500


class _Addresses(HTMLParser):
    def __init__(self):
        super().__init__()
        self.addresses = []

    def handle_starttag(self, tag, attrs):
        self.addresses += [value for name, value in attrs if name in ("src", "href") and value]


def test_the_docs_load_nothing_from_another_host(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    parser = _Addresses()
    parser.feed(html)
    assert any("swagger-ui-bundle.js" in address for address in parser.addresses)
    assert not re.search(r"<script>\s*\S", html), "an inline script would need a CSP exception"
    script_urls = [a for a in parser.addresses if "script" in a and "static" not in a]
    assert script_urls, "the initialisation script is served apart, from the site"
    texts = [html, *(client.get(url).content.decode() for url in script_urls)]
    for address in parser.addresses:
        assert not re.match(r"^(https?:)?//", address) or re.match(r"^(https?:)?//testserver/", address), address
    for text in texts:
        for host in re.findall(r"https?://([^/\"'\s]+)", text):
            assert host == "testserver", f"the docs refer to {host}"
    for address in parser.addresses:
        if address.startswith(settings.STATIC_URL) or address.startswith("/" + settings.STATIC_URL):
            # Shipped by drf-spectacular-sidecar and collected with the site's own static files.
            assert finders.find(address.split(settings.STATIC_URL, 1)[1]), address


def test_the_docs_relax_the_content_security_policy_for_styles_on_that_page_only(client, db):
    docs = client.get("/api/docs/")["Content-Security-Policy"]
    style = next(d for d in docs.split(";") if d.strip().startswith("style-src"))
    assert "'unsafe-inline'" in style
    script = next(d for d in docs.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script and "http" not in script
    page = client.get("/")["Content-Security-Policy"]
    assert "'unsafe-inline'" not in page


def test_the_large_lists_follow_their_links_by_cursor_at_the_same_cost(client, db):
    recs, actors = build_record(recommendations=2, states=3, actions=0)
    for n in range(23):
        ActionFactory(actor=actors[n % 3], recommendations=[recs[0]], taken_on=datetime.date(2020, 1, 1 + n % 5))
    expected = list(Action.objects.published().order_by("-taken_on", "-id").values_list("pk", flat=True))
    seen, url, costs = [], "/api/actions/?page_size=5", []
    while url:
        with CaptureQueriesContext(connection) as queries:
            body = _get(client, url)
        costs.append(len(queries.captured_queries))
        assert body["count"] == len(expected)
        seen += [action["id"] for action in body["results"]]
        url = body["next"]
    assert seen == expected  # every action once, in the list's order
    assert len(set(costs[1:])) == 1 and costs[0] >= costs[1]  # the count is kept after the first page
    # Back by the previous links, from the last page.
    last = _get(client, "/api/actions/?page_size=5&page=5")
    assert [a["id"] for a in last["results"]] == expected[20:]
    middle = _get(client, "/api/actions/?page_size=5")["next"]
    back = _get(client, _get(client, middle)["previous"])
    assert [a["id"] for a in back["results"]] == expected[:5]
    for cursor in ("bz1hYmM=", "%%%"):  # "o=abc", and not base64 at all
        assert _get(client, f"/api/actions/?cursor={cursor}", status=400)["cursor"]


def _cursor(**tokens) -> str:
    """A cursor as a client would send it: base64 of its tokens (a list for a repeated one)."""
    return base64.b64encode(parse.urlencode(tokens, doseq=True).encode("ascii")).decode("ascii")


def _walk(client, url, link="next"):
    """Every page from `url` on, following `link`: the pages' keys, and the SQL of each page's read."""
    pages, reads = [], []
    while url:
        assert len(pages) < 200, f"the {link} links go round: {url}"
        with CaptureQueriesContext(connection) as queries:
            body = _get(client, url)
        pages.append([row["id"] for row in body["results"]])
        reads.append([q["sql"] for q in queries.captured_queries])
        url = body[link]
    return pages, reads


@pytest.mark.parametrize("page_size", [1, 2, 3, 7, 12])
def test_a_cursor_holds_the_whole_place_so_rows_sharing_a_date_are_neither_skipped_nor_repeated(client, db, page_size):
    recs, actors = build_record(recommendations=1, states=2, actions=0)
    # Most actions share two dates: a cursor by date alone would skip or count rows within them.
    for n in range(31):
        day = datetime.date(2021, 3, 1) if n % 3 else datetime.date(2021, 2, 1 + n % 2)
        ActionFactory(actor=actors[n % 2], recommendations=recs, taken_on=day)
    expected = list(Action.objects.published().order_by("-taken_on", "-id").values_list("pk", flat=True))

    pages, reads = _walk(client, f"/api/actions/?page_size={page_size}")
    assert [key for page in pages for key in page] == expected
    assert all(len(page) == page_size for page in pages[:-1]) and 0 < len(pages[-1]) <= page_size
    # Past the first page every read starts at its place by comparing rows, and skips nothing.
    page_reads = [next(sql for sql in page if "LIMIT" in sql) for page in reads]
    for sql in page_reads[1:]:
        # Each value a one-value subquery: PostgreSQL keeps one plan for every place (see Keyset).
        # SQLite compares rows as (taken_on < x OR (taken_on = x AND id < y)), with no index to seek.
        compared = r'\("tracker_action"\."taken_on", "tracker_action"\."id"\) < \(\(SELECT '
        assert re.search(compared, sql) if connection.vendor == "postgresql" else "(SELECT " in sql, sql
    assert not any("OFFSET" in sql for sql in page_reads)

    # Back from the last page by the previous links: the same pages, in turn.
    last = _get(client, f"/api/actions/?page_size={page_size}")
    while last["next"]:
        last_url, last = last["next"], _get(client, last["next"])
    back, _reads = _walk(client, last_url, link="previous")
    assert back == pages[::-1]


def test_the_status_changes_follow_their_links_by_the_instant_and_key_of_a_row(client, db):
    recs, actors = build_record(recommendations=2, states=2, actions=0)
    responsibility = recs[0].responsibilities.first()
    instant = datetime.datetime(2099, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.UTC)  # after build_record's
    for n in range(9):
        # Recorded at the same microsecond, most of them; one a microsecond later.
        StatusChangeFactory(responsibility=responsibility, changed_at=instant + datetime.timedelta(microseconds=n // 8))
    expected = list(selectors.public_status_changes().values_list("pk", flat=True))
    pages, _reads = _walk(client, "/api/status-changes/?page_size=4")
    assert [key for page in pages for key in page] == expected and len(pages) > 2
    second = _get(client, "/api/status-changes/?page_size=4")["next"]
    tokens = parse.parse_qs(base64.b64decode(parse.parse_qs(parse.urlsplit(second).query)["cursor"][0]).decode())
    # The place of the page's last row: its instant, to the microsecond and with its offset, and its key.
    assert tokens == {"after": ["2099-05-06T07:08:09.123456+00:00", str(expected[3])]}


def test_a_cursor_past_the_end_gives_no_rows_and_leads_back_to_the_last_page(client, db):
    build_record(recommendations=1, states=2, actions=5)
    expected = list(Action.objects.published().order_by("-taken_on", "-id").values_list("pk", "taken_on"))
    last_key, last_date = expected[-1]
    body = _get(client, f"/api/actions/?page_size=2&cursor={_cursor(after=[last_date.isoformat(), last_key])}")
    assert body["results"] == [] and body["next"] is None
    assert [row["id"] for row in _get(client, body["previous"])["results"]] == [key for key, _ in expected[-2:]]
    # Before the first row: nothing either, and the next link is the list from its start.
    first_key, first_date = expected[0]
    body = _get(client, f"/api/actions/?page_size=2&cursor={_cursor(before=[first_date.isoformat(), first_key])}")
    assert body["results"] == [] and body["previous"] is None
    assert "cursor" not in body["next"]
    assert [row["id"] for row in _get(client, body["next"])["results"]] == [key for key, _ in expected[:2]]


def test_a_cursor_of_the_earlier_form_is_still_followed_and_its_links_hold_the_whole_place(client, db):
    # Before cursors held a row's whole place they held its date, and how many rows of it to skip
    # ("o=2&p=2021-03-01"): a harvest paused across the change goes on where it was.
    recs, actors = build_record(recommendations=1, states=2, actions=0)
    for n in range(12):
        ActionFactory(actor=actors[0], recommendations=recs, taken_on=datetime.date(2021, 3, 1 + n % 3))
    expected = list(Action.objects.published().order_by("-taken_on", "-id").values_list("pk", flat=True))
    earlier = list(
        Action.objects.published()
        .filter(taken_on__lt=datetime.date(2021, 3, 3))
        .order_by("-taken_on", "-id")
        .values_list("pk", flat=True)
    )
    body = _get(client, f"/api/actions/?page_size=3&cursor={_cursor(o=2, p='2021-03-03')}")
    assert [row["id"] for row in body["results"]] == earlier[2:5]
    rest, _reads = _walk(client, body["next"])
    assert [key for page in rest for key in page] == earlier[5:]
    assert "after" in base64.b64decode(parse.parse_qs(parse.urlsplit(body["next"]).query)["cursor"][0]).decode()
    back = _get(client, f"/api/actions/?page_size=3&cursor={_cursor(r=1, p='2021-03-02')}")
    assert [row["id"] for row in back["results"]] == [key for key in expected if key not in earlier][-3:]


@pytest.mark.parametrize(
    "tokens",
    [
        {"after": ["2021-03-01"]},  # the date without the key
        {"after": ["2021-03-01", "1", "2"]},
        {"after": ["2021-03-01", "one"]},
        {"after": ["2021-02-30", "1"]},
        {"after": ["2021-03-01", str(2**63)]},  # beyond the database's keys
        {"after": ["2021-03-01", "1"], "before": ["2021-03-01", "1"]},
        {"after": ["2021-03-01", "1"], "o": ["2"]},
        {"p": ["2021-03-01"], "o": ["1001"]},  # skipping past what a cursor ever skipped
        {"p": ["2021-03-01"], "o": ["-1"]},
        {"p": ["2021-03-01"], "r": ["2"]},
        {"p": ["2021-03-01", "2021-03-02"]},
        {"q": ["1"]},
    ],
)
def test_a_cursor_the_api_did_not_write_is_refused_with_what_to_do(client, db, tokens):
    build_record(recommendations=1, states=2, actions=2)
    body = _get(client, f"/api/actions/?cursor={_cursor(**tokens)}", status=400)
    assert body == {"cursor": ["This cursor is not one the API gave: follow the next and previous links."]}


@pytest.mark.parametrize(
    ("instant", "status"),
    [
        ("2024-05-06T07:08:09+02:00", 200),
        ("2024-05-06T07:08:09", 400),  # no offset: which instant is it?
        ("2024-05-06", 400),
        ("yesterday", 400),
        # Instants that have no UTC time within the calendar the database is asked in.
        ("0001-01-01T00:00:00+05:00", 400),
        ("9999-12-31T23:59:59-05:00", 400),
        ("9999-12-31T23:59:59+05:00", 200),
    ],
)
def test_a_status_change_cursor_names_an_instant_with_its_offset(client, db, instant, status):
    build_record(recommendations=1, states=2, actions=0)
    _get(client, f"/api/status-changes/?cursor={_cursor(after=[instant, '5'])}", status=status)


@pytest.mark.parametrize("url", ["/api/actions/?lang=", "/api/recommendations/?lang=xx", "/api/search/?q=plan&lang=de"])
def test_a_language_the_site_does_not_speak_is_refused(client, db, url):
    body = _get(client, url, status=400)
    assert list(body) == ["lang"] and "es" in body["lang"][0]


def test_each_action_of_every_page_carries_its_own_evidence_whatever_the_page_size(client, db):
    build_record(recommendations=1, states=2, actions=3)
    for action in Action.objects.published():
        for position in range(action.pk % 3):
            EvidenceFactory(action=action, title=f"Evidence {position} of {action.pk}")
    expected = {
        action.pk: list(action.evidence.order_by("id").values_list("title", flat=True))
        for action in Action.objects.published()
    }
    assert len({len(titles) for titles in expected.values()}) > 1
    for size in (1, 2, 50):
        url, seen = f"/api/actions/?page_size={size}", {}
        while url:
            body = _get(client, url)
            seen.update({row["id"]: [evidence["title"] for evidence in row["evidence"]] for row in body["results"]})
            url = body["next"]
        assert seen == expected


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_action_is_what_its_fields_give(rf, db, language):
    _recs, actors = build_record(recommendations=2, states=2, actions=4)
    measure = MeasureType.objects.first() or MeasureType.objects.create(slug="law", name_en="Law", name_fr="Loi")
    Action.objects.filter(pk=Action.objects.published().first().pk).update(measure_type=measure)
    EvidenceFactory(action=Action.objects.published().last(), url="", document="evidence/report.pdf")
    request = Request(rf.get("/api/actions/"))
    serializer = ActionSerializer(context={"request": request})
    with translation.override(language):
        actions = list(selectors.public_actions())
        assert any(a.measure_type for a in actions) and any(a.measure_type is None for a in actions)
        for action in actions:
            # DRF's own representation, field by field, is what the direct one must equal.
            field_by_field = serializers.Serializer.to_representation(serializer, action)
            assert json.dumps(serializer.to_representation(action)) == json.dumps(field_by_field)
        # The API reads plain records: each gives what its model instance gives, evidence included.
        records = selectors.with_evidence(list(selectors.api_actions()))
        assert [record.pk for record in records] == [action.pk for action in actions]
        assert any(record.listed_evidence for record in records)
        for record, action in zip(records, actions, strict=True):
            assert json.dumps(serializer.to_representation(record)) == json.dumps(serializer.to_representation(action))


@pytest.mark.parametrize("zone", ["America/New_York", "UTC", "Asia/Kolkata"])
def test_a_datetime_is_written_as_its_field_writes_it(zone):
    from django.utils import timezone

    aware = [
        datetime.datetime(2024, 3, 10, 6, 59, 59, 123456, tzinfo=datetime.UTC),  # before New York's change of hour
        datetime.datetime(2024, 3, 10, 7, 0, tzinfo=datetime.UTC),
        datetime.datetime(2008, 4, 17, 15, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=-3))),
    ]
    values = [*aware, None, datetime.datetime(2008, 4, 17, 10, 0)]  # and a naive one, made aware in the zone
    fields = [
        serializers.DateTimeField(allow_null=True),
        serializers.DateTimeField(allow_null=True, format="%d/%m/%Y %H:%M"),
        serializers.DateTimeField(allow_null=True, default_timezone=datetime.UTC),
    ]
    with timezone.override(zone):
        for field in fields:
            write = datetime_writer(field)
            assert [write(value) for value in values] == [field.to_representation(value) for value in values]
        # The usual field writes by itself no more: the zone is looked up once.
        assert datetime_writer(fields[0]) != fields[0].to_representation
        if zone == "UTC":
            assert datetime_writer(fields[0])(aware[1]) == "2024-03-10T07:00:00Z"


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_recommendation_is_what_its_fields_give(rf, db, staff, language):
    recommendations, _actors = build_record(recommendations=3, states=2, actions=1)
    first, second, third = recommendations
    services.recommendation_set_status(recommendation=first, status=Status.PARTIAL, by=staff, reason="Begun.")
    first.overall_assessment.__class__.objects.filter(recommendation=second).delete()
    Recommendation.objects.filter(pk=third.pk).update(short_title="", short_title_es="Tercera")
    theme = ThemeFactory(slug="remittances", name="Remittances", name_es="Remesas")
    group = PopulationGroupFactory(slug="migrant-workers", name="Migrant workers")
    target = SdgTargetFactory(number="10.c", title="Reduce remittance costs")
    classification = RecommendationClassification.objects.create(recommendation=first)
    classification.themes.add(theme)
    classification.population_groups.add(group)
    classification.sdg_targets.add(target)
    request = Request(rf.get("/api/recommendations/"))
    serializer = RecommendationSerializer(context={"request": request})
    with translation.override(language):
        shown = selectors.attach_classification(list(selectors.harvestable_recommendations()))
        assert any(r.classified.themes for r in shown) and any(not r.classified.themes for r in shown)
        for recommendation in shown:
            # DRF's own representation, field by field, is what the direct one must equal.
            field_by_field = serializers.Serializer.to_representation(serializer, recommendation)
            assert json.dumps(serializer.to_representation(recommendation)) == json.dumps(field_by_field)
