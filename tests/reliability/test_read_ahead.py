"""A long download's rows read in a thread ahead of the rows written (tracker.readahead).

These tests commit for real: the thread's connection sees only what is committed.
"""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client

from tests.factories import ActionFactory, ActorFactory, EvidenceFactory, RecommendationFactory
from tracker import readahead
from tracker.models import Actor
from tracker.views import downloads

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _backend_alive(pid):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 1


def _gone(pid, seconds=5.0):
    """Whether the backend ends within `seconds` (it ends as soon as the server reads the client's goodbye)."""
    deadline = time.monotonic() + seconds
    while _backend_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_the_items_come_in_order_from_another_thread_and_connection(postgresql):
    here = _backend_pid()

    def produce():
        for number in range(10):
            yield number, threading.current_thread(), _backend_pid()

    items = list(readahead.read_ahead(produce, depth=2))
    assert [number for number, _thread, _pid in items] == list(range(10))
    threads, pids = {thread for _n, thread, _p in items}, {pid for _n, _t, pid in items}
    assert threads != {threading.current_thread()} and len(threads) == 1
    assert len(pids) == 1 and here not in pids
    assert _gone(pids.pop()), "the thread closes its connection when the reads end"


def test_inside_a_transaction_the_items_are_read_here(postgresql):
    """Another connection would not see the transaction's rows: the reads stay in this one."""
    with transaction.atomic():
        actor = ActorFactory(code="ZZZ")

        def produce():
            yield threading.current_thread(), _backend_pid(), Actor.objects.filter(pk=actor.pk).exists()

        [(thread, pid, seen)] = readahead.read_ahead(produce)
    assert thread is threading.current_thread() and pid == _backend_pid() and seen


def test_the_reads_are_one_snapshot(postgresql):
    """What is committed while the thread reads is not in what it reads: one moment for all the rows."""
    proceed = threading.Event()

    def produce():
        yield Actor.objects.count()
        proceed.wait(timeout=10)
        yield Actor.objects.count()
        yield list(Actor.objects.filter(code="ZZZ").values_list("code", flat=True))

    reads = readahead.read_ahead(produce, depth=1)
    before = next(reads)
    ActorFactory(code="ZZZ")  # committed: the test's connection is in autocommit
    proceed.set()
    assert list(reads) == [before, []]
    assert Actor.objects.count() == before + 1


def test_a_failure_in_the_thread_is_raised_here_and_its_connection_closed(postgresql):
    pids = []

    def produce():
        pids.append(_backend_pid())
        yield 1
        with connection.cursor() as cursor:
            cursor.execute("SELECT no_such_column FROM tracker_actor")
        yield 2

    reads = readahead.read_ahead(produce)
    assert next(reads) == 1
    with pytest.raises(Exception, match="no_such_column"):
        next(reads)
    assert _gone(pids[0])


def test_closing_early_stops_the_thread_and_closes_its_connection(postgresql):
    """A client that goes away mid-download: the reads stop, whatever is left to read."""
    pids, produced = [], []

    def produce():
        pids.append(_backend_pid())
        for number in range(1_000_000):
            produced.append(number)
            yield number

    reads = readahead.read_ahead(produce, depth=3)
    assert [next(reads) for _ in range(5)] == list(range(5))
    reads.close()
    assert not [thread for thread in threading.enumerate() if thread.name == "read-ahead"]
    assert len(produced) <= 5 + 3 + 1, "the thread reads at most `depth` items ahead, and one more it holds"
    assert _gone(pids[0])


def _actions_csv():
    response = Client().get("/export/actions.csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_the_actions_csv_read_ahead_is_the_csv_read_in_the_request(postgresql, monkeypatch):
    """Many chunks, with their recommendations and evidence: the same bytes either way."""
    monkeypatch.setattr(downloads, "CHUNK_SIZE", 3)
    recommendations = [RecommendationFactory(number=number) for number in (1, 2, 3)]
    for index in range(20):
        action = ActionFactory(recommendations=recommendations[: index % 3 + 1], title=f"Action {index:02}")
        for _ in range(index % 3):
            EvidenceFactory(action=action)
        if index % 5 == 0:
            EvidenceFactory(action=action, url="", document="evidence/plan.pdf")
    read_ahead = _actions_csv()
    monkeypatch.setattr(readahead, "can_read_ahead", lambda: False)
    assert read_ahead == _actions_csv()
    assert len(read_ahead.splitlines()) >= 21 and "Action 19" in read_ahead and "/documents/" in read_ahead


def test_the_actions_csv_does_not_take_in_what_is_committed_while_it_streams(postgresql, monkeypatch):
    """A download is of one moment: an action published, and evidence added to the last row, while
    the first rows are being written, are not in it."""
    monkeypatch.setattr(downloads, "CHUNK_SIZE", 2)
    monkeypatch.setattr("tracker.spreadsheets.CSV_PIECE", 1)
    first = ActionFactory(title="Action first", taken_on="2020-01-01")
    for index in range(30):
        ActionFactory(title=f"Action {index:02}", taken_on="2023-01-01")
    before = _actions_csv()

    response = Client().get("/export/actions.csv")
    pieces = iter(response.streaming_content)
    taken = [next(pieces), next(pieces)]  # the heading row, then the first action: the reads have begun
    ActionFactory(title="Action published meanwhile", taken_on="2024-01-01")
    EvidenceFactory(action=first, title="Added meanwhile")
    taken += list(pieces)
    assert b"".join(taken).decode("utf-8-sig") == before
    assert "Added meanwhile" in _actions_csv() and "Action published meanwhile" in _actions_csv()
