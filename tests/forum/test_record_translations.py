"""The record's unofficial translations, as `load_record` loads them: complete, built like the English,
in the OAS's own names, and leaving the English exactly as the source prints it."""

import io
import json
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from modeltranslation.translator import translator

from forum.models import Comment, CommentSection, Forum, Panel, Recommendation, split_bullets, text_structure
from tests.conftest import kept_for_module
from tests.forum.test_fixtures import collapse, numbered_paragraphs, source  # noqa: F401 (a fixture)
from tracker.models import Actor

pytestmark = pytest.mark.django_db

LANGUAGES = ["es", "fr", "pt"]
MODELS = [Forum, Panel, CommentSection, Comment, Recommendation, Actor]

# Where the English names a body or a document, each translation names it as the OAS does in that language.
TERMS = {
    "Special Committee on Migration Issues": (
        "Comisión Especial de Asuntos Migratorios",
        "Commission spéciale sur les questions migratoires",
        "Comissão Especial de Assuntos Migratórios",
    ),
    "Special Committee": ("Comisión Especial", "Commission spéciale", "Comissão Especial"),
    "Special Forum on Migration Issues": (
        "Foro Especial sobre Asuntos Migratorios",
        "Forum spécial sur les questions migratoires",
        "Fórum Especial sobre Assuntos Migratórios",
    ),
    "Organization of American States": (
        "Organización de los Estados Americanos",
        "Organisation des États Américains",
        "Organização dos Estados Americanos",
    ),
    "General Secretariat": ("Secretaría General", "Secrétariat général", "Secretaria-Geral"),
    "Permanent Council": ("Consejo Permanente", "Conseil permanent", "Conselho Permanente"),
    "OAS": ("OEA", "OEA", "OEA"),
    "Inter-American Juridical Committee": (
        "Comité Jurídico Interamericano",
        "Comité juridique interaméricain",
        "Comissão Jurídica Interamericana",
    ),
    "MERCOSUR": ("MERCOSUR", "MERCOSUR", "MERCOSUL"),
    "Regional Conference on Migration": (
        "Conferencia Regional sobre Migración",
        "Conférence régionale sur les migrations",
        "Conferência Regional sobre Migração",
    ),
    "South American Conference on Migration": (
        "Conferencia Suramericana sobre Migraciones",
        "Conférence sud-américaine sur les migrations",
        "Conferência Sul-Americana sobre Migrações",
    ),
    "United Nations General Assembly": (
        "Asamblea General de las Naciones Unidas",
        "Assemblée générale des Nations Unies",
        "Assembleia Geral das Nações Unidas",
    ),
    "International Convention on the Protection of the Rights of All Migrant Workers": (
        "Convención Internacional sobre la Protección de los Derechos de Todos los Trabajadores Migratorios",
        "Convention internationale sur la protection des droits de tous les travailleurs migrants",
        "Convenção Internacional sobre a Proteção dos Direitos de Todos os Trabalhadores Migrantes",
    ),
    "Hemisphere": ("Hemisferio", "Continent", "Hemisfério"),
}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The record and its translations, loaded once for this module's tests as `make run` loads them."""
    with kept_for_module(django_db_blocker):
        with django_db_blocker.unblock():
            call_command("load_record", verbosity=0, stdout=io.StringIO())
        yield


def texts():
    """(row, field) for every translated field of every row of the record and of every state and body."""
    for model in MODELS:
        fields = translator.get_options_for_model(model).fields
        for row in model.objects.all():
            for field in fields:
                yield row, field


def test_every_translatable_text_of_the_record_is_filled_in_spanish_french_and_portuguese(loaded):
    counts = {model: model.objects.count() for model in MODELS}
    assert [counts[m] for m in MODELS] == [1, 3, 4, 16, 13, 42]
    missing = []
    checked = 0
    for row, field in texts():
        english = getattr(row, f"{field}_en")
        # Who provided a translation is named in each language even though the English has no credit.
        expected = bool(english) or field == "translation_credit"
        for code in LANGUAGES:
            translated = getattr(row, f"{field}_{code}")
            checked += 1
            if expected and not translated:
                missing.append(f"{row!r} {field}_{code}")
            if not expected and translated:
                missing.append(f"{row!r} {field}_{code} has a translation of nothing")
    assert not missing, missing
    assert checked > 400


def test_each_translation_is_credited_to_the_secretariat_as_unofficial(loaded):
    credits = {
        "es": "la Secretaría Técnica de la Comisión Especial de Asuntos Migratorios",
        "fr": "le Secrétariat technique de la Commission spéciale sur les questions migratoires",
        "pt": "Secretaria Técnica da Comissão Especial de Assuntos Migratórios",
    }
    for model in (Forum, Comment, Recommendation):
        for code, credit in credits.items():
            assert set(model.objects.values_list(f"translation_credit_{code}", flat=True)) == {credit}
        assert set(model.objects.values_list("translation_credit_en", flat=True)) <= {"", None}


def test_each_translation_is_built_like_the_english(loaded):
    for row, field in texts():
        english = getattr(row, f"{field}_en")
        for code in LANGUAGES:
            translated = getattr(row, f"{field}_{code}")
            if english and field != "translation_credit":
                assert text_structure(translated) == text_structure(english), f"{row!r} {field}_{code}"
                # The number stays outside the text, as in the English.
                assert not re.match(r"\s*\d+\.\s", translated), f"{row!r} {field}_{code}"
    introduction = Forum.objects.get()
    for code in LANGUAGES:
        assert text_structure(getattr(introduction, f"introduction_{code}")) == (0, 0)
        lead, items = split_bullets(getattr(Comment.objects.get(number=14), f"text_{code}"))
        assert lead.endswith(":") and len(items) == 4
        # The stray bracket of the source is kept, so the translation reads as the printed original does.
        assert getattr(Comment.objects.get(position=4), f"text_{code}").endswith("]")
    assert list(Comment.objects.values_list("number", flat=True)) == [
        1,
        2,
        3,
        4,
        4,
        5,
        6,
        7,
        8,
        9,
        10,
        11,
        12,
        13,
        14,
        15,
    ]


def test_the_oas_names_its_bodies_in_each_language_where_the_english_names_them(loaded):
    used = set()
    for row, field in texts():
        english = getattr(row, f"{field}_en") or ""
        for term, translations in TERMS.items():
            if re.search(rf"\b{re.escape(term)}\b", english):
                used.add(term)
                for code, translated_term in zip(LANGUAGES, translations, strict=True):
                    translated = getattr(row, f"{field}_{code}")
                    assert translated_term in translated, f"{row!r} {field}_{code}: no “{translated_term}”"
    assert used == set(TERMS)


def test_the_states_and_bodies_are_named_as_the_oas_names_them(loaded):
    names = {a.code: (a.name_es, a.name_fr, a.name_pt) for a in Actor.objects.all()}
    assert names["MEX"] == ("México", "Mexique", "México")
    assert names["CAN"] == ("Canadá", "Canada", "Canadá")
    assert names["USA"] == ("Estados Unidos", "États-Unis", "Estados Unidos")
    assert names["DOM"] == ("República Dominicana", "République dominicaine", "República Dominicana")
    assert names["KNA"] == ("Saint Kitts y Nevis", "Saint-Kitts-et-Nevis", "São Cristóvão e Névis")
    assert names["OAS-GS"] == (
        "Organización de los Estados Americanos (Secretaría General)",
        "Organisation des États Américains (Secrétariat général)",
        "Organização dos Estados Americanos (Secretaria-Geral)",
    )
    assert names["IAJC"] == (
        "Comité Jurídico Interamericano",
        "Comité juridique interaméricain",
        "Comissão Jurídica Interamericana",
    )
    states = Actor.objects.filter(kind=Actor.Kind.MEMBER_STATE)
    assert states.count() == 35
    for code in LANGUAGES:
        # Every state has its own name in the language, and no two share one.
        assert len(set(states.values_list(f"name_{code}", flat=True))) == 35


def test_the_english_stays_the_source_verbatim_beside_the_translations(source, loaded):  # noqa: F811
    recommendations = dict(numbered_paragraphs(source["recommendations"]))
    for recommendation in Recommendation.objects.all():
        assert collapse(recommendation.text_en) == recommendations[recommendation.number]
        # The column under the field's own name holds the English too (it is what `loaddata` reads).
        assert recommendation.__dict__["text"] == recommendation.text_en
    comments = numbered_paragraphs(source["comments"])
    for comment, (number, text) in zip(Comment.objects.order_by("position"), comments, strict=True):
        assert (comment.number, collapse(comment.text_en)) == (number, text)
    # Every English column is exactly what the fixtures hold.
    fixtures = settings.BASE_DIR / "fixtures"
    english = {row["fields"]["code"]: row["fields"] for row in json.loads((fixtures / "actors.json").read_text())}
    for actor in Actor.objects.all():
        assert (actor.name_en, actor.notes_en, actor.__dict__["name"]) == (
            english[actor.code]["name"],
            english[actor.code]["notes"],
            english[actor.code]["name"],
        )
    forum = json.loads((fixtures / "forum.json").read_text())[0]["fields"]
    row = Forum.objects.get()
    for field in ("name", "place", "convening_body", "introduction"):
        assert getattr(row, f"{field}_en") == forum[field]
