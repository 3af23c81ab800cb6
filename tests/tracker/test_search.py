"""The site search (`/search/`, `/api/search/`) and the lists' `q`, on SQLite and on PostgreSQL.

The same behaviour on both: every word found, whatever its case and accents, in the visitor's language
and in English; title matches first; only what the public may read; a fixed number of queries. The
PostgreSQL-only checks (its configurations, its indexes) skip on SQLite, and fail there under CI.
"""

import datetime
import os
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    ActionFactory,
    ActorFactory,
    CommentFactory,
    EvidenceFactory,
    ForumFactory,
    LiaisonFactory,
    RecommendationFactory,
    ResponsibilityFactory,
    UserFactory,
)
from tracker.models import Action, Report
from tracker.search import Marker, excerpt, fold, highlight, parse_query, plain_text
from tracker.search.matching import match_actions

pytestmark = pytest.mark.django_db

SEARCH = "/search/"

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql" and not os.environ.get("CI"),
    reason="PostgreSQL's full-text search: run with DATABASE_URL=postgres://...",
)


def titles(client, query, **params):
    """The titles of the results, in order, as the page lists them (marks removed)."""
    response = client.get(SEARCH, {"q": query, **params})
    assert response.status_code == 200, response.content[:500]
    body = response.content.decode()
    found = re.findall(r'<h2 class="search-result__title"><a href="[^"]*"(?: lang="\w+")?>(.*?)</a></h2>', body)
    return [re.sub(r"</?mark>", "", title) for title in found]


@pytest.fixture
def record(db):
    """Two recommendations, one in all four languages; comments; two states; actions."""
    forum = ForumFactory()
    migration = RecommendationFactory(
        forum=forum,
        number=1,
        short_title="Labour migration",
        text="To promote regular channels for labour migration in the region.",
        short_title_es="Migración laboral",
        text_es="Promover canales regulares para la migración laboral en la región.",
        short_title_fr="Migration de travail",
        text_fr="Promouvoir des voies régulières pour la migration de main-d'œuvre dans la région.",
        short_title_pt="Migração laboral",
        text_pt="Promover canais regulares para a migração laboral na região.",
    )
    consular = RecommendationFactory(
        forum=forum,
        number=2,
        short_title="Consular protection",
        text="To strengthen the consular protection of migrants in transit.",
    )
    comment = CommentFactory(forum=forum, text="Trafficking in persons calls for the cooperation of every state.")
    consular.related_comments.set([comment])
    mexico = ActorFactory(code="MEX", name="Mexico", name_es="México")
    peru = ActorFactory(code="PER", name="Peru", name_es="Perú")
    ResponsibilityFactory(recommendation=migration, actor=mexico)
    ResponsibilityFactory(recommendation=consular, actor=peru)
    in_title = ActionFactory(
        actor=mexico,
        title="Consular network extended",
        description="Twelve new offices.",
        taken_on=datetime.date(2022, 5, 1),
        recommendations=[consular],
    )
    in_body = ActionFactory(
        actor=peru,
        title="Mobile offices for migrants",
        description="A **consular** service travels to the border.",
        taken_on=datetime.date(2024, 5, 1),
        recommendations=[consular],
    )
    EvidenceFactory(action=in_body, title="Ministerial gazette of Lima")
    return {
        "migration": migration,
        "consular": consular,
        "mexico": mexico,
        "peru": peru,
        "actions": (in_title, in_body),
    }


# -- The query and the excerpt, in Python ----------------------------------------------------------


def test_folding_ignores_case_and_accents():
    assert fold("MIGRACIÓN") == fold("migración") == fold("Migracion") == "migracion"
    assert fold("Cœur São Paulo") == "coeur sao paulo"


def test_the_query_syntax_is_websearch_s():
    query = parse_query('consular "human rights" trafficking OR smuggling -detention')
    assert [(c.alternatives, c.negated) for c in query.clauses] == [
        ((("consular",),), False),
        ((("human", "rights"),), False),
        ((("trafficking",), ("smuggling",)), False),
        ((("detention",),), True),
    ]
    assert query.terms == {"consular", "human", "rights", "trafficking", "smuggling"}
    assert not parse_query("  !!! -- ")
    assert not parse_query("-only")


def test_highlighting_escapes_the_text_and_marks_only_the_words_found():
    marker = Marker(parse_query("migration"), ("en",))
    marked = highlight('<script>alert("migration")</script> & <b>migrations</b>', marker)
    assert str(marked) == (
        "&lt;script&gt;alert(&quot;<mark>migration</mark>&quot;)&lt;/script&gt; &amp; "
        "&lt;b&gt;<mark>migrations</mark>&lt;/b&gt;"
    )


def test_highlighting_marks_words_of_the_same_stem_in_the_languages_searched():
    marker = Marker(parse_query("migración"), ("es", "en"))
    assert str(highlight("Las migraciones y la MIGRACIÓN", marker)) == (
        "Las <mark>migraciones</mark> y la <mark>MIGRACIÓN</mark>"
    )


def test_an_excerpt_is_plain_text_around_the_first_match():
    text = plain_text(
        "# Title\n\n" + "word " * 60 + "a **consular** [office](https://example.org/x)\n\n" + "more " * 60
    )
    assert "**" not in text and "https://" not in text
    shown = str(excerpt(text, Marker(parse_query("consular"), ("en",))))
    assert shown.startswith("… ") and shown.endswith(" …")
    assert "a <mark>consular</mark> office" in shown
    assert len(shown.split()) < 50


# -- Languages, accents and case ------------------------------------------------------------------


def test_a_spanish_query_finds_the_spanish_text_and_english_the_english(client, record):
    found = titles(client, "migración laboral", lang="es")
    assert len(found) == 1 and found[0].endswith(" 1: Migración laboral"), found
    assert titles(client, "labour migration", lang="en") == ["Recommendation 1: Labour migration"]
    # In English only the English is searched: the Spanish words are not English ones.
    assert titles(client, "canales regulares", lang="en") == []
    # A Spanish visitor finds the English original too.
    assert len(titles(client, "labour migration", lang="es")) == 1


@pytest.mark.parametrize(
    ("language", "words", "shown"),
    [
        ("fr", "voies régulières", "Migration de travail"),
        ("pt", "canais regulares", "Migração laboral"),
        ("es", "canales regulares", "Migración laboral"),
        ("en", "regular channels", "Labour migration"),
    ],
)
def test_each_language_finds_its_own_text(client, record, language, words, shown):
    found = titles(client, words, lang=language)
    assert len(found) == 1 and found[0].endswith(shown), found


@pytest.mark.parametrize("words", ["migracion laboral", "MIGRACIÓN LABORAL", "Migración Laboral", "migraciÓn"])
def test_accents_and_case_do_not_matter(client, record, words):
    assert len(titles(client, words, lang="es")) == 1


def test_an_accented_name_is_found_without_its_accent(client, record):
    assert titles(client, "peru", lang="es", kind="actor") == ["Perú"]
    assert titles(client, "PERÚ", lang="en", kind="actor") == ["Peru"]


def test_the_visitor_reads_a_result_in_the_original_english_when_no_translation_was_entered(client, record):
    body = client.get(SEARCH, {"q": "consular protection", "lang": "es", "kind": "recommendation"}).content.decode()
    assert 'lang="en"' in body
    assert "<mark>Consular</mark> <mark>protection</mark>" in body


# -- Ranking ----------------------------------------------------------------------------------------


def test_a_title_match_ranks_above_a_body_match(client, record):
    found = titles(client, "consular", kind="action")
    assert found == ["Consular network extended", "Mobile offices for migrants"]
    # Across kinds too: the recommendation whose short title says it, then the action titled so,
    # then those that only say it in their text.
    everything = titles(client, "consular")
    assert everything.index("Recommendation 2: Consular protection") < everything.index("Mobile offices for migrants")
    assert everything.index("Consular network extended") < everything.index("Mobile offices for migrants")


def test_each_result_says_what_kind_of_record_it_is(client, record):
    body = client.get(SEARCH, {"q": "consular"}).content.decode()
    kinds = re.findall(r'<p class="search-result__kind">([^<]+)', body)
    assert set(kinds) == {"Recommendation", "Action"}


def test_an_action_is_found_by_the_title_of_its_evidence(client, record):
    assert titles(client, "gazette lima") == ["Mobile offices for migrants"]
    body = client.get(SEARCH, {"q": "gazette lima"}).content.decode()
    assert "Evidence: Ministerial <mark>gazette</mark> of <mark>Lima</mark>" in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"consular network"', ["Consular network extended"]),
        ("consular -border", ["Recommendation 2: Consular protection", "Consular network extended"]),
        ("twelve OR border", ["Consular network extended", "Mobile offices for migrants"]),
    ],
)
def test_phrases_or_and_minus(client, record, query, expected):
    assert sorted(titles(client, query)) == sorted(expected)


# -- What is never found ----------------------------------------------------------------------------


def test_drafts_withdrawn_actions_and_reports_are_never_found(client, record):
    mexico = record["mexico"]
    ActionFactory(actor=mexico, title="Unpublished zeppelin plan", state=Action.State.DRAFT)
    ActionFactory(
        actor=mexico, title="Withdrawn zeppelin plan", state=Action.State.WITHDRAWN, withdrawal_reason="Error."
    )
    liaison = LiaisonFactory(actor=mexico, user=UserFactory(username="mex")).user
    Report.objects.create(
        actor=mexico, author=liaison, title="Reported zeppelin plan", taken_on=datetime.date(2024, 1, 1)
    )
    assert titles(client, "zeppelin") == []
    assert "zeppelin plan" not in client.get(SEARCH, {"q": "zeppelin"}).content.decode()
    api = client.get("/api/search/", {"q": "zeppelin"}).json()
    assert api["count"] == 0 and api["counts"] == {"recommendation": 0, "actor": 0, "comment": 0, "action": 0}
    # Nor in the lists' search.
    assert "zeppelin plan" not in client.get("/actions/", {"q": "zeppelin"}).content.decode()
    assert client.get("/api/actions/", {"q": "zeppelin"}).json()["count"] == 0
    # Signed in as the liaison, the public search is the same.
    client.force_login(liaison)
    assert titles(client, "zeppelin") == []


# -- Filters, pagination, the empty query ----------------------------------------------------------


def test_filters_narrow_each_kind_they_apply_to(client, record):
    assert titles(client, "consular", actor="MEX") == ["Consular network extended"]
    assert titles(client, "migrants", recommendation="1") == []
    assert "Mobile offices for migrants" in titles(client, "migrants", recommendation="2")
    assert titles(client, "consular", kind="recommendation") == ["Recommendation 2: Consular protection"]
    assert titles(client, "consular", date_after="2023-01-01") == ["Mobile offices for migrants"]
    assert titles(client, "consular", date_before="2023-01-01") == ["Consular network extended"]
    body = client.get(SEARCH, {"q": "consular", "date_after": "2023-01-01"}).content.decode()
    assert "not searched: Recommendations, States and bodies, Forum comments" in body
    # The counts of each kind stay, so that another kind is one click away.
    assert "recommendations (1)" in client.get(SEARCH, {"q": "consular", "kind": "action"}).content.decode()


def test_filters_that_cannot_be_understood_are_named_and_nothing_is_listed(client, record):
    body = client.get(SEARCH, {"q": "consular", "date_after": "2024-01-01", "date_before": "2023-01-01"}).content
    assert "The period ends before it starts" in body.decode()
    assert 'class="search-result' not in body.decode()
    body = client.get(SEARCH, {"q": "consular", "actor": "XXX"}).content.decode()
    assert "State or body:" in body and 'class="search-result' not in body


def test_results_come_a_page_at_a_time_and_a_page_past_the_end_says_so(client, record):
    for n in range(30):
        ActionFactory(title=f"Quarantine measure {n}", recommendations=[record["consular"]])
    first = client.get(SEARCH, {"q": "quarantine"}).content.decode()
    assert first.count('class="search-result ') == 25 and "Page 1 of 2" in first
    assert 'href="?q=quarantine&amp;page=2"' in first
    second = client.get(SEARCH, {"q": "quarantine", "page": "2"}).content.decode()
    assert second.count('class="search-result ') == 5 and '<ol class="search-results" start="26">' in second
    past = client.get(SEARCH, {"q": "quarantine", "page": "3"})
    assert past.status_code == 404
    assert "There is no page “3” of this list: it has 2 page(s)." in past.content.decode()


def test_an_empty_query_shows_how_to_search(client, record):
    body = client.get(SEARCH).content.decode()
    assert "What you can search" in body and 'href="/search/?q=consular%20protection"' in body
    assert 'class="search-result' not in body and "result-count" not in body
    assert client.get(SEARCH, {"q": "   "}).status_code == 200


def test_the_address_of_a_search_can_be_shared(client, record):
    body = client.get(SEARCH, {"q": "consular", "kind": "action", "lang": "es"}).content.decode()
    assert 'value="consular"' in body and '<option value="action" selected>' in body


def test_query_count_does_not_grow_with_the_results(client, record):
    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(SEARCH, {"q": "quarantine consular OR quarantine"}).status_code == 200
        return len(context.captured_queries)

    ActionFactory(title="Quarantine consular 0", recommendations=[record["consular"]])
    EvidenceFactory(action=Action.objects.get(title="Quarantine consular 0"))
    few = queries()
    for n in range(40):
        EvidenceFactory(action=ActionFactory(title=f"Quarantine {n}", recommendations=[record["consular"]]))
    assert queries() == few
    # Counts, one page, then each kind's rows on it: no query per result.
    assert few <= 14


# -- Every page has the box ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/actions/", "/recommendations/1/", "/no-such-page/"])
def test_every_page_has_a_labelled_search_box_in_its_header(client, record, path):
    body = client.get(path).content.decode()
    header = body.split("</header>", 1)[0]
    assert (
        '<form method="get" action="/search/" class="site-search" role="search" aria-label="Search the site">' in header
    )
    assert '<label for="site-search-words" class="visually-hidden">' in header


# -- The lists' search matches the same way ----------------------------------------------------------


def test_the_lists_search_ignores_case_and_accents_and_needs_every_word(client, record):
    def codes(url):
        return [row["code"] for row in client.get(url).json()["results"]]

    assert codes("/api/actors/?q=peru") == ["PER"]
    assert codes("/api/actors/?q=PERÚ") == ["PER"]
    assert codes("/api/actors/?q=mex%C3%ADco") == ["MEX"]
    assert [a["title"] for a in client.get("/api/actions/?q=CONSULAR border").json()["results"]] == [
        "Mobile offices for migrants"
    ]
    spanish, english = {"HTTP_ACCEPT_LANGUAGE": "es"}, {"HTTP_ACCEPT_LANGUAGE": "en"}
    assert [r["number"] for r in client.get("/api/recommendations/?q=migracion", **spanish).json()["results"]] == [1]
    assert client.get("/api/recommendations/?q=migracion", **english).json()["results"] == []
    page = client.get("/actions/?q=Consular+NETWORK").content.decode()
    assert "Consular network extended" in page and "Mobile offices for migrants" not in page


# -- The API --------------------------------------------------------------------------------------


def test_the_api_search_gives_the_same_results_as_the_page(client, record):
    data = client.get("/api/search/", {"q": "consular"}).json()
    assert [r["title"] for r in data["results"]] == titles(client, "consular")
    assert data["counts"] == {"recommendation": 1, "actor": 0, "comment": 0, "action": 2}
    first = data["results"][0]
    assert first["kind"] == "recommendation" and first["key"] == "2" and first["title_match"] is True
    assert first["url"] == "http://testserver/recommendations/2/"
    assert first["title_html"] == "Recommendation 2: <mark>Consular</mark> protection"


def test_the_api_search_refuses_what_it_cannot_understand(client, record):
    assert client.get("/api/search/").status_code == 400
    assert "q" in client.get("/api/search/", {"q": ""}).json()
    assert "colour" in client.get("/api/search/", {"q": "x", "colour": "red"}).json()
    assert "recommendation" in client.get("/api/search/", {"q": "x", "recommendation": "99"}).json()
    assert client.get("/api/search/", {"q": "consular", "page": "9"}).status_code == 404


def test_the_api_search_is_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/search/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "kind", "actor", "recommendation", "page"}


# -- PostgreSQL: its configurations and its indexes ------------------------------------------------


@needs_postgresql
def test_postgresql_stems_in_each_language_and_strips_accents(client, record):
    assert connection.vendor == "postgresql", "CI runs these on PostgreSQL"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_tsvector('search_spanish', 'Migraciones LABORALES'), to_tsvector('search_simple', 'MÉXICO')"
        )
        assert cursor.fetchone() == ("'laboral':2 'migracion':1", "'mexico':1")
    # "programmes" and "programme" are one English word.
    ActionFactory(title="Seasonal programmes renewed", recommendations=[record["consular"]])
    assert titles(client, "programme") == ["Seasonal programmes renewed"]


@needs_postgresql
def test_postgresql_reads_the_actions_through_their_indexes(record):
    assert connection.vendor == "postgresql"
    from tracker.selectors import search as selectors

    # A tiny table: force the planner to say what it could use. Without a plain scan of the table or
    # of an index it would follow while checking each row, and without the other filters (such as
    # published, which has an index of its own), only bitmap scans are left: each of the search's
    # conditions must be one that an index answers.
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
    try:
        kinds = selectors.matching(parse_query("consular"), "es", selectors.SearchFilters())
        assert kinds["action"].filter(title__icontains="consular").exists()
        found = match_actions(Action.objects.order_by(), parse_query("consular"), "es", ranked=False)
        plan = found.values("pk").explain()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = on")
            cursor.execute("SET enable_indexscan = on")
    for index in ("tracker_action_search_es", "tracker_action_search_en", "tracker_evidence_search_es"):
        assert index in plan, plan


def test_a_query_with_nothing_to_look_for_finds_nothing(client, record):
    for words in ("-consular", "!!!", '""'):
        assert client.get("/api/search/", {"q": words}).json()["count"] == 0
        assert client.get(SEARCH, {"q": words}).status_code == 200
