"""Staff-entered Markdown cannot run script in a visitor's browser.

The site also sends a Content-Security-Policy, which on its own would stop the inline script and the
handler from running; so besides `window.__pwned` the tests look at the DOM itself: no payload script,
no `on*` attribute, no `javascript:` link. Those fail if the sanitiser lets the payload through.
"""

import datetime

import pytest
from playwright.sync_api import expect

from tests.factories import ActionFactory, ActorFactory, RecommendationFactory

pytestmark = pytest.mark.browser

PAYLOAD = (
    "Adopted a **national plan**.\n\n"
    "<script>window.__pwned=1</script>\n\n"
    '<img src=x onerror="window.__pwned=1">\n\n'
    "[click](javascript:window.__pwned=1)\n"
)
TITLE = "Plan with a hostile description"

# What the page would look like if the description were not sanitised; used by the control test.
UNSANITISED = (
    "<p>Adopted a <strong>national plan</strong>.</p>"
    "<script>window.__pwned=1</script>"
    '<p><img src=x onerror="window.__pwned=1"></p>'
    '<p><a href="javascript:window.__pwned=1">click</a></p>'
)

EXECUTION_TRACES = """() => ({
    pwned: typeof window.__pwned,
    payloadScripts: [...document.scripts].filter(s => s.textContent.includes("__pwned")).length,
    onAttributes: [...document.querySelectorAll("*")].flatMap(
        el => [...el.attributes].filter(a => a.name.toLowerCase().startsWith("on")).map(a => `${el.tagName}[${a.name}]`)
    ),
    javascriptLinks: document.querySelectorAll('a[href^="javascript:" i], [src^="javascript:" i]').length,
})"""

CLEAN = {"pwned": "undefined", "payloadScripts": 0, "onAttributes": [], "javascriptLinks": 0}


@pytest.fixture
def hostile_action(transactional_db):
    recommendation = RecommendationFactory(number=1, short_title="Consular protection")
    actor = ActorFactory(code="MEX", name="Mexico")
    return ActionFactory(
        actor=actor,
        title=TITLE,
        description=PAYLOAD,
        taken_on=datetime.date(2024, 5, 2),
        recommendations=[recommendation],
    )


@pytest.fixture
def fresh_page(new_context):
    """A page of its own, so nothing a payload might leave behind can reach the other tests."""
    return new_context().new_page()


@pytest.mark.parametrize("path", ["/actions/", "/recommendations/1/", "/actors/MEX/"])
def test_hostile_markdown_renders_without_running_script(hostile_action, fresh_page, path):
    page = fresh_page
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    response = page.goto(path, wait_until="load")
    assert response.status == 200

    action = page.locator("article.action").filter(has=page.get_by_role("heading", name=TITLE))
    expect(action).to_have_count(1)
    prose = action.locator(".prose")
    expect(prose.locator("strong")).to_have_text("national plan")  # the description was rendered
    page.wait_for_load_state("networkidle")  # give a broken image the time to fire its error
    assert page.evaluate(EXECUTION_TRACES) == CLEAN

    link = prose.get_by_text("click", exact=True)
    if link.count():
        link.click()
        page.wait_for_load_state("load")
    assert page.evaluate(EXECUTION_TRACES) == CLEAN
    assert dialogs == []


def test_payload_would_run_if_it_were_not_sanitised(fresh_page):
    """The control: in this browser the same payload, unsanitised, does run (so the test above can fail)."""
    page = fresh_page
    page.set_content(f"<!DOCTYPE html><html lang='en'><body><main>{UNSANITISED}</main></body></html>")
    page.wait_for_function("window.__pwned === 1", timeout=2000)
    traces = page.evaluate(EXECUTION_TRACES)
    assert traces["pwned"] == "number"
    assert traces["payloadScripts"] == 1
    assert traces["onAttributes"] == ["IMG[onerror]"]
    assert traces["javascriptLinks"] == 1
