"""The classification's pages and links pass axe, wide and at 320 px, and are reachable by keyboard."""

import pytest

from tests.browser.pages import WIDTH_PARAMS, axe_violations, describe_violations
from tests.factories import MeasureTypeFactory, PopulationGroupFactory, SdgTargetFactory, ThemeFactory
from tracker import services

pytestmark = pytest.mark.browser

TITLE = (
    "Facilitate orderly, safe, regular and responsible migration and mobility of people, including through "
    "the implementation of planned and well-managed migration policies"
)


@pytest.fixture
def classified(dataset):
    """The browser suite's record, with recommendations 1 and 2 classified and an action given a type."""
    rights = ThemeFactory(slug="human-rights", name="Human rights of migrants", name_es="Derechos humanos")
    cooperation = ThemeFactory(slug="cooperation", name="Cooperation and dialogue")
    workers = PopulationGroupFactory(slug="migrant-workers", name="Migrant workers")
    target = SdgTargetFactory(number="10.7", title=TITLE)
    services.recommendation_classify(
        recommendation=dataset.recommendations[1],
        by=None,
        themes=[rights, cooperation],
        population_groups=[workers],
        sdg_targets=[target],
    )
    services.recommendation_classify(recommendation=dataset.recommendations[2], by=None, themes=[rights])
    legislation = MeasureTypeFactory(slug="legislation", name="Legislation")
    action = dataset.mexico.actions.filter(state="published").first()
    action.measure_type = legislation
    services.action_save(action=action, by=None)
    return dataset


PATHS = [
    pytest.param("/themes/", id="index"),
    pytest.param("/themes/human-rights/", id="theme"),
    pytest.param("/sdg/10.7/", id="sdg"),
    pytest.param("/recommendations/1/", id="classified_recommendation"),
    pytest.param("/recommendations/?theme=human-rights&sdg=10.7", id="filtered_list"),
    pytest.param("/actions/?measure=legislation", id="actions_by_measure"),
    pytest.param("/themes/human-rights/?lang=es", id="theme_in_spanish"),
]


@pytest.mark.parametrize("width", WIDTH_PARAMS)
@pytest.mark.parametrize("path", PATHS)
def test_classification_pages_have_no_axe_violations(visit, page, classified, path, width):
    visit(path, width)
    violations = axe_violations(page)
    assert not violations, describe_violations(violations, f"{path} at {width}px")


def test_a_theme_is_two_keyboard_steps_from_a_recommendation(visit, page, classified):
    visit("/recommendations/1/")
    link = page.get_by_role("link", name="Cooperation and dialogue")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/themes/cooperation/")
    assert page.get_by_role("heading", level=1).inner_text() == "Theme: Cooperation and dialogue"
    card = page.locator("main .card a[href='/recommendations/1/']")
    assert card.is_visible() and "Consular protection" in card.inner_text()
