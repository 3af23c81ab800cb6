"""Only published actions reach the public: a draft (or a withdrawn action) never shows in the browser."""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import DRAFT_TITLE, WITHDRAWN_TITLE

pytestmark = pytest.mark.browser

# Every public page, plus the views that would list the draft if the published() filter were lost:
# its actor, its recommendations, and the action list filtered and searched to it.
PUBLIC_PATHS = [
    "/",
    "/recommendations/",
    "/recommendations/1/",
    "/recommendations/2/",
    "/recommendations/3/",
    "/actors/",
    "/actors/MEX/",
    "/actors/GTM/",
    "/actions/",
    "/actions/?actor=MEX",
    "/actions/?recommendation=1",
    "/actions/?recommendation=2",
    "/actions/?q=amnesty",
    "/actions/?q=reception",
    "/forum/",
]


def test_unpublished_action_titles_never_appear_on_a_public_page(visit, page, dataset):
    leaks = []
    for path in PUBLIC_PATHS:
        visit(path)
        html = page.content()
        leaks += [f"{path}: {title!r}" for title in (DRAFT_TITLE, WITHDRAWN_TITLE) if title in html]
    assert not leaks, "unpublished actions shown publicly:\n" + "\n".join(leaks)


def test_published_actions_do_appear_where_the_draft_would(visit, page, dataset):
    """The control for the test above: the same pages do show published actions."""
    visit("/actions/?actor=MEX")
    expect(page.get_by_role("heading", name="National consular protection programme")).to_be_visible()
    expect(page.locator(".result-count")).to_have_text("1 action")
    visit("/recommendations/2/")
    expect(page.get_by_role("heading", name="Seasonal agricultural workers programme renewed")).to_be_visible()
    visit("/actions/?q=amnesty")
    expect(page.locator(".result-count")).to_have_text("0 actions")
