"""`__any_of`: membership in a list, as one array parameter on PostgreSQL."""

import pytest

from tests.factories import ActorFactory
from tracker.lookups import Ids
from tracker.models import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors():
    return [ActorFactory(code=code) for code in ("MEX", "BRA", "CAN")]


def _codes(queryset):
    return sorted(queryset.values_list("code", flat=True))


def test_ids_lists_and_tuples_find_the_same_rows(actors):
    mexico, brazil, _canada = actors
    for ids in ([mexico.pk, brazil.pk], (mexico.pk, brazil.pk), Ids([mexico.pk, brazil.pk, mexico.pk])):
        assert _codes(Actor.objects.filter(pk__any_of=ids)) == ["BRA", "MEX"]


def test_none_and_texts(actors):
    assert _codes(Actor.objects.filter(pk__any_of=Ids([]))) == []
    assert _codes(Actor.objects.filter(pk__any_of=[])) == []
    assert _codes(Actor.objects.filter(code__any_of=["CAN", "XXX"])) == ["CAN"]
    # Ids is one value to the query builder, not a list it looks into.
    assert len(Ids([1, 2])) == 2 and list(Ids((3,))) == [3]
