"""Request rates: an anonymous client is stopped well before 600 requests a minute, with 429 and
Retry-After, on the API and on the downloads (finding 8); `off` switches a limit off."""

import pytest
from django.core.cache import caches
from django.test import Client

from tests.factories import ActionFactory, UserFactory


@pytest.fixture(autouse=True)
def counting_cache(settings):
    # The tests' cache keeps nothing; the counts need one that does (production uses Redis).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rates"}}
    caches["default"].clear()
    yield
    caches["default"].clear()


def hits_until_refused(client, url, most=700, **headers):
    for count in range(1, most + 1):
        response = client.get(url, **headers)
        if response.status_code == 429:
            return count, response
        assert response.status_code == 200, (url, response.status_code)
    return None, None


def test_the_default_rates_stop_an_anonymous_client_well_before_600_a_minute(db, settings):
    assert settings.API_THROTTLE_ANON == "120/min"
    count, response = hits_until_refused(Client(), "/api/recommendations/")
    assert count == 121
    assert int(response["Retry-After"]) >= 1
    assert "throttled" in response.json()["detail"].lower() or "request" in response.json()["detail"].lower()


def test_each_address_has_its_own_count_and_signed_in_users_their_own_rate(db, settings):
    settings.API_THROTTLE_ANON, settings.API_THROTTLE_USER = "3/min", "5/min"
    assert hits_until_refused(Client(), "/api/actors/", REMOTE_ADDR="10.0.0.1")[0] == 4
    assert hits_until_refused(Client(), "/api/actors/", REMOTE_ADDR="10.0.0.2")[0] == 4
    client = Client()
    client.force_login(UserFactory(username="reader"))
    assert hits_until_refused(client, "/api/actors/", REMOTE_ADDR="10.0.0.1")[0] == 6


def test_anonymous_downloads_are_limited_too(db, settings):
    ActionFactory()
    settings.DOWNLOAD_THROTTLE_ANON = "2/min"
    count, response = hits_until_refused(Client(), "/export/actions.csv")
    assert count == 3
    assert response["Retry-After"].isdigit()
    assert "Too many requests" in response.content.decode()
    assert hits_until_refused(Client(), "/export/matrix.csv", REMOTE_ADDR="10.9.9.9")[0] == 3


def test_off_switches_a_limit_off(db, settings):
    settings.API_THROTTLE_ANON = None  # what API_THROTTLE_ANON=off gives
    settings.DOWNLOAD_THROTTLE_ANON = None
    assert hits_until_refused(Client(), "/api/recommendations/", most=150)[0] is None
    assert hits_until_refused(Client(), "/export/recommendations.csv", most=30)[0] is None


def test_the_environment_sets_the_rates(monkeypatch):
    from config import settings as project_settings

    monkeypatch.setenv("API_THROTTLE_ANON", "off")
    monkeypatch.setenv("API_THROTTLE_USER", "30/min")
    assert project_settings._rate("API_THROTTLE_ANON", "120/min") is None
    assert project_settings._rate("API_THROTTLE_USER", "600/min") == "30/min"
