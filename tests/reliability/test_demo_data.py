"""`create_demo_data`: a consistent, deterministic record, with history, that the pages can show."""

import datetime
from collections import Counter, defaultdict

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from forum.models import Recommendation
from tracker.caching import data_version
from tracker.management.commands.create_demo_data import DEMO_USERNAME
from tracker.models import (
    Action,
    Evidence,
    OverallAssessment,
    ReportingRound,
    Responsibility,
    RoundReport,
    RoundStatus,
    Status,
    StatusChange,
)
from tracker.selectors import history
from tracker.selectors.rounds import Standing, completeness, snapshot

HistoricalAction = Action.history.model
HistoricalResponsibility = Responsibility.history.model
HistoricalOverall = OverallAssessment.history.model
HistoricalEvidence = Evidence.history.model
HistoricalActionRecommendations = apps.get_model("tracker", "HistoricalAction_recommendations")


def _chains():
    """Each responsibility's (and each overall assessment's) status changes, in the order recorded."""
    chains = defaultdict(list)
    for change in StatusChange.objects.order_by("changed_at", "id"):
        chains[("r", change.responsibility_id) if change.responsibility_id else ("o", change.recommendation_id)].append(
            change
        )
    return chains


def assert_consistent():
    """Every chain continuous from the start, and each row's current values equal to its last change."""
    chains = _chains()
    for responsibility in Responsibility.objects.all():
        changes = chains.get(("r", responsibility.pk), [])
        assert responsibility.version == 1 + len(changes), responsibility
        previous = Status.NOT_ASSESSED
        for change in changes:
            assert change.from_status == previous, f"broken chain on {responsibility}"
            assert change.from_status != change.to_status
            assert change.actor_id == responsibility.actor_id
            assert change.recommendation_id == responsibility.recommendation_id
            previous = change.to_status
        assert responsibility.status == previous
        if changes:
            assert responsibility.last_assessed == changes[-1].assessed_on
            assert responsibility.reasoning == changes[-1].reason
        history = list(HistoricalResponsibility.objects.filter(id=responsibility.pk, history_type="~"))
        assert len(history) == len(changes)
        assert sorted(h.version for h in history) == list(range(2, 2 + len(changes)))
    for assessment in OverallAssessment.objects.all():
        changes = chains.get(("o", assessment.recommendation_id), [])
        assert assessment.version == 1 + len(changes)
        previous = Status.NOT_ASSESSED
        for change in changes:
            assert change.from_status == previous and change.actor_id is None
            previous = change.to_status
        assert assessment.status == previous
        assert HistoricalOverall.objects.filter(id=assessment.pk, history_type="~").count() == len(changes)


def test_demo_data_is_a_consistent_record_with_history(db, django_capture_on_commit_callbacks):
    before = data_version()
    # The record's version is raised when the writing transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_demo_data", actions=300, seed=3, verbosity=0)
    assert data_version() > before, "the page cache must learn that the record changed"

    assert Responsibility.objects.count() == 387
    actions = list(Action.objects.prefetch_related("recommendations"))
    assert len(actions) == 300
    states = Counter(action.state for action in actions)
    assert 12 <= states[Action.State.DRAFT] <= 55, states
    assert 1 <= states[Action.State.WITHDRAWN] <= 20, states
    today = timezone.localdate()
    for action in actions:
        assert 1 <= len(action.recommendations.all()) <= 3
        assert datetime.date(2008, 5, 1) <= action.taken_on <= today
        assert action.description and action.information_source
        assert action.entered_by.username == DEMO_USERNAME
        assert (action.published_at is None) == (action.state == Action.State.DRAFT)
        assert bool(action.withdrawal_reason) == (action.state == Action.State.WITHDRAWN)
        assert action.published_at is None or action.published_at <= timezone.now()
    assert Evidence.objects.exists()

    statuses = Counter(Responsibility.objects.values_list("status", flat=True))
    assert set(statuses) == set(Status.values), f"statuses not spread across the scale: {statuses}"
    assert statuses[Status.NOT_ASSESSED] >= 10
    assert not StatusChange.objects.exclude(changed_by__username=DEMO_USERNAME).exists()
    assert_consistent()

    # simple-history: one row per action as entered, one more per withdrawal, and their recommendations.
    assert HistoricalAction.objects.filter(history_type="+").count() == 300
    assert HistoricalAction.objects.filter(history_type="~").count() == states[Action.State.WITHDRAWN]
    links = Action.recommendations.through.objects.count()
    withdrawn_links = Action.recommendations.through.objects.filter(action__state=Action.State.WITHDRAWN).count()
    assert HistoricalActionRecommendations.objects.count() == links + withdrawn_links
    assert HistoricalEvidence.objects.count() == Evidence.objects.count()
    assert not HistoricalAction.objects.exclude(history_user__username=DEMO_USERNAME).exists()

    client = Client()
    for url in ["/", "/recommendations/1/", "/actors/MEX/", "/actions/", "/actors/", "/recommendations/"]:
        assert client.get(url).status_code == 200, url


def _fingerprint():
    actions = sorted(
        (
            a.actor.code,
            a.taken_on,
            a.title,
            a.state,
            a.description,
            a.information_source,
            tuple(sorted(r.number for r in a.recommendations.all())),
            tuple(sorted(e.url for e in a.evidence.all())),
        )
        for a in Action.objects.select_related("actor").prefetch_related("recommendations", "evidence")
    )
    changes = sorted(
        (c.recommendation.number, c.actor.code if c.actor else "", c.from_status, c.to_status, c.assessed_on, c.reason)
        for c in StatusChange.objects.select_related("recommendation", "actor")
    )
    history = sorted(
        HistoricalAction.objects.values_list(
            "title", "actor__code", "history_type", "state", "version", "history_date", "history_user__username"
        )
    )
    history_links = sorted(
        HistoricalActionRecommendations.objects.values_list(
            "history__title", "history__history_type", "recommendation__number"
        )
    )
    evidence_history = sorted(HistoricalEvidence.objects.values_list("url", "history_type", "history_date"))
    return actions, changes, history, history_links, evidence_history


def _run_and_fingerprint(seed):
    with transaction.atomic():
        call_command("create_demo_data", actions=60, seed=seed, verbosity=0)
        fingerprint = _fingerprint()
        transaction.set_rollback(True)
    return fingerprint


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(db):
    first, again, other = _run_and_fingerprint(7), _run_and_fingerprint(7), _run_and_fingerprint(8)
    assert len(first[0]) == 60 and first[1]
    assert first == again
    assert first[0] != other[0] and first[1] != other[1]


def test_running_it_again_adds_more_and_carries_the_chains_on(db):
    call_command("create_demo_data", actions=40, seed=1, verbosity=0)
    changes = StatusChange.objects.count()
    call_command("create_demo_data", actions=20, seed=2, verbosity=0)
    assert Action.objects.count() == 60
    assert StatusChange.objects.count() > changes
    assert_consistent()


def test_the_movements_by_month_are_those_of_the_history_it_wrote(db):
    from tests.tracker.test_history import movements_of_the_history

    call_command("create_demo_data", actions=40, seed=1, verbosity=0)
    call_command("create_demo_data", actions=20, seed=2, verbosity=0)
    actor = Responsibility.objects.filter(status_changes__isnull=False).first().actor
    assert history.month_movements() == movements_of_the_history()
    assert history.month_movements(actor=actor) == movements_of_the_history(actor=actor)
    assert len(history.month_movements()) > 12


def test_negative_counts_are_refused(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("create_demo_data", actions=-1, verbosity=0)
    assert not Action.objects.exists()


def test_demo_data_has_two_closed_rounds_and_an_open_one_under_way(db, client):
    call_command("create_demo_data", actions=200, seed=4, verbosity=0)
    rounds = list(ReportingRound.objects.order_by("opens_on"))
    assert [r.state for r in rounds] == ["closed", "closed", "open"]
    responsibilities = Responsibility.objects.count()
    for closed in rounds[:2]:
        assert RoundStatus.objects.filter(round=closed, actor__isnull=False).count() == responsibilities
        assert RoundStatus.objects.filter(round=closed, actor__isnull=True).count() == 13
        reported = RoundReport.objects.filter(round=closed, state="accepted").count()
        assert 0.6 * 36 <= reported <= 36
    moved = snapshot(rounds[1])["counts"]
    assert moved["improved"] + moved["regressed"] + moved["changed"] > 0, moved
    standings = {row.standing for row in completeness(rounds[2])}
    assert {Standing.REPORTED, Standing.IN_REVIEW, Standing.DUE} <= standings
    for round_ in rounds:
        response = client.get(f"/rounds/{round_.pk}/")
        assert response.status_code == 200
        assert round_.name in response.content.decode()
    # Running it again adds actions, not more rounds.
    call_command("create_demo_data", actions=10, seed=5, verbosity=0)
    assert ReportingRound.objects.count() == 3


def _foreign_keys(connection):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
            "WHERE contype = 'f' ORDER BY 1, 2"
        )
        return cursor.fetchall()


def test_a_large_load_writes_the_same_rows_as_a_small_one(postgresql, monkeypatch):
    from tracker.demo import bulk

    small = _run_and_fingerprint(7)
    # A small load counts as a large one here: its rows go in behind, without indexes or foreign keys.
    monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", 10)
    large = _run_and_fingerprint(7)
    assert len(large[0]) == 60 and len(large[2]) >= 60 and large[3] and large[4]
    assert large == small


def test_a_large_load_makes_its_foreign_keys_again_and_checks_them(postgresql, monkeypatch):
    from tracker.demo import bulk

    before = _foreign_keys(postgresql)
    assert any(table == "tracker_action" for table, *_ in before)
    monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", 10)
    call_command("create_demo_data", actions=40, seed=3, verbosity=0)
    assert _foreign_keys(postgresql) == before
    # The keys made again hold: a link to an action that does not exist is refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.recommendations.through.objects.create(action_id=10**9, recommendation=Recommendation.objects.first())
        postgresql.check_constraints()


def _action(**values):
    from tracker.demo.bulk import maker
    from tracker.models import Actor

    now = timezone.now()
    fields = {
        "actor_id": Actor.objects.order_by("code").values_list("pk", flat=True).first(),
        "taken_on": now.date(),
        "title": "An action written in bulk",
        "description": "",
        "information_source": "",
        "state": Action.State.PUBLISHED,
        "published_at": now,
        "entered_at": now,
        "version": 1,
    }
    return maker(Action)(**fields | values)


def test_a_copy_that_fails_behind_is_raised_and_nothing_stays(postgresql):
    from tracker.demo.bulk import copied_behind, write_rows

    call_command("load_record", verbosity=0)
    before = Action.objects.count()
    # Withdrawn without a reason: the database refuses the row, in the copier's thread. The rows are
    # made first: while the copier runs, the load makes no query of its own on the connection (once
    # the refused COPY has aborted the transaction, such a query would fail instead).
    first, refused, after = _action(), _action(state=Action.State.WITHDRAWN, withdrawal_reason=""), _action()
    with (
        pytest.raises(IntegrityError, match="action_withdrawal_has_reason"),
        transaction.atomic(),
        copied_behind(10**6) as copier,
    ):
        write_rows(Action, [first], copier=copier)
        write_rows(Action, [refused], copier=copier)
        write_rows(Action, [after], copier=copier)
    assert not copier.thread.is_alive() and copier.keys.closed
    assert Action.objects.count() == before


def test_an_error_in_the_load_stops_the_copier_and_nothing_stays(postgresql):
    from tracker.demo.bulk import copied_behind, write_rows

    call_command("load_record", verbosity=0)
    before = Action.objects.count()
    action = _action()
    with pytest.raises(ZeroDivisionError), transaction.atomic(), copied_behind(10**6) as copier:
        write_rows(Action, [action], copier=copier)
        1 / 0  # noqa: B018 - the load's own error
    assert not copier.thread.is_alive() and copier.keys.closed
    assert Action.objects.count() == before


def test_rows_sent_behind_are_written_in_order_with_their_keys(postgresql):
    from tracker.demo.bulk import copied_behind, write_rows

    call_command("load_record", verbosity=0)
    made = [_action(title=f"Action {n}") for n in range(3)]
    link, recommendation = Action.recommendations.through, Recommendation.objects.first()
    with transaction.atomic(), copied_behind(10**6) as copier:
        actions = write_rows(Action, made, copier=copier)
        write_rows(link, [link(action=action, recommendation=recommendation) for action in actions], copier=copier)
    keys = [action.pk for action in actions]
    assert keys == sorted(keys) and None not in keys
    assert list(Action.objects.filter(pk__in=keys).order_by("pk").values_list("title", flat=True)) == [
        "Action 0",
        "Action 1",
        "Action 2",
    ]
    assert set(link.objects.filter(action_id__in=keys).values_list("action_id", flat=True)) == set(keys)


def test_a_large_load_builds_the_search_indexes_again_after_it(postgresql, monkeypatch):
    from tracker.demo import bulk
    from tracker.search.matching import match_actions
    from tracker.search.text import parse_query

    connection = postgresql

    def gin_indexes():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%USING gin%' ORDER BY 1")
            return [name for (name,) in cursor.fetchall()]

    before = gin_indexes()
    assert len(before) == 8
    # A small load counts as a large one here: the indexes are dropped, then built again.
    monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", 10)
    call_command("create_demo_data", actions=40, seed=3, verbosity=0)
    assert gin_indexes() == before
    title = Action.objects.filter(state=Action.State.PUBLISHED).values_list("title", flat=True).first()
    assert match_actions(Action.objects.all(), parse_query(title.split(" (")[0]), "en").exists()


def test_maker_makes_the_instance_the_model_would(db):
    from tracker.demo.bulk import maker

    values = {"action_id": 5, "title": "Official gazette", "url": "https://example.org/a"}
    made, usual = maker(Evidence)(**values), Evidence(**values)
    assert type(made) is Evidence and made._state.adding and made.pk is None
    assert {k: v for k, v in vars(made).items() if k != "_state"} == {
        k: v for k, v in vars(usual).items() if k != "_state"
    }
    with pytest.raises(TypeError, match="Evidence has no field 'action'"):
        maker(Evidence)(action=None)
