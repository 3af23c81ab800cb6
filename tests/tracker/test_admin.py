"""The admin as committee staff use it: every page answers, every save goes through the services."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ActionFactory,
    ActorFactory,
    CommentFactory,
    EvidenceFactory,
    LiaisonFactory,
    RecommendationFactory,
    ResponsibilityFactory,
    StatusChangeFactory,
)
from tracker.models import Action, OverallAssessment, Responsibility, Status, StatusChange

MODELS = [
    ("forum", "forum"),
    ("forum", "comment"),
    ("forum", "recommendation"),
    ("tracker", "actor"),
    ("tracker", "responsibility"),
    ("tracker", "action"),
    ("tracker", "statuschange"),
    ("tracker", "liaison"),
]


@pytest.fixture
def record(db):
    responsibility = ResponsibilityFactory()
    action = ActionFactory(actor=responsibility.actor, recommendations=[responsibility.recommendation])
    EvidenceFactory(action=action)
    StatusChangeFactory(responsibility=responsibility)
    CommentFactory(forum=responsibility.recommendation.forum)
    LiaisonFactory(actor=responsibility.actor)
    return {
        "forum": responsibility.recommendation.forum,
        "comment": responsibility.recommendation.forum.comments.first(),
        "recommendation": responsibility.recommendation,
        "actor": responsibility.actor,
        "responsibility": responsibility,
        "action": action,
        "statuschange": StatusChange.objects.first(),
        "liaison": responsibility.actor.liaisons.first(),
    }


@pytest.mark.parametrize("app, model", MODELS)
def test_every_changelist_and_change_page_answers_for_staff(admin_client, record, app, model):
    assert admin_client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    obj = record[model]
    assert admin_client.get(reverse(f"admin:{app}_{model}_change", args=[obj.pk])).status_code == 200


@pytest.mark.parametrize("app, model", [m for m in MODELS if m[1] not in ("statuschange",)])
def test_every_add_page_answers_for_admins(admin_client, db, app, model):
    assert admin_client.get(reverse(f"admin:{app}_{model}_add")).status_code == 200


@pytest.mark.parametrize("model", ["actor", "responsibility", "action", "recommendation", "statuschange"])
def test_committee_staff_work_on_the_follow_up_pages(staff_client, record, model):
    app = "forum" if model == "recommendation" else "tracker"
    assert staff_client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    assert staff_client.get(reverse(f"admin:{app}_{model}_change", args=[record[model].pk])).status_code == 200


@pytest.mark.parametrize("app, model", MODELS)
def test_anonymous_visitors_are_sent_to_the_login(client, record, app, model):
    response = client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_liaisons_have_no_admin_access(client, liaison_mexico):
    client.force_login(liaison_mexico)
    response = client.get(reverse("admin:tracker_responsibility_changelist"))
    assert response.status_code == 302


def test_nobody_can_delete_follow_up_records(admin_client, record):
    response = admin_client.post(reverse("admin:tracker_action_delete", args=[record["action"].pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Action.objects.filter(pk=record["action"].pk).exists()


def test_changelists_make_no_query_per_row(admin_client, db, django_assert_max_num_queries):
    """Guards the changelists against a query per row for the recommendation, actor or roll-up."""
    counts = {}
    for size in (2, 12):
        ResponsibilityFactory.create_batch(size - Responsibility.objects.count())
        with django_assert_max_num_queries(100) as context:
            for url in ["tracker_responsibility", "forum_recommendation", "tracker_actor", "tracker_action"]:
                admin_client.get(reverse(f"admin:{url}_changelist"))
        counts[size] = len(context.captured_queries)
    # Filters list the recommendations and actors, so a few queries grow with the filter choices
    # but not with the rows shown; allow nothing beyond that.
    assert counts[12] == counts[2]


def _change_form_data(responsibility, **extra):
    return {
        "role": responsibility.role,
        "new_status": "",
        "assessed_on": timezone.localdate().isoformat(),
        "reason": "",
        "loaded_version": responsibility.version,
        **extra,
    }


def test_a_new_status_in_the_change_form_goes_through_the_service(staff_client, staff, db):
    responsibility = ResponsibilityFactory()
    url = reverse("admin:tracker_responsibility_change", args=[responsibility.pk])
    response = staff_client.post(
        url, _change_form_data(responsibility, new_status=Status.PARTIAL, reason="Law adopted in 2024.")
    )
    assert response.status_code == 302
    responsibility.refresh_from_db()
    assert responsibility.status == Status.PARTIAL
    change = StatusChange.objects.get()
    assert (change.changed_by, change.reason) == (staff, "Law adopted in 2024.")


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"new_status": Status.FULL, "reason": ""}, "Give the reason"),
        ({"new_status": "made-up", "reason": "x"}, "Select a valid choice"),
        (
            {"new_status": Status.FULL, "reason": "x", "assessed_on": "2999-01-01"},
            "cannot be in the future",
        ),
    ],
)
def test_bad_assessments_in_the_admin_are_refused_with_a_message(staff_client, db, extra, message):
    responsibility = ResponsibilityFactory()
    url = reverse("admin:tracker_responsibility_change", args=[responsibility.pk])
    response = staff_client.post(url, _change_form_data(responsibility, **extra))
    assert response.status_code == 200
    assert message in response.content.decode()
    responsibility.refresh_from_db()
    assert responsibility.status == Status.NOT_ASSESSED
    assert not StatusChange.objects.exists()


def test_a_stale_change_form_is_refused_and_shows_what_changed(staff_client, staff, db):
    from tracker import services

    responsibility = ResponsibilityFactory()
    stale = _change_form_data(responsibility, new_status=Status.FULL, reason="From an old tab.")
    services.responsibility_set_status(
        responsibility=responsibility, status=Status.PENDING, by=staff, reason="Saved first elsewhere."
    )
    url = reverse("admin:tracker_responsibility_change", args=[responsibility.pk])
    response = staff_client.post(url, stale)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Someone else changed this record" in body
    assert "Pending compliance" in body and "Saved first elsewhere." in body
    responsibility.refresh_from_db()
    assert responsibility.status == Status.PENDING
    assert StatusChange.objects.count() == 1


def test_bulk_action_sets_a_status_with_a_reason_row_by_row(staff_client, staff, db):
    rows = ResponsibilityFactory.create_batch(4)
    url = reverse("admin:tracker_responsibility_changelist")
    selected = [r.pk for r in rows[:3]]
    confirm = staff_client.post(url, {"action": "set_status", ACTION_CHECKBOX_NAME: selected})
    assert confirm.status_code == 200
    assert "Set a status on 3 responsibilities" in confirm.content.decode()
    response = staff_client.post(
        url,
        {
            "action": "set_status",
            ACTION_CHECKBOX_NAME: selected,
            "apply": "1",
            "status": Status.PENDING,
            "assessed_on": timezone.localdate().isoformat(),
            "reason": "No measures reported by the committee's meeting.",
        },
        follow=True,
    )
    assert "3 responsibilities set to the new status." in response.content.decode()
    assert Responsibility.objects.filter(status=Status.PENDING).count() == 3
    assert StatusChange.objects.filter(changed_by=staff).count() == 3
    assert Responsibility.objects.get(pk=rows[3].pk).status == Status.NOT_ASSESSED


def test_bulk_action_without_a_reason_changes_nothing(staff_client, db):
    rows = ResponsibilityFactory.create_batch(2)
    response = staff_client.post(
        reverse("admin:tracker_responsibility_changelist"),
        {
            "action": "set_status",
            ACTION_CHECKBOX_NAME: [r.pk for r in rows],
            "apply": "1",
            "status": Status.FULL,
            "assessed_on": timezone.localdate().isoformat(),
            "reason": "",
        },
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not StatusChange.objects.exists()


def test_overall_status_is_set_from_the_recommendation_page(staff_client, staff, db):
    recommendation = RecommendationFactory()
    url = reverse("admin:forum_recommendation_change", args=[recommendation.pk])
    page = staff_client.get(url).content.decode()
    assert recommendation.text in page
    assert "Editorial" in page
    response = staff_client.post(
        url,
        {
            "short_title_en": "A new label",
            "new_status": Status.PARTIAL,
            "assessed_on": timezone.localdate().isoformat(),
            "reason": "Half the states report measures.",
            "loaded_version": 1,
            # The read-only inlines still post their (empty) management forms.
            **{
                f"{prefix}-{field}": "0"
                for prefix in ["responsibilities", "Action_recommendations", "status_changes"]
                for field in ["TOTAL_FORMS", "INITIAL_FORMS"]
            },
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert OverallAssessment.objects.get(recommendation=recommendation).status == Status.PARTIAL
    recommendation.refresh_from_db()
    assert recommendation.short_title == "A new label"
    assert StatusChange.objects.get().responsibility is None


def test_an_action_in_the_future_is_refused_in_the_admin(staff_client, db):
    actor = ActorFactory()
    recommendation = RecommendationFactory()
    response = staff_client.post(
        reverse("admin:tracker_action_add"),
        {
            "actor": actor.pk,
            "recommendations": [recommendation.pk],
            "taken_on": (timezone.localdate() + datetime.timedelta(days=2)).isoformat(),
            "title": "Future law",
            "description": "",
            "information_source": "",
            "state": Action.State.DRAFT,
            "withdrawal_reason": "",
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not Action.objects.exists()


def test_an_action_added_in_the_admin_records_who_entered_it(staff_client, staff, db):
    actor = ActorFactory()
    recommendation = RecommendationFactory()
    response = staff_client.post(
        reverse("admin:tracker_action_add"),
        {
            "actor": actor.pk,
            "recommendations": [recommendation.pk],
            "taken_on": "2020-05-04",
            "title": "Migration law reform",
            "description": "Adopted by Congress.",
            "information_source": "Official gazette",
            "state": Action.State.PUBLISHED,
            "withdrawal_reason": "",
            "evidence-TOTAL_FORMS": "1",
            "evidence-INITIAL_FORMS": "0",
            "evidence-0-title": "Gazette",
            "evidence-0-url": "https://example.org/gazette/2020",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    action = Action.objects.get()
    assert action.entered_by == staff
    assert action.published_at is not None
    assert list(action.recommendations.all()) == [recommendation]
    assert action.evidence.get().url == "https://example.org/gazette/2020"
    assert action.history.first().history_user == staff


def test_evidence_links_must_be_http(staff_client, db):
    action = ActionFactory()
    response = staff_client.post(
        reverse("admin:tracker_action_change", args=[action.pk]),
        {
            "actor": action.actor.pk,
            "recommendations": [r.pk for r in action.recommendations.all()],
            "taken_on": "2020-05-04",
            "title": action.title,
            "description": "",
            "information_source": "",
            "state": action.state,
            "withdrawal_reason": "",
            "loaded_version": action.version,
            "evidence-TOTAL_FORMS": "1",
            "evidence-INITIAL_FORMS": "0",
            "evidence-0-title": "Bad",
            "evidence-0-url": "javascript:alert(1)",
        },
    )
    assert response.status_code == 200
    assert not action.evidence.exists()


def test_a_stale_action_form_is_refused_and_shows_what_changed(staff_client, staff, db):
    from tracker import services

    action = ActionFactory(title="Original title")
    data = {
        "actor": action.actor.pk,
        "recommendations": [r.pk for r in action.recommendations.all()],
        "taken_on": "2020-05-04",
        "title": "Edited in an old tab",
        "description": "",
        "information_source": "",
        "state": action.state,
        "withdrawal_reason": "",
        "loaded_version": action.version,
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
    }
    action.title = "Saved first elsewhere"
    services.action_save(action=action, by=staff)
    response = staff_client.post(reverse("admin:tracker_action_change", args=[action.pk]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Someone else changed this record" in body and "Saved first elsewhere" in body
    action.refresh_from_db()
    assert action.title == "Saved first elsewhere"


@pytest.mark.parametrize("version", [None, ""])
def test_an_action_form_without_the_version_read_is_refused(staff_client, staff, db, version):
    """Leaving the version out must not skip the check (finding 4)."""
    action = ActionFactory(title="Original title")
    data = {
        "actor": action.actor.pk,
        "recommendations": [r.pk for r in action.recommendations.all()],
        "taken_on": "2020-05-04",
        "title": "Overwritten blindly",
        "description": "",
        "information_source": "",
        "state": action.state,
        "withdrawal_reason": "",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
    }
    if version is not None:
        data["loaded_version"] = version
    response = staff_client.post(reverse("admin:tracker_action_change", args=[action.pk]), data)
    assert response.status_code == 200
    assert "The version of the record you edited is missing" in response.content.decode()
    action.refresh_from_db()
    assert action.title == "Original title"


def test_a_status_form_without_the_version_read_is_refused(staff_client, staff, db):
    responsibility = ResponsibilityFactory()
    data = {
        "recommendation": responsibility.recommendation.pk,
        "actor": responsibility.actor.pk,
        "role": responsibility.role,
        "new_status": "full",
        "assessed_on": "2024-01-01",
        "reason": "Blind overwrite",
    }
    response = staff_client.post(reverse("admin:tracker_responsibility_change", args=[responsibility.pk]), data)
    assert response.status_code == 200
    assert "The version of the record you edited is missing" in response.content.decode()
    responsibility.refresh_from_db()
    assert responsibility.status == "not_assessed"


def test_admin_pages_never_show_a_rows_technical_name(staff_client, db):
    """No "Action_recommendations object (N)": every relation shown has a human label (issue 18)."""
    recommendation = RecommendationFactory(number=4)
    ResponsibilityFactory(recommendation=recommendation)
    ActionFactory(title="Consular network extended", recommendations=[recommendation])
    for url in [
        reverse("admin:forum_recommendation_change", args=[recommendation.pk]),
        reverse("admin:tracker_action_changelist"),
        reverse("admin:tracker_responsibility_changelist"),
    ]:
        body = staff_client.get(url).content.decode()
        assert "object (" not in body, url
    page = staff_client.get(reverse("admin:forum_recommendation_change", args=[recommendation.pk])).content.decode()
    assert "Consular network extended" in page and "css/admin.css" in page
