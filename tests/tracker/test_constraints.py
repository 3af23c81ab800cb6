"""The database itself protects the record: uniqueness, valid values, no deletion of follow-up."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from tests.factories import ActionFactory, ActorFactory, EvidenceFactory, RecommendationFactory, ResponsibilityFactory
from tracker.models import Action, Evidence, Responsibility, StatusChange


def test_one_responsibility_per_recommendation_and_actor(db):
    responsibility = ResponsibilityFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Responsibility.objects.create(recommendation=responsibility.recommendation, actor=responsibility.actor)


@pytest.mark.parametrize(
    "model_factory, field, value",
    [
        (ResponsibilityFactory, "status", "pending-ish"),
        (ResponsibilityFactory, "role", "boss"),
        (ActorFactory, "kind", "planet"),
        (ActionFactory, "state", "secret"),
    ],
)
def test_values_off_the_scale_are_refused_by_the_database(db, model_factory, field, value):
    row = model_factory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(**{field: value})


def test_a_withdrawn_action_must_say_why(db):
    action = ActionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(state=Action.State.WITHDRAWN, withdrawal_reason="")


def test_evidence_needs_a_link_or_a_document(db):
    evidence = EvidenceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.filter(pk=evidence.pk).update(url="", document="")


def test_a_status_change_needs_a_reason(db, staff):
    responsibility = ResponsibilityFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusChange.objects.create(
            recommendation=responsibility.recommendation,
            responsibility=responsibility,
            actor=responsibility.actor,
            from_status="not_assessed",
            to_status="full",
            assessed_on="2024-01-01",
            reason="",
        )


@pytest.mark.parametrize("target", ["actor", "recommendation"])
def test_followed_up_rows_cannot_be_deleted(db, target):
    responsibility = ResponsibilityFactory()
    ActionFactory(actor=responsibility.actor, recommendations=[responsibility.recommendation])
    with pytest.raises(ProtectedError):
        getattr(responsibility, target).delete()


def test_a_recommendation_number_is_unique_within_its_forum(db):
    recommendation = RecommendationFactory(number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        RecommendationFactory(number=1, forum=recommendation.forum)
