"""The public pages: what they show, what they never show, and how many queries they make."""

import datetime
import re

import lxml.html
import pytest
from django.core.paginator import EmptyPage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum.models import Recommendation
from tests.factories import (
    ActionFactory,
    ActorFactory,
    BodyFactory,
    CommentFactory,
    CommentSectionFactory,
    EvidenceFactory,
    ForumFactory,
    PanelFactory,
    RecommendationFactory,
    ResponsibilityFactory,
    StatusChangeFactory,
    ThemeFactory,
)
from tracker.links import actor_url, recommendation_url
from tracker.models import Action, Status
from tracker.paging import CountedUpTo, FirstPageCounted
from tracker.selectors import listed_actions
from tracker.selectors.common import listed_action

STATUSES = [s.value for s in Status]


def build_record(*, recommendations, states, actions):
    """A record of the given size: every state responsible for every recommendation, statuses spread
    along the scale, a status change per responsibility, published actions and one draft."""
    forum = ForumFactory()
    PanelFactory(forum=forum)
    comment = CommentFactory(forum=forum, text="A comment.\n· first point\n· second point")
    recs = [RecommendationFactory(forum=forum, number=n + 1) for n in range(recommendations)]
    for rec in recs:
        rec.related_comments.add(comment)
    actors = [ActorFactory(code=f"S{n:02d}", name=f"State {n:02d}") for n in range(states)]
    actors.append(BodyFactory(code="RCM", name="Regional Conference on Migration"))
    for i, rec in enumerate(recs):
        for j, actor in enumerate(actors):
            responsibility = ResponsibilityFactory(recommendation=rec, actor=actor, status=STATUSES[(i + j) % 7])
            StatusChangeFactory(responsibility=responsibility, to_status=responsibility.status)
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


PAGES = [
    ("dashboard", lambda: reverse("tracker:dashboard")),
    ("recommendation_list", lambda: reverse("tracker:recommendation_list")),
    ("recommendation_detail", lambda: reverse("tracker:recommendation_detail", args=[1])),
    ("actor_list", lambda: reverse("tracker:actor_list")),
    ("actor_detail", lambda: reverse("tracker:actor_detail", args=["S00"])),
    ("action_list", lambda: reverse("tracker:action_list")),
    ("forum_record", lambda: reverse("tracker:forum_record")),
    (
        "filtered_action_list",
        lambda: reverse("tracker:action_list") + "?recommendation=1&actor_kind=member_state&q=Action",
    ),
    ("filtered_actor_list", lambda: reverse("tracker:actor_list") + "?status=partial&recommendation=1"),
    ("filtered_recommendation_list", lambda: reverse("tracker:recommendation_list") + "?actor=S00&q=thing"),
]


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize("name, url", PAGES, ids=[name for name, _ in PAGES])
def test_query_count_does_not_grow_with_the_record(client, db, name, url):
    """Guards every public page against a query per recommendation, actor, action or status change."""
    build_record(recommendations=2, states=2, actions=3)
    small = _count_queries(client, url())
    build_more = {"recommendations": 6, "states": 9, "actions": 40}
    # Grow the same record: more recommendations, states, actions and history rows.
    forum_recs, actors = list(RecommendationFactory._meta.model.objects.all()), []
    for n in range(build_more["states"]):
        actors.append(ActorFactory(code=f"T{n:02d}", name=f"Territory {n:02d}"))
    for n in range(len(forum_recs) + 1, build_more["recommendations"] + 1):
        forum_recs.append(RecommendationFactory(forum=forum_recs[0].forum, number=n))
    for rec in forum_recs:
        for actor in actors:
            responsibility = ResponsibilityFactory(recommendation=rec, actor=actor, status=Status.PARTIAL)
            StatusChangeFactory(responsibility=responsibility)
    s00 = ActorFactory(code="S00")
    for n in range(build_more["actions"]):
        ActionFactory(actor=s00 if n % 2 else actors[n % len(actors)], recommendations=forum_recs[: 1 + n % 5])
    large = _count_queries(client, url())
    assert small == large, f"{name}: {small} queries with few rows, {large} with many"
    # At most: the record's version, the page's own reads, and the two of "progress through time".
    assert large <= 10, f"{name} makes {large} queries"


def test_dashboard_shows_the_roll_up_with_not_assessed_apart(client, db):
    build_record(recommendations=3, states=6, actions=2)
    body = client.get(reverse("tracker:dashboard")).content.decode()
    assert "not yet assessed (not counted as pending)" in body
    for status in Status:
        assert str(status.label) in body
    assert "Regional Conference on Migration" in body


def test_drafts_and_withdrawn_actions_never_reach_a_public_page(client, db):
    build_record(recommendations=2, states=2, actions=2)
    for _, url in PAGES:
        body = client.get(url()).content.decode()
        assert "Secret draft plan" not in body
        assert "Withdrawn duplicate" not in body


def test_action_counts_include_published_actions_only(client, db):
    build_record(recommendations=2, states=2, actions=3)
    body = client.get(reverse("tracker:action_list")).content.decode()
    assert "3 actions" in body


def test_recommendation_page_quotes_the_text_with_its_source_and_marks_the_title_editorial(client, db):
    recommendation = RecommendationFactory(number=1, text="To promote a closer link.", short_title="Development")
    body = client.get(recommendation_url(recommendation.number)).content.decode()
    assert "To promote a closer link." in body
    assert "Special Forum on Migration Issues" in body and "recommendation 1" in body
    assert "committee&#x27;s short title" in body or "committee's short title" in body


def test_recommendation_page_lists_each_responsible_actor_with_status_and_reasoning(client, db, staff):
    from tracker import services

    responsibility = ResponsibilityFactory(actor=ActorFactory(code="MEX", name="Mexico"))
    services.responsibility_set_status(
        responsibility=responsibility, status=Status.SUBSTANTIAL, by=staff, reason="Law 2011 on migration."
    )
    body = client.get(recommendation_url(responsibility.recommendation.number)).content.decode()
    assert "Mexico" in body and "Substantial partial compliance" in body and "Law 2011 on migration." in body


def test_a_recommendations_comments_are_captioned_with_their_section_in_the_visitors_language(client, db):
    forum = ForumFactory()
    section = CommentSectionFactory(forum=forum, letter="B", heading="Specific comments", heading_es="Comentarios")
    quoted = CommentFactory(forum=forum, section=section, number=4, text="Ensure access.", text_fr="Garantir l'accès.")
    other = CommentFactory(forum=forum, section=section, number=5, text="Not linked.")
    recommendation = RecommendationFactory(forum=forum, number=1)
    recommendation.related_comments.add(quoted)
    url = recommendation_url(1)
    body = client.get(url).content.decode()
    assert "Comment 4, section B. Specific comments" in body and "Ensure access." in body
    assert "Not linked." not in body and other.number == 5
    # Spanish heading entered; French has the comment's text but not the heading: English stands in.
    assert "Comentario 4, sección B. Comentarios" in client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "B. Specific comments" in french and "Garantir l&#x27;accès." in french

    # Its way to the English keeps the page's own parameters, whichever page drew the quote first.
    def originals(body):
        return lxml.html.fromstring(body).xpath('//figure[@class="quote"]//p[@class="translation-note"]/a/@href')

    assert originals(french) == ["?lang=en"]
    assert originals(client.get(url + "?sort=status", HTTP_ACCEPT_LANGUAGE="fr").content) == ["?sort=status&lang=en"]


def test_the_dashboards_figures_follow_each_assessment_though_their_markup_is_kept(client, db, staff):
    from tracker import services

    responsibilities = [ResponsibilityFactory(status=Status.NOT_ASSESSED) for _ in range(3)]

    def figures():
        body = client.get(reverse("tracker:dashboard")).content.decode()
        return re.findall(r'figure__value">([^<]+)</span>', body)

    assert figures() == ["–", "0", "3"]
    services.responsibility_set_status(responsibility=responsibilities[0], status=Status.FULL, by=staff, reason="Done.")
    assert figures() == ["100\u00a0%", "1", "2"]


def test_the_matrix_follows_each_assessment_and_each_renamed_state_though_its_body_is_kept(client, db, staff):
    from tracker import services

    responsibility = ResponsibilityFactory(actor=ActorFactory(code="BRA", name="Brazil"), status=Status.NOT_ASSESSED)

    def row(language="en"):
        body = client.get(reverse("tracker:dashboard"), HTTP_ACCEPT_LANGUAGE=language).content
        (tr,) = lxml.html.fromstring(body).xpath('//table[@class="data matrix"]/tbody/tr[th/a[@href="/actors/BRA/"]]')
        return tr.xpath("string(th)"), tr.xpath("td/span/@class")

    assert row() == ("Brazil", ["status status--not_assessed"])
    services.responsibility_set_status(responsibility=responsibility, status=Status.FULL, by=staff, reason="Done.")
    assert row() == ("Brazil", ["status status--full"])
    responsibility.actor.name_es = "Brasil"
    responsibility.actor.save()
    assert row("es") == ("Brasil", ["status status--full"])
    assert row() == ("Brazil", ["status status--full"])


def test_a_recommendations_page_follows_each_write_though_its_sections_are_kept(client, db, staff):
    from tracker import services

    responsibility = ResponsibilityFactory(actor=ActorFactory(code="BRA", name="Brazil"), status=Status.NOT_ASSESSED)
    recommendation = responsibility.recommendation
    url = recommendation_url(recommendation.number)

    def page(language="en"):
        tree = lxml.html.fromstring(client.get(url, HTTP_ACCEPT_LANGUAGE=language).content)
        (row,) = tree.xpath('//section[@aria-labelledby="responsible-heading"]//tbody/tr')
        return {
            "row": (row.xpath("string(th)"), row.xpath("td/span/@class")),
            "stands": tree.xpath('string(//section[@aria-labelledby="overall-heading"])'),
            "timeline": tree.xpath('//ol[@class="timeline"]/li/@class'),
            "timeline_text": tree.xpath('string(//ol[@class="timeline"])'),
            "themes": tree.xpath('//section[@aria-labelledby="classification-heading"]//a/text()'),
            "quote": tree.xpath('string(//figure[@class="quote"])'),
        }

    before = page()
    assert before["row"] == ("Brazil", ["status status--not_assessed"]) and before["timeline"] == []
    assert before["themes"] == [] and "status: Not yet assessed" in before["stands"]
    services.responsibility_set_status(responsibility=responsibility, status=Status.FULL, by=staff, reason="Done.")
    services.recommendation_set_status(recommendation=recommendation, status=Status.PARTIAL, by=staff, reason="Begun.")
    ActionFactory(actor=responsibility.actor, recommendations=[recommendation], title="Visa reform")
    services.recommendation_classify(recommendation=recommendation, by=staff, themes=[ThemeFactory(name="Housing")])
    after = page()
    assert after["row"] == ("Brazil", ["status status--full"])
    assert "status: Partial compliance" in after["stands"] and "actors: 100" in after["stands"]
    assert len(after["timeline"]) == 3 and after["themes"] == ["Housing"]
    # Assessed again the same day: only the status tells the row apart.
    services.responsibility_set_status(responsibility=responsibility, status=Status.PARTIAL, by=staff, reason="Done.")
    assert page()["row"] == ("Brazil", ["status status--partial"])
    assert "Nueva traducción" not in page("es")["quote"]
    Recommendation.objects.filter(pk=recommendation.pk).update(text_es="Nueva traducción.", translation_credit_es="OEA")
    assert "Nueva traducción" in page("es")["quote"] and "Nueva" not in page()["quote"]
    assert "Brazil" in page("es")["timeline_text"]  # no Spanish name yet: the English one
    responsibility.actor.name_es = "Brasil"
    responsibility.actor.save()
    spanish = page("es")
    assert spanish["row"] == ("Brasil", ["status status--partial"]) and "Brazil" not in spanish["timeline_text"]
    assert page()["row"] == ("Brazil", ["status status--partial"])


def test_a_states_history_and_actions_follow_each_write_though_their_lists_are_kept(client, db, staff):
    from tracker import services

    responsibility = ResponsibilityFactory(actor=ActorFactory(code="BRA", name="Brazil"), status=Status.NOT_ASSESSED)
    ActionFactory(actor=responsibility.actor, title="First plan")
    url = reverse("tracker:actor_detail", args=["BRA"])

    def lists():
        tree = lxml.html.fromstring(client.get(url).content)
        history = tree.xpath('//section[@aria-labelledby="history-heading"]//li/@id')
        actions = tree.xpath('//section[@aria-labelledby="actions-heading"]//h3/a/text()')
        return history, actions

    assert lists() == ([], ["First plan"])
    change = services.responsibility_set_status(
        responsibility=responsibility, status=Status.FULL, by=staff, reason="Done."
    )
    ActionFactory(actor=responsibility.actor, title="Second plan", taken_on=datetime.date.today())
    assert lists() == ([f"status-change-{change.pk}"], ["Second plan", "First plan"])
    Action.objects.filter(title="First plan").update(title="First plan, amended")
    assert lists()[1] == ["Second plan", "First plan, amended"]


def test_a_states_figures_follow_each_assessment_though_their_markup_is_kept(client, db, staff):
    from tracker import services

    actor = ActorFactory(code="BRA", name="Brazil")
    first, _second = (ResponsibilityFactory(actor=actor, status=Status.NOT_ASSESSED) for _ in range(2))
    url = reverse("tracker:actor_detail", args=["BRA"])

    def figures():
        return re.findall(r'figure__value">([^<]+)</span>', client.get(url).content.decode())

    assert figures() == ["–", "2", "0"]
    services.responsibility_set_status(responsibility=first, status=Status.FULL, by=staff, reason="Done.")
    assert figures() == ["100\u00a0%", "2", "0"]


def test_the_timeline_merges_actions_and_status_changes(client, db):
    responsibility = ResponsibilityFactory()
    StatusChangeFactory(responsibility=responsibility, reason="Assessed at the 2024 meeting.")
    ActionFactory(actor=responsibility.actor, recommendations=[responsibility.recommendation], title="Visa reform")
    body = client.get(recommendation_url(responsibility.recommendation.number)).content.decode()
    assert "Assessed at the 2024 meeting." in body and "Visa reform" in body


def test_actor_page_lists_its_recommendations_and_actions(client, db):
    responsibility = ResponsibilityFactory(actor=ActorFactory(code="BRA", name="Brazil"), status=Status.FULL)
    ActionFactory(actor=responsibility.actor, recommendations=[responsibility.recommendation], title="National plan")
    body = client.get(reverse("tracker:actor_detail", args=["BRA"])).content.decode()
    assert responsibility.recommendation.short_title in body
    assert "Full compliance" in body and "National plan" in body


def test_actor_codes_are_case_insensitive_in_urls(client, db):
    ActorFactory(code="MEX")
    response = client.get("/actors/mex/")
    assert response.status_code == 301 and response["Location"] == "/actors/MEX/"


@pytest.mark.parametrize(
    "url, status",
    [
        ("/recommendations/99/", 404),
        ("/actors/ZZZ/", 404),
        ("/recommendations/0/", 404),
    ],
)
def test_unknown_objects_answer_404(client, db, url, status):
    # Numbered 1, not by the factory's sequence, which reaches 99 when enough tests ran before in the process.
    RecommendationFactory(number=1)
    assert client.get(url).status_code == status


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus",
        "date_after=not-a-date",
        "date_before=2024-13-45",
        "recommendation=abc",
        "recommendation=-1",
        "actor_kind=planet",
        "q=" + "x" * 5000,
        "q=%00",
        "actor=%27%3B%20DROP%20TABLE%20tracker_action%3B--",
    ],
)
@pytest.mark.parametrize("list_name", ["action_list", "actor_list", "recommendation_list"])
def test_bad_query_strings_give_a_page_not_an_error(client, db, query, list_name):
    build_record(recommendations=1, states=1, actions=1)
    response = client.get(reverse(f"tracker:{list_name}") + "?" + query)
    assert response.status_code == 200
    assert Action.objects.count() == 3


# Every paged HTML list: the three lists, an actor's actions, the search's results.
PAGED_LISTS = ["/actions/?", "/actors/?", "/recommendations/?", "/actors/S00/?", "/search/?q=State&"]


@pytest.mark.parametrize(
    "query", ["page=2", "page=99999999999999999999999", pytest.param("page=" + "9" * 5000, id="page=5000 digits")]
)
@pytest.mark.parametrize("url", PAGED_LISTS)
def test_a_page_past_the_last_is_not_found_rather_than_page_one(client, db, query, url):
    build_record(recommendations=1, states=1, actions=1)
    response = client.get(url + query)
    assert response.status_code == 404
    assert "of this list: it has 1 page(s)" in response.content.decode()


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=two", "page=", "page=1.5", "page=%EF%BC%92", "page=%2B1"])
@pytest.mark.parametrize("url", PAGED_LISTS)
def test_a_page_that_is_not_a_page_number_is_a_400_naming_it(client, db, query, url):
    """The address is wrong whatever the list holds: a 400 in the site's layout, never the first
    page, nor a 404 that would say the page might exist some day."""
    build_record(recommendations=1, states=1, actions=1)
    response = client.get(url + query)
    assert response.status_code == 400
    body = response.content.decode()
    assert "page must be a whole number from 1" in body
    assert 'class="site-header"' in body and 'href="/actions/"' in body


def test_the_400_for_a_page_number_speaks_the_page_language(client, db):
    build_record(recommendations=1, states=1, actions=1)
    response = client.get("/actions/?lang=es&page=0")
    assert response.status_code == 400
    body = response.content.decode()
    assert "page debe ser un número entero a partir de 1" in body and 'lang="es"' in body


def test_a_request_the_site_refuses_otherwise_gets_its_400_page_too(client, db):
    """Django's other 400s (here a host the site does not serve) use the same page, not a 500."""
    response = client.get("/actions/", HTTP_HOST="elsewhere.example")
    assert response.status_code == 400
    assert 'class="site-header"' in response.content.decode()


def test_an_unknown_status_says_so_and_lists_nothing(client, db):
    build_record(recommendations=1, states=1, actions=2)
    body = client.get(reverse("tracker:action_list") + "?status=bogus").content.decode()
    assert "could not be understood" in body
    assert 'class="action"' not in body and "0 actions" not in body


def test_filters_narrow_the_action_list(client, db):
    recs, actors = build_record(recommendations=3, states=3, actions=6)
    body = client.get(reverse("tracker:action_list") + f"?actor={actors[0].code}").content.decode()
    assert body.count('class="action"') == sum(1 for n in range(6) if n % len(actors) == 0)
    body = client.get(reverse("tracker:action_list") + "?date_after=2100-01-01").content.decode()
    assert "No published action matches these filters." in body


def test_kept_filters_follow_the_record_and_the_request(client, db):
    # The filters' markup is kept per distinct form: a new choice, a renamed one, another value chosen
    # or an error each give other markup.
    recs, actors = build_record(recommendations=2, states=2, actions=2)
    url = reverse("tracker:action_list")
    assert f"{recs[0].number}. Renamed label" not in client.get(url).content.decode()
    type(recs[0]).objects.filter(pk=recs[0].pk).update(short_title="Renamed label", short_title_en="Renamed label")
    assert f"{recs[0].number}. Renamed label" in client.get(url).content.decode()
    chosen = client.get(f"{url}?actor={actors[1].code}").content.decode()
    assert f'<option value="{actors[1].code}" selected>' in chosen
    assert f'<option value="{actors[1].code}" selected>' not in client.get(url).content.decode()
    assert 'role="alert"' in client.get(f"{url}?status=bogus").content.decode()
    assert 'role="alert"' not in client.get(url).content.decode()


def test_actor_list_filters_by_kind(client, db):
    build_record(recommendations=1, states=3, actions=0)
    body = client.get(reverse("tracker:actor_list") + "?kind=regional_process").content.decode()
    assert "Regional Conference on Migration" in body and "State 00" not in body


PAYLOADS = [
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    '<a href="javascript:alert(1)">link</a>',
    "<iframe src=https://example.org></iframe>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_from_staff_never_reaches_a_page_as_markup(client, db, payload):
    responsibility = ResponsibilityFactory()
    ActionFactory(
        actor=responsibility.actor,
        recommendations=[responsibility.recommendation],
        title=payload,
        description=f"Intro **bold**\n\n{payload}",
        information_source=payload,
    )
    for url in [
        reverse("tracker:action_list"),
        recommendation_url(responsibility.recommendation.number),
        actor_url(responsibility.actor.code),
        reverse("tracker:dashboard"),
    ]:
        body = client.get(url).content.decode()
        assert "<script>alert" not in body
        assert "onerror=" not in body.replace("onerror=&quot;", "")
        assert 'href="javascript:' not in body
        assert "<iframe" not in body
    assert "<strong>bold</strong>" in client.get(reverse("tracker:action_list")).content.decode()


def test_forum_record_reads_as_a_document(client, db):
    build_record(recommendations=2, states=1, actions=0)
    body = client.get(reverse("tracker:forum_record")).content.decode()
    assert "<li>first point</li>" in body
    assert 'id="recommendation-2"' in body


def test_forum_record_without_a_forum_is_not_found(client, db):
    assert client.get(reverse("tracker:forum_record")).status_code == 404


def test_empty_lists_say_so(client, db):
    assert "No actions have been published yet." in client.get(reverse("tracker:action_list")).content.decode()
    assert "No recommendation matches" in client.get(reverse("tracker:recommendation_list")).content.decode()
    body = client.get(reverse("tracker:dashboard")).content.decode()
    assert "No responsibilities have been recorded yet." in body


def test_long_lists_are_paginated(client, db, settings):
    settings.PAGE_SIZE = 5
    responsibility = ResponsibilityFactory()
    ActionFactory.create_batch(12, actor=responsibility.actor, recommendations=[responsibility.recommendation])
    body = client.get(reverse("tracker:action_list") + "?page=3").content.decode()
    assert "Page 3 of 3" in body
    assert body.count('class="action"') == 2
    assert 'rel="prev"' in body


def test_healthz_answers_after_a_database_round_trip(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("tracker:healthz"))
    assert response.status_code == 200 and response.content == b"ok\n"


def test_conditions_on_one_responsibility_apply_to_the_same_row(client, db):
    """Responsible for 5 at non-compliance means one responsibility that is both (issue 18)."""
    five, six = RecommendationFactory(number=5), RecommendationFactory(number=6)
    partial_here_failing_there = ActorFactory(code="AAA", name="Alpha")
    failing_here = ActorFactory(code="BBB", name="Beta")
    ResponsibilityFactory(recommendation=five, actor=partial_here_failing_there, status=Status.PARTIAL)
    ResponsibilityFactory(recommendation=six, actor=partial_here_failing_there, status=Status.NON_COMPLIANCE)
    ResponsibilityFactory(recommendation=five, actor=failing_here, status=Status.NON_COMPLIANCE)
    query = {"recommendation": 5, "status": "non_compliance"}
    page = client.get(reverse("tracker:actor_list"), query).content.decode()
    assert "Beta" in page and "Alpha" not in page
    assert [a["code"] for a in client.get("/api/actors/", query).json()["results"]] == ["BBB"]
    # Recommendations with a member state (kind) that is Alpha: the same responsibility again.
    body = BodyFactory(code="RCM", name="Regional body")
    ResponsibilityFactory(recommendation=six, actor=body)
    found = client.get("/api/recommendations/", {"actor": "AAA", "actor_kind": "regional_process"}).json()
    assert found["count"] == 0
    # Actions by an actor on a recommendation where that actor is at the status.
    ActionFactory(actor=partial_here_failing_there, recommendations=[five, six])
    ActionFactory(actor=failing_here, recommendations=[five])
    actions = client.get("/api/actions/", query).json()["results"]
    assert [a["actor"] for a in actions] == ["BBB"]
    assert client.get("/api/actions/", {"recommendation": 6}).json()["count"] == 1


@pytest.mark.parametrize("asked", ["999", "2"])
def test_a_page_past_the_end_of_a_list_is_not_found_and_says_so(client, db, asked):
    """Never page 1 in its place (issue 18). A value that is no page number at all is a 400 (above)."""
    ActionFactory.create_batch(3)
    response = client.get(reverse("tracker:action_list"), {"page": asked})
    assert response.status_code == 404
    assert "it has 1 page(s)" in response.content.decode()


def test_a_filter_that_cannot_be_understood_shows_its_error_and_no_count(client, db):
    ActionFactory()
    body = client.get(reverse("tracker:action_list"), {"date_after": "31/31/2020"}).content.decode()
    assert "Enter a valid date" in body
    assert "0 actions" not in body and 'class="result-count"' not in body


def test_a_list_that_fits_on_its_first_page_is_counted_from_its_rows(db):
    build_record(recommendations=3, states=1, actions=0)
    rows = Recommendation.objects.order_by("number")
    with CaptureQueriesContext(connection) as queries:
        page = FirstPageCounted(rows, 5).page(1)
        assert (page.paginator.count, page.paginator.num_pages, [r.number for r in page]) == (3, 1, [1, 2, 3])
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        page = FirstPageCounted(rows, 2).page("1")
        assert (page.paginator.count, page.has_next(), [r.number for r in page]) == (3, True, [1, 2])
    assert len(queries) == 2  # longer than a page: the rows, then the count
    assert [r.number for r in FirstPageCounted(rows, 2).page(2)] == [3]


def test_a_long_list_is_counted_up_to_a_limit_and_paged_on_by_its_rows(db):
    build_record(recommendations=9, states=1, actions=0)
    rows = Recommendation.objects.order_by("number")
    with CaptureQueriesContext(connection) as queries:
        paginator = CountedUpTo(rows, 2, limit=4)
        page = paginator.page(1)
        facts = (paginator.count, paginator.more, paginator.num_pages, page.has_next(), [r.number for r in page])
        assert facts == (4, True, None, True, [1, 2])
    assert len(queries) == 2  # counted up to 5 rows, then the page
    assert "LIMIT 5" in queries[0]["sql"] and "ORDER BY" not in queries[0]["sql"]
    page = CountedUpTo(rows, 2, limit=4).page(2)
    assert ([r.number for r in page], page.has_next(), page.previous_page_number(), page.next_page_number()) == (
        [3, 4],
        True,
        1,
        3,
    )
    # A page past the counted rows counts them all, as any list does: its number of pages is known.
    paginator = CountedUpTo(rows, 2, limit=4)
    page = paginator.page(3)
    assert (paginator.count, paginator.more, paginator.num_pages, [r.number for r in page]) == (9, False, 5, [5, 6])
    assert [r.number for r in CountedUpTo(rows, 2, limit=4).page(5)] == [9]
    with pytest.raises(EmptyPage):
        CountedUpTo(rows, 2, limit=4).page(6)
    # Up to the limit, the count is exact.
    paginator = CountedUpTo(rows, 2, limit=9)
    assert (paginator.count, paginator.more, paginator.num_pages, paginator.page(5).has_next()) == (9, False, 5, False)


def test_a_kept_first_page_gives_what_the_orm_gives_and_reads_its_rows_every_time(db):
    actor = ActorFactory(code="KPT")
    ActionFactory.create_batch(5, actor=actor)
    rows = listed_actions().filter(actor=actor.pk)
    kept = (("kept-first-page-test", actor.pk), listed_action)
    for limit in (3, 9):
        paginator, plain = CountedUpTo(rows, 2, limit=limit, kept=kept), CountedUpTo(rows, 2, limit=limit)
        page, expected = paginator.page(1), plain.page(1)
        assert (paginator.count, paginator.more, paginator.num_pages) == (plain.count, plain.more, plain.num_pages)
        assert (list(page), page.has_next()) == (list(expected), expected.has_next())
    # Only the SQL is kept: a new action is counted and shown at once; the second page reads as before.
    newest = ActionFactory(actor=actor, taken_on=datetime.date.today())
    paginator = CountedUpTo(rows, 2, limit=9, kept=kept)
    assert paginator.count == 6 and paginator.page(1)[0].pk == newest.pk
    assert len(CountedUpTo(rows, 2, limit=9, kept=kept).page(3)) == 2


def test_a_states_page_pages_its_actions_as_every_list_does(client, db, monkeypatch, settings):
    monkeypatch.setattr(CountedUpTo, "limit", 4)
    settings.PAGE_SIZE = 2
    many, few = ActorFactory(code="MNY"), ActorFactory(code="FEW")
    ActionFactory.create_batch(7, actor=many)
    ActionFactory.create_batch(3, actor=few)
    # Past the limit, the first page does not know how many follow; the last is found by counting.
    body = client.get("/actors/MNY/").content.decode()
    assert "Page 1<" in body and "Page 1 of" not in body and 'rel="next"' in body
    body = client.get("/actors/MNY/", {"page": 4}).content.decode()
    assert "Page 4 of 4" in body and 'rel="next"' not in body
    assert client.get("/actors/MNY/", {"page": 5}).status_code == 404
    body = client.get("/actors/FEW/").content.decode()
    assert "Page 1 of 2" in body and 'rel="next"' in body
    ActionFactory.create_batch(2, actor=few)
    ActionFactory(actor=few, title="Published just now", taken_on=datetime.date.today())
    body = client.get("/actors/FEW/").content.decode()
    assert "Page 1<" in body and "Page 1 of" not in body and "Published just now" in body


def test_a_filtered_list_of_actions_past_the_limit_says_more_than_and_pages_on(client, db, monkeypatch, settings):
    monkeypatch.setattr(CountedUpTo, "limit", 4)
    settings.PAGE_SIZE = 2
    first, second = RecommendationFactory(number=1), RecommendationFactory(number=2)
    ActionFactory.create_batch(7, recommendations=[first])
    ActionFactory.create_batch(3, recommendations=[second])
    body = client.get(reverse("tracker:action_list"), {"recommendation": 1}).content.decode()
    assert "More than 4 actions" in body and "Page 1<" in body and 'rel="next"' in body
    body = client.get(reverse("tracker:action_list"), {"recommendation": 1, "page": 2}).content.decode()
    assert "More than 4 actions" in body and 'rel="prev"' in body and 'rel="next"' in body
    body = client.get(reverse("tracker:action_list"), {"recommendation": 1, "page": 4}).content.decode()
    assert "7 actions" in body and "Page 4 of 4" in body and 'rel="next"' not in body
    assert client.get(reverse("tracker:action_list"), {"recommendation": 1, "page": 5}).status_code == 404
    body = client.get(reverse("tracker:action_list"), {"recommendation": 2}).content.decode()
    assert "3 actions" in body and "Page 1 of 2" in body and "More than" not in body
    body = client.get(reverse("tracker:action_list"), {"recommendation": 1, "lang": "es"}).content.decode()
    assert "Más de 4 acciones" in body and "Página 1<" in body
