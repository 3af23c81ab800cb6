"""Whole-page caching for anonymous visitors, never stale after a change.

Pages are keyed by a version of the record: one database row (`RecordVersion`) that every saved,
deleted or re-linked row the public can see raises once its transaction commits (drafts, reports and
history rows do not: `is_public_change`). A reader therefore sees the new number once it can see the
new data, in every worker, whatever the cache backend keeps: with a per-process cache, a flushed
Redis, or no cache at all (`dummycache://`) the pages are simply rendered again. The ETag carries the
same version, so browsers revalidate every time (`no-cache`) and get 304 while nothing changed.

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
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from .models import Action, Evidence, RecordVersion, Report, RoundReport

PAGE_TIMEOUT = 60 * 10
WATCHED_APPS = {"forum", "tracker"}


# Read on every anonymous page view, cached or not: one indexed row, without the ORM's overhead.
VERSION_QUERY = "SELECT number FROM tracker_recordversion WHERE id = 1"


def data_version() -> int:
    with connection.cursor() as cursor:
        cursor.execute(VERSION_QUERY)
        row = cursor.fetchone()
    return row[0] if row else 0


def _bump():
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


# What the public never sees: a change to these leaves every public page, and its ETag, as it was, so
# that nobody can tell from outside when a draft or a report is written.
PRIVATE_MODELS = {"report", "liaison", "recordversion", "roundreportentry", "reminder", "accountpreferences"}


def is_public_change(sender, instance) -> bool:
    """Whether saving or linking `instance` (of `sender`, a model or a many-to-many table) can change
    what an anonymous visitor sees."""
    meta = sender._meta
    if meta.app_label not in WATCHED_APPS or meta.model_name in PRIVATE_MODELS:
        return False
    if meta.model_name.startswith("historical"):
        # django-simple-history's versions are for staff; the public history is the status changes.
        return False
    if isinstance(instance, Evidence):
        instance = instance.action
    if isinstance(instance, Action):
        # A draft never shows; a published action shows, and so does the moment it stops being public.
        return instance.state == Action.State.PUBLISHED or getattr(instance, "was_published", False)
    if isinstance(instance, RoundReport):
        # The public sees only that a round report was submitted, and when: its first submission.
        return getattr(instance, "first_submitted_now", False)
    # A report's links to its recommendations (their own table) are as private as the report.
    return not isinstance(instance, Report)


def _on_change(sender, instance=None, **kwargs):
    if is_public_change(sender, instance):
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
        # The day is part of the key: a round becomes open, or a report overdue, at midnight.
        key = f"{data_version()}|{timezone.localdate().isoformat()}|{language}|{request.get_full_path()}"
        fingerprint = hashlib.sha256(key.encode()).hexdigest()[:32]
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
