"""The classification's filters (`?theme=`, `?population=`, `?sdg=`, `?measure=`) on the lists, the API
and the downloads, and what the API says of each recommendation's classification and action's type."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    ActionFactory,
    ActorFactory,
    ForumFactory,
    MeasureTypeFactory,
    PopulationGroupFactory,
    RecommendationFactory,
    ResponsibilityFactory,
    SdgTargetFactory,
    StatusChangeFactory,
    ThemeFactory,
)
from tracker import services
from tracker.models import RecommendationClassification

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    """Three recommendations: 1 on remittances (SDG 10.c) naming migrant workers, 2 on remittances and
    cooperation (SDG 17.18), 3 unclassified; actions of each kind, and one addressing 1 and 2."""
    forum = ForumFactory()
    recs = [RecommendationFactory(forum=forum, number=n, short_title=f"Title {n}") for n in (1, 2, 3)]
    remittances = ThemeFactory(slug="remittances", name="Remittances", name_es="Remesas")
    cooperation = ThemeFactory(slug="cooperation", name="Cooperation")
    workers = PopulationGroupFactory(slug="migrant-workers", name="Migrant workers")
    remittance_costs = SdgTargetFactory(number="10.c", title="Reduce remittance costs", position=1)
    data = SdgTargetFactory(number="17.18", title="Data", position=2)
    services.recommendation_classify(
        recommendation=recs[0],
        by=None,
        themes=[remittances],
        population_groups=[workers],
        sdg_targets=[remittance_costs],
    )
    services.recommendation_classify(
        recommendation=recs[1], by=None, themes=[remittances, cooperation], sdg_targets=[data]
    )
    legislation = MeasureTypeFactory(slug="legislation", name="Legislation", name_fr="Législation")
    MeasureTypeFactory(slug="budget", name="Budget")
    actor = ActorFactory(code="MEX", name="Mexico")
    for rec in recs:
        responsibility = ResponsibilityFactory(recommendation=rec, actor=actor)
        StatusChangeFactory(responsibility=responsibility)
    actions = {
        "law on 1": ActionFactory(actor=actor, recommendations=[recs[0]], title="Law on 1", measure_type=legislation),
        "on 1 and 2": ActionFactory(actor=actor, recommendations=recs[:2], title="On 1 and 2"),
        "on 3": ActionFactory(actor=actor, recommendations=[recs[2]], title="On 3"),
    }
    return recs, actions


def _json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:500])
    return response.json()


def _csv(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    header, *rows = csv.reader(io.StringIO(raw.decode("utf-8-sig")))
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.mark.parametrize(
    "query, numbers",
    [
        ("theme=remittances", [1, 2]),
        ("theme=cooperation", [2]),
        ("population=migrant-workers", [1]),
        ("sdg=17.18", [2]),
        ("sdg=10.c", [1]),
        ("theme=remittances&sdg=10.c", [1]),
        ("", [1, 2, 3]),
    ],
)
def test_recommendations_are_filtered_by_their_classification_everywhere(client, record, query, numbers):
    assert [r["number"] for r in _json(client, f"/api/recommendations/?{query}")["results"]] == numbers
    assert [int(r["number"]) for r in _csv(client, f"/export/recommendations.csv?{query}")] == numbers
    body = client.get(f"/recommendations/?{query}").content.decode()
    shown = [n for n in (1, 2, 3) if f'href="/recommendations/{n}/"' in body]
    assert shown == numbers


@pytest.mark.parametrize(
    "query, titles",
    [
        ("theme=remittances", ["Law on 1", "On 1 and 2"]),
        ("theme=cooperation", ["On 1 and 2"]),
        ("population=migrant-workers", ["Law on 1", "On 1 and 2"]),
        ("sdg=17.18", ["On 1 and 2"]),
        ("measure=legislation", ["Law on 1"]),
        ("measure=budget", []),
        ("theme=remittances&measure=legislation", ["Law on 1"]),
    ],
)
def test_actions_are_filtered_by_their_recommendations_classification_and_their_type(client, record, query, titles):
    # An action addressing two recommendations under the theme is listed once.
    assert sorted(a["title"] for a in _json(client, f"/api/actions/?{query}")["results"]) == titles
    assert sorted(a["title"] for a in _csv(client, f"/export/actions.csv?{query}")) == titles
    body = client.get(f"/actions/?{query}").content.decode()
    assert sorted(t for t in ("Law on 1", "On 1 and 2", "On 3") if f">{t}<" in body) == titles


def test_the_matrix_and_the_assessments_are_filtered_by_the_recommendations_classification(client, record):
    rows = _json(client, "/api/responsibilities/?theme=cooperation")["results"]
    assert [row["recommendation"] for row in rows] == [2]
    assert [int(row["recommendation"]) for row in _csv(client, "/export/matrix.csv?sdg=10.c")] == [1]
    changes = _json(client, "/api/status-changes/?population=migrant-workers")["results"]
    assert [change["recommendation"] for change in changes] == [1]
    changes = _csv(client, "/export/status-changes.csv?theme=remittances")
    assert sorted(int(row["recommendation"]) for row in changes) == [1, 2]


@pytest.mark.parametrize(
    "url, parameter, value",
    [
        ("/api/recommendations/", "theme", "tourism"),
        ("/api/recommendations/", "population", "astronauts"),
        ("/api/recommendations/", "sdg", "99.9"),
        ("/api/actions/", "measure", "prayer"),
        ("/api/actions/", "theme", "REMITTANCES"),
        ("/api/responsibilities/", "sdg", "10.7"),
        ("/api/status-changes/", "theme", "tourism"),
    ],
)
def test_an_unknown_term_gives_a_400_naming_it_in_the_api(client, record, url, parameter, value):
    body = _json(client, f"{url}?{parameter}={value}", status=400)
    assert value in " ".join(body[parameter])


@pytest.mark.parametrize(
    "url, parameter",
    [
        ("/export/recommendations.csv", "theme"),
        ("/export/actions.xlsx", "measure"),
        ("/export/matrix.csv", "population"),
        ("/export/status-changes.csv", "sdg"),
    ],
)
def test_an_unknown_term_refuses_the_download_naming_it(client, record, url, parameter):
    response = client.get(f"{url}?{parameter}=no-such-term")
    assert response.status_code == 400
    assert "no-such-term" in response.content.decode()


@pytest.mark.parametrize("list_name", ["recommendation_list", "action_list"])
def test_an_unknown_term_on_a_page_says_so_naming_it_and_lists_nothing(client, record, list_name):
    body = client.get(reverse(f"tracker:{list_name}") + "?theme=no-such-theme").content.decode()
    assert "could not be understood" in body and "no-such-theme" in body
    assert 'href="/recommendations/1/"' not in body.split("</form>", 1)[1]
    assert ">Law on 1<" not in body


def test_the_lists_offer_the_terms_as_choices_in_the_visitors_language(client, record):
    body = client.get("/recommendations/?lang=es").content.decode()
    assert '<option value="remittances">Remesas</option>' in body
    assert '<option value="10.c">10.c: Reduce remittance costs</option>' in body
    body = client.get("/actions/?lang=fr&measure=legislation").content.decode()
    assert '<option value="legislation" selected>Législation</option>' in body


def test_api_recommendations_carry_their_classification_in_the_language_asked(client, record):
    first, second, third = _json(client, "/api/recommendations/?lang=es")["results"]
    assert first["themes"] == [{"slug": "remittances", "name": "Remesas"}]
    assert first["population_groups"] == [{"slug": "migrant-workers", "name": "Migrant workers"}]
    assert first["sdg_targets"] == [{"number": "10.c", "title": "Reduce remittance costs"}]
    assert {t["slug"] for t in second["themes"]} == {"remittances", "cooperation"}
    assert (third["themes"], third["population_groups"], third["sdg_targets"]) == ([], [], [])
    detail = _json(client, "/api/recommendations/2/")
    assert detail["sdg_targets"] == [{"number": "17.18", "title": "Data"}]


def test_api_actions_carry_their_type_of_measure(client, record):
    actions = {a["title"]: a for a in _json(client, "/api/actions/?lang=fr")["results"]}
    assert actions["Law on 1"]["measure_type"] == {"slug": "legislation", "name": "Législation"}
    assert actions["On 3"]["measure_type"] is None
    rows = {row["title"]: row for row in _csv(client, "/export/actions.csv")}
    assert rows["Law on 1"]["measure_type"] == "legislation" and rows["On 3"]["measure_type"] == ""


def test_the_recommendations_download_carries_the_classification(client, record):
    rows = {row["number"]: row for row in _csv(client, "/export/recommendations.csv")}
    assert rows["2"]["themes"] in ("remittances; cooperation", "cooperation; remittances")
    assert rows["1"]["population_groups"] == "migrant-workers"
    assert rows["1"]["sdg_targets"] == "10.c" and rows["3"]["sdg_targets"] == ""


def test_the_schema_describes_the_classification_and_its_filters(client, record):
    schema = _json(client, "/api/schema/?format=json")
    components = schema["components"]["schemas"]
    assert {"themes", "population_groups", "sdg_targets"} <= set(components["Recommendation"]["properties"])
    assert "measure_type" in components["Action"]["properties"]
    parameters = {p["name"]: p for p in schema["paths"]["/api/actions/"]["get"]["parameters"]}
    assert parameters["measure"]["schema"]["type"] == "string"
    assert set(parameters["measure"]["schema"]["enum"]) == {"legislation", "budget"}
    assert set(parameters["sdg"]["schema"]["enum"]) == {"10.c", "17.18"}
    parameters = {p["name"]: p for p in schema["paths"]["/api/recommendations/"]["get"]["parameters"]}
    assert set(parameters["theme"]["schema"]["enum"]) == {"remittances", "cooperation"}


def _count(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/api/recommendations/",
        "/api/recommendations/1/",
        "/api/actions/?theme=remittances&measure=legislation",
        "/export/recommendations.csv?sdg=10.c",
        "/recommendations/?theme=remittances",
        "/actions/?theme=remittances&measure=legislation",
    ],
)
def test_the_classification_costs_the_same_queries_however_much_is_classified(client, record, url):
    """Guards against a query per recommendation or per term: the terms are read in one query."""
    small = _count(client, url)
    recs, _actions = record
    for n in range(4, 10):
        recs.append(RecommendationFactory(forum=recs[0].forum, number=n))
    themes = [ThemeFactory() for _ in range(6)]
    groups = [PopulationGroupFactory() for _ in range(4)]
    targets = [SdgTargetFactory() for _ in range(5)]
    for rec in recs:
        # More terms on every recommendation, keeping those the filters ask for.
        kept = RecommendationClassification.objects.filter(recommendation=rec).first()
        services.recommendation_classify(
            recommendation=rec,
            by=None,
            themes=[*themes, *(kept.themes.all() if kept else [])],
            population_groups=[*groups, *(kept.population_groups.all() if kept else [])],
            sdg_targets=[*targets, *(kept.sdg_targets.all() if kept else [])],
        )
        measure = record[1]["law on 1"].measure_type
        ActionFactory(actor=record[1]["on 3"].actor, recommendations=[rec], measure_type=measure)
    assert _count(client, url) == small
