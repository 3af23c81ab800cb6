"""Page caching: served from the cache while nothing changes, never stale after a change."""

import os
import socket

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from tests.factories import ResponsibilityFactory
from tracker import services
from tracker.models import Status


def _redis_available():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


BACKENDS = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"},
    "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15"},
}


# The record's version is raised when a write commits: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=list(BACKENDS))
def cache_backend(request, settings):
    if request.param == "redis" and not _redis_available():
        if os.environ.get("CI"):
            pytest.fail("Redis must run at 127.0.0.1:6379 in CI")
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    settings.CACHES = {"default": BACKENDS[request.param]}
    caches["default"].clear()
    yield request.param
    caches["default"].clear()


def test_an_unchanged_page_is_served_from_the_cache(cache_backend, django_assert_num_queries):
    responsibility = ResponsibilityFactory()
    client = Client()
    url = responsibility.recommendation.get_absolute_url()
    with django_assert_num_queries(6):
        first = client.get(url)
    # Only the record's version is read; the page itself comes from the cache.
    with django_assert_num_queries(1):
        second = client.get(url)
    assert second.content == first.content


def test_a_saved_change_shows_at_once(cache_backend, staff):
    responsibility = ResponsibilityFactory()
    client = Client()
    url = responsibility.recommendation.get_absolute_url()
    assert "Partial compliance" not in client.get(url).content.decode()
    client.get(reverse("tracker:dashboard"))
    services.responsibility_set_status(responsibility=responsibility, status=Status.PARTIAL, by=staff, reason="Law.")
    assert "Partial compliance" in client.get(url).content.decode()
    assert "Partial compliance" in client.get(reverse("tracker:dashboard")).content.decode()


def test_conditional_get_answers_304_until_something_changes(cache_backend, staff):
    responsibility = ResponsibilityFactory()
    client = Client()
    url = reverse("tracker:dashboard")
    response = client.get(url)
    etag = response["ETag"]
    assert "no-cache" in response["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    services.responsibility_set_status(responsibility=responsibility, status=Status.FULL, by=staff, reason="Done.")
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def test_signed_in_users_get_their_own_pages(cache_backend, liaison_mexico):
    Client().get(reverse("tracker:dashboard"))
    client = Client()
    client.force_login(liaison_mexico)
    body = client.get(reverse("tracker:dashboard")).content.decode()
    assert "Sign out" in body and "Your reports" in body
    assert "Sign out" not in Client().get(reverse("tracker:dashboard")).content.decode()


def test_each_language_and_query_string_is_its_own_page(cache_backend):
    ResponsibilityFactory()
    client = Client()
    listed = client.get(reverse("tracker:actor_list")).content.decode()
    filtered = client.get(reverse("tracker:actor_list") + "?kind=civil_society").content.decode()
    assert listed != filtered and "0 states and bodies" in filtered


def test_with_the_cache_switched_off_a_change_still_changes_the_etag(settings, staff):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    responsibility = ResponsibilityFactory()
    client = Client()
    etag = client.get(reverse("tracker:dashboard"))["ETag"]
    assert client.get(reverse("tracker:dashboard"), HTTP_IF_NONE_MATCH=etag).status_code == 304
    services.responsibility_set_status(responsibility=responsibility, status=Status.FULL, by=staff, reason="Done.")
    response = client.get(reverse("tracker:dashboard"), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and "Full compliance" in response.content.decode()


def test_every_worker_sees_a_change_made_by_another(staff):
    """Two processes with caches of their own (locmem) still agree: the version is in the database."""
    from django.core.cache.backends.locmem import LocMemCache

    from tracker import caching

    responsibility = ResponsibilityFactory()
    url = responsibility.recommendation.get_absolute_url()
    worker_a = LocMemCache("worker-a", {})
    worker_b = LocMemCache("worker-b", {})
    original = caching.cache
    try:
        caching.cache = worker_b
        assert "Partial compliance" not in Client().get(url).content.decode()
        caching.cache = worker_a
        services.responsibility_set_status(responsibility=responsibility, status=Status.PARTIAL, by=staff, reason="x")
        caching.cache = worker_b
        assert "Partial compliance" in Client().get(url).content.decode()
    finally:
        caching.cache = original
