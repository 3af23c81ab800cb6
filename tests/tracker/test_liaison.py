"""Liaison pages and the staff review queue, over HTTP: scope, workflow and refusal of bad input.

The IDOR matrix: every liaison, every other actor's report in every state, every verb. Each attempt
answers 404 and changes nothing.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ResponsibilityFactory
from tracker import services
from tracker.links import recommendation_url
from tracker.models import Action, Report, Status, StatusChange


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def form_data(recommendations, /, **extra):
    return {
        "taken_on": "2024-05-02",
        "title": "Regularisation programme",
        "description": "A programme for migrants.",
        "recommendations": [r.pk for r in recommendations],
        "evidence_links": "https://example.org/decree",
        **extra,
    }


def proposing(recommendation, status, reasoning):
    """The report form's fields proposing `status` on `recommendation`."""
    return {
        f"proposal-{recommendation.number}-status": status,
        f"proposal-{recommendation.number}-reasoning": reasoning,
    }


def accepting_all(report):
    """The review form's fields accepting every proposal awaiting review."""
    return {
        f"proposal-{p.pk}-decision": "accepted" for p in report.proposals.filter(decision="pending").exclude(status="")
    }


@pytest.fixture
def mexico_recommendations(mexico):
    return [ResponsibilityFactory(actor=mexico).recommendation for _ in range(2)]


@pytest.fixture
def canada_recommendations(canada):
    return [ResponsibilityFactory(actor=canada).recommendation]


def make_report(liaison, recommendations, state):
    report = services.report_save(
        report=Report(
            actor=liaison.liaison.actor, author=liaison, taken_on=datetime.date(2024, 1, 1), title=f"Mexico {state}"
        ),
        by=liaison,
        recommendations=recommendations,
    )
    if state == Report.State.DRAFT:
        return report
    report = services.report_submit(report=report, by=liaison, expected_version=report.version)
    reviewer = type(liaison).objects.get_or_create(username="reviewer", defaults={"is_staff": True})[0]
    if state == Report.State.CHANGES_REQUESTED:
        report = services.report_request_changes(
            report=report, by=reviewer, expected_version=report.version, comment="Add figures."
        )
    elif state == Report.State.REJECTED:
        report = services.report_reject(
            report=report, by=reviewer, expected_version=report.version, reason="Out of scope."
        )
    elif state == Report.State.APPROVED:
        report = services.report_approve(report=report, by=reviewer, expected_version=report.version)
    return report


def snapshot():
    return (
        list(Report.objects.order_by("pk").values_list("pk", "title", "state", "version")),
        Action.objects.count(),
        StatusChange.objects.count(),
    )


VERBS = [
    ("get", "tracker:liaison_report", {}),
    ("get", "tracker:liaison_report_edit", {}),
    ("post", "tracker:liaison_report_edit", "form"),
    ("post", "tracker:liaison_report_submit", {"loaded_version": "1"}),
    ("get", "tracker:review_detail", {}),
    ("post", "tracker:review_detail", {"decision": "approve", "comment": "ok"}),
    ("post", "tracker:review_detail", {"decision": "reject", "comment": "no"}),
]


@pytest.mark.parametrize("state", [s.value for s in Report.State])
@pytest.mark.parametrize("method, url_name, data", VERBS, ids=[f"{m}-{u.split(':')[1]}" for m, u, _ in VERBS])
def test_liaison_cannot_read_or_change_another_actors_reports(
    db, liaison_mexico, liaison_canada, mexico_recommendations, canada_recommendations, state, method, url_name, data
):
    report = make_report(liaison_mexico, mexico_recommendations, state)
    before = snapshot()
    if data == "form":
        data = form_data(canada_recommendations, title="Hijacked", loaded_version=report.version)
    response = getattr(client_for(liaison_canada), method)(reverse(url_name, args=[report.pk]), data)
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("method, url_name, data", VERBS, ids=[f"{m}-{u.split(':')[1]}" for m, u, _ in VERBS])
def test_unknown_report_ids_answer_404_too(db, liaison_canada, method, url_name, data):
    response = getattr(client_for(liaison_canada), method)(
        reverse(url_name, args=[999999]), {} if data == "form" else data
    )
    assert response.status_code == 404


@pytest.mark.parametrize("method, url_name, data", VERBS, ids=[f"{m}-{u.split(':')[1]}" for m, u, _ in VERBS])
def test_anonymous_visitors_are_sent_to_sign_in_and_change_nothing(
    db, client, liaison_mexico, mexico_recommendations, method, url_name, data
):
    report = make_report(liaison_mexico, mexico_recommendations, Report.State.SUBMITTED)
    before = snapshot()
    response = getattr(client, method)(reverse(url_name, args=[report.pk]), {} if data == "form" else data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert snapshot() == before


def test_the_review_queue_is_hidden_from_liaisons(db, liaison_mexico):
    assert client_for(liaison_mexico).get(reverse("tracker:review_queue")).status_code == 404


def test_a_user_who_is_no_liaison_has_no_liaison_pages(db, staff):
    assert client_for(staff).get(reverse("tracker:liaison_home")).status_code == 404
    assert client_for(staff).get(reverse("tracker:liaison_report_create")).status_code == 404


def test_a_liaison_cannot_report_on_another_actors_recommendation(
    db, liaison_canada, mexico, mexico_recommendations, canada_recommendations
):
    response = client_for(liaison_canada).post(
        reverse("tracker:liaison_report_create"),
        form_data(mexico_recommendations, actor=mexico.pk, author=1, state="approved"),
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Report.objects.exists()


def test_tampered_fields_are_ignored_when_creating(db, liaison_canada, mexico, canada, canada_recommendations):
    response = client_for(liaison_canada).post(
        reverse("tracker:liaison_report_create"),
        form_data(canada_recommendations, actor=mexico.pk, state="approved", action=1, version=99),
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.actor, report.author.username, report.state, report.action) == (
        canada,
        "liaison-can",
        Report.State.DRAFT,
        None,
    )


def test_liaison_home_shows_the_record_reports_and_requested_changes(db, liaison_mexico, mexico_recommendations):
    make_report(liaison_mexico, mexico_recommendations, Report.State.CHANGES_REQUESTED)
    body = client_for(liaison_mexico).get(reverse("tracker:liaison_home")).content.decode()
    assert "Reporting for Mexico" in body
    assert "Staff asked you to change" in body and "Add figures." in body
    assert mexico_recommendations[0].short_title in body
    assert "Not yet assessed" in body


def test_the_whole_cycle_over_http(db, liaison_mexico, staff, mexico_recommendations):
    liaison = client_for(liaison_mexico)
    response = liaison.post(
        reverse("tracker:liaison_report_create"),
        form_data(mexico_recommendations, **proposing(mexico_recommendations[0], Status.FULL, "All done.")),
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert (
        liaison.post(
            reverse("tracker:liaison_report_submit", args=[report.pk]), {"loaded_version": report.version}
        ).status_code
        == 302
    )
    reviewer = client_for(staff)
    queue = reviewer.get(reverse("tracker:review_queue")).content.decode()
    assert "Regularisation programme" in queue
    report.refresh_from_db()
    response = reviewer.post(
        reverse("tracker:review_detail", args=[report.pk]),
        {"decision": "request_changes", "comment": "Add the decree.", "loaded_version": report.version},
    )
    assert response.status_code == 302
    assert "Add the decree." in liaison.get(reverse("tracker:liaison_home")).content.decode()
    report.refresh_from_db()
    response = liaison.post(
        reverse("tracker:liaison_report_edit", args=[report.pk]),
        form_data(
            mexico_recommendations,
            title="Programme (Decree 5)",
            **proposing(mexico_recommendations[0], Status.FULL, "All done."),
            loaded_version=report.version,
        ),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    liaison.post(reverse("tracker:liaison_report_submit", args=[report.pk]), {"loaded_version": report.version})
    report.refresh_from_db()
    response = reviewer.post(
        reverse("tracker:review_detail", args=[report.pk]),
        {"decision": "approve", "comment": "", "loaded_version": report.version, **accepting_all(report)},
    )
    assert response.status_code == 302
    public = Client().get(reverse("tracker:action_list")).content.decode()
    assert "Programme (Decree 5)" in public
    detail = Client().get(recommendation_url(mexico_recommendations[0].number)).content.decode()
    assert "Full compliance" in detail and "All done." in detail


def test_a_stale_edit_form_is_refused_showing_what_changed(db, liaison_mexico, mexico_recommendations):
    report = make_report(liaison_mexico, mexico_recommendations, Report.State.DRAFT)
    liaison = client_for(liaison_mexico)
    old_version = report.version
    liaison.post(
        reverse("tracker:liaison_report_edit", args=[report.pk]),
        form_data(mexico_recommendations, title="Saved in the first tab", loaded_version=old_version),
    )
    response = liaison.post(
        reverse("tracker:liaison_report_edit", args=[report.pk]),
        form_data(mexico_recommendations, title="From the second tab", loaded_version=old_version),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "changed this record while you were editing" in body and "Saved in the first tab" in body
    assert Report.objects.get().title == "Saved in the first tab"


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"title": ""}, "This field is required"),
        ({"taken_on": "2999-01-01"}, "cannot be in the future"),
        ({"taken_on": "31/31/2020"}, "Enter a valid date"),
        ({"evidence_links": "javascript:alert(1)"}, "is not a link"),
        ({"title": "x" * 300}, "at most 200 characters"),
        ({"recommendations": []}, "This field is required"),
        ({"proposal": (Status.FULL, "")}, "Explain the status"),
        ({"proposal": ("bogus", "Why not.")}, "Select a valid choice"),
    ],
)
def test_the_report_form_refuses_bad_input_with_a_message(db, liaison_mexico, mexico_recommendations, extra, message):
    if "proposal" in extra:
        extra = proposing(mexico_recommendations[0], *extra.pop("proposal"))
    response = client_for(liaison_mexico).post(
        reverse("tracker:liaison_report_create"), form_data(mexico_recommendations, **extra)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Report.objects.exists()


def test_review_requires_a_comment_to_ask_for_changes(db, staff, liaison_mexico, mexico_recommendations):
    report = make_report(liaison_mexico, mexico_recommendations, Report.State.SUBMITTED)
    response = client_for(staff).post(
        reverse("tracker:review_detail", args=[report.pk]), {"decision": "request_changes", "comment": ""}
    )
    assert response.status_code == 200
    assert "Say what should change" in response.content.decode()
    assert Report.objects.get().state == Report.State.SUBMITTED


def test_the_queue_lists_submitted_reports_oldest_first_and_filters(db, staff, liaison_mexico, mexico_recommendations):
    first = make_report(liaison_mexico, mexico_recommendations, Report.State.SUBMITTED)
    second = make_report(liaison_mexico, mexico_recommendations[:1], Report.State.SUBMITTED)
    Report.objects.filter(pk=second.pk).update(title="Second")
    make_report(liaison_mexico, mexico_recommendations, Report.State.DRAFT)
    reviewer = client_for(staff)
    body = reviewer.get(reverse("tracker:review_queue")).content.decode()
    assert "2 reports" in body
    assert body.index(first.title) < body.index("Second")
    body = reviewer.get(
        reverse("tracker:review_queue") + f"?recommendation={mexico_recommendations[1].number}"
    ).content.decode()
    assert "1 report" in body
    body = reviewer.get(reverse("tracker:review_queue") + "?actor=CAN").content.decode()
    assert "could not be understood" in body


def test_submitting_without_the_version_read_is_refused(db, liaison_mexico, mexico_recommendations):
    report = make_report(liaison_mexico, mexico_recommendations, Report.State.DRAFT)
    response = client_for(liaison_mexico).post(
        reverse("tracker:liaison_report_submit", args=[report.pk]), {}, follow=True
    )
    assert "The version of the record you edited is missing" in response.content.decode()
    assert Report.objects.get().state == Report.State.DRAFT


@pytest.mark.parametrize(
    "who, url_name, with_report",
    [
        ("liaison", "tracker:liaison_home", False),
        ("liaison", "tracker:liaison_report_create", False),
        ("liaison", "tracker:liaison_report", True),
        ("liaison", "tracker:liaison_report_edit", True),
        ("staff", "tracker:review_queue", False),
        ("staff", "tracker:review_detail", True),
    ],
)
def test_pages_with_drafts_are_never_kept_by_a_cache(
    db, staff, liaison_mexico, mexico_recommendations, who, url_name, with_report
):
    """Drafts and reviews are for their readers only: no browser or proxy may keep them (finding 6)."""
    report = make_report(
        liaison_mexico, mexico_recommendations, Report.State.SUBMITTED if who == "staff" else Report.State.DRAFT
    )
    args = [report.pk] if with_report else []
    response = client_for(staff if who == "staff" else liaison_mexico).get(reverse(url_name, args=args))
    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control


def test_a_decision_applies_only_to_the_version_the_reviewer_read(
    db, staff, admin_user, liaison_mexico, mexico_recommendations
):
    """Staff A opens a report; staff B sends it back; the liaison rewrites and resubmits it; A's old
    form must not publish the rewritten report (finding 1)."""
    report = make_report(liaison_mexico, mexico_recommendations, Report.State.SUBMITTED)
    reviewer_a = client_for(staff)
    page = reviewer_a.get(reverse("tracker:review_detail", args=[report.pk])).content.decode()
    assert f'name="loaded_version" value="{report.version}"' in page
    read_version = report.version

    report = services.report_request_changes(
        report=report, by=admin_user, expected_version=report.version, comment="Add the decree."
    )
    report.title = "Rewritten after review"
    report.evidence_links = "https://example.org/other"
    responsibility = report.actor.responsibilities.get(recommendation=mexico_recommendations[0])
    report = services.report_save(
        report=report,
        by=liaison_mexico,
        recommendations=mexico_recommendations,
        proposals={responsibility: (Status.FULL, "All done.")},
        expected_version=report.version,
    )
    services.report_submit(report=report, by=liaison_mexico, expected_version=report.version)

    response = reviewer_a.post(
        reverse("tracker:review_detail", args=[report.pk]),
        {"decision": "approve", "comment": "", "loaded_version": read_version, **accepting_all(report)},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Someone else changed this record while you were editing it" in body
    assert "Rewritten after review" in body
    assert Report.objects.get().state == Report.State.SUBMITTED
    assert not Action.objects.exists() and not StatusChange.objects.exists()
    # Read again, the form carries the current version: a deliberate decision goes through.
    current = Report.objects.get().version
    assert f'name="loaded_version" value="{current}"' in body
    response = reviewer_a.post(
        reverse("tracker:review_detail", args=[report.pk]),
        {"decision": "approve", "comment": "", "loaded_version": current, **accepting_all(report)},
    )
    assert response.status_code == 302
    assert Action.objects.get().title == "Rewritten after review"


@pytest.mark.parametrize("version", [None, ""])
def test_an_edit_without_the_version_read_is_refused(db, liaison_mexico, mexico_recommendations, version):
    """Leaving the version out must not skip the check (finding 4)."""
    report = make_report(liaison_mexico, mexico_recommendations, Report.State.DRAFT)
    data = form_data(mexico_recommendations, title="Overwritten blindly")
    if version is not None:
        data["loaded_version"] = version
    response = client_for(liaison_mexico).post(reverse("tracker:liaison_report_edit", args=[report.pk]), data)
    assert response.status_code == 200
    assert "The version of the record you edited is missing" in response.content.decode()
    assert Report.objects.get().title != "Overwritten blindly"


def test_a_review_decision_without_the_version_read_is_refused(db, staff, liaison_mexico, mexico_recommendations):
    report = make_report(liaison_mexico, mexico_recommendations, Report.State.SUBMITTED)
    response = client_for(staff).post(
        reverse("tracker:review_detail", args=[report.pk]), {"decision": "approve", "comment": ""}
    )
    assert response.status_code == 200
    assert "The version of the record you edited is missing" in response.content.decode()
    assert Report.objects.get().state == Report.State.SUBMITTED
