"""A database restart costs only the requests made while it was down, and no worker restarts.

gunicorn (2 workers, persistent connections with health checks, as in production) serves the test
database while client threads keep requesting `/healthz` and `/`; PostgreSQL is restarted in the middle.
A second test stops the cluster and times `/healthz`, which must answer 503 quickly rather than hang.

These tests restart the machine's PostgreSQL, which every other client of it notices: the outage is
kept to the restart itself (a second or two), and the cluster is always started again.
"""

import threading
import time
from urllib.parse import quote

import pytest
from django.db import connection

from tests.factories import ActionFactory, ActorFactory, RecommendationFactory, ResponsibilityFactory
from tests.reliability.conftest import Gunicorn, http_get, pg_cluster, pg_ctl, skip_or_fail, wait_for_postgresql
from tracker.models import Status

# It stops the database server: no other test may run meanwhile (`make test` runs it apart).
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.serial]

CLIENTS = 4
PATHS = ["/healthz", "/"]


def _database_url():
    settings = connection.settings_dict
    credentials = quote(settings["USER"] or "postgres", safe="")
    if settings.get("PASSWORD"):
        credentials += ":" + quote(settings["PASSWORD"], safe="")
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.fixture
def cluster(postgresql):
    found = pg_cluster()
    if found is None:
        skip_or_fail("needs root and pg_ctlcluster (Debian's PostgreSQL) to restart the database")
    yield found
    # Whatever happened, leave PostgreSQL running, and drop this process's connection: the restart
    # killed it, and pytest-django needs a working one to clean the database after the test.
    if not wait_for_postgresql(timeout=2):
        pg_ctl("start", found)
        wait_for_postgresql()
    connection.close()


@pytest.fixture
def server(cluster):
    for number in (1, 2):
        recommendation = RecommendationFactory(number=number)
        for code in ("MEX", "CAN", "BRA"):
            ResponsibilityFactory(
                recommendation=recommendation, actor=ActorFactory(code=code, name=code), status=Status.PARTIAL
            )
    ActionFactory(actor=ActorFactory(code="MEX"), recommendations=[recommendation])
    with Gunicorn(database_url=_database_url()) as gunicorn:
        assert http_get(gunicorn.url + "/")[0] == 200
        yield gunicorn


class Load:
    """Client threads requesting the paths in turn, each request logged as (start, end, path, status)."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.log = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(CLIENTS)]

    def _run(self, number):
        n = number
        while not self.stop.is_set():
            path = PATHS[n % len(PATHS)]
            n += 1
            started = time.monotonic()
            status, _ = http_get(self.base_url + path, timeout=10)
            with self.lock:
                self.log.append((started, time.monotonic(), path, status))
            time.sleep(0.02)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def test_requests_fail_only_during_a_restart_and_recover_without_restarting_workers(server, cluster):
    workers = server.workers()
    assert len(workers) == 2
    with Load(server.url) as load:
        time.sleep(2)
        down = time.monotonic()
        try:
            pg_ctl("restart", cluster)
        finally:
            assert wait_for_postgresql(timeout=30), "PostgreSQL did not come back"
        back = time.monotonic()
        time.sleep(6)
    log = sorted(load.log)

    before = [entry for entry in log if entry[1] < down]
    assert len(before) > 10 and all(status == 200 for *_, status in before), "failures before the restart"
    failures = [entry for entry in log if entry[3] != 200]
    late = [(round(start - back, 2), path, status) for start, _, path, status in failures if start > back]
    assert late == [], f"requests made after the database was back failed (s after it, path, status): {late}"
    after = [entry for entry in log if entry[0] > back]
    assert after, "no request was made after the restart"
    first_success = min(end for start, end, _, status in after if status == 200)
    assert first_success - back <= 5.0, f"first success {first_success - back:.1f} s after the database was back"
    for path in PATHS:
        assert any(p == path and status == 200 for start, _, p, status in after), f"{path} did not recover"
    assert server.workers() == workers, "a worker was restarted"
    print(
        f"{len(log)} requests, {len(failures)} failed, all started during the {back - down:.1f} s outage; "
        f"first success {first_success - back:.2f} s after the database was back"
    )


def test_healthz_answers_503_within_2_seconds_while_the_database_is_down(server, cluster):
    workers = server.workers()
    assert http_get(server.url + "/healthz")[0] == 200
    try:
        pg_ctl("stop", cluster)
        started = time.monotonic()
        health, body = http_get(server.url + "/healthz", timeout=10)
        health_time = time.monotonic() - started
        started = time.monotonic()
        page, _ = http_get(server.url + "/", timeout=10)
        page_time = time.monotonic() - started
    finally:
        pg_ctl("start", cluster)
        assert wait_for_postgresql(timeout=30), "PostgreSQL did not come back"
    back = time.monotonic()
    assert health == 503 and b"database unavailable" in body
    assert health_time < 2.0, f"/healthz took {health_time:.2f} s to answer while the database was down"
    assert page is not None and page >= 500 and page_time < 5.0, (page, page_time)

    recovered = None
    while time.monotonic() - back < 5.0:
        if http_get(server.url + "/healthz", timeout=2)[0] == 200 and http_get(server.url + "/", timeout=2)[0] == 200:
            recovered = time.monotonic() - back
            break
        time.sleep(0.1)
    assert recovered is not None, "not answering 200 within 5 s after the database came back"
    assert server.workers() == workers, "a worker was restarted"
