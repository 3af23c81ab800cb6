"""Keyboard use and page structure: the skip link, a visible focus, one h1, the landmarks, scoped headers,
and no sideways scrolling at 320 px."""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import DESKTOP, NARROW, STRUCTURE_PAGES, WIDTH_PARAMS

pytestmark = pytest.mark.browser

# Stop tabbing after this many stops: enough to cross the header, the filters and the first rows.
MAX_TAB_STOPS = 40

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    return {
        tag: el.tagName.toLowerCase(),
        id: el.id,
        type: el.getAttribute("type"),
        text: (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 60),
        href: el.getAttribute("href"),
        focusVisible: el.matches(":focus-visible"),
        outlineStyle: style.outlineStyle,
        outlineWidth: parseFloat(style.outlineWidth) || 0,
        boxShadow: style.boxShadow,
        inMain: Boolean(document.querySelector("main")?.contains(el)),
    };
}"""

# Chromium moves focus through a date input's parts (month, day, year, then the calendar button). The
# button lives in the input's user-agent shadow tree: the input then stops matching :focus-visible, and
# Chromium draws its own ring around the button, which a page can neither style nor read.
UA_SHADOW_PARTS = {"date", "datetime-local", "month", "time", "week"}


def _in_user_agent_shadow(focused):
    return focused["tag"] == "input" and focused["type"] in UA_SHADOW_PARTS and not focused["focusVisible"]


def _focus_is_visible(focused):
    has_outline = focused["outlineStyle"] != "none" and focused["outlineWidth"] > 0
    return has_outline or focused["boxShadow"] not in ("none", "")


def _load(visit, request, path, with_data, status, width=DESKTOP):
    if with_data:
        request.getfixturevalue("dataset")
    visit(path, width, status=status)


@pytest.mark.parametrize("width", WIDTH_PARAMS)
@pytest.mark.parametrize("path, with_data, status", STRUCTURE_PAGES)
def test_first_tab_focuses_the_skip_link_which_moves_focus_to_main(
    visit, page, request, path, with_data, status, width
):
    _load(visit, request, path, with_data, status, width)

    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    assert focused is not None, "the first Tab focused nothing"
    assert (focused["tag"], focused["text"], focused["href"]) == ("a", "Skip to main content", "#main")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_in_viewport()  # off-screen until focused
    assert _focus_is_visible(focused), f"the focused skip link has no outline or box-shadow: {focused}"

    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'main'", timeout=2000)
    assert page.evaluate("document.activeElement.matches('main#main')")
    assert page.url.endswith("#main")

    page.keyboard.press("Tab")
    after = page.evaluate(FOCUSED)
    assert after is not None and after["inMain"], f"the next Tab should land in the main content, got {after}"


@pytest.mark.parametrize("path, with_data, status", STRUCTURE_PAGES)
def test_every_focused_element_shows_a_visible_focus_indicator(visit, page, request, path, with_data, status):
    _load(visit, request, path, with_data, status)
    seen, invisible = [], []
    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or (seen and focused == seen[0]):
            break  # focus left the page, or came round to the start again
        seen.append(focused)
        if not _in_user_agent_shadow(focused) and not _focus_is_visible(focused):
            invisible.append(focused)
    assert len(seen) >= 7, f"expected the skip link, the site name and the menu links at least, got {seen}"
    assert not invisible, "focused without a visible outline or box-shadow:\n" + "\n".join(map(str, invisible))


@pytest.mark.parametrize("path, with_data, status", STRUCTURE_PAGES)
def test_page_has_one_h1_the_landmarks_and_scoped_column_headers(visit, page, request, path, with_data, status):
    _load(visit, request, path, with_data, status)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("main#main")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.locator("body > header")).to_have_count(1)
    expect(page.get_by_role("banner")).to_have_count(1)  # the site <header> is the only banner
    expect(page.get_by_role("navigation", name="Main", exact=True)).to_have_count(1)
    expect(page.locator("body > footer")).to_have_count(1)
    expect(page.get_by_role("contentinfo")).to_have_count(1)
    unscoped = page.eval_on_selector_all("thead th:not([scope])", "els => els.map(e => e.outerHTML)")
    assert unscoped == [], f"column headers without scope on {path}: {unscoped}"


REFLOW_PAGES = STRUCTURE_PAGES


@pytest.mark.parametrize("path, with_data, status", REFLOW_PAGES)
def test_page_does_not_scroll_sideways_at_320px(visit, page, request, path, with_data, status):
    """WCAG 1.4.10 Reflow: at 320 CSS px the page never scrolls sideways; a wide table scrolls in its own region."""
    _load(visit, request, path, with_data, status, NARROW)
    # What sticks out: elements outside any scrolling region, and absolutely positioned ones inside one
    # (a region that is not positioned does not contain them, so they widen the page).
    too_wide = page.evaluate(
        """() => [...document.querySelectorAll("body *")]
            .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .filter(el => !el.closest(".table-scroll") || getComputedStyle(el).position === "absolute")
            .slice(0, 6)
            .map(el => `${el.outerHTML.slice(0, 70)}… ends at ${Math.round(el.getBoundingClientRect().right)}px`)"""
    )
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than the 320px viewport; too wide: {too_wide}"
