"""The pages as people see them, at 1280, 390 and 320 px: the matrix, tables on a phone, folded filters,
choices beside their labels, and no page that scrolls sideways."""

import datetime
import re

import pytest

from tests.browser.pages import DESKTOP, LATER_ROUND, NARROW, OPEN_ROUND, PAGES_WITH_DATA
from tests.factories import ActorFactory, ForumFactory, RecommendationFactory, ResponsibilityFactory
from tracker import services
from tracker.models import Actor, Report, Responsibility, Status

pytestmark = pytest.mark.browser

PHONE = 390
PASSWORD = "correct-horse-battery"
# The longest name among the bodies of the record: at 1280 px it must wrap, not push columns away.
SPECIAL_COMMITTEE = (
    "Special Committee on Migration Issues of the Permanent Council of the Organization of American States"
)
STATUS_CYCLE = [Status.FULL, Status.SUBSTANTIAL, Status.PARTIAL, Status.PENDING, Status.NON_COMPLIANCE]


@pytest.fixture
def full_matrix(transactional_db):
    """All 13 recommendations, 30 member states and three bodies (one of them the Special Committee, by
    its full name), each responsible for every recommendation, at statuses that change from one group of
    five rows to the next, so that sorting by progress reorders them."""
    forum = ForumFactory()
    recommendations = [
        RecommendationFactory(forum=forum, number=number, short_title=f"Recommendation {number}")
        for number in range(1, 14)
    ]
    actors = [ActorFactory(code=f"S{index:02d}", name=f"Member state {index:02d}") for index in range(1, 31)]
    actors += [
        ActorFactory(code="SCMI", name=SPECIAL_COMMITTEE, kind=Actor.Kind.OAS_ORGAN),
        ActorFactory(code="RCM", name="Regional Conference on Migration", kind=Actor.Kind.REGIONAL_PROCESS),
        ActorFactory(code="SACM", name="South American Conference on Migration", kind=Actor.Kind.REGIONAL_PROCESS),
    ]
    for row, actor in enumerate(actors):
        for column, recommendation in enumerate(recommendations):
            status = STATUS_CYCLE[(row // 5 + column % 3) % 5]
            ResponsibilityFactory(
                recommendation=recommendation,
                actor=actor,
                role=Responsibility.Role.LEAD,
                status=status,
                last_assessed=datetime.date(2024, 1, 15),
            )
    return actors


def _box(page, selector):
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not laid out"
    return box


# --- The dashboard's matrix ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es", "fr", "pt"])
def test_all_13_recommendations_fit_in_the_matrix_at_1280px(new_context, full_matrix, language):
    """In every language: Spanish, French and Portuguese abbreviate some statuses in four letters. (A
    context of its own: the language chosen is kept in a cookie.)"""
    page = new_context(viewport={"width": DESKTOP, "height": 900}).new_page()
    assert page.goto(f"/?lang={language}").status == 200
    region = page.locator(".table-scroll--matrix")
    sizes = region.evaluate("el => ({scroll: el.scrollWidth, client: el.clientWidth})")
    assert sizes["scroll"] <= sizes["client"] + 1, f"the matrix scrolls sideways at 1280 px: {sizes}"
    right = region.bounding_box()["x"] + region.bounding_box()["width"]
    headers = region.locator("thead th")
    assert headers.count() == 15  # the names, 13 recommendations, the progress
    for number in range(1, 14):
        header = region.locator("thead th").nth(number)
        assert header.inner_text().strip().endswith(str(number))
        box = header.bounding_box()
        assert box["x"] + box["width"] <= right + 1, f"recommendation {number} is out of sight"
    # The long name (not translated here) wraps onto several lines rather than widening its column.
    name = region.get_by_role("rowheader", name=SPECIAL_COMMITTEE)
    line_height = float(name.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))
    assert name.bounding_box()["height"] > 1.5 * line_height


def test_the_matrix_header_row_and_names_stay_in_view_while_it_scrolls(visit, page, full_matrix):
    visit("/", DESKTOP)
    region = page.locator(".table-scroll--matrix")
    assert region.evaluate("el => el.scrollHeight > el.clientHeight + 100"), "33 rows should need scrolling"
    region.evaluate("el => { el.scrollTop = 600; }")
    top = region.bounding_box()["y"]
    for header in ("thead th:nth-child(1)", "thead th:nth-child(2)", "thead th:nth-child(14)"):
        assert abs(_box(page, f".table-scroll--matrix {header}")["y"] - top) <= 2, header

    visit("/", PHONE)
    region = page.locator(".table-scroll--matrix")
    region.scroll_into_view_if_needed()
    assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "13 columns cannot fit at 390 px"
    left = region.bounding_box()["x"]
    region.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    first_name = page.get_by_role("rowheader", name="Member state 01")
    assert abs(first_name.bounding_box()["x"] - left) <= 2, "the names scrolled away with the statuses"
    corner = _box(page, ".table-scroll--matrix thead th:nth-child(1)")
    assert abs(corner["x"] - left) <= 2
    # Scrolled to its end, the last recommendation is in view.
    last = _box(page, ".table-scroll--matrix thead th:nth-child(14)")
    assert last["x"] + last["width"] <= left + region.bounding_box()["width"] + 1


def test_the_matrix_is_filtered_and_sorted_through_the_address_without_javascript(new_context, full_matrix):
    page = new_context(java_script_enabled=False, viewport={"width": DESKTOP, "height": 900}).new_page()
    page.goto("/")
    page.get_by_label("States or bodies").select_option("body")
    page.get_by_role("button", name="Show").click()
    assert "kind=body" in page.url
    names = page.locator(".matrix tbody th").all_inner_texts()
    assert sorted(names) == sorted(
        [SPECIAL_COMMITTEE, "Regional Conference on Migration", "South American Conference on Migration"]
    )

    page.goto("/?kind=member_state")
    page.locator(".matrix thead").get_by_role("link", name=re.compile("^Progress")).click()
    assert "sort=-progress" in page.url and "kind=member_state" in page.url
    assert page.locator(".matrix thead th[aria-sort]").get_attribute("aria-sort") == "descending"
    progress = [float(text.rstrip(" %")) for text in page.locator(".matrix tbody td:last-child").all_inner_texts()]
    assert len(progress) == 30
    assert progress == sorted(progress, reverse=True) and progress[0] > progress[-1]

    page.locator(".matrix thead").get_by_role("link", name=re.compile("^State or body")).click()
    names = page.locator(".matrix tbody th").all_inner_texts()
    assert names == sorted(names) and len(names) == 30


# --- Below about 600 px -------------------------------------------------------------------------------

_TABLES = """() => [...document.querySelectorAll("main table")].filter(t => t.getClientRects().length).map(table => {
    const region = table.closest(".table-scroll");
    const box = (region || table.parentElement);
    const hintId = region && region.getAttribute("aria-describedby");
    const hint = hintId && document.getElementById(hintId);
    return {
        caption: (table.caption && table.caption.textContent.trim()) || table.querySelector("th").textContent.trim(),
        fits: table.getBoundingClientRect().width <= box.clientWidth + 1,
        region: !!region && region.getAttribute("role") === "region" && region.tabIndex === 0,
        named: !!region && !!(region.getAttribute("aria-label") || region.getAttribute("aria-labelledby")),
        shadow: !!region && getComputedStyle(region).backgroundImage.includes("gradient"),
        hint: !!hint && hint.getClientRects().length > 0 && getComputedStyle(hint).display !== "none",
    };
})"""


@pytest.mark.parametrize("width", [PHONE, NARROW])
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/recommendations/1/",
        "/actors/",
        "/actors/MEX/",
        "/actions/?view=compact",
        "/rounds/",
        f"/rounds/{OPEN_ROUND}/",
        f"/rounds/{LATER_ROUND}/",
        f"/rounds/{LATER_ROUND}/report/",
        "/report/",
    ],
)
def test_a_table_on_a_phone_fits_as_cards_or_scrolls_in_a_labelled_region_with_a_hint(
    visit, page, dataset, path, width
):
    visit(path, width)
    tables = page.evaluate(_TABLES)
    assert tables, f"no table on {path}"
    for table in tables:
        if table["fits"]:
            continue
        assert table["region"] and table["named"], f"{table['caption']} on {path} is cut off, not in a named region"
        assert table["shadow"] and table["hint"], f"{table['caption']} on {path} scrolls without a visible hint"


@pytest.mark.parametrize("width", [PHONE, NARROW])
def test_the_dashboards_numbers_are_in_view_on_a_phone(visit, page, dataset, width):
    visit("/", width)
    summary = page.get_by_role("region", name="Responsibilities at each status")
    edge = summary.bounding_box()
    counts = summary.locator("tbody td.num")
    assert counts.count() >= 2 * 7  # a count and a share for each status
    for index in range(counts.count()):
        box = counts.nth(index).bounding_box()
        assert box["x"] >= edge["x"] - 1 and box["x"] + box["width"] <= edge["x"] + edge["width"] + 1


_CLIPPED_BADGES = """() => [...document.querySelectorAll("main .status")].filter(badge => badge.getClientRects().length)
.filter(badge => {
    const region = badge.closest(".table-scroll");
    if (region && region.scrollWidth > region.clientWidth + 1) return false;  // scrolls: reached by scrolling
    const box = badge.getBoundingClientRect();
    const frame = badge.closest("fieldset, .panel, tr, main").getBoundingClientRect();
    return badge.scrollWidth > badge.clientWidth + 1 || box.left < Math.max(0, frame.left) - 1
        || box.right > Math.min(window.innerWidth, frame.right) + 1;
}).map(badge => badge.textContent.trim())"""


def _signed_in_page(new_context, username, width):
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


@pytest.fixture
def liaison_reports(dataset):
    """Mexico's liaison has a draft and a submitted report, with a proposed status (for the review form)."""
    liaison = dataset.rounds.liaisons["MEX"]
    responsibility = Responsibility.objects.get(actor=dataset.mexico, recommendation=dataset.recommendations[1])
    draft = services.report_save(
        report=Report(actor=dataset.mexico, taken_on=datetime.date(2024, 5, 2), title="Draft: consular fairs"),
        by=liaison,
        recommendations=[dataset.recommendations[1]],
    )
    submitted = services.report_save(
        report=Report(actor=dataset.mexico, taken_on=datetime.date(2024, 5, 2), title="Mobile consulates"),
        by=liaison,
        recommendations=[dataset.recommendations[1], dataset.recommendations[2]],
        proposals={responsibility: (Status.SUBSTANTIAL, "Most consular measures are in place.")},
    )
    submitted = services.report_submit(report=submitted, by=liaison, expected_version=submitted.version)
    return {"draft": draft, "submitted": submitted}


def _signed_in_paths(dataset, reports):
    return {
        "mex-liaison": [
            "/liaison/",
            "/liaison/reports/new/",
            f"/liaison/reports/{reports['draft'].pk}/",
            f"/liaison/reports/{reports['draft'].pk}/edit/",
            f"/liaison/reports/{reports['submitted'].pk}/",
            f"/liaison/rounds/{OPEN_ROUND}/",
        ],
        "secretariat": [
            "/review/",
            "/review/?state=",
            f"/review/{reports['submitted'].pk}/",
            f"/review/rounds/{dataset.rounds.submitted.pk}/",
        ],
    }


_SIDEWAYS = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.mark.parametrize("path", PAGES_WITH_DATA)
def test_no_public_page_scrolls_sideways_at_320px(visit, page, dataset, path):
    visit(path, NARROW)
    scroll_width, inner_width = page.evaluate(_SIDEWAYS)
    assert scroll_width <= inner_width, f"{path} is {scroll_width} px wide at {inner_width} px"
    assert page.evaluate(_CLIPPED_BADGES) == [], f"badges clipped on {path}"


@pytest.mark.parametrize("username", ["mex-liaison", "secretariat"])
def test_no_liaison_or_review_page_scrolls_sideways_at_320px(new_context, dataset, liaison_reports, username):
    page = _signed_in_page(new_context, username, NARROW)
    for path in _signed_in_paths(dataset, liaison_reports)[username]:
        assert page.goto(path).status == 200, path
        scroll_width, inner_width = page.evaluate(_SIDEWAYS)
        assert scroll_width <= inner_width, f"{path} is {scroll_width} px wide at {inner_width} px"
        assert page.evaluate(_CLIPPED_BADGES) == [], f"badges clipped on {path}"


@pytest.mark.parametrize("path", ["/actors/", "/actions/", "/recommendations/"])
def test_filters_fold_behind_a_button_on_a_phone_and_open_when_in_use(visit, page, dataset, path):
    visit(path, PHONE)
    form = page.locator("form.filters")
    toggle = page.locator("summary.filters-fold__toggle")
    assert toggle.is_visible() and not form.is_visible()
    toggle.click()
    assert form.is_visible()

    visit(f"{path}?q=consular", PHONE)
    assert page.locator("form.filters").is_visible(), "a filter in use is shown"

    visit(path, DESKTOP)
    assert page.locator("form.filters").is_visible() and not page.locator("summary.filters-fold__toggle").is_visible()


def test_the_matrix_choices_fold_on_a_phone_and_open_when_in_use(visit, page, dataset):
    visit("/", PHONE)
    choices = page.get_by_label("States or bodies")
    assert not choices.is_visible()
    page.get_by_text("Which states and bodies the matrix shows", exact=True).click()
    assert choices.is_visible()
    visit("/?kind=body", PHONE)
    assert page.get_by_label("States or bodies").is_visible()
    visit("/", DESKTOP)
    assert page.get_by_label("States or bodies").is_visible()


# --- Forms --------------------------------------------------------------------------------------------

_CHOICES_BESIDE_LABELS = """selector => [...document.querySelectorAll(selector)].map(input => {
    const label = input.closest("label") || document.querySelector(`label[for="${input.id}"]`);
    const text = [...label.childNodes].find(node => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
    const range = document.createRange();
    range.selectNodeContents(text);
    const line = [...range.getClientRects()].find(rect => rect.width > 0);
    const box = input.getBoundingClientRect();
    return {
        label: text.textContent.trim(),
        gap: line.left - box.right,
        offset: Math.abs((line.top + line.bottom) / 2 - (box.top + box.bottom) / 2),
    };
})"""


def _assert_beside(choices, what):
    assert choices, f"no {what}"
    for choice in choices:
        assert 0 <= choice["gap"] <= 16, f"{what} {choice['label']!r} is {choice['gap']:.0f} px from its label"
        assert choice["offset"] <= 6, f"{what} {choice['label']!r} is not on its label's first line"


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_checkboxes_and_radio_buttons_sit_beside_their_labels(new_context, dataset, liaison_reports, width):
    liaison = _signed_in_page(new_context, "mex-liaison", width)
    liaison.goto("/liaison/reports/new/")
    _assert_beside(liaison.evaluate(_CHOICES_BESIDE_LABELS, "main form input[type=checkbox]"), "checkbox")

    staff = _signed_in_page(new_context, "secretariat", width)
    staff.goto(f"/review/{liaison_reports['submitted'].pk}/")
    _assert_beside(staff.evaluate(_CHOICES_BESIDE_LABELS, "main form input[type=radio]"), "radio button")


_SELECTS_TOO_NARROW = """() => [...document.querySelectorAll("form.filters select")].map(select => {
    const style = getComputedStyle(select);
    const context = document.createElement("canvas").getContext("2d");
    context.font = style.font;
    const widest = Math.max(...[...select.options].map(option => context.measureText(option.text).width));
    // The arrow takes about 20 px of the box besides its padding.
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
    return {name: select.name, widest: Math.ceil(widest), room: Math.floor(room)};
}).filter(select => select.widest > select.room)"""


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_the_review_queues_state_filter_shows_its_choices_whole(new_context, dataset, width):
    page = _signed_in_page(new_context, "secretariat", width)
    page.goto("/review/")
    toggle = page.locator("summary.filters-fold__toggle")
    if toggle.is_visible() and not page.locator("form.filters").is_visible():
        toggle.click()
    assert page.get_by_label("Review state").is_visible()
    assert page.evaluate(_SELECTS_TOO_NARROW) == []


@pytest.mark.parametrize("path", ["/actors/", "/actions/"])
def test_filter_choices_are_not_clipped_at_1280px(visit, page, dataset, path):
    visit(path, DESKTOP)
    assert page.evaluate(_SELECTS_TOO_NARROW) == []
