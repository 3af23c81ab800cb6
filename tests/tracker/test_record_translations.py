"""Loading the record's translations (`load_record`), and the record in the visitor's language: pages
labelled as unofficial translations with a link to the English, names of states and bodies in
downloads, filters and sorting."""

import csv
import io
import json
import shutil

import lxml.html
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from forum.models import Comment, Forum, Recommendation
from tests.conftest import kept_for_module
from tracker.management.commands import load_record
from tracker.models import Actor
from tracker.services.record import TRANSLATIONS_LOADED

pytestmark = pytest.mark.django_db

LANGUAGES = ["es", "fr", "pt"]
LABEL = "Unofficial translation, provided by %(credit)s. The forum's official text is in English."


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The record and its translations, loaded once; each test's own changes are rolled back after it."""
    with kept_for_module(django_db_blocker):
        with django_db_blocker.unblock():
            call_command("load_record", stdout=io.StringIO())
        yield


def load(**options) -> str:
    out = io.StringIO()
    call_command("load_record", stdout=out, **options)
    return out.getvalue()


def admin_form(client, url) -> dict:
    """The fields of an admin change form as the browser would send them back."""
    page = lxml.html.fromstring(client.get(url).content.decode())
    form = next(f for f in page.forms if f.get("id", "").endswith("_form"))
    # A browser drops the line break that follows a <textarea> tag; lxml keeps it.
    return {name: value.removeprefix("\n") for name, value in form.form_values()}


@pytest.fixture
def fixture_copy(tmp_path, monkeypatch):
    """The fixtures, copied where a test can correct them, and `load_record` reading the copy."""
    copy = tmp_path / "fixtures"
    shutil.copytree(load_record.FIXTURE_DIR, copy)
    monkeypatch.setattr(load_record, "FIXTURE_DIR", copy)

    def edit(code, change):
        path = copy / "translations" / f"{code}.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    return edit


def downloaded(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def row_of(data, model, key):
    return next(row for row in data["rows"] if row["model"] == model and row["key"] == key)


# Loading


def test_loading_again_changes_nothing_and_records_no_new_version(loaded):
    versions = Recommendation.history.count() + Comment.history.count() + Actor.history.count()
    out = load()
    assert "Record loaded: 0 rows added" in out
    for code in LANGUAGES:
        assert f"Translations ({code}): 0 filled, 0 corrected, 130 unchanged, 0 kept as staff wrote them." in out
    assert Recommendation.history.count() + Comment.history.count() + Actor.history.count() == versions


def test_a_translation_staff_change_in_the_admin_survives_the_next_load(loaded, staff_client, fixture_copy):
    comment = Comment.objects.get(position=6)
    url = reverse("admin:forum_comment_change", args=[comment.pk])
    data = admin_form(staff_client, url)
    assert data["text_es"] == comment.text_es
    data["text_es"] = "Se destacaron las buenas prácticas del MERCOSUR (traducción oficial)."
    data["translation_credit_es"] = "el Departamento de Servicios de Conferencias de la OEA"
    data["text_fr"] = ""  # Staff may also take a translation away, leaving the English to show.
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    # The fixtures are corrected meanwhile, on the very texts staff changed, and on another.
    fixture_copy("es", lambda d: row_of(d, "forum.comment", ["sfmi-2008", 6])["fields"].update(text="Corregido."))
    fixture_copy("fr", lambda d: row_of(d, "forum.comment", ["sfmi-2008", 6])["fields"].update(text="Corrigé."))
    fixture_copy("pt", lambda d: row_of(d, "forum.comment", ["sfmi-2008", 6])["fields"].update(text="Corrigido."))

    out = load(verbosity=2)

    comment.refresh_from_db()
    assert comment.text_es == "Se destacaron las buenas prácticas del MERCOSUR (traducción oficial)."
    assert comment.translation_credit_es == "el Departamento de Servicios de Conferencias de la OEA"
    assert comment.text_fr == ""
    assert comment.text_pt == "Corrigido."  # Nobody changed the Portuguese: the correction reaches it.
    assert "kept: forum.comment ('sfmi-2008', 6) text_es" in out
    assert "kept: forum.comment ('sfmi-2008', 6) translation_credit_es" in out
    assert "kept: forum.comment ('sfmi-2008', 6) text_fr" in out
    # A third load keeps them still: the loader's own versions do not make them its own.
    load()
    comment.refresh_from_db()
    assert (comment.text_es, comment.text_fr) == (
        "Se destacaron las buenas prácticas del MERCOSUR (traducción oficial).",
        "",
    )
    assert comment.history.filter(history_user__username="staff").count() == 1


def test_a_corrected_fixture_reaches_every_text_nobody_changed(loaded, fixture_copy):
    recommendation = Recommendation.objects.get(number=2)
    before = recommendation.history.count()

    def correct(data):
        row_of(data, "forum.recommendation", ["sfmi-2008", 2])["fields"]["text"] = "Brindar acceso (corregido)."
        row_of(data, "tracker.actor", ["BHS"])["fields"]["name"] = "Commonwealth de las Bahamas"
        data["credit"] = "la Secretaría Técnica (revisada)"

    fixture_copy("es", correct)
    out = load()
    assert "Translations (es): 0 filled, 32 corrected, 98 unchanged, 0 kept as staff wrote them." in out
    recommendation.refresh_from_db()
    assert recommendation.text_es == "Brindar acceso (corregido)."
    assert recommendation.translation_credit_es == "la Secretaría Técnica (revisada)"
    assert Actor.objects.get(code="BHS").name_es == "Commonwealth de las Bahamas"
    assert recommendation.text_en.startswith("To provide internally displaced persons")
    latest = recommendation.history.first()
    assert (latest.history_change_reason, latest.history_user) == (TRANSLATIONS_LOADED, None)
    assert recommendation.history.count() == before + 1


def test_a_text_written_around_the_history_is_kept_as_of_unknown_origin(loaded):
    Actor.objects.filter(code="MEX").update(name_es="Estados Unidos Mexicanos")
    assert "1 kept as staff wrote them" in load()
    assert Actor.objects.get(code="MEX").name_es == "Estados Unidos Mexicanos"


# The record in the visitor's language


def expected_label(code, credit):
    with translation.override(code):
        return escape(translation.gettext(LABEL) % {"credit": credit})


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_forum_record_page_shows_the_translation_labelled_with_a_link_to_the_original(loaded, code):
    body = Client().get(reverse("tracker:forum_record") + f"?lang={code}").content.decode()
    forum = Forum.objects.get()
    assert f"<h1>{escape(getattr(forum, f'name_{code}'))}</h1>" in body
    first, second = getattr(forum, f"introduction_{code}").split("\n\n")
    assert f'<div lang="{code}"><p>{escape(first)}</p><p>{escape(second)}</p></div>' in body
    # Once, above the record: whose translation it is, that the English is official, and a link to it.
    page = lxml.html.fromstring(body)
    (note,) = page.xpath('//p[contains(@class, "translation-note--page")]')
    assert escape(note.text_content().strip()).startswith(
        expected_label(code, getattr(forum, f"translation_credit_{code}"))
    )
    (link,) = note.xpath(".//a")
    assert (link.get("href"), link.get("hreflang")) == ("?lang=en", "en")
    # Each comment and recommendation in the translation, with a link to its own original.
    for recommendation in Recommendation.objects.all():
        assert f'<p lang="{code}">{escape(getattr(recommendation, f"text_{code}"))}</p>' in body
        assert f'href="?lang=en#recommendation-{recommendation.number}" hreflang="en"' in body
    for comment in Comment.objects.all():
        assert f'href="?lang=en#comment-{comment.position}" hreflang="en"' in body
    assert escape(getattr(Comment.objects.get(position=5), f"text_{code}")) in body
    assert "The Special Forum on Migration Issues was held" not in body


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_recommendation_page_shows_its_translation_labelled_with_a_link_to_the_original(loaded, code):
    recommendation = Recommendation.objects.get(number=3)
    body = Client().get(reverse("tracker:recommendation_detail", args=[3]) + f"?lang={code}").content.decode()
    text = escape(getattr(recommendation, f"text_{code}"))
    assert f'<blockquote class="verbatim" lang="{code}"><p>{text}</p></blockquote>' in body
    assert expected_label(code, getattr(recommendation, f"translation_credit_{code}")) in body
    assert 'href="?lang=en" hreflang="en"' in body
    assert escape(getattr(recommendation, f"short_title_{code}")) in body
    assert "(verbatim)" not in body
    # The responsible body, by its name in the language.
    assert escape(Actor.objects.get(code="SCMI").__dict__[f"name_{code}"]) in body


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_list_of_recommendations_shows_each_translation_labelled_with_a_link_to_the_original(loaded, code):
    """Each card kept per distinct content: its text, its label and the link to the English, which
    keeps the list's filters."""
    client = Client()
    body = client.get(reverse("tracker:recommendation_list") + f"?lang={code}").content.decode()
    for recommendation in Recommendation.objects.all():
        text = escape(getattr(recommendation, f"text_{code}"))
        assert f'<blockquote class="verbatim" lang="{code}"><p>{text}</p></blockquote>' in body
        credit = getattr(recommendation, f"translation_credit_{code}")
        assert expected_label(code, credit) in body

    def originals(body):
        return [link.get("href") for link in lxml.html.fromstring(body).xpath('//li[@class="card"]//a[@hreflang="en"]')]

    assert originals(body) == ["?lang=en"] * Recommendation.objects.count()
    filtered = client.get(reverse("tracker:recommendation_list") + f"?q=migrants&lang={code}").content.decode()
    assert originals(filtered) and set(originals(filtered)) == {"?q=migrants&lang=en"}
    assert "(verbatim)" not in body
    english = client.get(reverse("tracker:recommendation_list") + "?lang=en").content.decode()
    assert "Unofficial translation" not in english and originals(english) == []


def test_the_english_pages_show_the_original_alone(loaded):
    for url in [reverse("tracker:forum_record"), reverse("tracker:recommendation_detail", args=[3])]:
        body = Client().get(url + "?lang=en").content.decode()
        assert "translation-note" not in body and "?lang=en#" not in body
        assert escape(Recommendation.objects.get(number=3).text_en) in body


def test_the_original_link_opens_the_english_page(loaded):
    client = Client()
    client.get(reverse("tracker:forum_record") + "?lang=fr")
    body = client.get(reverse("tracker:forum_record") + "?lang=en").content.decode()
    assert '<html lang="en">' in body and escape(Forum.objects.get().introduction_en.split("\n\n")[0]) in body


def test_downloads_name_the_states_in_the_language_of_the_download(loaded):
    for code, mexico in [("en", "Mexico"), ("es", "México"), ("fr", "Mexique"), ("pt", "México")]:
        # Downloads take the visitor's language from the browser or the choice remembered, not the address.
        url = reverse("tracker:export_matrix", args=["csv"]) + "?actor=MEX"
        response = Client().get(url, HTTP_ACCEPT_LANGUAGE=code)
        rows = list(csv.DictReader(io.StringIO(downloaded(response))))
        assert {row["actor_name"] for row in rows} == {mexico}
        assert len(rows) == 11
    actors = downloaded(Client().get("/export/actors.csv", HTTP_ACCEPT_LANGUAGE="fr"))
    rows = list(csv.DictReader(io.StringIO(actors)))
    # The actors' own table keeps the English name under `name`, as its description says.
    assert {"Mexico", "United States"} <= {row["name"] for row in rows}
    recommendations = downloaded(Client().get("/export/recommendations.csv", HTTP_ACCEPT_LANGUAGE="es"))
    assert "To promote a closer link between migration" in recommendations
    assert "Promover una vinculación" not in recommendations


def test_the_api_gives_the_forums_words_in_english_whatever_the_language(loaded):
    body = Client().get("/api/recommendations/", HTTP_ACCEPT_LANGUAGE="es").json()
    first = body["results"][0]
    assert (
        first["text"].startswith("To promote a closer link")
        and first["short_title"] == "Políticas de migración y desarrollo"
    )


@pytest.mark.parametrize(
    "code, in_order",
    [
        ("en", ["Ecuador", "El Salvador", "Grenada", "United States"]),
        ("es", ["Ecuador", "El Salvador", "Estados Unidos", "Grenada"]),
        ("fr", ["El Salvador", "Équateur", "États-Unis", "Grenade"]),
        ("pt", ["El Salvador", "Equador", "Estados Unidos", "Granada"]),
    ],
)
def test_states_are_sorted_and_offered_by_their_name_in_the_visitors_language(loaded, code, in_order):
    page = lxml.html.fromstring(Client().get(reverse("tracker:actor_list") + f"?lang={code}").content.decode())
    links = [a.text_content().strip() for a in page.xpath('//main//a[starts-with(@href, "/actors/")]')]
    assert len(links) == 42
    assert [name for name in links if name in in_order] == in_order
    actions = lxml.html.fromstring(Client().get(reverse("tracker:action_list") + f"?lang={code}").content.decode())
    choices = [option.text_content() for option in actions.xpath('//select[@name="actor"]/option')]
    assert [name for name in choices if name in in_order] == in_order
