"""The reporting cycle: a liaison drafts and submits, staff ask for changes, approve or reject."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import ResponsibilityFactory
from tracker import services
from tracker.models import Action, Report, Status, StatusChange


@pytest.fixture
def responsibilities(mexico):
    return [ResponsibilityFactory(actor=mexico) for _ in range(2)]


def draft(liaison, responsibilities, **fields):
    values = {
        "taken_on": datetime.date(2024, 5, 2),
        "title": "Regularisation programme",
        "description": "A programme **for** 40,000 migrants.",
        "evidence_links": "https://example.org/decree\nhttps://example.org/figures",
        "proposed_status": Status.PARTIAL,
        "proposed_reasoning": "Half the measures are in place.",
        **fields,
    }
    report = Report(actor=liaison.liaison.actor, author=liaison, **values)
    return services.report_save(report=report, by=liaison, recommendations=[r.recommendation for r in responsibilities])


def test_the_whole_cycle_publishes_the_action_and_records_the_status(
    db, liaison_mexico, staff, responsibilities, django_capture_on_commit_callbacks
):
    staff.email = "staff@example.org"
    staff.save()
    liaison_mexico.email = "liaison@example.org"
    liaison_mexico.save()
    report = draft(liaison_mexico, responsibilities)
    assert report.state == Report.State.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(report=report, by=liaison_mexico)
    assert report.state == Report.State.SUBMITTED and report.submitted_at
    assert mail.outbox[-1].to == ["staff@example.org"]
    assert "Mexico" in mail.outbox[-1].subject

    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request_changes(report=report, by=staff, comment="Add the decree's number.")
    assert report.state == Report.State.CHANGES_REQUESTED
    assert mail.outbox[-1].to == ["liaison@example.org"]
    assert "Add the decree's number." in mail.outbox[-1].body

    report.title = "Regularisation programme (Decree 123)"
    report = services.report_save(
        report=report, by=liaison_mexico, recommendations=report.recommendations.all(), expected_version=report.version
    )
    report = services.report_submit(report=report, by=liaison_mexico)
    report = services.report_approve(report=report, by=staff, accept_status=True)

    assert report.state == Report.State.APPROVED
    action = report.action
    assert (action.state, action.title, action.entered_by) == (
        Action.State.PUBLISHED,
        "Regularisation programme (Decree 123)",
        liaison_mexico,
    )
    assert [e.url for e in action.evidence.all()] == ["https://example.org/decree", "https://example.org/figures"]
    assert set(action.recommendations.all()) == {r.recommendation for r in responsibilities}
    changes = StatusChange.objects.filter(actor=report.actor)
    assert changes.count() == 2
    assert {(c.to_status, c.changed_by, c.reason) for c in changes} == {
        (Status.PARTIAL, staff, "Half the measures are in place.")
    }
    versions = list(report.history.order_by("history_date", "history_id"))
    # Each save and each change of the recommendations is a version; the states pass in this order.
    states = [v.state for i, v in enumerate(versions) if i == 0 or v.state != versions[i - 1].state]
    assert states == ["draft", "submitted", "changes_requested", "submitted", "approved"]
    edit = next(v for v in versions if v.title == "Regularisation programme (Decree 123)")
    assert edit.history_user == liaison_mexico and edit.prev_record.title == "Regularisation programme"


def test_approving_without_accepting_the_status_leaves_statuses_alone(db, liaison_mexico, staff, responsibilities):
    report = services.report_submit(report=draft(liaison_mexico, responsibilities), by=liaison_mexico)
    services.report_approve(report=report, by=staff, accept_status=False)
    assert not StatusChange.objects.exists()
    assert Action.objects.published().count() == 1


def test_rejecting_needs_a_reason_and_publishes_nothing(db, liaison_mexico, staff, responsibilities):
    report = services.report_submit(report=draft(liaison_mexico, responsibilities), by=liaison_mexico)
    with pytest.raises(ValidationError):
        services.report_reject(report=report, by=staff, reason="  ")
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED
    services.report_reject(report=report, by=staff, reason="Not an action of the state.")
    report.refresh_from_db()
    assert (report.state, report.review_comment) == (Report.State.REJECTED, "Not an action of the state.")
    assert not Action.objects.exists()


def test_a_report_is_reviewed_once_even_by_two_reviewers(db, liaison_mexico, staff, admin_user, responsibilities):
    report = services.report_submit(report=draft(liaison_mexico, responsibilities), by=liaison_mexico)
    stale_copy = Report.objects.get(pk=report.pk)
    services.report_approve(report=report, by=staff, accept_status=False)
    with pytest.raises(ValidationError, match="Approved and published"):
        services.report_reject(report=stale_copy, by=admin_user, reason="Too late.")
    assert Action.objects.count() == 1


def test_a_submitted_report_can_no_longer_be_edited(db, liaison_mexico, responsibilities):
    report = services.report_submit(report=draft(liaison_mexico, responsibilities), by=liaison_mexico)
    report.title = "Changed behind the reviewer's back"
    with pytest.raises(ValidationError, match="cannot be done now"):
        services.report_save(report=report, by=liaison_mexico, recommendations=report.recommendations.all())
    assert Report.objects.get(pk=report.pk).title == "Regularisation programme"


def test_a_stale_report_edit_is_refused(db, liaison_mexico, responsibilities):
    report = draft(liaison_mexico, responsibilities)
    loaded = report.version
    report.title = "First edit"
    services.report_save(
        report=report, by=liaison_mexico, recommendations=report.recommendations.all(), expected_version=loaded
    )
    stale = Report.objects.get(pk=report.pk)
    stale.title = "Second edit from an old tab"
    with pytest.raises(services.StaleEdit):
        services.report_save(
            report=stale, by=liaison_mexico, recommendations=report.recommendations.all(), expected_version=loaded
        )
    assert Report.objects.get(pk=report.pk).title == "First edit"


def test_only_a_liaison_of_the_actor_can_write_for_it(db, liaison_canada, mexico, responsibilities):
    report = Report(actor=mexico, author=liaison_canada, taken_on=datetime.date(2024, 1, 1), title="Forged")
    with pytest.raises(PermissionDenied):
        services.report_save(report=report, by=liaison_canada, recommendations=[responsibilities[0].recommendation])
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"taken_on": "tomorrow"}, "taken_on"),
        ({"evidence_links": "javascript:alert(1)"}, "evidence_links"),
        ({"evidence_links": "ftp://example.org/file"}, "evidence_links"),
        ({"title": "x" * 201}, "title"),
        ({"description": "x" * 20001}, "description"),
        ({"proposed_reasoning": ""}, "proposed_reasoning"),
        ({"proposed_status": "made_up"}, "proposed_status"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_saved(db, liaison_mexico, responsibilities, fields, field):
    if fields.get("taken_on") == "tomorrow":
        fields["taken_on"] = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        draft(liaison_mexico, responsibilities, **fields)
    assert field in error.value.message_dict
    assert not Report.objects.exists()


def test_a_report_on_a_recommendation_the_actor_does_not_answer_for_is_refused(db, liaison_mexico, responsibilities):
    other = ResponsibilityFactory()  # another actor's recommendation
    report = Report(
        actor=liaison_mexico.liaison.actor, author=liaison_mexico, taken_on=datetime.date(2024, 1, 1), title="X"
    )
    with pytest.raises(ValidationError, match="not responsible"):
        services.report_save(report=report, by=liaison_mexico, recommendations=[other.recommendation])
    assert not Report.objects.exists()
