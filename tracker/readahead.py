"""Reading a long download's rows in a thread while the request writes the rows read before.

The full actions CSV at 100,000 actions spent about 1.5 s in Python and as long again waiting for
PostgreSQL, one after the other. `read_ahead` runs the reads (a generator of what the database
returned) in a thread with its own connection, at most `depth` items ahead, so PostgreSQL works
while Python writes. The thread's reads are one transaction, REPEATABLE READ and READ ONLY: the rows,
their links and their evidence are read as of one moment, however long the client takes to download
them. The transaction also lets the rows come from the cursor as they are asked for, instead of
PostgreSQL computing all of them before the first (a cursor kept after its transaction must be).

Only on PostgreSQL, and only outside a transaction: another connection cannot see what this one's
open transaction wrote, so inside one (a test's, or a write's) the reads run in the request as
before, in the same order, giving the same rows.
"""

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from django.db import connection, connections, transaction

Item = TypeVar("Item")

# How long the thread waits at a time for room in the queue before it looks whether it should stop.
POLL_SECONDS = 0.1
SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"


class _Done:
    """The thread's last word: the reads ended, or failed with `error`."""

    def __init__(self, error: BaseException | None = None):
        self.error = error


def can_read_ahead() -> bool:
    """Whether another connection sees what this one sees: PostgreSQL, and no transaction open."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def read_ahead(produce: Callable[[], Iterable[Item]], depth: int = 4) -> Iterator[Item]:
    """The items of `produce()`, read by a thread up to `depth` items ahead where `can_read_ahead()`,
    else read here. A failure in the thread is raised here, where the item would have come; closing
    this generator early stops the thread, which closes its connection before this returns."""
    if not can_read_ahead():
        yield from produce()
        return
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item) -> bool:
        """Put the item in the queue once there is room; False if the reader is told to stop first."""
        while not stop.is_set():
            try:
                items.put(item, timeout=POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def read():
        outcome = _Done()
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(SNAPSHOT)
                for item in produce():
                    if not offer(item):
                        break
        except BaseException as error:  # raised again in the request, with its traceback
            outcome = _Done(error)
        finally:
            try:
                connections.close_all()
            except Exception as error:
                outcome = outcome if outcome.error else _Done(error)
            offer(outcome)

    reader = threading.Thread(target=read, name="read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            item = items.get()
            if isinstance(item, _Done):
                if item.error is not None:
                    raise item.error
                return
            yield item
    finally:
        stop.set()
        reader.join()
