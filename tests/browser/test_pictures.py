"""The pictures as a visitor meets them: the map and the chart drawn, reachable by keyboard, each with
the numbers it draws as a table, and readable on a phone."""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import DESKTOP, NARROW

pytestmark = pytest.mark.browser


def test_the_map_is_drawn_and_each_state_is_reached_by_keyboard(visit, page, dataset):
    visit("/map/", DESKTOP)
    drawing = page.locator("svg.map__drawing")
    expect(drawing).to_be_visible()
    states = drawing.locator("a.map__state")
    # Every member state on record (the dataset's few), each drawn and linked.
    drawn = states.count()
    assert drawn >= 3
    box = drawing.bounding_box()
    assert box["width"] > 600 and box["height"] > 600
    # Tab from the form's button into the map: the first state takes the focus, named for a screen reader.
    page.get_by_role("button", name="Show").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert focused and ":" in focused
    page.keyboard.press("Enter")
    page.wait_for_url("**/actors/*/")
    # Back on the map, the same figures as a table.
    visit("/map/", DESKTOP)
    rows = page.locator("table.data tbody tr")
    assert rows.count() == drawn


def test_the_chart_is_drawn_with_its_figures_as_a_table(visit, page, dataset):
    visit("/", DESKTOP)
    chart = page.locator("svg.chart__drawing")
    expect(chart).to_be_visible()
    assert chart.locator("polygon").count() >= 2
    assert chart.get_attribute("role") == "img" and chart.get_attribute("aria-labelledby")
    figures = page.locator("details.chart-figures")
    figures.locator("summary").click()
    expect(figures.locator("table")).to_be_visible()
    assert figures.locator("tbody tr").count() >= 1


@pytest.mark.parametrize("path", ["/map/", "/", "/recommendations/1/"])
def test_the_pictures_fit_a_phone(visit, page, dataset, path):
    visit(path, NARROW)
    drawing = page.locator("svg.map__drawing, svg.chart__drawing").first
    box = drawing.bounding_box()
    assert 0 < box["width"] <= NARROW
    assert page.evaluate("() => document.documentElement.scrollWidth") <= NARROW
