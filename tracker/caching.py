"""Whole-page caching for anonymous visitors, invalidated by every write.

The cache key and the ETag carry a "data version" that every saved, deleted or re-linked row of the
record raises, so a page is never served from before a change: the next request after a save
renders afresh. Browsers revalidate every time (`no-cache`) and get 304 while nothing changed.

The version is raised from model signals rather than from each service: signals also catch the
admin's own saves (the forum's editorial fields), `loaddata`, and whatever a later feature adds.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

VERSION_KEY = "record-data-version"
PAGE_TIMEOUT = 60 * 10
WATCHED_APPS = {"forum", "tracker"}


def data_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # Any start value works, as long as it differs from what older pages were stored under.
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def _bump():
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def bump_data_version(**kwargs) -> None:
    # Raised at once, so the writing transaction itself never reads an older page, and again after
    # the commit, since a request that rendered in between saw the data from before the change.
    _bump()
    transaction.on_commit(_bump)


def _on_change(sender, **kwargs):
    if sender._meta.app_label in WATCHED_APPS:
        bump_data_version()


def connect_signals():
    post_save.connect(_on_change, dispatch_uid="cache-post-save")
    post_delete.connect(_on_change, dispatch_uid="cache-post-delete")
    m2m_changed.connect(_on_change, dispatch_uid="cache-m2m")


def _is_plain_visitor(request):
    # Signed-in users see their own account links and messages: their pages are never shared.
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def public_page(view):
    """Serve anonymous GETs from the cache, with an ETag that changes with the data."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        version = data_version()
        language = translation.get_language() or ""
        fingerprint = hashlib.sha256(f"{version}|{language}|{request.get_full_path()}".encode()).hexdigest()[:32]
        etag = f'"{fingerprint}"'
        plain = _is_plain_visitor(request)
        if plain and etag in request.headers.get("If-None-Match", ""):
            from django.http import HttpResponseNotModified

            response = HttpResponseNotModified()
            response["ETag"] = etag
            return response
        key = f"page:{fingerprint}"
        cached = cache.get(key) if plain else None
        if cached is not None:
            from django.http import HttpResponse

            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
        else:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if plain and response.status_code == 200 and not response.streaming:
                cache.set(key, (response.content, response["Content-Type"]), PAGE_TIMEOUT)
        if plain and response.status_code == 200:
            response["ETag"] = etag
        patch_cache_control(response, no_cache=True)
        patch_vary_headers(response, ["Accept-Language", "Cookie"])
        return response

    return wrapper
