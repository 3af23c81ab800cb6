"""The reporting cycle: a liaison drafts and submits, staff ask for changes, approve or reject."""

import datetime
import importlib

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import ResponsibilityFactory
from tracker import services
from tracker.models import Action, Report, ReportProposal, Status, StatusChange


@pytest.fixture
def responsibilities(mexico):
    return [ResponsibilityFactory(actor=mexico) for _ in range(2)]


REASONING = "Half the measures are in place."


def draft(liaison, responsibilities, proposals=None, **fields):
    """A draft report on the responsibilities' recommendations, proposing partial compliance on each
    unless `proposals` ({responsibility: (status, reasoning)}) says otherwise."""
    values = {
        "taken_on": datetime.date(2024, 5, 2),
        "title": "Regularisation programme",
        "description": "A programme **for** 40,000 migrants.",
        "evidence_links": "https://example.org/decree\nhttps://example.org/figures",
        **fields,
    }
    if proposals is None:
        proposals = dict.fromkeys(responsibilities, (Status.PARTIAL, REASONING))
    report = Report(actor=liaison.liaison.actor, author=liaison, **values)
    return services.report_save(
        report=report, by=liaison, recommendations=[r.recommendation for r in responsibilities], proposals=proposals
    )


def decisions(report, *choices):
    """The reviewer's decisions on the report's proposals awaiting review, in the order of their
    recommendations."""
    proposals = report.proposals.exclude(status="").filter(decision="pending")
    proposals = proposals.order_by("responsibility__recommendation__number")
    return {proposal.pk: choice for proposal, choice in zip(proposals, choices, strict=True)}


ACCEPT = (ReportProposal.Decision.ACCEPTED, "")


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
        report = services.report_submit(report=report, by=liaison_mexico, expected_version=report.version)
    assert report.state == Report.State.SUBMITTED and report.submitted_at
    assert mail.outbox[-1].to == ["staff@example.org"]
    assert "Mexico" in mail.outbox[-1].subject

    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request_changes(
            report=report, by=staff, expected_version=report.version, comment="Add the decree's number."
        )
    assert report.state == Report.State.CHANGES_REQUESTED
    assert mail.outbox[-1].to == ["liaison@example.org"]
    assert "Add the decree's number." in mail.outbox[-1].body

    report.title = "Regularisation programme (Decree 123)"
    report = services.report_save(
        report=report, by=liaison_mexico, recommendations=report.recommendations.all(), expected_version=report.version
    )
    report = services.report_submit(report=report, by=liaison_mexico, expected_version=report.version)
    report = services.report_approve(
        report=report, by=staff, expected_version=report.version, proposal_decisions=decisions(report, ACCEPT, ACCEPT)
    )

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


def test_approving_without_accepting_the_statuses_leaves_statuses_alone(db, liaison_mexico, staff, responsibilities):
    report = draft(liaison_mexico, responsibilities)
    report = services.report_submit(report=report, by=liaison_mexico, expected_version=report.version)
    declined = (ReportProposal.Decision.DECLINED, "Not yet: the decree is not in force.")
    services.report_approve(
        report=report,
        by=staff,
        expected_version=report.version,
        proposal_decisions=decisions(report, declined, declined),
    )
    assert not StatusChange.objects.exists()
    assert Action.objects.published().count() == 1
    assert set(report.proposals.values_list("decision", "review_comment")) == {declined}


def test_each_proposal_is_decided_on_its_own(db, liaison_mexico, staff, responsibilities):
    first, second = sorted(responsibilities, key=lambda r: r.recommendation.number)
    report = draft(
        liaison_mexico,
        responsibilities,
        proposals={first: (Status.FULL, "The law is in force."), second: (Status.SUBSTANTIAL, "Most is done.")},
    )
    report = services.report_submit(report=report, by=liaison_mexico, expected_version=report.version)
    returned = (ReportProposal.Decision.RETURNED, "Which measures remain?")
    # A returned proposal goes back to the liaison: the report cannot be approved with it.
    with pytest.raises(ValidationError):
        services.report_approve(
            report=report,
            by=staff,
            expected_version=report.version,
            proposal_decisions=decisions(report, ACCEPT, returned),
        )
    report = services.report_request_changes(
        report=report,
        by=staff,
        comment="",
        expected_version=report.version,
        proposal_decisions=decisions(report, ACCEPT, returned),
    )
    assert report.state == Report.State.CHANGES_REQUESTED and report.review_comment
    by_number = {p.responsibility_id: p for p in report.proposals.all()}
    assert (by_number[first.pk].decision, by_number[second.pk].decision) == ("accepted", "returned")
    assert by_number[second.pk].review_comment == "Which measures remain?"

    # The accepted one is final; the returned one changes, and is up for review again once submitted.
    with pytest.raises(ValidationError, match="decided"):
        services.report_save(
            report=report,
            by=liaison_mexico,
            recommendations=report.recommendations.all(),
            proposals={first: (Status.PARTIAL, "Changed my mind.")},
            expected_version=report.version,
        )
    report.refresh_from_db()
    report = services.report_save(
        report=report,
        by=liaison_mexico,
        recommendations=report.recommendations.all(),
        proposals={second: (Status.SUBSTANTIAL, "Only the registry remains.")},
        expected_version=report.version,
    )
    report = services.report_submit(report=report, by=liaison_mexico, expected_version=report.version)
    assert ReportProposal.objects.get(report=report, responsibility=second).decision == "pending"
    assert not StatusChange.objects.exists()  # nothing is recorded before the report is approved

    report = services.report_approve(
        report=report, by=staff, expected_version=report.version, proposal_decisions=decisions(report, ACCEPT)
    )
    assert {(c.responsibility_id, c.to_status, c.reason) for c in StatusChange.objects.all()} == {
        (first.pk, Status.FULL, "The law is in force."),
        (second.pk, Status.SUBSTANTIAL, "Only the registry remains."),
    }
    history = ReportProposal.objects.get(report=report, responsibility=second).history.order_by("history_id")
    assert [h.decision for h in history] == ["pending", "returned", "returned", "pending", "accepted"]
    assert history.last().history_user == staff


def test_every_proposal_awaiting_review_must_be_decided(db, liaison_mexico, staff, responsibilities):
    report = draft(liaison_mexico, responsibilities)
    report = services.report_submit(report=report, by=liaison_mexico, expected_version=report.version)
    with pytest.raises(ValidationError):
        services.report_approve(
            report=report,
            by=staff,
            expected_version=report.version,
            proposal_decisions=dict(list(decisions(report, ACCEPT, ACCEPT).items())[:1]),
        )
    declined_without_reason = (ReportProposal.Decision.DECLINED, " ")
    with pytest.raises(ValidationError):
        services.report_approve(
            report=report,
            by=staff,
            expected_version=report.version,
            proposal_decisions=decisions(report, ACCEPT, declined_without_reason),
        )
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED and not Action.objects.exists()
    assert set(report.proposals.values_list("decision", flat=True)) == {"pending"}


def test_a_proposal_needs_its_recommendation_ticked(db, liaison_mexico, responsibilities):
    first, second = responsibilities
    with pytest.raises(ValidationError) as error:
        draft(liaison_mexico, [first], proposals={second: (Status.FULL, "Done.")})
    assert f"proposal-{second.recommendation.number}-status" in error.value.message_dict
    assert not Report.objects.exists()


def test_old_reports_keep_their_single_proposal_as_one_per_recommendation(db, liaison_mexico, staff, responsibilities):
    """Migration 0016: a report's one proposed status, for every recommendation it addressed, becomes
    a proposal per recommendation; decided as the status history shows."""
    from django.apps import apps

    migration = importlib.import_module("tracker.migrations.0016_report_proposals")
    report = draft(liaison_mexico, responsibilities, proposals={})
    accepted_on, declined_on = sorted(responsibilities, key=lambda r: r.recommendation.number)
    Report.objects.filter(pk=report.pk).update(
        proposed_status=Status.PARTIAL,
        proposed_reasoning="Half done.",
        state=Report.State.APPROVED,
        reviewed_by=staff,
        reviewed_at=timezone.now(),
    )
    services.responsibility_set_status(responsibility=accepted_on, status=Status.PARTIAL, by=staff, reason="Half done.")
    migration.proposals_from_reports(apps, None)
    proposals = {p.responsibility_id: p for p in ReportProposal.objects.filter(report=report)}
    assert (proposals[accepted_on.pk].decision, proposals[accepted_on.pk].status) == ("accepted", Status.PARTIAL)
    assert proposals[declined_on.pk].decision == "declined" and proposals[declined_on.pk].review_comment


def test_rejecting_needs_a_reason_and_publishes_nothing(db, liaison_mexico, staff, responsibilities):
    report = draft(liaison_mexico, responsibilities)
    report = services.report_submit(report=report, by=liaison_mexico, expected_version=report.version)
    with pytest.raises(ValidationError):
        services.report_reject(report=report, by=staff, expected_version=report.version, reason="  ")
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED
    services.report_reject(
        report=report, by=staff, expected_version=report.version, reason="Not an action of the state."
    )
    report.refresh_from_db()
    assert (report.state, report.review_comment) == (Report.State.REJECTED, "Not an action of the state.")
    assert not Action.objects.exists()


def test_a_report_is_reviewed_once_even_by_two_reviewers(db, liaison_mexico, staff, admin_user, responsibilities):
    report = draft(liaison_mexico, responsibilities)
    report = services.report_submit(report=report, by=liaison_mexico, expected_version=report.version)
    stale_copy = Report.objects.get(pk=report.pk)
    services.report_approve(
        report=report, by=staff, expected_version=report.version, proposal_decisions=decisions(report, ACCEPT, ACCEPT)
    )
    with pytest.raises(ValidationError, match="Approved and published"):
        services.report_reject(
            report=stale_copy, by=admin_user, expected_version=stale_copy.version, reason="Too late."
        )
    assert Action.objects.count() == 1


def test_a_submitted_report_can_no_longer_be_edited(db, liaison_mexico, responsibilities):
    report = draft(liaison_mexico, responsibilities)
    report = services.report_submit(report=report, by=liaison_mexico, expected_version=report.version)
    report.title = "Changed behind the reviewer's back"
    with pytest.raises(ValidationError, match="cannot be done now"):
        services.report_save(
            report=report,
            by=liaison_mexico,
            recommendations=report.recommendations.all(),
            expected_version=report.version,
        )
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
        ({"proposal": (Status.FULL, "")}, "proposal-{number}-reasoning"),
        ({"proposal": ("made_up", "Why not.")}, "proposal-{number}-status"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_saved(db, liaison_mexico, responsibilities, fields, field):
    if fields.get("taken_on") == "tomorrow":
        fields["taken_on"] = timezone.localdate() + datetime.timedelta(days=1)
    proposals = None
    if "proposal" in fields:
        proposals = {responsibilities[0]: fields.pop("proposal")}
        field = field.format(number=responsibilities[0].recommendation.number)
    with pytest.raises(ValidationError) as error:
        draft(liaison_mexico, responsibilities, proposals=proposals, **fields)
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
