"""Every public page and the liaison and review pages, in the four official languages of the OAS:
the right `<html lang>`, the navigation in that language, and still no axe-core violation."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation

from tests.browser.pages import axe_violations, describe_violations
from tests.factories import LiaisonFactory, UserFactory
from tracker import services
from tracker.models import STAFF_GROUP, Report

pytestmark = pytest.mark.browser

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PUBLIC_PAGES = ["/", "/recommendations/", "/recommendations/1/", "/actors/", "/actors/MEX/", "/actions/", "/forum/"]


def _navigation_label(code, english):
    with translation.override(code):
        return translation.gettext(english)


def _signed_in_context(new_context, live_server, user):
    client = Client()
    client.force_login(user)
    context = new_context()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context


def _check(page, code, where):
    assert page.locator("html").get_attribute("lang") == code, where
    navigation = page.get_by_role("navigation", name=_navigation_label(code, "Main"), exact=True)
    expected = _navigation_label(code, "Recommendations")
    if code != "en":
        assert expected != "Recommendations", f"the catalogue for {code} does not translate the navigation"
    assert navigation.get_by_role("link", name=expected, exact=True).count() == 1, where
    violations = axe_violations(page)
    assert not violations, describe_violations(violations, where)


@pytest.fixture
def fresh_page(new_context):
    """A tab of its own: the language chosen here is remembered in a cookie, which must not reach the
    package's shared tab."""
    return new_context().new_page()


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_in_each_language(fresh_page, dataset, path, code):
    response = fresh_page.goto(f"{path}?lang={code}")
    assert response.status == 200
    _check(fresh_page, code, f"{path} in {code}")


@pytest.mark.parametrize("code", LANGUAGES)
def test_liaison_and_review_pages_in_each_language(new_context, live_server, dataset, code):
    liaison = LiaisonFactory(actor=dataset.mexico, user=UserFactory(username=f"liaison-{code}")).user
    report = services.report_save(
        report=Report(actor=dataset.mexico, author=liaison, taken_on="2024-02-01", title="Consular fairs"),
        by=liaison,
        recommendations=[dataset.recommendations[1]],
    )
    services.report_submit(report=report, by=liaison, expected_version=report.version)
    staff = UserFactory(username=f"staff-{code}", is_staff=True)
    staff.groups.add(Group.objects.get(name=STAFF_GROUP))

    liaison_page = _signed_in_context(new_context, live_server, liaison).new_page()
    for path in ["/liaison/", "/liaison/reports/new/", f"/liaison/reports/{report.pk}/"]:
        response = liaison_page.goto(f"{path}?lang={code}")
        assert response.status == 200, path
        _check(liaison_page, code, f"{path} in {code} (liaison)")

    staff_page = _signed_in_context(new_context, live_server, staff).new_page()
    for path in ["/review/", f"/review/{report.pk}/"]:
        response = staff_page.goto(f"{path}?lang={code}")
        assert response.status == 200, path
        _check(staff_page, code, f"{path} in {code} (staff)")


def test_the_language_switcher_keeps_the_page_and_remembers_the_choice(fresh_page, dataset):
    fresh_page.goto("/recommendations/1/")
    fresh_page.get_by_role("link", name="Español", exact=True).click()
    assert fresh_page.locator("html").get_attribute("lang") == "es"
    assert "/recommendations/1/" in fresh_page.url and "lang=es" in fresh_page.url
    fresh_page.goto("/actors/")
    assert fresh_page.locator("html").get_attribute("lang") == "es"


def test_the_first_visit_follows_the_browsers_language(new_context, dataset):
    page = new_context(locale="fr-FR", extra_http_headers={"Accept-Language": "fr-FR,fr;q=0.9"}).new_page()
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
