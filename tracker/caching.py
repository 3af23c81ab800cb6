"""Whole-page caching for anonymous visitors, never stale after a change.

Pages are keyed by a version of the record: one database row (`RecordVersion`) that every saved,
deleted or re-linked row the public can see raises once its transaction commits (drafts, reports and
history rows do not: `is_public_change`). The writer then puts the new number in the shared cache
(Redis), where every worker on every machine reads it: a page served from the cache, and a
conditional GET answered 304, make no database query at all. A reader that finds no number there (a
flushed or restarted Redis) reads the row and puts it back, and the number is kept only for
`VERSION_TIMEOUT` seconds, so even a change made behind the site's back (SQL by hand) shows within that
time. A per-process cache (`locmemcache://`, the embedded setup) cannot share a number between
processes, so there the row is read on every view; with no cache at all (`dummycache://`) the pages
are simply rendered again.

Why a number set by the writer is never stale: pages are stored under the number read when they were
rendered, and each number is new (the row only counts up). A number reaches the cache only after its
writer's commit, so every page stored under it was rendered after that commit, and after the commit
of every writer whose number reached the cache before it. A writer's change is missing from pages
only between its commit and its own `set`, which follows at once.

A plain visitor's GET of a kept page is answered by `EarlyPages`, a middleware placed right after the
language is chosen: the sessions, CSRF, sign-in, messages, policies, history and lockouts that follow
have nothing to do for such a visitor, and cost more than the answer itself. The page is kept with the
headers they gave it, so the answer is the same. A view with a throttle above its cache (the API) is
answered by `public_page` itself, after all of them.

The ETag carries the same version, so browsers revalidate every time (`no-cache`) and get 304 while
nothing changed; `Last-Modified` is when the number was last raised (or midnight, when a round opens
or a report falls overdue, whichever is later).

The same row keeps how many actions are published, counted when the number is raised (under the
row's lock, so the last raise leaves the latest count): the unfiltered lists of actions, the page and
the API, show it rather than count up to a million rows on every request. It is read with the number,
from the shared cache or the row, so a page shows the count of the version it is stored under.

The same row keeps a second number, the reference number, raised only by a change to the record's
reference data: the forum's record (its recommendations, comments and their links), the states and
bodies, the classification, the reporting rounds (`REFERENCE_MODELS`). What is drawn or read from that
data alone is kept in each process under it (`answered_reference`): the lists' filters, a
recommendation's comments and classification, the closed rounds and their snapshots
(`tracker.kept.reference_rows`). A page drawn again after an action or an assessment then does not
read them again: three queries on the list of actions, four on a recommendation's page.

The version is raised from model signals rather than from each service: signals also catch the
admin's own saves (the forum's editorial fields), `loaddata`, and whatever a later feature adds.
Bulk writes that send no signal (the demo data) call `bump_data_version()` themselves. The tests
render pages with no cache (`dummycache://`) except `tests/tracker/test_caching.py`, which commits
for real so that the version is raised as in production.
"""

import datetime
import hashlib
import re
import secrets
import threading
import time
from collections import OrderedDict
from functools import lru_cache, wraps

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import setting_changed
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.connection import ConnectionProxy
from django.utils.http import http_date, parse_http_date_safe
from django.utils.text import compress_string

from .middleware import compressible
from .models import Action, Evidence, RecordVersion, Report, RoundReport

PAGE_TIMEOUT = 60 * 10
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Larger answers (a whole spreadsheet) are built again rather than kept: the cache is for pages.
MAX_KEPT_BYTES = 2 * 1024 * 1024
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "X-Robots-Tag")
# The shared cache holds (number, changed_at, published actions, reference number) under this key.
VERSION_KEY = "record-version:4"
VERSION_TIMEOUT = 60
WATCHED_APPS = {"forum", "tracker"}


# Read when the shared cache does not hold the version: one indexed row, without the ORM's overhead.
VERSION_QUERY = "SELECT number, changed_at, published_actions, reference_number FROM tracker_recordversion WHERE id = 1"
LOCK_QUERY = "SELECT number FROM tracker_recordversion WHERE id = 1 FOR UPDATE"
BUMP_QUERY = (
    "UPDATE tracker_recordversion SET number = number + 1, changed_at = %s, published_actions = %s, "
    "reference_number = reference_number + %s WHERE id = 1 "
    "RETURNING number, changed_at, published_actions, reference_number"
)
# The record's reference data: a change to one of these rows, or to the links one of them makes (a
# recommendation's comments, a classification's terms, a round's scope), raises the reference number.
# Nothing here changes with an action or an assessment: a closed round's snapshot (`RoundStatus`) is
# written once, as the round closes.
REFERENCE_MODELS = {
    "forum.forum",
    "forum.recommendation",
    "forum.commentsection",
    "forum.comment",
    "tracker.actor",
    "tracker.theme",
    "tracker.populationgroup",
    "tracker.sdgtarget",
    "tracker.measuretype",
    "tracker.recommendationclassification",
    "tracker.reportinground",
    "tracker.roundstatus",
}


def _backend():
    """The cache backend itself (the tests may put one in `cache`'s place)."""
    return caches[DEFAULT_CACHE_ALIAS] if isinstance(cache, ConnectionProxy) else cache


def _shared_cache():
    """The cache backend when every process sees the same one (Redis), else None (per-process or none)."""
    backend = _backend()
    return None if isinstance(backend, LocMemCache) else backend


def _as_version(number, changed_at, published_actions=None, reference_number=None):
    # SQLite hands back text where PostgreSQL hands back a datetime.
    if isinstance(changed_at, str):
        changed_at = datetime.datetime.fromisoformat(changed_at)
    if changed_at is not None and timezone.is_naive(changed_at):
        changed_at = timezone.make_aware(changed_at, datetime.UTC)
    return number, changed_at, published_actions, reference_number


def _read_version():
    with connection.cursor() as cursor:
        cursor.execute(VERSION_QUERY)
        row = cursor.fetchone()
    return _as_version(*row) if row else (0, None, None, None)


# The row a view's request was answered under (`public_page` reads it first): the view's own reads of
# it (the count of published actions) then cost nothing more.
_request_row = threading.local()


def _version_row():
    """(number, changed_at, published actions, reference number): from the shared cache, or from the row."""
    shared = _shared_cache()
    if shared is None:
        return _read_version()
    version = shared.get(VERSION_KEY)
    if version is None:
        version = _read_version()
        # `add`, never `set`: a writer's newer number, put there meanwhile, must win.
        shared.add(VERSION_KEY, version, VERSION_TIMEOUT)
    return version


def record_version() -> tuple[int, datetime.datetime | None]:
    """The record's version and when it was raised: from the shared cache, or from its row."""
    return _version_row()[:2]


def data_version() -> int:
    return record_version()[0]


def published_action_count() -> int | None:
    """How many actions are published, as counted at the record's last raise (None before the first):
    what an unfiltered list of actions shows, without counting them again."""
    row = getattr(_request_row, "row", None)
    return (row if row is not None else _version_row())[2]


def answered_reference():
    """The record's reference data as this request sees it: (reference number, day, ten-minute span)
    while a public page is drawn for a visitor outside a transaction, else None. Inside a transaction
    (a test's), the request may see writes not yet committed, which have not raised the number. The
    span bounds, as PAGE_TIMEOUT bounds a kept page, how long a change made behind the site's back
    (SQL by hand) goes unseen."""
    row = getattr(_request_row, "row", None)
    if row is None or row[3] is None or connection.in_atomic_block:
        return None
    return row[3], timezone.localdate(), int(time.time() // PAGE_TIMEOUT)


def _bump():
    now = timezone.now()
    # Whether a change this raise stands for changed the reference data (`bump_data_version`).
    reference = 1 if getattr(connection, "reference_changed", False) else 0
    connection.reference_changed = False
    with transaction.atomic(), connection.cursor() as cursor:
        # The count is taken once this raise holds the row: a raise that waited for another counts
        # after that one committed, so the last raise leaves the latest count.
        if connection.features.has_select_for_update:
            cursor.execute(LOCK_QUERY)
        published = Action.objects.published().count()
        cursor.execute(BUMP_QUERY, [now, published, reference])
        row = cursor.fetchone()
        if row is None:
            # A random start: two databases (a rebuilt one, a restored copy of another) never count
            # alike, so an ETag never stands for two different pages, nor a reference number for two
            # different sets of reference data.
            record, _created = RecordVersion.objects.get_or_create(
                pk=1,
                defaults={
                    "number": secrets.randbits(52) + 1,
                    "changed_at": now,
                    "published_actions": published,
                    "reference_number": secrets.randbits(52) + 1,
                },
            )
            row = (record.number, record.changed_at, record.published_actions, record.reference_number)
    shared = _shared_cache()
    if shared is not None:
        shared.set(VERSION_KEY, _as_version(*row), VERSION_TIMEOUT)


def bump_data_version(*, reference=True) -> None:
    # Raised once the change is committed, in a transaction of its own: a writer never holds the
    # version row while it waits for another row, so two writers cannot deadlock on it. A page
    # rendered between the commit and the raise is stored under the old number, which nobody asks
    # for again; the writer's response is sent only after the raise. One raise per transaction: an
    # import of 500 rows raises it once, not 500 times (a raise waiting in a savepoint that is rolled
    # back is dropped with it, and the next change asks for another). With `reference`, the raise
    # also raises the reference number; the flag stays on the connection until a raise takes it (one
    # that was rolled back leaves it for the next raise: a number raised for nothing costs one read).
    connection = transaction.get_connection()
    if reference:
        connection.reference_changed = True
    if connection.in_atomic_block and any(func is _bump for _sids, func, _robust in connection.run_on_commit):
        return
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


def is_reference_change(sender, instance) -> bool:
    """Whether saving or linking `instance` (of `sender`, a model or a many-to-many table) changes the
    record's reference data: a row of REFERENCE_MODELS, or a link one of them makes (a link is sent
    with the instance whose links changed, from either side)."""
    return sender._meta.label_lower in REFERENCE_MODELS or type(instance)._meta.label_lower in REFERENCE_MODELS


def _on_change(sender, instance=None, **kwargs):
    if is_public_change(sender, instance):
        bump_data_version(reference=is_reference_change(sender, instance))


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


def _last_modified(changed_at, now):
    """When the page last changed: the record's last change, or midnight if that is later (a round
    opens, or a report falls overdue, when the day changes). `now` is the local time."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(changed_at, midnight) if changed_at else midnight


def _not_modified(request, etag, last_modified):
    # Read from META: `request.headers` builds a mapping of every header on first use.
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        # When both are sent, If-None-Match decides (RFC 9110, 13.2.2).
        return if_none_match.strip() == "*" or etag in if_none_match
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and int(last_modified.timestamp()) <= since


VARY = ["Accept-Language", "Cookie"]


class RecentPages:
    """The pages this process served last, kept in its memory up to `budget` bytes, before the shared
    cache: a page is stored under the record's version, so a kept copy is never stale, and a hit costs
    neither a round trip to Redis nor unpickling a copy (at 100,000 actions a dashboard hit cost 1.6×
    /healthz with Redis alone)."""

    def __init__(self, budget: int):
        self.budget, self.size, self.pages, self.lock = budget, 0, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key, page):
        content, _headers = page
        with self.lock:
            if key in self.pages or len(content) > self.budget:
                return
            self.pages[key] = page
            self.size += len(content)
            while self.size > self.budget:
                _key, (dropped, _headers) = self.pages.popitem(last=False)
                self.size -= len(dropped)

    def clear(self):
        with self.lock:
            self.pages.clear()
            self.size = 0


recent_pages = RecentPages(budget=32 * 1024 * 1024)


def _keeps_pages():
    # With no cache (`dummycache://`, the tests), every page is rendered afresh, as that setting says.
    return not isinstance(_backend(), DummyCache)


# Smaller pages are not worth compressing (GZipMiddleware's own threshold).
SMALLEST_COMPRESSED = 200


def _from_cache(request, key, cached, keeps):
    """A kept page, compressed once and kept so when the client accepts gzip: compressing a 150 kB
    dashboard costs more than serving it from the cache."""
    content, headers = cached
    wants_gzip = ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    if not wants_gzip or len(content) < SMALLEST_COMPRESSED or not compressible(headers.get("Content-Type", "")):
        return HttpResponse(content, headers={**headers, "Content-Length": str(len(content))})
    key = f"{key}:gzip"
    packed = (recent_pages.get(key) if keeps else None) or cache.get(key)
    if packed is None:
        packed = (compress_string(content), headers)
        cache.set(key, packed, PAGE_TIMEOUT)
    if keeps:
        recent_pages.put(key, packed)
    response = HttpResponse(packed[0], headers={**headers, "Content-Length": str(len(packed[0]))})
    response["Content-Encoding"] = "gzip"
    return response


def _page_lookup(request):
    """(version row, fingerprint, last modified) of a plain visitor's request: the page is kept under
    the fingerprint, which is also its ETag."""
    row = _version_row()
    version, changed_at = row[:2]
    language = translation.get_language() or ""
    now = timezone.localtime()
    # The day is part of the key: a round becomes open, or a report overdue, at midnight.
    key = f"{version}|{now.date().isoformat()}|{language}|{request.get_full_path()}"
    return row, hashlib.sha256(key.encode()).hexdigest()[:32], _last_modified(changed_at, now)


# Where pages are kept: by EarlyPages, with the headers the rest of the middleware gave them, or by
# `public_page` itself, without them (they are added again on the way out). Apart, so that neither
# answers a page the other kept.
EARLY, LATE = "kept", "page"


def _kept_answer(request, fingerprint, modified, where):
    """The answer from what is kept, with no query: 304 when the client's copy is current, else the
    kept page; None when the page is not kept."""
    if _not_modified(request, f'"{fingerprint}"', modified):
        return HttpResponseNotModified()
    key = f"{where}:{fingerprint}"
    keeps = _keeps_pages()
    cached = recent_pages.get(key) if keeps else None
    if cached is None:
        cached = cache.get(key)
        if cached is not None and keeps:
            recent_pages.put(key, cached)
    return None if cached is None else _from_cache(request, key, cached, keeps)


def _keep(where, fingerprint, kept):
    key = f"{where}:{fingerprint}"
    cache.set(key, kept, PAGE_TIMEOUT)
    if _keeps_pages():
        recent_pages.put(key, kept)


def _validated(response, fingerprint, modified):
    """`response` with its validators and the caching headers every public answer carries."""
    if response.status_code in (200, 304):
        # A compressed body is another representation: its validator is weak, as GZipMiddleware's.
        weak = "W/" if response.get("Content-Encoding") == "gzip" else ""
        response["ETag"] = f'{weak}"{fingerprint}"'
        response["Last-Modified"] = http_date(modified.timestamp())
    patch_cache_control(response, no_cache=True)
    # In the order a page compressed on its way out names them (GZipMiddleware adds its own last).
    patch_vary_headers(response, [*VARY, "Accept-Encoding"] if response.get("Content-Encoding") == "gzip" else VARY)
    return response


# The views whose pages `EarlyPages` may answer: `public_page` wrappers that are a URL's view itself.
_early_views = set()


def public_page(view):
    """Serve anonymous GETs from the cache, with an ETag and a Last-Modified that change with the record.

    Streaming answers (the downloads) are not stored, but carry the same validators and answer 304.
    Put outermost, as a URL's view itself, its kept pages are answered by `EarlyPages`, before most of
    the site's middleware; under another decorator (a throttle), by the view, after all of it."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _is_plain_visitor(request):
            response = view(request, *args, **kwargs)
            patch_vary_headers(response, VARY)
            return response
        early = getattr(request, "early_page", None)
        if early is not None:
            # Looked up by EarlyPages already, and not kept: drawn here, kept by it on the way out.
            row, fingerprint, modified = early
            response = None
        else:
            row, fingerprint, modified = _page_lookup(request)
            response = _kept_answer(request, fingerprint, modified, LATE)
        if response is None:
            _request_row.row = row
            try:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
            finally:
                _request_row.row = None
            if _keepable(response):
                if early is not None:
                    response.keep_early = fingerprint
                else:
                    _keep(LATE, fingerprint, (response.content, _headers(response, KEPT_HEADERS)))
        return _validated(response, fingerprint, modified)

    _early_views.add(wrapper)
    return wrapper


def _keepable(response):
    """Whether an answer can be kept for everyone: a whole page, not too large, that sets no cookie
    (a page that did would be one visitor's: a CSRF token drawn in it, say)."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and len(response.content) <= MAX_KEPT_BYTES
    )


def _headers(response, names):
    return {name: response[name] for name in names if name in response}


# What the middleware after `EarlyPages` adds to a page, kept with it so that a page it answers
# carries them too: the framing rule and the content security policy.
EARLY_HEADERS = (*KEPT_HEADERS, "X-Frame-Options", "Content-Security-Policy", "Content-Security-Policy-Report-Only")


def _answers_early(path_info: str) -> bool:
    """Whether the view of `path_info` is a `public_page` wrapper itself (no throttle above it): known
    by heart for the site's own addresses, which are short; a longer one is looked up each time, so
    that visitors' made-up addresses cannot fill the memory."""
    return _early_address(path_info) if len(path_info) <= SHORT_ADDRESS else _is_early(path_info)


SHORT_ADDRESS = 120


def _is_early(path_info):
    try:
        return resolve(path_info).func in _early_views
    except Resolver404:
        return False


_early_address = lru_cache(maxsize=2048)(_is_early)


@receiver(setting_changed)
def _forget_addresses(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _early_address.cache_clear()


class EarlyPages:
    """Answer a plain visitor's GET of a kept public page, or its conditional GET, right after the
    language is chosen: the rest of the middleware (sessions, CSRF, sign-in, messages, the policy
    headers, history, lockouts) and the view's own decorators have nothing to do for such a visitor,
    and together they cost more than the answer. A crowd on one page is then served at about the rate
    of /healthz.

    A page is kept here, on its way out, with the headers the rest of the middleware gave it
    (`EARLY_HEADERS`), so the answer is the same whichever of the two answers it. The host is checked
    as CommonMiddleware checks it (400 for one not allowed); CommonMiddleware's redirects concern
    addresses that never answer 200, and only 200 answers are kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (_is_plain_visitor(request) and _answers_early(request.path_info)):
            return self.get_response(request)
        request.get_host()
        looked_up = _page_lookup(request)
        _row, fingerprint, modified = looked_up
        response = _kept_answer(request, fingerprint, modified, EARLY)
        if response is not None:
            return _validated(response, fingerprint, modified)
        request.early_page = looked_up
        response = self.get_response(request)
        if getattr(response, "keep_early", None) == fingerprint and _keepable(response):
            _keep(EARLY, fingerprint, (response.content, _headers(response, EARLY_HEADERS)))
        return response
