"""The whole record in Spanish, French and Portuguese, as `load_record` loads it: the forum's record and
a recommendation page, wide and at 320 px, labelled as translations, linked to the English, and
without an axe-core violation."""

import io

import pytest
from django.core.management import call_command

from forum.models import Forum, Recommendation
from tests.browser.pages import WIDTH_PARAMS, axe_violations, describe_violations

pytestmark = pytest.mark.browser

LANGUAGES = ["es", "fr", "pt"]


@pytest.fixture
def record(transactional_db):
    call_command("load_record", stdout=io.StringIO())


@pytest.mark.parametrize("width", WIDTH_PARAMS)
@pytest.mark.parametrize("path", ["/forum/", "/recommendations/13/"])
@pytest.mark.parametrize("code", LANGUAGES)
def test_the_translated_record_is_labelled_and_passes_axe(new_context, record, code, path, width):
    page = new_context().new_page()
    page.set_viewport_size({"width": width, "height": 900})
    assert page.goto(f"{path}?lang={code}").status == 200
    assert page.locator("html").get_attribute("lang") == code
    text = getattr(Recommendation.objects.get(number=13), f"text_{code}")
    assert page.locator(f'[lang="{code}"]', has_text=text[:60]).first.is_visible()
    note = page.locator(".translation-note").first
    assert note.is_visible() and note.get_by_role("link").get_attribute("hreflang") == "en"
    # Nothing runs off the side of a narrow screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    violations = axe_violations(page)
    assert not violations, describe_violations(violations, f"{path} in {code} at {width}px")


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_link_beside_a_translation_opens_the_english_original(new_context, record, code):
    page = new_context().new_page()
    page.goto(f"/forum/?lang={code}")
    page.locator("#recommendation-13 .translation-note a").click()
    page.wait_for_url("**/forum/?lang=en#recommendation-13")
    assert page.locator("html").get_attribute("lang") == "en"
    english = Recommendation.objects.get(number=13).text_en
    assert page.locator("#recommendation-13").get_by_text(english).is_visible()
    assert page.get_by_text(Forum.objects.get().introduction_en.split("\n\n")[1]).is_visible()
    assert page.locator(".translation-note").count() == 0
