"""axe-core finds no WCAG 2.2 A/AA violation on any public page, full or empty, wide or at 320 px."""

import pytest

from tests.browser.pages import (
    EMPTY_PAGES,
    NOT_FOUND_PAGES,
    PAGES_WITH_DATA,
    WIDTH_PARAMS,
    axe_violations,
    describe_violations,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", WIDTH_PARAMS)
@pytest.mark.parametrize("path", PAGES_WITH_DATA)
def test_page_with_data_has_no_axe_violations(visit, page, dataset, path, width):
    visit(path, width)
    violations = axe_violations(page)
    assert not violations, describe_violations(violations, f"{path} at {width}px with data")


@pytest.mark.parametrize("width", WIDTH_PARAMS)
@pytest.mark.parametrize("path", EMPTY_PAGES)
def test_empty_page_has_no_axe_violations(visit, page, path, width):
    visit(path, width)
    violations = axe_violations(page)
    assert not violations, describe_violations(violations, f"{path} at {width}px with an empty database")


@pytest.mark.parametrize("width", WIDTH_PARAMS)
@pytest.mark.parametrize("path", NOT_FOUND_PAGES)
def test_not_found_page_has_no_axe_violations(visit, page, path, width):
    visit(path, width, status=404)
    violations = axe_violations(page)
    assert not violations, describe_violations(violations, f"the 404 page for {path} at {width}px")


def test_axe_check_reports_a_real_violation(visit, page):
    """The check can fail: an image without alternative text, added to a real page, is reported."""
    visit("/")
    page.evaluate(
        """() => {
            const img = document.createElement("img");
            img.src = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
            document.querySelector("main").append(img);
        }"""
    )
    violations = axe_violations(page)
    assert [v["id"] for v in violations] == ["image-alt"]
    assert "image-alt (critical)" in describe_violations(violations, "/")
