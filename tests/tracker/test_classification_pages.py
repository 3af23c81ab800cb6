"""The classification on the public pages: a recommendation's terms as links, and the pages of a theme
and of an SDG target, listing their recommendations with their progress."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    ActionFactory,
    ActorFactory,
    ForumFactory,
    MeasureTypeFactory,
    PopulationGroupFactory,
    RecommendationFactory,
    ResponsibilityFactory,
    SdgTargetFactory,
    ThemeFactory,
)
from tracker import services
from tracker.models import Status

pytestmark = pytest.mark.django_db

TITLE = "Facilitate orderly, safe, regular and responsible migration and mobility of people"


@pytest.fixture
def record():
    """Recommendation 1 on remittances (SDG 10.7) naming migrant workers, half of its states at full
    compliance; 2 on remittances too, all pending; 3 on another theme."""
    forum = ForumFactory()
    recs = [RecommendationFactory(forum=forum, number=n, short_title=f"Label {n}") for n in (1, 2, 3)]
    remittances = ThemeFactory(slug="remittances", name="Remittances", name_es="Remesas")
    other = ThemeFactory(slug="cooperation", name="Cooperation")
    workers = PopulationGroupFactory(slug="migrant-workers", name="Migrant workers")
    target = SdgTargetFactory(number="10.7", title=TITLE)
    services.recommendation_classify(
        recommendation=recs[0], by=None, themes=[remittances], population_groups=[workers], sdg_targets=[target]
    )
    services.recommendation_classify(recommendation=recs[1], by=None, themes=[remittances])
    services.recommendation_classify(recommendation=recs[2], by=None, themes=[other])
    for n, status in enumerate([Status.FULL, Status.PENDING]):
        ResponsibilityFactory(recommendation=recs[0], actor=ActorFactory(code=f"S{n}"), status=status)
    ResponsibilityFactory(recommendation=recs[1], actor=ActorFactory(code="S9"), status=Status.PENDING)
    return recs


def test_a_recommendation_page_links_its_themes_groups_and_sdg_targets(client, record):
    body = client.get("/recommendations/1/").content.decode()
    assert '<a href="/themes/remittances/" lang="en">Remittances</a>' in body
    assert '<a href="/recommendations/?population=migrant-workers" lang="en">Migrant workers</a>' in body
    assert f'<a href="/sdg/10.7/">SDG target 10.7</a>: <span lang="en">{TITLE}</span>' in body
    assert "/themes/cooperation/" not in body


def test_an_unclassified_recommendation_shows_no_classification(client, record):
    rec = RecommendationFactory(forum=record[0].forum, number=4)
    assert "classification-heading" not in client.get(f"/recommendations/{rec.number}/").content.decode()


def test_terms_are_named_in_the_visitors_language_and_marked_english_where_untranslated(client, record):
    body = client.get("/recommendations/1/?lang=es").content.decode()
    assert '<a href="/themes/remittances/" lang="es">Remesas</a>' in body
    assert f'<span lang="en">{TITLE}</span>' in body
    # The heading's words come from the interface's catalogue; the theme's name from the record.
    assert "Remesas</h1>" in client.get("/themes/remittances/?lang=es").content.decode()


def test_a_theme_page_lists_its_recommendations_with_their_progress(client, record):
    response = client.get("/themes/remittances/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Theme: Remittances</h1>" in body
    assert 'href="/recommendations/1/"' in body and 'href="/recommendations/2/"' in body
    assert 'href="/recommendations/3/"' not in body
    # Recommendation 1: full and pending, 50 %; 2: pending, 0 %; together, one full in three: 33 %.
    assert body.count('class="rollup__bar"') == 3
    assert "Progress: 50" in body and "Progress: 0" in body
    assert "<strong>33" in body
    assert 'href="/actions/?theme=remittances"' in body
    assert 'href="/export/recommendations.csv?theme=remittances"' in body


def test_an_sdg_page_shows_the_official_title_and_its_recommendations(client, record):
    body = client.get("/sdg/10.7/").content.decode()
    assert "<h1>SDG target 10.7</h1>" in body
    assert f"<p>{TITLE}</p>" in body
    assert 'href="/recommendations/1/"' in body and 'href="/recommendations/2/"' not in body
    assert 'href="/actions/?sdg=10.7"' in body


@pytest.mark.parametrize("url", ["/themes/tourism/", "/sdg/99.9/", "/sdg/10.7x/", "/themes/REMITTANCES/"])
def test_an_unknown_theme_or_target_is_not_found(client, record, url):
    assert client.get(url).status_code == 404


def test_a_term_with_no_recommendation_says_so(client, record):
    ThemeFactory(slug="return-and-reintegration", name="Return and reintegration")
    body = client.get("/themes/return-and-reintegration/").content.decode()
    assert "No recommendation is classified under it." in body


@pytest.mark.parametrize("url", ["/themes/remittances/", "/sdg/10.7/"])
def test_theme_and_sdg_pages_are_cached_for_visitors_with_an_etag(client, record, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["ETag"]
    assert "no-cache" in response["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def _count(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize("url", ["/themes/remittances/", "/sdg/10.7/", "/recommendations/1/"])
def test_term_pages_make_the_same_queries_however_many_recommendations_and_actors(client, record, url):
    """Guards the theme and SDG pages against a query per recommendation or per responsibility."""
    small = _count(client, url)
    remittances = record[0].classification.themes.get()
    target = record[0].classification.sdg_targets.get()
    for n in range(4, 12):
        rec = RecommendationFactory(forum=record[0].forum, number=n)
        services.recommendation_classify(
            recommendation=rec, by=None, themes=[remittances, ThemeFactory()], sdg_targets=[target]
        )
        for code in ("S0", "S1", "S9"):
            ResponsibilityFactory(recommendation=rec, actor=ActorFactory(code=code), status=Status.PARTIAL)
    services.recommendation_classify(
        recommendation=record[0],
        by=None,
        population_groups=[PopulationGroupFactory() for _ in range(3)],
        sdg_targets=[target, SdgTargetFactory()],
    )
    large = _count(client, url)
    assert small == large, f"{url}: {small} queries with few rows, {large} with many"
    # The recommendation page's limit is that of every page (tests/tracker/test_pages.py).
    assert large <= (10 if url.startswith("/recommendations/") else 5)


def test_an_action_page_names_its_type_of_measure_as_a_link_to_the_others(client, record):
    legislation = MeasureTypeFactory(slug="legislation", name="Legislation", name_pt="Legislação")
    action = ActionFactory(recommendations=[record[0]], measure_type=legislation)
    body = client.get(f"/actions/{action.pk}/?lang=pt").content.decode()
    assert '<a href="/actions/?measure=legislation">Legislação</a>' in body


def test_the_index_lists_every_term_with_its_count_of_recommendations(client, record):
    ThemeFactory(slug="return-and-reintegration", name="Return and reintegration")
    body = client.get("/themes/").content.decode()
    assert '<a href="/themes/remittances/">Remittances</a> <span class="muted">(2 recommendations)</span>' in body
    assert '<a href="/themes/cooperation/">Cooperation</a> <span class="muted">(1 recommendation)</span>' in body
    assert '<a href="/themes/return-and-reintegration/">Return and reintegration</a>' in body
    assert "(0 recommendations)" in body
    assert '<a href="/recommendations/?population=migrant-workers">Migrant workers</a>' in body
    assert '<a href="/sdg/10.7/">SDG target 10.7</a>' in body
    assert 'href="/themes/"' in client.get("/recommendations/").content.decode()


def test_the_index_makes_the_same_queries_however_many_terms(client, record):
    small = _count(client, "/themes/")
    for _ in range(5):
        ThemeFactory(), PopulationGroupFactory(), SdgTargetFactory()
    assert _count(client, "/themes/") == small <= 5


def test_the_index_shows_a_change_at_once_though_its_markup_is_kept(client, record):
    """The index's markup is kept per distinct list of terms and counts: a new classification, a
    renamed term or a new translation is a new list, drawn afresh."""
    assert "(1 recommendation)" in client.get("/themes/").content.decode()
    services.recommendation_classify(recommendation=record[2], by=None, themes=[record[0].classification.themes.get()])
    body = client.get("/themes/").content.decode()
    assert '<a href="/themes/remittances/">Remittances</a> <span class="muted">(3 recommendations)</span>' in body
    assert '<a href="/themes/cooperation/">Cooperation</a> <span class="muted">(0 recommendations)</span>' in body
    theme = record[0].classification.themes.get()
    theme.name_fr = "Envois de fonds"
    theme.save()
    assert '<a href="/themes/remittances/">Envois de fonds</a>' in client.get("/themes/?lang=fr").content.decode()
