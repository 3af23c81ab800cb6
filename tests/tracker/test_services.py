"""The status and action services: every write, its history row, and the refusal of bad input."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import ActionFactory, LiaisonFactory, RecommendationFactory, ResponsibilityFactory, UserFactory
from tracker import services
from tracker.models import Action, Evidence, OverallAssessment, Report, Responsibility, Status, StatusChange

TODAY = timezone.localdate


def test_set_status_records_who_when_from_to_and_why(db, staff):
    responsibility = ResponsibilityFactory()
    change = services.responsibility_set_status(
        responsibility=responsibility,
        status=Status.PARTIAL,
        by=staff,
        reason="A national plan covers half of it.",
        assessed_on=datetime.date(2024, 3, 1),
    )
    responsibility.refresh_from_db()
    assert responsibility.status == Status.PARTIAL
    assert responsibility.last_assessed == datetime.date(2024, 3, 1)
    assert responsibility.reasoning == "A national plan covers half of it."
    assert (change.from_status, change.to_status, change.changed_by) == (Status.NOT_ASSESSED, Status.PARTIAL, staff)
    assert change.recommendation == responsibility.recommendation
    assert change.actor == responsibility.actor
    assert change.changed_at is not None
    latest = responsibility.history.first()
    assert latest.history_user == staff and latest.status == Status.PARTIAL


def test_successive_changes_chain_in_the_history(db, staff):
    responsibility = ResponsibilityFactory()
    for status in [Status.PENDING, Status.PARTIAL, Status.FULL]:
        services.responsibility_set_status(responsibility=responsibility, status=status, by=staff, reason="Reviewed.")
    chain = list(responsibility.status_changes.order_by("id").values_list("from_status", "to_status"))
    assert chain == [
        (Status.NOT_ASSESSED, Status.PENDING),
        (Status.PENDING, Status.PARTIAL),
        (Status.PARTIAL, Status.FULL),
    ]
    responsibility.refresh_from_db()
    assert responsibility.version == 4


@pytest.mark.parametrize(
    "status, reason, assessed_on, field",
    [
        ("pending-ish", "Reviewed.", None, "status"),
        ("", "Reviewed.", None, "status"),
        (Status.FULL, "", None, "reason"),
        (Status.FULL, "   ", None, "reason"),
        (Status.FULL, "Reviewed.", "tomorrow", "assessed_on"),
    ],
)
def test_bad_assessments_are_refused_and_change_nothing(db, staff, status, reason, assessed_on, field):
    responsibility = ResponsibilityFactory()
    if assessed_on == "tomorrow":
        assessed_on = TODAY() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.responsibility_set_status(
            responsibility=responsibility, status=status, by=staff, reason=reason, assessed_on=assessed_on
        )
    assert field in error.value.message_dict
    responsibility.refresh_from_db()
    assert responsibility.status == Status.NOT_ASSESSED
    assert responsibility.version == 1
    assert not StatusChange.objects.exists()


def test_a_stale_version_is_refused_with_the_current_values(db, staff):
    responsibility = ResponsibilityFactory()
    services.responsibility_set_status(responsibility=responsibility, status=Status.PARTIAL, by=staff, reason="First.")
    with pytest.raises(services.StaleEdit, match="Partial compliance"):
        services.responsibility_set_status(
            responsibility=Responsibility.objects.get(pk=responsibility.pk),
            status=Status.FULL,
            by=staff,
            reason="Second, from an old form.",
            expected_version=1,
        )
    responsibility.refresh_from_db()
    assert responsibility.status == Status.PARTIAL
    assert StatusChange.objects.count() == 1


def test_bulk_set_status_writes_one_row_each_and_skips_those_already_there(db, staff):
    rows = ResponsibilityFactory.create_batch(3)
    services.responsibility_set_status(responsibility=rows[0], status=Status.PENDING, by=staff, reason="Earlier.")
    changed = services.responsibilities_set_status(
        responsibilities=Responsibility.objects.all(), status=Status.PENDING, by=staff, reason="Committee meeting."
    )
    assert changed == 2
    assert StatusChange.objects.filter(reason="Committee meeting.").count() == 2
    assert set(Responsibility.objects.values_list("status", flat=True)) == {Status.PENDING}


def test_bulk_set_status_without_a_reason_changes_nothing(db, staff):
    ResponsibilityFactory.create_batch(3)
    with pytest.raises(ValidationError):
        services.responsibilities_set_status(
            responsibilities=Responsibility.objects.all(), status=Status.FULL, by=staff, reason=""
        )
    assert set(Responsibility.objects.values_list("status", flat=True)) == {Status.NOT_ASSESSED}
    assert not StatusChange.objects.exists()


def test_overall_status_is_recorded_beside_the_responsibilities(db, staff):
    recommendation = RecommendationFactory()
    ResponsibilityFactory(recommendation=recommendation)
    change = services.recommendation_set_status(
        recommendation=recommendation, status=Status.SUBSTANTIAL, by=staff, reason="Most states reported."
    )
    assert change.is_overall and change.actor is None
    assert OverallAssessment.objects.get(recommendation=recommendation).status == Status.SUBSTANTIAL
    assert set(recommendation.responsibilities.values_list("status", flat=True)) == {Status.NOT_ASSESSED}


def test_publishing_an_action_stamps_it_once(db, staff):
    action = ActionFactory(state=Action.State.DRAFT)
    services.action_publish(action=action, by=staff)
    first = action.published_at
    assert first is not None
    action.title = "Corrected title"
    services.action_save(action=action, by=staff)
    action.refresh_from_db()
    assert action.published_at == first
    assert action.history.first().history_user == staff


def test_withdrawing_needs_a_reason_and_keeps_the_action(db, staff):
    action = ActionFactory()
    with pytest.raises(ValidationError):
        services.action_withdraw(action=action, by=staff, reason=" ")
    action.refresh_from_db()
    assert action.state == Action.State.PUBLISHED
    services.action_withdraw(action=action, by=staff, reason="Reported twice.")
    action.refresh_from_db()
    assert (action.state, action.withdrawal_reason) == (Action.State.WITHDRAWN, "Reported twice.")
    assert [h.state for h in action.history.order_by("history_date")][-1] == Action.State.WITHDRAWN


def test_an_action_taken_in_the_future_is_refused(db, staff):
    action = ActionFactory.build(actor=ActionFactory().actor, taken_on=TODAY() + datetime.timedelta(days=3))
    with pytest.raises(ValidationError) as error:
        services.action_save(action=action, by=staff, recommendations=[RecommendationFactory()])
    assert "taken_on" in error.value.message_dict
    assert Action.objects.count() == 1


def test_an_action_must_address_a_recommendation(db, staff):
    action = ActionFactory.build(actor=ActionFactory().actor)
    with pytest.raises(ValidationError, match="at least one recommendation"):
        services.action_save(action=action, by=staff, recommendations=[])


def test_action_save_records_who_entered_it(db, staff):
    action = ActionFactory.build(actor=ActionFactory().actor, state=Action.State.DRAFT)
    services.action_save(action=action, by=staff, recommendations=[RecommendationFactory()])
    assert action.entered_by == staff
    assert action.recommendations.count() == 1


@pytest.mark.parametrize(
    "link",
    [
        'https://ok.example/"><script>alert(1)</script>',
        "https://ok.example/<img src=x>",
        "https://ok.example/it's",
        "https://ok.example/a b",
        "https://ok.example/back\\slash",
        "javascript:alert(1)",
        "ftp://ok.example/file",
        "https://",
    ],
)
def test_links_are_refused_unless_strictly_well_formed(db, link):
    """A link is shown in an href and copied into spreadsheets: quotes and angle brackets never pass (finding 9)."""
    staff = UserFactory(username="linker", is_staff=True)
    action = ActionFactory()
    with pytest.raises(ValidationError):
        services.evidence_save(evidence=Evidence(action=action, title="Link", url=link), by=staff)
    actor = action.actor
    liaison = LiaisonFactory(actor=actor).user
    recommendation = ResponsibilityFactory(actor=actor).recommendation
    report = Report(actor=actor, author=liaison, taken_on="2024-05-02", title="Report", evidence_links=link)
    with pytest.raises(ValidationError, match="is not a link"):
        services.report_save(report=report, by=liaison, recommendations=[recommendation])
    assert not Evidence.objects.exists() and not Report.objects.exists()


def test_well_formed_links_pass(db):
    staff = UserFactory(username="linker", is_staff=True)
    for link in ("https://example.org/decree?id=5&lang=es#art-3", "http://gob.example/ley%2012.pdf"):
        services.evidence_save(evidence=Evidence(action=ActionFactory(), title="Link", url=link), by=staff)
    assert Evidence.objects.count() == 2
