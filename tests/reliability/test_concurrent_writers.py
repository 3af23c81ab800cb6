"""Concurrent writers lose nothing: every status change and every history row is kept, in order.

Eight threads, each with its own database connection, record 200 assessments each through
`responsibility_set_status` on the same few responsibilities, so that they queue on the same row locks
all the time. Afterwards the record must hold exactly 1,600 changes and 1,600 more history rows, each
responsibility's version must count its changes, and each responsibility's chain of changes must be
continuous (each change starts from the status the previous one set): a lost update would break it.
"""

import random
import threading
import time
from collections import defaultdict

import pytest
from django.db import connection

from tests.factories import ActorFactory, RecommendationFactory, ResponsibilityFactory, UserFactory
from tracker import services
from tracker.models import Responsibility, Status, StatusChange

WRITERS = 8
CHANGES_EACH = 200
RESPONSIBILITIES = 6

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_eight_concurrent_writers_lose_no_change_and_no_history_row(postgresql):
    staff = UserFactory(username="concurrent-staff", is_staff=True)
    recommendations = [RecommendationFactory(number=n) for n in (1, 2)]
    responsibilities = [
        ResponsibilityFactory(recommendation=recommendations[n % 2], actor=ActorFactory(code=f"C{n:02d}"))
        for n in range(RESPONSIBILITIES)
    ]
    ids = [r.pk for r in responsibilities]
    history_before = Responsibility.history.count()
    statuses = [s for s in Status.values if s != Status.NOT_ASSESSED]
    start = threading.Barrier(WRITERS)
    errors = []

    def writer(number):
        rng = random.Random(number)  # noqa: S311 - a reproducible schedule, not a secret
        try:
            start.wait()
            for n in range(CHANGES_EACH):
                # A stale in-memory copy on purpose: the service must read the locked row, not trust it.
                target = Responsibility(pk=rng.choice(ids))
                services.responsibility_set_status(
                    responsibility=target,
                    status=rng.choice(statuses),
                    by=staff,
                    reason=f"writer {number}, change {n}",
                )
        except Exception as error:  # reported by the main thread
            errors.append((number, repr(error)))
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.monotonic() - started
    assert not any(thread.is_alive() for thread in threads), "a writer is stuck (deadlock?)"
    assert errors == []

    total = WRITERS * CHANGES_EACH
    assert StatusChange.objects.filter(responsibility_id__in=ids).count() == total
    assert Responsibility.history.count() - history_before == total
    # Each writer's every change is there, exactly once.
    reasons = list(StatusChange.objects.filter(responsibility_id__in=ids).values_list("reason", flat=True))
    assert len(set(reasons)) == total

    chains = defaultdict(list)
    for change in StatusChange.objects.filter(responsibility_id__in=ids).order_by("id"):
        chains[change.responsibility_id].append(change)
    for responsibility in Responsibility.objects.filter(pk__in=ids):
        changes = chains[responsibility.pk]
        assert responsibility.version == 1 + len(changes)
        previous = Status.NOT_ASSESSED
        for change in changes:
            assert change.from_status == previous, f"lost update on responsibility {responsibility.pk}"
            previous = change.to_status
        assert responsibility.status == previous
        assert responsibility.reasoning == changes[-1].reason
        # The history rows tell the same story: versions 2..n+1, each with the status of that change.
        history = list(responsibility.history.filter(history_type="~").order_by("version"))
        assert [h.version for h in history] == list(range(2, 2 + len(changes)))
        assert [h.status for h in history] == [c.to_status for c in changes]
    print(f"{total} concurrent status changes by {WRITERS} writers in {elapsed:.1f} s")
