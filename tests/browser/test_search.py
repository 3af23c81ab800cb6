"""The search box in the header, used as a visitor would: typed into and sent with Enter, at 1280 and
320 px; the results page marks what was found and shows a hostile title as text."""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import NARROW, WIDTH_PARAMS
from tests.factories import ActionFactory
from tracker.models import Action

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", WIDTH_PARAMS)
def test_the_header_search_box_finds_and_marks(visit, page, dataset, width):
    visit("/actors/", width)
    box = page.get_by_role("search", name="Search the site").get_by_role("searchbox")
    expect(box).to_be_visible()
    assert box.bounding_box()["x"] + box.bounding_box()["width"] <= width
    box.fill("CONSULAR Protection")
    box.press("Enter")
    page.wait_for_url("**/search/?q=CONSULAR+Protection")
    results = page.locator(".search-result")
    expect(results.first).to_be_visible()
    titles = results.locator("h2").all_inner_texts()
    assert titles[0] == "Recommendation 1: Consular protection"
    assert "National consular protection programme" in titles
    assert page.locator(".search-result mark").first.inner_text().lower() == "consular"
    # Drafts are never found, however exactly they are named.
    box = page.get_by_role("search", name="Search the site").get_by_role("searchbox")
    box.fill("amnesty bill")
    box.press("Enter")
    page.wait_for_url("**/search/?q=amnesty+bill")
    expect(page.get_by_role("status")).to_have_text("0 results for “amnesty bill”")


def test_a_hostile_title_is_shown_as_text(visit, page, dataset):
    ActionFactory(
        actor=dataset.mexico,
        title='<img src=x onerror="document.title=\'owned\'"> Quarantine <script>document.title="owned"</script>',
        description="<b>Quarantine</b> [link](javascript:alert(1))",
        state=Action.State.PUBLISHED,
        recommendations=[dataset.recommendations[1]],
    )
    visit("/search/?q=quarantine", NARROW)
    title = page.locator(".search-result h2")
    expect(title).to_contain_text("<img src=x onerror=\"document.title='owned'\"> Quarantine <script>")
    assert page.title() != "owned"
    assert page.locator(".search-result img, .search-result script, .search-result b").count() == 0
    assert page.locator(".search-result mark").all_inner_texts() == ["Quarantine", "Quarantine"]
