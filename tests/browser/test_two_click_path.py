"""From the dashboard, a visitor reaches a state's status on a recommendation in at most two clicks,
by real clicks, on a desktop screen and on a 320 px phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import WIDTH_PARAMS

pytestmark = pytest.mark.browser

MAX_CLICKS = 2


class Visitor:
    """Clicks like a person and counts the clicks.

    The click aims at the middle of the link's box, as a person would. (Left to itself Playwright aims at
    the first box the link is drawn in, which for the matrix headers is the 1x1 px clipped box of their
    visually hidden "Recommendation" text, so the click lands on the header cell beside it.) Playwright
    still checks that the link is visible, stable and the element actually hit at that point.
    """

    def __init__(self, page):
        self.page = page
        self.clicks = 0

    def click(self, locator):
        locator.scroll_into_view_if_needed()
        box = locator.bounding_box()
        assert box, f"{locator} is not displayed"
        locator.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
        self.clicks += 1
        self.page.wait_for_load_state("load")


def _responsibility_row(page, section_heading_id, row_header):
    """The row of a responsibilities table whose row header names `row_header`."""
    table = page.locator(f"section[aria-labelledby='{section_heading_id}'] table")
    return table.locator("tbody tr").filter(has=page.get_by_role("rowheader", name=row_header, exact=True))


@pytest.mark.parametrize("width", WIDTH_PARAMS)
def test_recommendation_column_in_the_matrix_leads_to_each_states_status(visit, page, dataset, width):
    visit("/", width)
    visitor = Visitor(page)

    matrix_header = page.locator("table.matrix thead")
    visitor.click(matrix_header.get_by_role("link", name="Recommendation 2", exact=True))

    expect(page).to_have_url(re.compile(r"/recommendations/2/$"))
    expect(page.locator("h1")).to_contain_text("Recommendation 2")
    canada = _responsibility_row(page, "responsible-heading", "Canada")
    expect(canada).to_have_count(1)
    status = canada.locator("td").nth(1)  # Role, Status, Last assessed, Reasoning
    status.scroll_into_view_if_needed()
    expect(status).to_have_text("Pending compliance")
    expect(status).to_be_in_viewport()
    expect(_responsibility_row(page, "responsible-heading", "Mexico").locator("td").nth(1)).to_have_text(
        "Not applicable"
    )
    assert visitor.clicks <= MAX_CLICKS


@pytest.mark.parametrize("width", WIDTH_PARAMS)
def test_state_row_in_the_matrix_leads_to_its_status_on_each_recommendation(visit, page, dataset, width):
    visit("/", width)
    visitor = Visitor(page)

    matrix_rows = page.locator("table.matrix tbody")
    visitor.click(matrix_rows.get_by_role("link", name="Mexico", exact=True))

    expect(page).to_have_url(re.compile(r"/actors/MEX/$"))
    expect(page.locator("h1")).to_have_text("Mexico")
    row = _responsibility_row(page, "responsibilities-heading", "Consular protection")
    expect(row).to_have_count(1)
    status = row.locator("td").nth(2)  # No., Role, Status, ...
    status.scroll_into_view_if_needed()
    expect(status).to_have_text("Partial compliance")
    expect(status).to_be_in_viewport()
    assert visitor.clicks <= MAX_CLICKS


@pytest.mark.parametrize("width", WIDTH_PARAMS)
def test_recommendations_table_then_state_link_shows_the_state_status(visit, page, dataset, width):
    """Two clicks: the recommendation's row on the dashboard, then the state's name on its page."""
    visit("/", width)
    visitor = Visitor(page)

    recommendations = page.locator("table.recommendations-table tbody")
    visitor.click(recommendations.get_by_role("link", name="Consular protection", exact=True))
    expect(page).to_have_url(re.compile(r"/recommendations/1/$"))
    guatemala = _responsibility_row(page, "responsible-heading", "Guatemala")
    expect(guatemala.locator("td").nth(1)).to_have_text("Not yet assessed")

    visitor.click(guatemala.get_by_role("link", name="Guatemala", exact=True))
    expect(page).to_have_url(re.compile(r"/actors/GTM/$"))
    row = _responsibility_row(page, "responsibilities-heading", "Labour migration")
    status = row.locator("td").nth(2)
    status.scroll_into_view_if_needed()
    expect(status).to_have_text("Non-compliance")
    expect(status).to_be_in_viewport()
    assert visitor.clicks <= MAX_CLICKS


def test_matrix_cell_names_the_status_without_any_click(visit, page, dataset):
    """Zero clicks: the matrix cell itself says the status, in full for screen readers."""
    visit("/")
    mexico = page.locator("table.matrix tbody tr").filter(has=page.get_by_role("rowheader", name="Mexico"))
    cells = mexico.locator("td")
    expect(cells).to_have_count(4)  # three recommendations, then the progress
    expect(cells.nth(0)).to_have_text("PCPartial compliance")  # abbreviation shown, label for screen readers
    expect(cells.nth(0).locator(".visually-hidden")).to_have_text("Partial compliance")
    expect(cells.nth(1).locator(".visually-hidden")).to_have_text("Not applicable")
    expect(cells.nth(2).locator(".visually-hidden")).to_have_text("not responsible")
