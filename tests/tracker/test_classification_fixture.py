"""The secretariat's classification as `load_record` loads it: the terms in four languages, the SDG
targets under the UN's titles, and each recommendation classified from its own words."""

import io

import pytest
from django.core.management import call_command

from forum.models import Recommendation
from tests.conftest import kept_for_module
from tracker import services
from tracker.models import MeasureType, PopulationGroup, RecommendationClassification, SdgTarget, Theme

pytestmark = pytest.mark.django_db

# Each assignment of the fixture, with the words of the recommendation that support it. The fixture
# classifies by exactly these: an assignment without the words for it fails the test, and so does a
# word that is not in the recommendation as printed.
EVIDENCE = {
    1: {
        "migration-and-development": "link between migration and development policies",
        "migration-policy": "migration and development policies",
        "10.7": "incorporate migratory issues into national development plans",
        "17.14": "closer link between migration and development policies",
    },
    2: {
        "integration": "improving and ensuring their sustenance, especially in urban areas",
        "internally-displaced-persons": "internally displaced persons",
        "4.5": "access to education",
        "10.2": "income-earning programs",
    },
    3: {
        "human-rights": "human rights approach",
        "migration-policy": "migration policies",
        "children-and-adolescents": "targeting children",
        "10.7": "migration policies",
    },
    4: {
        "human-rights": "Protection of the Rights of All Migrant Workers",
        "labour-migration": "Migrant Workers",
        "migrant-workers": "Migrant Workers",
        "families": "Members of their Families",
        "8.8": "Rights of All Migrant Workers",
    },
    5: {
        "human-rights": "human rights of children",
        "children-and-adolescents": "children",
        "16.2": "situation of special vulnerability",
    },
    6: {
        "human-rights": "human rights of migrant workers",
        "labour-migration": "migrant workers",
        "integration": "combat xenophobia, racism, and other manifestations of intolerance toward foreigners",
        "migrant-workers": "migrant workers",
        "families": "their families",
        "8.8": "human rights of migrant workers",
        "16.b": "without discrimination",
    },
    7: {
        "human-rights": "fundamental rights of migrants",
        "migration-policy": "migration policy",
        "10.7": "easy access to legal migration",
    },
    8: {
        "human-rights": "human rights of persons",
        "migration-policy": "clear public policies on migration",
        "migration-and-development": "human development needs",
        "10.7": "clear public policies on migration",
    },
    9: {
        "data-and-research": "information systems and databases, research, and analytical work",
        "remittances": "flows of remittances",
        "labour-migration": "labor migration processes",
        "migration-and-development": "migration and development",
        "17.18": "strengthen the information systems and databases",
    },
    10: {
        "cooperation": "international, regional, and bilateral cooperation agreements",
        "17.9": "technical international cooperation mechanisms",
    },
    11: {
        "cooperation": "multilateral dialogue",
        "migration-policy": "good governance of migration",
        "human-rights": "human rights of migrants",
        "10.7": "good governance of migration",
        "17.16": "multilateral dialogue",
    },
    12: {
        "cooperation": "convergence of activities among the relevant stakeholders",
        "17.17": "including civil society",
    },
    13: {
        "cooperation": "regional migration consultative processes",
        "17.16": "linking its efforts in this area with those of regional migration consultative processes",
    },
}

THEMES = [
    "human-rights",
    "labour-migration",
    "remittances",
    "trafficking-and-smuggling",
    "integration",
    "return-and-reintegration",
    "data-and-research",
    "cooperation",
]
GROUPS = [
    "migrant-workers",
    "women",
    "children-and-adolescents",
    "families",
    "indigenous-peoples",
    "refugees-and-asylum-seekers",
]
MEASURES = [
    "legislation",
    "public-policy",
    "programme-or-service",
    "institutional-change",
    "budget",
    "training-and-awareness",
    "data-and-research",
    "international-cooperation",
]


def load() -> str:
    out = io.StringIO()
    call_command("load_record", verbosity=0, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with kept_for_module(django_db_blocker):
        with django_db_blocker.unblock():
            load()
        yield


def assigned(classification) -> set[str]:
    return {
        *(t.slug for t in classification.themes.all()),
        *(g.slug for g in classification.population_groups.all()),
        *(s.number for s in classification.sdg_targets.all()),
    }


def test_the_terms_asked_for_are_there_each_named_in_four_languages(loaded):
    assert set(THEMES) <= set(Theme.objects.values_list("slug", flat=True))
    assert set(GROUPS) <= set(PopulationGroup.objects.values_list("slug", flat=True))
    assert list(MeasureType.objects.values_list("slug", flat=True)) == MEASURES
    for model in (Theme, PopulationGroup, MeasureType):
        for term in model.objects.all():
            names = [getattr(term, f"name_{code}") for code in ("en", "es", "fr", "pt")]
            assert all(names), term.slug
            assert names[1] != names[0], f"{term.slug} is not translated into Spanish"


def test_each_recommendation_is_classified_from_its_own_words(loaded):
    classifications = RecommendationClassification.objects.select_related("recommendation")
    assert sorted(c.recommendation.number for c in classifications) == list(range(1, 14))
    for classification in classifications:
        number = classification.recommendation.number
        assert assigned(classification) == set(EVIDENCE[number]), f"recommendation {number}"
        text = " ".join(classification.recommendation.text_en.split())
        for term, words in EVIDENCE[number].items():
            assert words in text, f"recommendation {number}, {term}: “{words}” is not in its text"


def test_sdg_targets_carry_the_uns_english_titles_and_are_only_those_used(loaded):
    targets = {target.number: target.title_en for target in SdgTarget.objects.all()}
    used = {term for terms in EVIDENCE.values() for term in terms if term[0].isdigit()}
    assert set(targets) == used
    assert targets["10.7"] == (
        "Facilitate orderly, safe, regular and responsible migration and mobility of people, including through "
        "the implementation of planned and well-managed migration policies"
    )
    assert targets["8.8"] == (
        "Protect labour rights and promote safe and secure working environments for all workers, including "
        "migrant workers, in particular women migrants, and those in precarious employment"
    )
    assert all(title.strip() == title and not title.endswith(".") for title in targets.values())
    # Listed in the UN's order: goal, then target.
    assert list(SdgTarget.objects.values_list("number", flat=True)) == sorted(
        targets, key=lambda n: (int(n.split(".")[0]), n.split(".")[1].isalpha(), n.split(".")[1].zfill(2))
    )


def test_loading_again_keeps_the_classification_staff_changed(loaded, staff):
    recommendation = Recommendation.objects.get(number=12)
    services.recommendation_classify(
        recommendation=recommendation, by=staff, themes=[Theme.objects.get(slug="integration")]
    )
    assert "Record loaded: 0 rows added" in load()
    classification = RecommendationClassification.objects.get(recommendation=recommendation)
    assert [t.slug for t in classification.themes.all()] == ["integration"]
    assert Theme.objects.count() == len(set(Theme.objects.values_list("slug", flat=True)))
