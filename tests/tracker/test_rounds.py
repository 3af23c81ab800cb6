"""Reporting rounds: scope, a liaison's round report, review entry by entry, closing and its snapshot."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ActionFactory,
    ActorFactory,
    BodyFactory,
    LiaisonFactory,
    RecommendationFactory,
    ResponsibilityFactory,
    UserFactory,
)
from tracker import services
from tracker.models import (
    Movement,
    ReportingRound,
    Responsibility,
    RoundReport,
    RoundReportEntry,
    RoundStatus,
    Status,
    StatusChange,
)
from tracker.selectors.rounds import Standing, completeness, scope_responsibilities, snapshot

TODAY = timezone.localdate()


@pytest.fixture
def record(db, staff):
    recommendations = [RecommendationFactory(number=n) for n in (1, 2, 3)]
    mexico, canada = ActorFactory(code="MEX", name="Mexico"), ActorFactory(code="CAN", name="Canada")
    body = BodyFactory(code="RCM", name="Regional Conference on Migration")
    for recommendation in recommendations[:2]:
        for actor in (mexico, canada):
            ResponsibilityFactory(recommendation=recommendation, actor=actor)
    ResponsibilityFactory(recommendation=recommendations[2], actor=body)
    liaison = LiaisonFactory(user=UserFactory(username="liaison-mex"), actor=mexico).user
    return {"recommendations": recommendations, "mexico": mexico, "canada": canada, "body": body, "liaison": liaison}


def make_round(staff, *, opens=-10, due=20, **scope):
    round_ = ReportingRound(
        name="First round", opens_on=TODAY + datetime.timedelta(days=opens), due_on=TODAY + datetime.timedelta(days=due)
    )
    return services.round_save(round_=round_, by=staff, **scope)


def answer(report, liaison, status=Status.PARTIAL, progress="A national plan was adopted."):
    entries = {
        entry.pk: {"proposed_status": status, "progress": progress, "links": "https://example.org/plan"}
        for entry in report.entries.all()
    }
    report = services.round_report_save(report=report, by=liaison, entries=entries, expected_version=report.version)
    return services.round_report_submit(report=report, by=liaison, expected_version=report.version)


def test_a_round_with_no_scope_asks_every_responsible_actor_about_every_recommendation(record, staff):
    round_ = make_round(staff)
    assert scope_responsibilities(round_).count() == 5
    rows = completeness(round_)
    assert [row.actor.code for row in rows] == ["CAN", "MEX", "RCM"]
    assert {row.standing for row in rows} == {Standing.DUE}


def test_a_round_can_ask_some_actors_about_some_recommendations(record, staff):
    round_ = make_round(staff, recommendations=record["recommendations"][:1], actors=[record["mexico"]])
    assert [(r.recommendation.number, r.actor.code) for r in scope_responsibilities(round_)] == [(1, "MEX")]


def test_only_name_and_dates_are_needed_and_due_cannot_precede_opening(db, staff):
    services.round_save(round_=ReportingRound(name="Minimal", opens_on=TODAY, due_on=TODAY), by=staff)
    with pytest.raises(ValidationError):
        services.round_save(
            round_=ReportingRound(name="Bad", opens_on=TODAY, due_on=TODAY - datetime.timedelta(days=1)), by=staff
        )


def test_the_liaison_drafts_submits_and_staff_accept_each_entry(record, staff):
    round_ = make_round(staff)
    liaison = record["liaison"]
    report = services.round_report_start(round_=round_, actor=record["mexico"], by=liaison)
    assert report.entries.count() == 2
    draft = services.round_report_save(
        report=report,
        by=liaison,
        entries={report.entries.first().pk: {"proposed_status": Status.FULL, "progress": "Done."}},
        expected_version=report.version,
    )
    with pytest.raises(ValidationError, match="propose a status"):
        services.round_report_submit(report=draft, by=liaison, expected_version=draft.version)
    report = answer(RoundReport.objects.get(), liaison)
    assert report.state == RoundReport.State.SUBMITTED and report.first_submitted_at
    entries = list(report.entries.order_by("responsibility__recommendation__number"))
    report = services.round_report_review(
        report=report,
        by=staff,
        decisions={entries[0].pk: ("accepted", ""), entries[1].pk: ("returned", "Give the decree's number.")},
        expected_version=report.version,
    )
    assert report.state == RoundReport.State.RETURNED
    accepted = Responsibility.objects.get(pk=entries[0].responsibility_id)
    assert accepted.status == Status.PARTIAL
    change = StatusChange.objects.get(responsibility=accepted)
    assert change.changed_by == staff and "A national plan was adopted." in change.reason
    assert Responsibility.objects.get(pk=entries[1].responsibility_id).status == Status.NOT_ASSESSED
    # The returned entry is corrected and submitted again; the accepted one is kept as it was.
    report = services.round_report_save(
        report=report,
        by=liaison,
        entries={e.pk: {"progress": "Decree 5 of 2024.", "proposed_status": Status.SUBSTANTIAL} for e in entries},
        expected_version=report.version,
    )
    assert RoundReportEntry.objects.get(pk=entries[0].pk).progress == "A national plan was adopted."
    report = services.round_report_submit(report=report, by=liaison, expected_version=report.version)
    report = services.round_report_review(
        report=report, by=staff, decisions={entries[1].pk: ("accepted", "")}, expected_version=report.version
    )
    assert report.state == RoundReport.State.ACCEPTED
    assert {row.actor.code: row.standing for row in completeness(round_)}["MEX"] == Standing.REPORTED


def test_a_liaison_answers_for_their_own_actor_only(record, staff):
    round_ = make_round(staff)
    with pytest.raises(PermissionDenied):
        services.round_report_start(round_=round_, actor=record["canada"], by=record["liaison"])


def test_a_review_needs_a_decision_on_every_entry_and_a_comment_to_return(record, staff):
    round_ = make_round(staff)
    report = answer(
        services.round_report_start(round_=round_, actor=record["mexico"], by=record["liaison"]), record["liaison"]
    )
    entries = list(report.entries.all())
    with pytest.raises(ValidationError, match="accept it or return it"):
        services.round_report_review(
            report=report, by=staff, decisions={entries[0].pk: ("accepted", "")}, expected_version=report.version
        )
    with pytest.raises(ValidationError, match="say what should change"):
        services.round_report_review(
            report=report,
            by=staff,
            decisions={e.pk: ("returned", "") for e in entries},
            expected_version=report.version,
        )
    assert RoundReport.objects.get().state == RoundReport.State.SUBMITTED


def test_overdue_after_the_due_date_until_submitted(record, staff):
    round_ = make_round(staff, opens=-30, due=-1)
    assert {row.standing for row in completeness(round_)} == {Standing.OVERDUE}
    answer(services.round_report_start(round_=round_, actor=record["mexico"], by=record["liaison"]), record["liaison"])
    standings = {row.actor.code: row.standing for row in completeness(round_)}
    assert standings == {"CAN": Standing.OVERDUE, "MEX": Standing.IN_REVIEW, "RCM": Standing.OVERDUE}


def test_closing_freezes_a_snapshot_that_later_assessments_never_alter(record, staff):
    round_ = make_round(staff)
    responsibility = Responsibility.objects.get(actor=record["mexico"], recommendation__number=1)
    services.responsibility_set_status(responsibility=responsibility, status=Status.PARTIAL, by=staff, reason="Plan.")
    services.recommendation_set_status(
        recommendation=record["recommendations"][0], status=Status.PENDING, by=staff, reason="Early."
    )
    services.round_close(round_=round_, by=staff)
    assert RoundStatus.objects.filter(round=round_, actor__isnull=False).count() == 5
    assert RoundStatus.objects.filter(round=round_, actor__isnull=True).count() == 3
    frozen = RoundStatus.objects.get(round=round_, actor=record["mexico"], recommendation__number=1)
    assert frozen.status == Status.PARTIAL
    services.responsibility_set_status(responsibility=responsibility, status=Status.FULL, by=staff, reason="Done.")
    frozen.refresh_from_db()
    assert frozen.status == Status.PARTIAL
    with pytest.raises(ValidationError):
        frozen.save()
    with pytest.raises(ValidationError, match="closed"):
        services.round_close(round_=round_, by=staff)
    round_.name = "Renamed"
    with pytest.raises(ValidationError, match="closed"):
        services.round_save(round_=round_, by=staff)


def test_the_snapshot_says_what_moved_since_the_previous_closed_round(record, staff):
    first = make_round(staff, opens=-60, due=-40)
    mexico_1 = Responsibility.objects.get(actor=record["mexico"], recommendation__number=1)
    canada_1 = Responsibility.objects.get(actor=record["canada"], recommendation__number=1)
    services.responsibility_set_status(responsibility=mexico_1, status=Status.PARTIAL, by=staff, reason="a")
    services.responsibility_set_status(responsibility=canada_1, status=Status.FULL, by=staff, reason="b")
    services.round_close(round_=first, by=staff)
    second = make_round(staff, opens=-20, due=-5)
    services.responsibility_set_status(responsibility=mexico_1, status=Status.SUBSTANTIAL, by=staff, reason="c")
    services.responsibility_set_status(responsibility=canada_1, status=Status.NON_COMPLIANCE, by=staff, reason="d")
    services.round_close(round_=second, by=staff)
    result = snapshot(second)
    assert result["previous"] == first
    assert result["counts"][Movement.IMPROVED] == 1 and result["counts"][Movement.REGRESSED] == 1
    assert result["counts"][Movement.UNCHANGED] == 3
    moved = {(c["actor"].code, c["recommendation"].number): c["cell"].movement for c in result["changed"]}
    assert moved == {("MEX", 1): Movement.IMPROVED, ("CAN", 1): Movement.REGRESSED}


def test_the_public_round_page_shows_who_reported_but_never_a_draft(record, staff):
    round_ = make_round(staff)
    liaison = record["liaison"]
    report = services.round_report_start(round_=round_, actor=record["mexico"], by=liaison)
    services.round_report_save(
        report=report,
        by=liaison,
        entries={
            e.pk: {"progress": "Secret draft wording", "proposed_status": Status.FULL} for e in report.entries.all()
        },
        expected_version=report.version,
    )
    page = Client().get(reverse("tracker:round_detail", args=[round_.pk])).content.decode()
    assert "Secret draft wording" not in page and "First round" in page
    assert page.count("Due") >= 3
    report.refresh_from_db()
    services.round_report_submit(report=report, by=liaison, expected_version=report.version)
    page = Client().get(reverse("tracker:round_detail", args=[round_.pk])).content.decode()
    assert "Secret draft wording" not in page and "Reported" in page
    listing = Client().get(reverse("tracker:round_list")).content.decode()
    assert "1 of 3" in listing


def test_the_liaison_home_leads_with_what_is_owed(record, staff):
    round_ = make_round(staff, due=5)
    client = Client()
    client.force_login(record["liaison"])
    home = client.get(reverse("tracker:liaison_home")).content.decode()
    assert "What you owe" in home and "First round" in home and "in 5 days" in home
    page = client.get(reverse("tracker:liaison_round", args=[round_.pk]))
    assert page.status_code == 200
    started = client.post(reverse("tracker:liaison_round", args=[round_.pk]))
    # The start leads to the new report's form, unbound, rather than answering the start's post with
    # a form that reads it as an edit without a version.
    assert started.status_code == 302 and started["Location"] == reverse("tracker:liaison_round", args=[round_.pk])
    report = RoundReport.objects.get()
    entries = list(report.entries.all())
    data = {"loaded_version": report.version, "submit": "1"}
    action = ActionFactory(actor=record["mexico"], recommendations=[entries[0].responsibility.recommendation])
    for entry in entries:
        data[f"entry-{entry.pk}-proposed_status"] = "partial"
        data[f"entry-{entry.pk}-progress"] = "Programme running."
        data[f"entry-{entry.pk}-links"] = "https://example.org/programme"
    data[f"entry-{entries[0].pk}-actions"] = [str(action.pk)]
    response = client.post(reverse("tracker:liaison_round", args=[round_.pk]), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == RoundReport.State.SUBMITTED
    assert list(RoundReportEntry.objects.get(pk=entries[0].pk).actions.all()) == [action]


def test_a_round_that_does_not_ask_this_actor_is_not_found(record, staff):
    round_ = make_round(staff, actors=[record["canada"]])
    client = Client()
    client.force_login(record["liaison"])
    assert client.get(reverse("tracker:liaison_round", args=[round_.pk])).status_code == 404


def test_staff_review_page_records_decisions_for_the_version_read(record, staff):
    round_ = make_round(staff)
    report = answer(
        services.round_report_start(round_=round_, actor=record["mexico"], by=record["liaison"]), record["liaison"]
    )
    client = Client()
    client.force_login(staff)
    assert "First round" in client.get(reverse("tracker:review_queue")).content.decode()
    data = {"loaded_version": report.version}
    for entry in report.entries.all():
        data[f"entry-{entry.pk}-decision"] = "accepted"
    response = client.post(
        reverse("tracker:round_review", args=[report.pk]), {**data, "loaded_version": report.version - 1}
    )
    assert response.status_code == 200 and "Someone else changed this record" in response.content.decode()
    response = client.post(reverse("tracker:round_review", args=[report.pk]), data)
    assert response.status_code == 302
    assert RoundReport.objects.get().state == RoundReport.State.ACCEPTED


def test_the_api_lists_rounds_with_who_reported_and_a_closed_rounds_snapshot(record, staff, client):
    open_round = make_round(staff)
    closed = make_round(staff, opens=-90, due=-60)
    services.round_close(round_=closed, by=staff)
    answer(
        services.round_report_start(round_=open_round, actor=record["mexico"], by=record["liaison"]), record["liaison"]
    )
    listing = client.get("/api/rounds/").json()
    assert listing["count"] == 2
    by_id = {item["id"]: item for item in listing["results"]}
    assert by_id[open_round.pk]["state"] == "open" and by_id[closed.pk]["state"] == "closed"
    assert by_id[open_round.pk]["tally"] == {"asked": 3, "reported": 1, "due": 2, "overdue": 0, "missed": 0}
    assert by_id[closed.pk]["tally"]["missed"] == 3
    assert client.get("/api/rounds/", {"state": "closed"}).json()["count"] == 1
    assert client.get("/api/rounds/", {"year": TODAY.year + 5}).json()["count"] == 0
    assert client.get("/api/rounds/", {"state": "someday"}).status_code == 400
    detail = client.get(f"/api/rounds/{open_round.pk}/").json()
    assert {s["actor"]: s["standing"] for s in detail["standings"]} == {"CAN": "due", "MEX": "reported", "RCM": "due"}
    assert detail["snapshot"] == [] and "A national plan" not in str(detail)
    frozen = client.get(f"/api/rounds/{closed.pk}/").json()["snapshot"]
    assert len(frozen) == 3 + 5
    assert {row["movement"] for row in frozen} == {None}


def test_the_feed_announces_a_round_when_it_opens_and_when_it_closes(record, staff, client):
    round_ = make_round(staff, opens=-3)
    make_round(staff, opens=10, due=30)  # planned: not yet news
    feed = client.get(reverse("tracker:feed")).content.decode()
    assert feed.count("Reporting round opened: First round") == 1
    assert "Reporting round closed" not in feed
    services.round_close(round_=round_, by=staff)
    feed = client.get(reverse("tracker:feed")).content.decode()
    assert "Reporting round closed: First round" in feed
    assert f"/rounds/{round_.pk}/" in feed


def _grow(staff, recommendations, first, last, rounds):
    """States `first` to `last` made responsible for the recommendations, half of them with a liaison
    who reports in each of `rounds` new rounds, each then closed."""
    made = [ActorFactory(code=f"A{n:02d}", name=f"State {n}") for n in range(first, last)]
    for recommendation in recommendations:
        for actor in made:
            ResponsibilityFactory(recommendation=recommendation, actor=actor)
    reporting = [LiaisonFactory(user=UserFactory(username=f"liaison-{a.code}"), actor=a) for a in made[::2]]
    created = []
    for _ in range(rounds):
        round_ = make_round(staff, opens=-100, due=-90)
        for liaison in reporting:
            answer(services.round_report_start(round_=round_, actor=liaison.actor, by=liaison.user), liaison.user)
        services.round_close(round_=round_, by=staff)
        created.append(round_)
    return created


@pytest.mark.parametrize(
    "url_name", ["tracker:round_list", "tracker:round_detail", "api:round-list", "api:round-detail"]
)
def test_round_pages_cost_the_same_queries_with_few_and_many_rows(db, staff, url_name):
    """The list reads its rounds' scope and reports once, whatever their number; a round's page reads
    its snapshot and the previous one's in one query."""
    recommendations = [RecommendationFactory(number=n) for n in (1, 2)]
    counts = []
    for first, last, rounds in ((0, 2, 2), (2, 10, 3)):
        created = _grow(staff, recommendations, first, last, rounds)
        url = reverse(url_name, args=[created[-1].pk]) if url_name.endswith("detail") else reverse(url_name)
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
