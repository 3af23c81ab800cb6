"""Page caching: served from the cache while nothing changes, never stale after a change."""

import datetime
import os
import socket
import time

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import ResponsibilityFactory
from tracker import services
from tracker.links import recommendation_url
from tracker.models import Action, Evidence, Report, ReportingRound, RoundReport, Status


def _redis_available():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


# Each test process has a Redis database of its own, as it has its own PostgreSQL database: two
# processes sharing one would read each other's record version (and clear each other's pages).
# Database 13 is the two-instance test's and the benchmark's, 1 the README's and 0 Redis's default.
REDIS_DATABASES = (15, 14, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2)
_worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
if _worker >= len(REDIS_DATABASES):
    raise RuntimeError(f"at most {len(REDIS_DATABASES)} test processes: `make test PYTEST_WORKERS=N`")
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DATABASES[_worker]}"

BACKENDS = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"},
    "redis": {"BACKEND": "config.redis_cache.RedisCache", "LOCATION": REDIS_URL},
}


# The record's version is raised when a write commits: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


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


# Reading the record's version: none from a shared cache (Redis), one row from a per-process one.
VERSION_QUERIES = {"redis": 0, "locmem": 1}


def test_an_unchanged_page_is_served_from_the_cache(cache_backend, django_assert_num_queries):
    responsibility = ResponsibilityFactory()
    client = Client()
    url = recommendation_url(responsibility.recommendation.number)
    # The factory's write put the record's version in Redis as it committed. Eight queries for the page,
    # the eighth for the recommendation's classification (its themes, population groups and SDG targets).
    with django_assert_num_queries(8 + VERSION_QUERIES[cache_backend]):
        first = client.get(url)
    # The page comes from the cache, and from Redis the record's version too: no query at all.
    with django_assert_num_queries(VERSION_QUERIES[cache_backend]):
        second = client.get(url)
    assert second.content == first.content
    with django_assert_num_queries(VERSION_QUERIES[cache_backend]):
        not_modified = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304 and not_modified.content == b""


def test_a_page_is_kept_in_the_process_too_and_never_served_after_a_change(cache_backend, staff):
    """A hit from this process's own copy asks Redis for the version only, and a change still shows."""
    from tracker.caching import recent_pages

    responsibility = ResponsibilityFactory()
    url = recommendation_url(responsibility.recommendation.number)
    first = Client().get(url)
    assert recent_pages.size > 0
    caches["default"].clear()  # the shared copy is gone (and the version with it): the process's serves
    assert Client().get(url).content == first.content
    services.responsibility_set_status(responsibility=responsibility, status=Status.FULL, by=staff, reason="Done.")
    assert "Full compliance" in Client().get(url).content.decode()


def test_a_kept_page_is_compressed_once_for_the_clients_that_accept_gzip(cache_backend):
    import gzip

    from tracker.caching import recent_pages

    ResponsibilityFactory()
    url = reverse("tracker:dashboard")
    plain = Client().get(url)
    size = recent_pages.size
    packed = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert packed["Content-Encoding"] == "gzip" and gzip.decompress(packed.content) == plain.content
    assert packed["ETag"] == f"W/{plain['ETag']}" and "Accept-Encoding" in packed["Vary"]
    # The compressed copy is kept beside the page: the next client gets it as it is.
    assert recent_pages.size == size + len(packed.content)
    assert Client().get(url, HTTP_ACCEPT_ENCODING="gzip").content == packed.content
    assert Client().get(url, HTTP_IF_NONE_MATCH=packed["ETag"], HTTP_ACCEPT_ENCODING="gzip").status_code == 304


def test_with_no_cache_nothing_is_kept_in_the_process(settings):
    from tracker.caching import recent_pages

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    ResponsibilityFactory()
    Client().get(reverse("tracker:dashboard"))
    assert recent_pages.size == 0


def test_a_write_puts_the_new_version_in_the_shared_cache(staff, django_assert_num_queries):
    """What lets another machine see a change at once without asking the database: the writer puts the
    record's new version in Redis when its change commits."""
    if not _redis_available():
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    from django.test import override_settings

    from tracker.caching import VERSION_KEY

    with override_settings(CACHES={"default": BACKENDS["redis"]}):
        caches["default"].clear()
        responsibility = ResponsibilityFactory()
        url = recommendation_url(responsibility.recommendation.number)
        etag = Client().get(url)["ETag"]
        before = caches["default"].get(VERSION_KEY)
        services.responsibility_set_status(responsibility=responsibility, status=Status.FULL, by=staff, reason="Done.")
        after = caches["default"].get(VERSION_KEY)
        assert after[0] != before[0] and after[1] >= before[1]
        # Rendered anew, the version itself coming from Redis: five queries, since an assessment leaves
        # the reference data as it was (the comments, the classification and the closed rounds read by
        # the first drawing are kept under the reference number).
        with django_assert_num_queries(5):
            response = Client().get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200 and response["ETag"] != etag
        with django_assert_num_queries(0):
            assert Client().get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
        # A flushed Redis loses nothing: the version is read from its row again.
        caches["default"].clear()
        assert Client().get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
        caches["default"].clear()


def test_if_modified_since_answers_304_until_something_changes(cache_backend, staff):
    responsibility = ResponsibilityFactory()
    client = Client()
    url = reverse("tracker:dashboard")
    last_modified = client.get(url)["Last-Modified"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    # A date before the last change gets the page.
    assert client.get(url, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2024 00:00:00 GMT").status_code == 200
    time.sleep(1.1)  # Last-Modified counts whole seconds.
    services.responsibility_set_status(responsibility=responsibility, status=Status.FULL, by=staff, reason="Done.")
    response = client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert response.status_code == 200 and response["Last-Modified"] != last_modified


@pytest.mark.parametrize(
    "url",
    [
        "/feed/",
        "/api/actions/",
        "/api/recommendations/{number}/",
        "/export/actions.csv",
        "/export/matrix.xlsx",
        "/export/all.zip",
        "/report/",
    ],
)
def test_feeds_api_downloads_and_the_report_answer_conditional_gets(url, staff):
    """Everything a client polls carries validators, answers 304 while nothing changed, and says what
    its answer varies with (the language, chosen by cookie or header)."""
    responsibility = ResponsibilityFactory()
    url = url.format(number=responsibility.recommendation.number)
    client = Client()
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["ETag"] and response["Last-Modified"]
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    services.responsibility_set_status(responsibility=responsibility, status=Status.FULL, by=staff, reason="Done.")
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 200


def test_a_saved_change_shows_at_once(cache_backend, staff):
    responsibility = ResponsibilityFactory()
    client = Client()
    url = recommendation_url(responsibility.recommendation.number)
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
    url = recommendation_url(responsibility.recommendation.number)
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


def test_unpublished_changes_leave_the_public_pages_and_their_etags_alone(staff, liaison_mexico, mexico):
    """Nobody can tell from outside when a draft or a liaison's report is written (finding 5); the
    moment something becomes public, or stops being public, the pages change."""
    recommendation = ResponsibilityFactory(actor=mexico).recommendation
    client = Client()
    urls = [reverse("tracker:dashboard"), recommendation_url(recommendation.number), reverse("tracker:action_list")]

    def etags():
        return [client.get(url)["ETag"] for url in urls]

    before = etags()
    report = Report(actor=mexico, author=liaison_mexico, taken_on="2024-05-02", title="Private draft")
    report = services.report_save(report=report, by=liaison_mexico, recommendations=[recommendation])
    report.title = "Private draft, edited"
    services.report_save(
        report=report, by=liaison_mexico, recommendations=[recommendation], expected_version=report.version
    )
    draft = services.action_save(
        action=Action(actor=mexico, taken_on="2024-01-01", title="Draft plan"),
        by=staff,
        recommendations=[recommendation],
    )
    services.evidence_save(evidence=Evidence(action=draft, title="Link", url="https://example.org/a"), by=staff)
    assert etags() == before

    services.action_publish(action=draft, by=staff)
    published = etags()
    assert all(new != old for new, old in zip(published, before, strict=True))
    services.action_withdraw(action=draft, by=staff, reason="Entered twice.")
    assert all(new != old for new, old in zip(etags(), published, strict=True))


def test_a_round_reports_draft_leaves_the_round_page_alone_and_its_submission_changes_it(staff, liaison_mexico, mexico):
    ResponsibilityFactory(actor=mexico)
    today = timezone.localdate()
    round_ = services.round_save(
        round_=ReportingRound(name="Round", opens_on=today - datetime.timedelta(days=1), due_on=today), by=staff
    )
    client = Client()
    url = reverse("tracker:round_detail", args=[round_.pk])
    before = client.get(url)["ETag"]
    report = services.round_report_start(round_=round_, actor=mexico, by=liaison_mexico)
    entries = {e.pk: {"proposed_status": "partial", "progress": "Draft."} for e in report.entries.all()}
    report = services.round_report_save(
        report=report, by=liaison_mexico, entries=entries, expected_version=report.version
    )
    assert client.get(url)["ETag"] == before
    services.round_report_submit(report=report, by=liaison_mexico, expected_version=report.version)
    assert client.get(url)["ETag"] != before
    assert RoundReport.objects.get().first_submitted_at is not None


def test_one_transaction_raises_the_version_once_and_a_rolled_back_savepoint_loses_nothing():
    from django.db import transaction

    from tracker.caching import data_version

    before = data_version()
    with transaction.atomic():
        for _ in range(3):
            ResponsibilityFactory()
    assert data_version() == before + 1
    # The raise asked for inside a savepoint goes with it; the change made after asks again.
    with transaction.atomic():
        try:
            with transaction.atomic():
                ResponsibilityFactory()
                raise RuntimeError("undone")
        except RuntimeError:
            pass
        ResponsibilityFactory()
    assert data_version() == before + 2
    # Nothing public written: no raise at all.
    with transaction.atomic():
        pass
    assert data_version() == before + 2


def _counts_actions(queries):
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(") and '"tracker_action"' in q["sql"]]


def test_the_unfiltered_lists_of_actions_take_the_count_kept_with_the_version(staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ActionFactory
    from tracker.models import RecordVersion

    published = [ActionFactory(), ActionFactory(), ActionFactory()]
    ActionFactory(state=Action.State.DRAFT)
    # Each write raised the version as it committed, and counted the published actions then.
    assert RecordVersion.objects.get().published_actions == 3
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/actions/").content.decode()
        listed = client.get("/api/actions/").json()
    assert "3 actions" in body and listed["count"] == 3 and len(listed["results"]) == 3
    assert _counts_actions(queries) == []

    services.action_withdraw(action=published[0], by=staff, reason="Reported twice.")
    assert RecordVersion.objects.get().published_actions == 2
    assert "2 actions" in client.get("/actions/").content.decode()
    assert client.get("/api/actions/").json()["count"] == 2

    # A filtered list is counted as asked.
    code = published[1].actor.code
    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"/actions/?actor={code}").content.decode()
        listed = client.get(f"/api/actions/?actor={code}").json()
    assert "1 action" in body and listed["count"] == 1
    assert len(_counts_actions(queries)) == 2


def test_before_any_raise_the_lists_count_their_actions():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ActionFactory
    from tracker.models import RecordVersion

    ActionFactory()
    # A database migrated before the count was kept: the row has none until the next change.
    RecordVersion.objects.update(published_actions=None)
    with CaptureQueriesContext(connection) as queries:
        body = Client().get("/actions/").content.decode()
    assert "1 action" in body and len(_counts_actions(queries)) == 1


def test_the_redis_cache_keeps_one_client_per_pool_and_works_as_djangos():
    from config.redis_cache import RedisCache

    backend = RedisCache(REDIS_URL, {})
    client = backend._cache.get_client(write=True)
    assert backend._cache.get_client(write=True) is client
    assert backend._cache.get_client(write=False) is backend._cache.get_client(write=False)
    backend.set("one-client", {"a": 1}, 30)
    assert backend.get("one-client") == {"a": 1}
    assert backend.delete("one-client") and backend.get("one-client") is None


DUMMY_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def _filter_choice_reads(queries):
    """The reads of what a list's filters offer: the states and bodies, the recommendations, the terms."""
    return [
        q["sql"]
        for q in queries
        if ('"name_pt"' in q["sql"] and 'FROM "tracker_actor"' in q["sql"])
        or ('"short_title_' in q["sql"] and "tracker_action" not in q["sql"])
        or 'AS "parameter"' in q["sql"]
    ]


def test_a_lists_filters_are_drawn_again_when_their_choices_change_not_with_every_action(settings, staff):
    """With no page cache, every page is drawn; its filters are kept under the reference number, which
    an action published does not raise, and a state added does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ActionFactory, ActorFactory

    settings.CACHES = DUMMY_CACHE
    action = ActionFactory(actor=ActorFactory(code="AAA", name="Atlantis"))
    client = Client()
    with CaptureQueriesContext(connection) as first:
        assert ">Atlantis</option>" in client.get("/actions/").content.decode()
    assert len(_filter_choice_reads(first)) == 3

    services.action_withdraw(action=action, by=staff, reason="Reported twice.")  # the version is raised
    ActionFactory(actor=action.actor, recommendations=list(action.recommendations.all()), title="Another action")
    with CaptureQueriesContext(connection) as after_actions:
        page = client.get("/actions/").content.decode()
    assert "Another action" in page and ">Atlantis</option>" in page and "Newland" not in page
    assert _filter_choice_reads(after_actions) == []
    assert len(after_actions) == len(first) - 3

    ActorFactory(code="NWL", name="Newland")
    with CaptureQueriesContext(connection) as after_actor:
        page = client.get("/actions/").content.decode()
    assert ">Newland</option>" in page and ">Atlantis</option>" in page
    assert len(_filter_choice_reads(after_actor)) == 3


def test_the_reference_number_is_raised_by_the_records_reference_data_only(staff):
    from forum.models import Recommendation
    from tests.factories import ActionFactory, ActorFactory, CommentFactory, ThemeFactory
    from tracker.models import RecordVersion

    def numbers():
        row = RecordVersion.objects.get()
        return row.number, row.reference_number

    def raises(write) -> bool:
        """Whether `write` raised the reference number (it always raises the version)."""
        number, reference = numbers()
        write()
        assert numbers()[0] > number
        return numbers()[1] > reference

    responsibility = ResponsibilityFactory()
    recommendation = responsibility.recommendation
    assert not raises(
        lambda: services.responsibility_set_status(
            responsibility=responsibility, status=Status.FULL, by=staff, reason="Done."
        )
    )
    assert not raises(lambda: ActionFactory(actor=responsibility.actor, recommendations=[recommendation]))
    assert raises(ActorFactory)
    theme = ThemeFactory()
    assert raises(lambda: Recommendation.objects.get(pk=recommendation.pk).save())
    reference = numbers()[1]
    Recommendation.objects.filter(pk=recommendation.pk).update(short_title_en="Changed")
    assert numbers()[1] == reference, "an update behind the models' back sends no signal"
    # Links, from either side: a recommendation's comments, a classification's terms, a round's scope.
    comment = CommentFactory(forum=recommendation.forum)
    assert raises(lambda: recommendation.related_comments.add(comment))
    assert raises(lambda: comment.recommendations.remove(recommendation))
    assert raises(lambda: services.recommendation_classify(recommendation=recommendation, by=staff, themes=[theme]))
    round_ = ReportingRound(name="First round", opens_on=datetime.date(2020, 1, 1), due_on=datetime.date(2020, 2, 1))
    assert raises(lambda: services.round_save(round_=round_, by=staff, recommendations=[recommendation]))
    assert raises(lambda: services.round_close(round_=round_, by=staff))


def test_inside_a_transaction_the_filters_are_keyed_by_their_choices(settings):
    """A request inside a transaction may see writes not yet committed, which have not raised the
    reference number: the filters are then keyed by the choices read, as for signed-in users."""
    from django.db import transaction

    from tracker import caching

    caching._request_row.row = (3, None, None, 7)
    try:
        assert caching.answered_reference()[0] == 7
        with transaction.atomic():
            assert caching.answered_reference() is None
    finally:
        caching._request_row.row = None
    assert caching.answered_reference() is None


def _reference_reads(queries):
    """The reads of a recommendation's page that only the record's reference data answers: its
    comments, its classification, the closed rounds and their snapshots."""
    return [
        q["sql"]
        for q in queries
        if 'FROM "forum_comment"' in q["sql"]
        or "'themes' AS" in q["sql"]
        or 'FROM "tracker_reportinground"' in q["sql"]
        or 'FROM "tracker_roundstatus"' in q["sql"]
    ]


def test_a_recommendations_page_reads_its_reference_data_again_only_when_it_changes(settings, staff):
    """With no page cache, the page is drawn at every request; its comments, its classification and
    the closed rounds are kept under the reference number, which an assessment or an action does not
    raise, and a comment linked, a theme given or a round closed does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ActionFactory, CommentFactory, ThemeFactory

    settings.CACHES = DUMMY_CACHE
    responsibility = ResponsibilityFactory()
    recommendation = responsibility.recommendation
    first_round = ReportingRound(
        name="Round of 2020", opens_on=datetime.date(2020, 1, 1), due_on=datetime.date(2020, 3, 1)
    )
    services.round_save(round_=first_round, by=staff, recommendations=[recommendation], actors=[responsibility.actor])
    services.round_close(round_=first_round, by=staff)
    url = recommendation_url(recommendation.number)
    client = Client()

    def draw():
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        return page, queries

    page, first = draw()
    assert "Round of 2020" in page
    assert len(_reference_reads(first)) == 4

    services.responsibility_set_status(responsibility=responsibility, status=Status.PARTIAL, by=staff, reason="Law.")
    ActionFactory(actor=responsibility.actor, recommendations=[recommendation], title="A new law on asylum")
    page, again = draw()
    assert "A new law on asylum" in page and "Partial compliance" in page and "Round of 2020" in page
    assert _reference_reads(again) == []
    assert len(again) == len(first) - 4

    recommendation.related_comments.add(CommentFactory(forum=recommendation.forum, text="A comment on asylum."))
    page, after_comment = draw()
    assert "A comment on asylum." in page
    assert len(_reference_reads(after_comment)) == 4

    services.recommendation_classify(recommendation=recommendation, by=staff, themes=[ThemeFactory(name="Asylum")])
    page, _queries = draw()
    assert ">Asylum</a>" in page

    second_round = ReportingRound(
        name="Round of 2021", opens_on=datetime.date(2021, 1, 1), due_on=datetime.date(2021, 3, 1)
    )
    services.round_save(round_=second_round, by=staff, recommendations=[recommendation], actors=[responsibility.actor])
    services.round_close(round_=second_round, by=staff)
    page, _queries = draw()
    assert "Round of 2020" in page and "Round of 2021" in page


# The headers every answer carries apart from its page: when it was sent, and the compressed body's
# length (its padding is random: Django pads compressed answers against BREACH).
PER_ANSWER = {"Date", "Content-Length"}


@pytest.mark.parametrize(
    "url",
    ["/", "/recommendations/", "/?lang=es", "/feed/", "/export/datapackage.json", "/actions/?page=1"],
)
@pytest.mark.parametrize("encoding", ["", "gzip"])
def test_a_kept_page_is_answered_before_the_rest_of_the_middleware_with_the_same_headers(
    cache_backend, url, encoding, django_assert_num_queries
):
    ResponsibilityFactory()
    client = Client(HTTP_ACCEPT_ENCODING=encoding)
    drawn = client.get(url)
    with django_assert_num_queries(VERSION_QUERIES[cache_backend]):
        kept = client.get(url)
    assert drawn.status_code == kept.status_code == 200
    # Answered before sign-in, sessions and the policies ran: the request never met them.
    assert hasattr(drawn.wsgi_request, "user") and not hasattr(kept.wsgi_request, "user")
    # The same answer: the page (compressed alike when asked), its framing rule and policy among its headers.
    assert {k: v for k, v in kept.items() if k not in PER_ANSWER} == {
        k: v for k, v in drawn.items() if k not in PER_ANSWER
    }
    assert kept["Content-Length"] == str(len(kept.content))
    if encoding:
        import gzip

        assert gzip.decompress(kept.content) == gzip.decompress(drawn.content)
    else:
        assert kept.content == drawn.content
    if url != "/export/datapackage.json":
        assert kept["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in kept["Content-Security-Policy"]
    not_modified = client.get(url, HTTP_IF_NONE_MATCH=kept["ETag"])
    assert not_modified.status_code == 304 and not hasattr(not_modified.wsgi_request, "user")


def test_what_must_meet_the_rest_of_the_middleware_is_never_answered_before_it(cache_backend, liaison_mexico):
    ResponsibilityFactory()
    # The API's lists are counted against the anonymous rate first: their throttle sits above the cache.
    api = Client()
    api.get("/api/actions/")
    assert hasattr(api.get("/api/actions/").wsgi_request, "user")
    # A signed-in visitor's page is their own.
    signed_in = Client()
    signed_in.force_login(liaison_mexico)
    signed_in.get("/")
    assert hasattr(signed_in.get("/").wsgi_request, "user")
    # A host the site does not serve is refused, kept page or not; a POST is not a reading.
    Client().get("/")
    assert Client().get("/", HTTP_HOST="elsewhere.example").status_code == 400
    assert Client().post("/").status_code == 405


def test_a_page_kept_after_all_the_middleware_is_never_answered_before_it(cache_backend, settings):
    """Kept by the view alone (here with EarlyPages switched off), a page lacks the headers the rest of
    the middleware adds on the way out: it is kept apart, and EarlyPages does not answer it."""
    ResponsibilityFactory()
    early = settings.MIDDLEWARE
    settings.MIDDLEWARE = [name for name in early if name != "tracker.caching.EarlyPages"]
    Client().get("/")
    settings.MIDDLEWARE = early
    again = Client().get("/")
    assert hasattr(again.wsgi_request, "user") and again["X-Frame-Options"] == "DENY"
    assert not hasattr(Client().get("/").wsgi_request, "user")  # kept by EarlyPages this time


def test_an_answer_that_sets_a_cookie_is_never_kept():
    from django.http import HttpResponse

    from tracker.caching import _keepable

    page = HttpResponse("<p>A page.</p>")
    assert _keepable(page)
    page.set_cookie("csrftoken", "drawn-in-the-page")
    assert not _keepable(page)
