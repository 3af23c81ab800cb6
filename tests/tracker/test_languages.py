"""The site in the four official languages of the OAS: choice of language, and translated content."""

import pytest
from django.test import Client
from django.urls import reverse

from forum.models import Comment, Recommendation
from tests.factories import ActorFactory, CommentFactory, RecommendationFactory, ResponsibilityFactory, UserFactory
from tracker import services


@pytest.mark.parametrize("code", ["en", "es", "fr", "pt"])
def test_lang_in_the_query_string_sets_the_page_language_and_is_remembered(db, code):
    client = Client()
    response = client.get(reverse("tracker:dashboard") + f"?lang={code}")
    assert f'<html lang="{code}">' in response.content.decode()
    assert response["Content-Language"] == code
    # The choice is remembered for the next page, without the parameter.
    assert f'<html lang="{code}">' in client.get(reverse("tracker:actor_list")).content.decode()


def test_the_first_visit_honours_accept_language(db):
    response = Client().get(reverse("tracker:dashboard"), HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9,en;q=0.5")
    assert '<html lang="pt">' in response.content.decode()


def test_an_unknown_language_is_ignored(db):
    response = Client().get(reverse("tracker:dashboard") + "?lang=xx")
    assert response.status_code == 200 and '<html lang="en">' in response.content.decode()


def test_the_switcher_links_to_the_same_page_in_each_language(db):
    body = Client().get(reverse("tracker:action_list") + "?q=visa").content.decode()
    for code in ["en", "es", "fr", "pt"]:
        assert f'href="?q=visa&amp;lang={code}" hreflang="{code}" lang="{code}"' in body


def test_a_missing_translation_shows_the_english_original_marked_as_such(db):
    recommendation = RecommendationFactory(number=1, text="To promote a closer link.")
    CommentFactory(forum=recommendation.forum, text="States must include a gender perspective.")
    body = Client().get(reverse("tracker:forum_record") + "?lang=es").content.decode()
    assert '<p lang="en">To promote a closer link.</p>' in body
    assert "no translation has been entered yet" in body or "traducción" in body


def test_a_staff_translation_is_labelled_with_who_provided_it(db):
    recommendation = RecommendationFactory(number=1, text="To promote a closer link.")
    recommendation.text_es = "Promover un vínculo más estrecho."
    recommendation.translation_credit_es = "Secretaría Técnica"
    recommendation.save()
    body = Client().get(reverse("tracker:forum_record") + "?lang=es").content.decode()
    assert '<p lang="es">Promover un vínculo más estrecho.</p>' in body
    assert "Secretaría Técnica" in body
    # The English page still shows the official text.
    assert "To promote a closer link." in Client().get(reverse("tracker:forum_record") + "?lang=en").content.decode()


def test_search_finds_the_english_original_from_any_language(db):
    ResponsibilityFactory(actor=ActorFactory(code="MEX", name="Mexico"))
    body = Client().get(reverse("tracker:actor_list") + "?q=mexico&lang=fr").content.decode()
    assert "Mexico" in body and "1 " in body


@pytest.mark.parametrize(
    "code, expected", [("en", ["Brazil", "Canada", "Germany"]), ("es", ["Alemania", "Brazil", "Canadá"])]
)
def test_states_are_listed_by_the_name_the_visitor_reads(db, code, expected):
    # Only "Germany" and "Canada" have a Spanish name; "Brazil" shows its English one. Bodies come last.
    recommendation = RecommendationFactory(number=1)
    for name, name_es, kind in [
        ("Canada", "Canadá", "member_state"),
        ("Germany", "Alemania", "member_state"),
        ("Brazil", "", "member_state"),
        ("Andean Community", "", "regional_process"),
    ]:
        actor = ActorFactory(name=name, name_en=name, name_es=name_es, kind=kind)
        ResponsibilityFactory(recommendation=recommendation, actor=actor)
    client = Client()
    for url in [reverse("tracker:dashboard"), reverse("tracker:actor_list")]:
        body = client.get(f"{url}?lang={code}").content.decode()
        positions = [body.index(f">{name}<") for name in [*expected, "Andean Community"]]
        assert positions == sorted(positions), url


def test_translations_are_kept_in_the_change_history_like_the_english(db):
    """A translation entered or corrected by staff is kept with who and when (issue 16)."""
    staff = UserFactory(username="translator", is_staff=True)
    actor = ActorFactory(code="MEX", name="Mexico")
    actor.name_es = "México"
    services.actor_save(actor=actor, by=staff)
    actor.name_es = "Estados Unidos Mexicanos"
    services.actor_save(actor=actor, by=staff)
    versions = list(actor.history.order_by("history_date").values_list("name_en", "name_es", "history_user__username"))
    assert versions[-2:] == [("Mexico", "México", "translator"), ("Mexico", "Estados Unidos Mexicanos", "translator")]

    recommendation = RecommendationFactory(text="To do the thing.")
    recommendation.text_fr = "Faire la chose."
    recommendation.save()
    assert Recommendation.history.filter(id=recommendation.pk, text_fr="Faire la chose.").exists()
    comment = CommentFactory(text="A comment.")
    comment.text_pt = "Um comentário."
    comment.save()
    assert Comment.history.filter(id=comment.pk, text_pt="Um comentário.").exists()
