"""Personas and shared fixtures: who uses the tracker, as tests see them."""

import contextlib

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import translation

from tests.factories import ActorFactory, LiaisonFactory, UserFactory
from tracker import kept
from tracker.caching import recent_pages
from tracker.models import STAFF_GROUP
from tracker.templatetags import tracker_tags


def pytest_collection_modifyitems(config, items):
    """Only browser tests may take a browser fixture. A test whose argument happens to share a name with
    one of Playwright's fixtures (`page`, `context`, `browser`) is given Playwright's session-wide
    parameter, and pytest then runs it beside the browser tests, pulling those (which empty the
    database after them) ahead of the tests that need the migrated rows."""
    strays = [
        item.nodeid
        for item in items
        if "browser_name" in getattr(getattr(item, "callspec", None), "params", ())
        and not item.nodeid.startswith("tests/browser/")
    ]
    if strays:
        raise pytest.UsageError(
            "these tests take one of Playwright's fixtures but are not browser tests; rename the argument: "
            + ", ".join(strays)
        )


@pytest.fixture(autouse=True)
def english_to_start():
    """A request in another language leaves it active in the thread; each test starts in English,
    as the fixtures and factories write the official English texts."""
    translation.activate("en")
    yield
    translation.activate("en")


def _empty_caches():
    cache.clear()
    recent_pages.clear()
    # Kept by the reference number, which a transactional test's flush sets back: forgotten likewise.
    tracker_tags.filter_forms_kept.clear()
    tracker_tags.form_fields_kept.clear()
    kept.reference_rows_kept.clear()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: no page, nor a list's filters, drawn by another test is
    served."""
    _empty_caches()
    yield
    _empty_caches()


@pytest.fixture(autouse=True)
def _migrated_rows_survive(django_db_serialized_rollback):
    """Every test finds the rows the migrations made (content types, permissions, the staff group).

    A transactional test (the browser, caching and reliability tests) empties the database after it.
    With serialized rollback it does so without recreating the content types under new ids, and the
    next transactional test puts the migrated rows back as they were; pytest-django runs every other
    test before the transactional ones. So the tests pass in any order, as CI checks by shuffling them
    (pytest-randomly). For the other tests, which run in a transaction rolled back, it changes nothing.
    A test marked `django_db(transaction=True)` must say `serialized_rollback=True` in the mark too:
    pytest-django reads the mark, not this fixture, to know that the migrated rows must be kept.
    """


@pytest.fixture
def staff(db):
    """A member of the committee's technical secretariat, working in the admin."""
    user = UserFactory(username="staff", is_staff=True)
    user.groups.add(Group.objects.get(name=STAFF_GROUP))
    return user


@pytest.fixture
def admin_user(db):
    """An administrator: accounts and roles."""
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def mexico(db):
    return ActorFactory(code="MEX", name="Mexico")


@pytest.fixture
def canada(db):
    return ActorFactory(code="CAN", name="Canada")


@pytest.fixture
def liaison_mexico(mexico):
    return LiaisonFactory(user=UserFactory(username="liaison-mex"), actor=mexico).user


@pytest.fixture
def liaison_canada(canada):
    return LiaisonFactory(user=UserFactory(username="liaison-can"), actor=canada).user


@pytest.fixture
def anonymous():
    return Client()


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


@contextlib.contextmanager
def kept_for_module(django_db_blocker):
    """Rows written inside this block stay for the rest of a module's tests, then are rolled back.

    For data that costs more to build than the tests that read it (the fixtures' whole record, the
    bad-input battery's record): built once in an outer transaction, while each test runs in its own
    savepoint inside it (`pytestmark = pytest.mark.django_db`), so what one test writes is undone
    before the next. Use it from a module-scoped fixture that yields inside the block.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
