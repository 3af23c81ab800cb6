"""Personas and shared fixtures: who uses the tracker, as tests see them."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from tests.factories import ActorFactory, LiaisonFactory, UserFactory
from tracker.services import STAFF_GROUP


@pytest.fixture(autouse=True)
def english_to_start():
    """A request in another language leaves it active in the thread; each test starts in English,
    as the fixtures and factories write the official English texts."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: no page rendered by another test is served."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(db):
    """A member of the committee's technical secretariat, working in the admin."""
    user = UserFactory(username="staff", is_staff=True)
    # The group comes from a data migration; a transactional test's flush has removed it, so a test
    # that needs its permissions runs in a transaction that is rolled back (the default).
    user.groups.add(Group.objects.get_or_create(name=STAFF_GROUP)[0])
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
