"""States and bodies are listed in one order everywhere: member states first, then bodies, each by the
name the visitor reads, ignoring case and accents."""

import csv
import io
import re

import pytest
from django.urls import reverse

from tests.factories import ActorFactory, BodyFactory, RecommendationFactory, ResponsibilityFactory
from tracker.links import recommendation_url
from tracker.models import Actor
from tracker.ordering import actor_choices

# Zed, Éire and France as stored; "Éire" sorts as "Eire", between "Dominica" and "France".
EXPECTED = ["DMA", "EIR", "FRA", "ZED", "RCM"]


@pytest.fixture
def actors(db):
    recommendation = RecommendationFactory(number=1)
    made = [
        ActorFactory(code="ZED", name="Zed"),
        ActorFactory(code="EIR", name="Éire"),
        BodyFactory(code="RCM", name="Abc regional conference"),
        ActorFactory(code="FRA", name="France"),
        ActorFactory(code="DMA", name="dominica"),
    ]
    for actor in made:
        ResponsibilityFactory(recommendation=recommendation, actor=actor)
    return recommendation


def codes_in(html, pattern=r'href="/actors/([A-Z-]+)/"'):
    seen = []
    for code in re.findall(pattern, html):
        if code not in seen:
            seen.append(code)
    return seen


def test_every_page_lists_the_actors_in_the_one_order(client, actors):
    pages = {
        "dashboard matrix": reverse("tracker:dashboard"),
        "recommendation page": recommendation_url(1),
        "states and bodies": reverse("tracker:actor_list"),
    }
    for name, url in pages.items():
        html = client.get(url).content.decode()
        assert codes_in(html) == EXPECTED, name


def test_the_api_downloads_and_filters_use_the_same_order(client, actors):
    assert [a["code"] for a in client.get("/api/actors/").json()["results"]] == EXPECTED
    assert [r["actor"] for r in client.get("/api/responsibilities/").json()["results"]] == EXPECTED
    rows = list(csv.reader(io.StringIO(client.get("/export/matrix.csv").getvalue().decode("utf-8-sig"))))
    assert [row[2] for row in rows[1:]] == EXPECTED
    assert [code for code, _name in actor_choices()] == EXPECTED
    report = client.get(reverse("tracker:committee_report")).content.decode()
    matrix = report[report.index('class="data matrix"') :]
    assert re.findall(r'<th scope="row">([^<]+)</th>', matrix) == [
        "dominica",
        "Éire",
        "France",
        "Zed",
        "Abc regional conference",
    ]


def test_the_order_follows_the_names_in_the_visitors_language(client, actors):
    Actor.objects.filter(code="ZED").update(name_es="Alemania")
    html = client.get(reverse("tracker:dashboard"), {"lang": "es"}).content.decode()
    assert codes_in(html) == ["ZED", "DMA", "EIR", "FRA", "RCM"]


def test_the_filters_choices_of_actors_follow_each_rename_and_language(actors):
    from django.utils import translation

    assert [code for code, _name in actor_choices()] == EXPECTED
    Actor.objects.filter(code="ZED").update(name="Aardvark", name_en="Aardvark")
    assert [code for code, _name in actor_choices()] == ["ZED", "DMA", "EIR", "FRA", "RCM"]
    Actor.objects.filter(code="FRA").update(name_es="Francia")
    with translation.override("es"):
        assert ("FRA", "Francia") in actor_choices()
    assert ("FRA", "France") in actor_choices()
    # Each call gives a list of its own: changing one leaves the next as it was.
    actor_choices().clear()
    assert len(actor_choices()) == len(EXPECTED)
