import json

import pytest

from forum.models import Recommendation
from tests.factories import RecommendationFactory, ResponsibilityFactory
from tracker.api.serializers import RollUpSerializer, rollup_data
from tracker.models import Responsibility, Status
from tracker.rollup import RollUp, annotate_status_counts, rollup_of


def rollup():
    return RollUp.of(Responsibility.objects.values_list("status", flat=True))


def test_rollup_leaves_not_assessed_and_not_applicable_out_of_progress(db):
    recommendation = RecommendationFactory()
    for status in [Status.FULL, Status.PARTIAL, Status.NON_COMPLIANCE, Status.NOT_ASSESSED, Status.NOT_APPLICABLE]:
        ResponsibilityFactory(recommendation=recommendation, status=status)
    result = rollup()
    assert result.total == 5
    assert result.counted == 3
    assert result.not_assessed == 1
    assert result.progress == 50.0  # (100 + 50 + 0) / 3
    assert {s: n for s, n, _ in result.rows()}[Status.FULL] == 1


def test_rollup_with_nothing_assessed_has_no_progress(db):
    ResponsibilityFactory.create_batch(2)
    assert rollup().progress is None
    assert rollup().not_assessed == 2


@pytest.mark.parametrize("statuses, progress", [([Status.SUBSTANTIAL, Status.FULL], 87.5), ([Status.PENDING], 0.0)])
def test_rollup_per_recommendation_is_computed_in_sql(db, statuses, progress, django_assert_num_queries):
    recommendation = RecommendationFactory()
    for status in statuses:
        ResponsibilityFactory(recommendation=recommendation, status=status)
    RecommendationFactory()  # one with no responsibilities at all
    with django_assert_num_queries(1):
        rows = list(annotate_status_counts(Recommendation.objects.order_by("number")))
    assert rollup_of(rows[0]).progress == progress
    assert rollup_of(rows[1]).total == 0


@pytest.mark.parametrize(
    "statuses",
    [[], ["not_assessed"], ["full", "partial", "not_applicable"], ["pending", "substantial", "non_compliance", "full"]],
)
def test_the_apis_rollup_is_what_its_serializer_gives(statuses):
    rollup = RollUp.of(statuses)
    assert json.dumps(rollup_data(rollup)) == json.dumps(RollUpSerializer(rollup).data)
