"""Whole-page caching for anonymous visitors, never stale after a change.

Pages are keyed by a version of the record: one database row (`RecordVersion`) that every saved,
deleted or re-linked row of the record raises in its own transaction. A reader therefore sees the new
number exactly when it can see the new data, in every worker, whatever the cache backend keeps: with
a per-process cache, a flushed Redis, or no cache at all (`dummycache://`) the pages are simply
rendered again. The ETag carries the same version, so browsers revalidate every time (`no-cache`)
and get 304 while nothing changed.

The version is raised from model signals rather than from each service: signals also catch the
admin's own saves (the forum's editorial fields), `loaddata`, and whatever a later feature adds.
Bulk writes that send no signal (the demo data) call `bump_data_version()` themselves. The tests
render pages with no cache (`dummycache://`) except `tests/tracker/test_caching.py`, which commits
for real so that the version is raised as in production.
"""

import hashlib
import secrets
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

PAGE_TIMEOUT = 60 * 10
WATCHED_APPS = {"forum", "tracker"}


def data_version() -> int:
    # Read on every anonymous page view, cached or not: one indexed row, without the ORM's overhead.
    from .models import RecordVersion

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number FROM {RecordVersion._meta.db_table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else 0


def _bump():
    from .models import RecordVersion

    if not RecordVersion.objects.filter(pk=1).update(number=F("number") + 1):
        # A random start: two databases (a rebuilt one, a restored copy of another) never count
        # alike, so an ETag never stands for two different pages.
        RecordVersion.objects.get_or_create(pk=1, defaults={"number": secrets.randbits(52) + 1})


def bump_data_version(**kwargs) -> None:
    # Raised once the change is committed, in a transaction of its own: a writer never holds the
    # version row while it waits for another row, so two writers cannot deadlock on it. A page
    # rendered between the commit and the raise is stored under the old number, which nobody asks
    # for again; the writer's response is sent only after the raise.
    transaction.on_commit(_bump)


def _on_change(sender, **kwargs):
    if sender._meta.app_label in WATCHED_APPS and sender._meta.model_name != "recordversion":
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
    """Serve anonymous GETs from the cache, with an ETag that changes with the record."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _is_plain_visitor(request):
            response = view(request, *args, **kwargs)
            patch_vary_headers(response, ["Cookie"])
            return response
        language = translation.get_language() or ""
        fingerprint = hashlib.sha256(f"{data_version()}|{language}|{request.get_full_path()}".encode()).hexdigest()[:32]
        etag = f'"{fingerprint}"'
        if etag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
            response["ETag"] = etag
            return response
        key = f"page:{fingerprint}"
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
        else:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if response.status_code == 200 and not response.streaming:
                cache.set(key, (response.content, response["Content-Type"]), PAGE_TIMEOUT)
        if response.status_code == 200:
            response["ETag"] = etag
        patch_cache_control(response, no_cache=True)
        patch_vary_headers(response, ["Accept-Language", "Cookie"])
        return response

    return wrapper
