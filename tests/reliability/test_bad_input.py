"""A battery of bad input: nothing answers 500, nothing changes that should not, nothing is unescaped.

Four families, each counted (the totals are printed after the run, under "bad input battery"):

- malformed and oversized posts to every form (sign-in, password reset and change, the liaison's
  report forms, the review decision, the admin's change and add forms and its bulk action);
- the same forms posted without a CSRF token, with data that would otherwise be accepted (a control
  shows it is): 403 and no change;
- SQL injection strings, NUL bytes, reflected script and absurd values in every filter parameter of
  every list page, API list, download and admin list: never a 500, no change, no row that the filter
  should not have let through, the script never reflected raw;
- script payloads in every text field that staff, liaisons or the record can hold, then every page,
  feed and API field that shows them: each payload shown (so the check is not vacuous) and escaped.

After each family the record is compared with a snapshot of its row counts and key fields.
"""

import json
import re
from html.parser import HTMLParser
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client

from forum.models import Recommendation
from tests.conftest import kept_for_module
from tests.factories import (
    ActorFactory,
    CommentFactory,
    ForumFactory,
    LiaisonFactory,
    PanelFactory,
    RecommendationFactory,
    ResponsibilityFactory,
    UserFactory,
)
from tests.reliability.conftest import TALLY
from tracker import filters, services
from tracker.models import (
    STAFF_GROUP,
    Action,
    Actor,
    Evidence,
    OverallAssessment,
    Report,
    Responsibility,
    Status,
)

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "correct-horse-battery"  # the factories' password


# The record every family runs against.


def _build_record():
    staff = UserFactory(username="staff", is_staff=True, email="staff@example.org")
    staff.groups.add(Group.objects.get(name=STAFF_GROUP))
    mexico, canada = ActorFactory(code="MEX", name="Mexico"), ActorFactory(code="CAN", name="Canada")
    liaison_mexico = LiaisonFactory(user=UserFactory(username="liaison-mex"), actor=mexico).user
    LiaisonFactory(user=UserFactory(username="liaison-can"), actor=canada)
    forum = ForumFactory()
    recs = [RecommendationFactory(forum=forum, number=n, short_title=f"Topic {n}") for n in (1, 2)]
    responsibilities = [ResponsibilityFactory(recommendation=r, actor=a) for r in recs for a in (mexico, canada)]
    services.responsibility_set_status(
        responsibility=responsibilities[0], status=Status.PARTIAL, by=staff, reason="Half the plan is in place."
    )
    services.recommendation_set_status(recommendation=recs[0], status=Status.PENDING, by=staff, reason="Early days.")
    action = Action(
        actor=mexico,
        taken_on="2020-01-15",
        title="National plan",
        description="A **plan**.",
        information_source="National report",
        state=Action.State.PUBLISHED,
    )
    services.action_save(action=action, by=staff, recommendations=recs[:1])
    services.evidence_save(evidence=Evidence(action=action, title="Gazette", url="https://example.org/g"), by=staff)

    def report(title, submit):
        report = Report(actor=mexico, author=liaison_mexico, taken_on="2024-05-02", title=title)
        report = services.report_save(report=report, by=liaison_mexico, recommendations=recs)
        return (
            services.report_submit(report=report, by=liaison_mexico, expected_version=report.version)
            if submit
            else report
        )

    return SimpleNamespace(
        staff=staff,
        liaison=liaison_mexico,
        mexico=mexico,
        recommendations=recs,
        responsibility=responsibilities[0],
        action=action,
        draft=report("Draft report", submit=False),
        submitted=report("Submitted report", submit=True),
    )


@pytest.fixture(scope="module")
def built_record(django_db_blocker):
    """The record, built once for the module: every test reads it and none may change it."""
    with kept_for_module(django_db_blocker):
        with django_db_blocker.unblock():
            built = _build_record()
        yield built


@pytest.fixture
def record(built_record, db):
    """The record as built: what an earlier test wrote was rolled back, and its objects are read again."""
    for row in [
        built_record.staff,
        built_record.liaison,
        built_record.mexico,
        built_record.responsibility,
        built_record.action,
        built_record.draft,
        built_record.submitted,
        *built_record.recommendations,
    ]:
        row.refresh_from_db()
    return built_record


def snapshot():
    """Row counts of the record and the accounts, and the fields a bad request could change."""
    labels = {"forum", "tracker", "auth", "admin"}
    return {
        "counts": {m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.app_label in labels},
        "responsibilities": list(
            Responsibility.objects.order_by("pk").values_list("pk", "status", "version", "reasoning", "role")
        ),
        "overall": list(OverallAssessment.objects.order_by("pk").values_list("pk", "status", "version", "reasoning")),
        "actions": list(
            Action.objects.order_by("pk").values_list(
                "pk", "title", "description", "information_source", "state", "version", "taken_on", "actor_id"
            )
        ),
        "reports": list(
            Report.objects.order_by("pk").values_list("pk", "title", "description", "state", "version", "action_id")
        ),
        "recommendations": list(
            Recommendation.objects.order_by("pk").values_list("pk", "number", "text", "short_title")
        ),
        "actors": list(Actor.objects.order_by("pk").values_list("pk", "code", "name", "notes", "kind")),
        "users": list(
            User.objects.order_by("pk").values_list(
                "pk", "username", "password", "email", "is_staff", "is_superuser", "is_active"
            )
        ),
    }


def assert_unchanged(before, *, except_submitted=None):
    """No change at all; or, for the submit button, at most that one draft submitted (see below)."""
    after = snapshot()
    if except_submitted is not None:
        before, after = _without_submission(before, except_submitted), _without_submission(after, except_submitted)
    changed = [key for key in before if before[key] != after[key]]
    TALLY["unintended_changes"] += len(changed)
    if "counts" in changed:
        changed.append({k: (v, after["counts"][k]) for k, v in before["counts"].items() if after["counts"][k] != v})
    assert changed == [], f"unintended changes in {changed}"


def _without_submission(state, report):
    """The snapshot less one report's own row and history: what the submit button may change."""
    state = {**state, "counts": dict(state["counts"])}
    state["counts"].pop("tracker.HistoricalReport")
    state["counts"].pop("tracker.HistoricalReport_recommendations")
    state["reports"] = [row for row in state["reports"] if row[0] != report.pk]
    return state


def sent(response, family):
    TALLY["requests"] += 1
    TALLY[family] += 1
    if response.status_code >= 500:
        TALLY["server_errors"] += 1
    return response


def client_as(record, role, **kwargs):
    # A server error is answered (500) and counted, rather than raised in the test.
    client = Client(raise_request_exception=False, **kwargs)
    if role != "anonymous":
        client.force_login(getattr(record, role))
    return client


# Application defects this battery finds and that are not yet fixed, as {(scope, *failure): reason}. A
# test that meets one of them, and nothing else wrong, is marked xfail with the reason; once the defect
# is fixed it fails, asking for its entry to be removed. The three it found first (an over-long user
# name at login, a NUL character in an admin list filter, twice) are fixed: the battery expects no 500.
KNOWN_DEFECTS = {}


def settle_known_defects(scope, failures):
    """Fail on an unknown server error; xfail on known ones; fail if a known one no longer happens."""
    known = {key: KNOWN_DEFECTS[key] for key in ((scope, *failure) for failure in failures) if key in KNOWN_DEFECTS}
    unknown = [failure for failure in failures if (scope, *failure) not in KNOWN_DEFECTS]
    assert unknown == [], f"{scope}: server errors {unknown}"
    expected = {key for key in KNOWN_DEFECTS if key[0] == scope} if connection.vendor == "postgresql" else set()
    fixed = expected - set(known)
    assert not fixed, f"known defects no longer happen, remove them from KNOWN_DEFECTS: {sorted(fixed)}"
    TALLY["known_defects"] += len(known)
    if known:
        pytest.xfail("known application defect: " + "; ".join(sorted(set(known.values()))))


# Family 1: malformed and oversized posts to every form.

FORMS = {
    "login": ("anonymous", lambda r: "/accounts/login/"),
    "password_reset": ("anonymous", lambda r: "/accounts/password_reset/"),
    "password_change": ("staff", lambda r: "/accounts/password_change/"),
    "report_create": ("liaison", lambda r: "/liaison/reports/new/"),
    "report_edit": ("liaison", lambda r: f"/liaison/reports/{r.draft.pk}/edit/"),
    "report_submit": ("liaison", lambda r: f"/liaison/reports/{r.draft.pk}/submit/"),
    "review_decision": ("staff", lambda r: f"/review/{r.submitted.pk}/"),
    "admin_action_change": ("staff", lambda r: f"/admin/tracker/action/{r.action.pk}/change/"),
    "admin_action_add": ("staff", lambda r: "/admin/tracker/action/add/"),
    "admin_responsibility_change": ("staff", lambda r: f"/admin/tracker/responsibility/{r.responsibility.pk}/change/"),
    "admin_responsibility_bulk_status": ("staff", lambda r: "/admin/tracker/responsibility/"),
    "admin_recommendation_change": (
        "staff",
        lambda r: f"/admin/forum/recommendation/{r.recommendations[0].pk}/change/",
    ),
    "admin_actor_change": ("staff", lambda r: f"/admin/tracker/actor/{r.mexico.pk}/change/"),
}

TEXT_FIELDS = [
    "title",
    "description",
    "information_source",
    "reason",
    "comment",
    "proposed_reasoning",
    "proposal-1-reasoning",
    "evidence_links",
    "withdrawal_reason",
    "short_title",
    "notes",
    "name",
    "username",
    "password",
    "email",
    "old_password",
    "new_password1",
    "new_password2",
]
GARBAGE = {
    "taken_on": "not-a-date",
    "assessed_on": "2024-02-30",
    "title": "",
    "recommendations": ["abc", "-1", "99999999999999999999"],
    "status": "bogus",
    "new_status": "bogus",
    "proposed_status": "bogus",
    "proposal-1-status": "bogus",
    "decision": "bogus",
    "accept_status": "perhaps",
    "loaded_version": "NaN",
    "actor": "99999999",
    "state": "hacked",
    "role": "king",
    "kind": "emperor",
    "code": "lower case!",
    "forum": "x",
    "number": "-5",
    "username": ["staff", "admin"],
    "password": "",
    "email": "not-an-email",
    "old_password": "",
    "new_password1": "a",
    "new_password2": "b",
    "evidence_links": "javascript:alert(1)",
    "action": "delete_selected",
    "_selected_action": ["x", "-1"],
    "apply": "1",
}
BROKEN_MULTIPART = b'--xyz\r\nContent-Disposition: form-data; name="title"\r\n\r\nunterminated'

MALFORMED = {
    "empty": {"data": {}},
    "garbage": {"data": GARBAGE},
    "nul_bytes": {"data": {**GARBAGE, **{field: f"ok\x00{field}" for field in TEXT_FIELDS}, "taken_on": "2020\x00"}},
    "oversized_fields": {
        "data": {**dict.fromkeys(TEXT_FIELDS, "x" * 100_000), "recommendations": [str(n) for n in range(900)]}
    },
    "body_over_the_upload_limit": {"data": {"title": "x" * 3_000_000}},
    "too_many_fields": {"data": {f"field{n}": "x" for n in range(1500)}},
    "broken_multipart": {"data": BROKEN_MULTIPART, "content_type": "multipart/form-data; boundary=xyz"},
    "multipart_without_boundary": {"data": b"garbage", "content_type": "multipart/form-data"},
    "invalid_utf8": {
        "data": b"title=%ff%fe&description=\xff\xfe\xfd",
        "content_type": "application/x-www-form-urlencoded",
    },
    "json_body": {
        "data": json.dumps({"title": ["<script>"], "decision": "approve"}),
        "content_type": "application/json",
    },
}


@pytest.mark.parametrize("form", list(FORMS))
def test_malformed_and_oversized_posts_never_fail_and_change_nothing(record, form):
    role, url = FORMS[form]
    url = url(record)
    before = snapshot()
    failures = []
    for name, payload in MALFORMED.items():
        # A fresh client each time: django-axes would lock the sign-in after five failures otherwise,
        # and a lockout page is not what is being tested.
        response = sent(client_as(record, role).post(url, **payload), "malformed")
        if response.status_code >= 500:
            failures.append((name,))
    if form == "report_submit":
        # The submit button posts nothing but the version it was shown, as a guard against a stale
        # page; the view treats a version it cannot read as no guard, so a malformed post still
        # submits the liaison's own draft (what the button is for). Nothing else may change.
        report = Report.objects.get(pk=record.draft.pk)
        assert report.state in (Report.State.DRAFT, Report.State.SUBMITTED)
        assert report.title == record.draft.title and report.description == record.draft.description
        assert_unchanged(before, except_submitted=record.draft)
    else:
        assert_unchanged(before)
    settle_known_defects(form, failures)


# Family 2: posts without a CSRF token.


def _valid_posts(r):
    """Data each form would accept: with a token, these change the record (see the control test)."""
    rec = r.recommendations[0]
    report = {
        "taken_on": "2024-05-02",
        "title": "Regularisation programme",
        "description": "For migrants.",
        "recommendations": [rec.pk],
        "evidence_links": "https://example.org/decree",
    }
    return {
        "login": {"username": "staff", "password": PASSWORD},
        "password_reset": {"email": "staff@example.org"},
        "password_change": {
            "old_password": PASSWORD,
            "new_password1": "An0ther-long-one!",
            "new_password2": "An0ther-long-one!",
        },
        "report_create": report,
        "report_edit": {**report, "title": "Edited title", "loaded_version": r.draft.version},
        "report_submit": {"loaded_version": r.draft.version},
        "review_decision": {
            "decision": "approve",
            "comment": "",
            "loaded_version": r.submitted.version,
        },
        "admin_action_change": {"title": "Changed by a forged request"},
        "admin_action_add": {"title": "Added by a forged request", "actor": r.mexico.pk},
        "admin_responsibility_change": {
            "role": "lead",
            "new_status": Status.FULL,
            "assessed_on": "2024-01-01",
            "reason": "Forged.",
            "loaded_version": r.responsibility.version,
        },
        "admin_responsibility_bulk_status": {
            "action": "set_status",
            "_selected_action": [r.responsibility.pk],
            "apply": "1",
            "status": Status.FULL,
            "assessed_on": "2024-01-01",
            "reason": "Forged.",
        },
        "admin_recommendation_change": {"short_title": "Forged"},
        "admin_actor_change": {"code": "MEX", "name": "Forged", "kind": "member_state"},
    }


@pytest.mark.parametrize("form", list(FORMS))
def test_posts_without_a_csrf_token_are_refused_and_change_nothing(record, form):
    role, url = FORMS[form]
    client = client_as(record, role, enforce_csrf_checks=True)
    before = snapshot()
    response = sent(client.post(url(record), _valid_posts(record)[form]), "csrf")
    assert response.status_code == 403, (form, response.status_code)
    # A token from another session does not do either.
    forged = sent(
        client.post(url(record), {**_valid_posts(record)[form], "csrfmiddlewaretoken": "x" * 64}),
        "csrf",
    )
    assert forged.status_code == 403
    assert_unchanged(before)


CONTROLS = [
    "login",
    "report_create",
    "review_decision",
    "admin_responsibility_change",
    "admin_responsibility_bulk_status",
]


@pytest.mark.parametrize("form", CONTROLS)
def test_the_same_posts_with_a_token_are_accepted(record, form):
    """The control: the posts above are refused for want of a token, not because they are invalid."""
    role, url = FORMS[form]
    client = client_as(record, role, enforce_csrf_checks=True)
    client.get(url(record))
    data = {**_valid_posts(record)[form], "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    before = snapshot()
    response = client.post(url(record), data)
    assert response.status_code == 302, (form, response.status_code)
    if form == "login":
        assert "_auth_user_id" in client.session
    else:
        assert snapshot() != before


# Family 3: injection strings in every filter parameter.

INJECTIONS = [
    "' OR 1=1--",
    "1; DROP TABLE tracker_action",
    "%27",
    "' UNION SELECT username, password FROM auth_user--",
    "ü' OR 'a'='a — 中文 🙂",
    "a\x00b",
    "%00",
    '"><script>alert("reflected")</script>',
    "99999999999999999999999",
    "-1",
    "2024-13-45",
    "x" * 5000,
]
REFLECTED = '<script>alert("reflected")</script>'

LISTS = {
    "recommendation_list": ("anonymous", "/recommendations/", filters.RecommendationFilter),
    "actor_list": ("anonymous", "/actors/", filters.ActorFilter),
    "action_list": ("anonymous", "/actions/", filters.ActionFilter),
    "actor_detail": ("anonymous", "/actors/MEX/", None),
    "api_recommendations": ("anonymous", "/api/recommendations/", filters.RecommendationFilter),
    "api_actors": ("anonymous", "/api/actors/", filters.ActorFilter),
    "api_responsibilities": ("anonymous", "/api/responsibilities/", filters.ResponsibilityFilter),
    "api_actions": ("anonymous", "/api/actions/", filters.ActionFilter),
    "api_status_changes": ("anonymous", "/api/status-changes/", filters.StatusChangeFilter),
    "export_actions": ("anonymous", "/export/actions.csv", filters.ActionFilter),
    "export_matrix": ("anonymous", "/export/matrix.csv", filters.ResponsibilityFilter),
    "export_recommendations": ("anonymous", "/export/recommendations.csv", filters.RecommendationFilter),
    "committee_report": ("anonymous", "/report/", filters.CommitteeReportFilter),
    "review_queue": ("staff", "/review/", filters.ReviewQueueFilter),
    "admin_actions": ("staff", "/admin/tracker/action/", None),
    "admin_responsibilities": ("staff", "/admin/tracker/responsibility/", None),
}
ADMIN_PARAMETERS = ["q", "state__exact", "actor__id__exact", "status__exact", "taken_on__gte", "o", "p", "e"]


def _parameters(url, filterset):
    names = list(filterset.base_filters) if filterset else []
    if url.startswith("/admin/"):
        names = ADMIN_PARAMETERS
    names.append("page")
    if url.startswith("/api/"):
        names.append("page_size")
    return names


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("listing", list(LISTS))
def test_injection_strings_in_every_filter_never_fail_leak_or_change_anything(record, listing):
    role, url, filterset = LISTS[listing]
    client = client_as(record, role)
    if client.get(url).status_code == 404:
        pytest.skip(f"{url} is not there (yet)")
    before = snapshot()
    failures, leaks, reflected = [], [], []
    for parameter in _parameters(url, filterset):
        for value in INJECTIONS:
            response = sent(client.get(url, {parameter: value}), "injection")
            if response.status_code >= 500:
                failures.append((parameter, value.encode("unicode_escape").decode()[:40]))
                continue
            body = _body(response)
            # Reflected script matters where a browser renders HTML; plain-text and JSON answers are
            # never sniffed as HTML (nosniff), which is checked instead.
            if REFLECTED.encode() in body:
                if response["Content-Type"].startswith("text/html"):
                    reflected.append(parameter)
                else:
                    assert response["X-Content-Type-Options"] == "nosniff", (url, parameter)
            # An injected condition must never widen a filter: whatever the API accepts, it matches nothing.
            if url.startswith("/api/") and response.status_code == 200 and parameter not in ("page", "page_size"):
                count = json.loads(body).get("count")
                if count:
                    leaks.append((parameter, value[:30], count))
    assert leaks == [], f"an injected condition matched rows: {leaks}"
    assert reflected == [], f"script reflected unescaped through {reflected}"
    TALLY["unescaped"] += len(reflected)
    assert_unchanged(before)
    assert Action.objects.count() == before["counts"]["tracker.Action"]
    settle_known_defects(listing, failures)


# Family 4: script payloads in every text field, then every page that shows them.


def payload(field):
    """A payload naming its field, trying a script, an event handler and a javascript: link."""
    return (
        f"<script>alert('{field}')</script><img src=x onerror=alert('{field}')>"
        f"<a href=\"javascript:alert('{field}')\">{field}</a>"
    )


MARKDOWN_PAYLOAD = (
    "[click-{field}](javascript:alert('{field}')) <script>alert('{field}')</script> <img src=x onerror=alert(1)>"
)


@pytest.fixture
def payloads(record):
    """Every text field the record can hold, filled with a payload, written the way each is written."""
    staff, liaison, mexico = record.staff, record.liaison, record.mexico
    rec = record.recommendations[0]
    rec.short_title = payload("short_title")[:120]
    rec.save()  # as the admin saves the editorial fields
    mexico.name = payload("actor_name")[:200]
    mexico.notes = payload("actor_notes")
    services.actor_save(actor=mexico, by=staff)
    forum = rec.forum
    PanelFactory(forum=forum, topic=payload("panel_topic"))
    CommentFactory(forum=forum, text=payload("comment_text"))
    services.responsibility_set_status(
        responsibility=record.responsibility, status=Status.SUBSTANTIAL, by=staff, reason=payload("reason")
    )
    services.recommendation_set_status(recommendation=rec, status=Status.PARTIAL, by=staff, reason=payload("overall"))
    action = Action(
        actor=mexico,
        taken_on="2021-03-03",
        title=payload("title")[:200],
        description=MARKDOWN_PAYLOAD.format(field="description"),
        information_source=payload("source")[:300],
        state=Action.State.PUBLISHED,
    )
    services.action_save(action=action, by=staff, recommendations=[rec])
    services.evidence_save(
        evidence=Evidence(action=action, title=payload("evidence")[:200], url="https://example.org/e"), by=staff
    )
    # A javascript: link is refused before it is stored, in evidence and in reports alike.
    with pytest.raises(Exception):  # noqa: B017 - ValidationError, whichever layer raises it
        services.evidence_save(evidence=Evidence(action=action, title="x", url="javascript:alert(1)"), by=staff)
    report = Report(
        actor=mexico,
        author=liaison,
        taken_on="2024-05-02",
        title=payload("report_title")[:200],
        description=MARKDOWN_PAYLOAD.format(field="report_description"),
        evidence_links="https://example.org/decree",
    )
    report = services.report_save(
        report=report,
        by=liaison,
        recommendations=[rec],
        proposals={mexico.responsibilities.get(recommendation=rec): (Status.FULL, payload("proposed_reasoning"))},
    )
    bad_link = Report(
        actor=mexico, author=liaison, taken_on="2024-05-02", title="x", evidence_links="javascript:alert(1)"
    )
    with pytest.raises(Exception):  # noqa: B017
        services.report_save(report=bad_link, by=liaison, recommendations=[rec])
    report = services.report_submit(report=report, by=liaison, expected_version=report.version)
    # Sent back with a comment: the liaison's pages show the comment, and the form is open again.
    report = services.report_request_changes(
        report=report, by=staff, expected_version=report.version, comment=payload("review_comment")
    )
    return SimpleNamespace(report=report, action=action, recommendation=rec)


class InjectionFinder(HTMLParser):
    """Collects what a payload would do if it got through: script text, event handlers, javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self._in_script = [], False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value[:40]}>")
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.found.append(f"<script>{data[:40]}")


def unescaped_in(html):
    finder = InjectionFinder()
    finder.feed(html)
    finder.close()
    return finder.found


FIELDS_SHOWN = {
    "public": [
        "short_title",
        "actor_name",
        "actor_notes",
        "reason",
        "overall",
        "title",
        "source",
        "panel_topic",
        "comment_text",
        "description",
    ],
    "feeds": ["title", "reason", "source", "actor_name"],
    "api": ["title", "source", "evidence", "reason", "actor_notes", "short_title", "description"],
    "liaison": ["report_title", "proposed_reasoning", "review_comment", "report_description", "short_title"],
    "staff": [
        "report_title",
        "proposed_reasoning",
        "reason",
        "title",
        "short_title",
        "actor_name",
        "report_description",
    ],
}


def _pages(audience, p):
    if audience == "public":
        return [
            "/",
            "/recommendations/",
            "/recommendations/1/",
            "/actors/",
            "/actors/MEX/",
            "/actions/",
            "/forum/",
            "/report/",
        ]
    if audience == "feeds":
        return ["/feed/", "/recommendations/1/feed/", "/actors/MEX/feed/"]
    if audience == "api":
        return [
            "/api/recommendations/",
            "/api/actors/",
            "/api/responsibilities/",
            "/api/actions/",
            "/api/status-changes/",
        ]
    if audience == "liaison":
        return ["/liaison/", f"/liaison/reports/{p.report.pk}/", f"/liaison/reports/{p.report.pk}/edit/"]
    return [
        "/review/?state=changes_requested",
        f"/review/{p.report.pk}/",
        "/admin/tracker/action/",
        f"/admin/tracker/action/{p.action.pk}/change/",
        f"/admin/tracker/action/{p.action.pk}/history/",
        f"/admin/tracker/responsibility/{Responsibility.objects.filter(status=Status.SUBSTANTIAL).get().pk}/change/",
        f"/admin/forum/recommendation/{p.recommendation.pk}/change/",
        f"/admin/tracker/report/{p.report.pk}/change/",
        "/admin/tracker/statuschange/",
        "/admin/tracker/actor/",
    ]


def _html_parts(audience, response):
    """The HTML a browser (or feed reader, or API client) would render from this response."""
    body = _body(response).decode()
    if audience == "feeds":
        root = ElementTree.fromstring(body)  # noqa: S314 - our own feed, in a test
        parts = []
        for element in root.iter():
            if element.get("type") == "html":
                parts.append(element.text or "")
            elif element.text and element.tag.endswith(("title", "name")):
                parts.append(element.text.replace("&", "&amp;").replace("<", "&lt;"))
        return parts, body
    if audience == "api":
        # JSON strings are text for the client to escape; description_html is HTML meant to be rendered.
        data = json.loads(body)
        rows = data.get("results", []) if isinstance(data, dict) else data
        return [row["description_html"] for row in rows if "description_html" in row], body
    return [body], body


@pytest.mark.parametrize("audience", list(FIELDS_SHOWN))
def test_script_payloads_in_every_text_field_are_shown_escaped_on_every_page(record, payloads, audience):
    role = {"liaison": "liaison", "staff": "staff"}.get(audience, "anonymous")
    client = client_as(record, role)
    before = snapshot()
    shown, found = set(), []
    for url in _pages(audience, payloads):
        response = sent(client.get(url), "renderings")
        if response.status_code == 404 and audience == "api":
            pytest.skip("the API is not there (yet)")
        assert response.status_code == 200, (url, response.status_code)
        parts, text = _html_parts(audience, response)
        text += "".join(parts)
        for part in parts:
            found += [(url, item) for item in unescaped_in(part)]
        # Which payloads reached this page, in whatever escaped form it shows them.
        readable = text.replace("\\u0027", "'").replace("&#x27;", "'").replace("&#39;", "'")
        shown |= {
            field
            for field in FIELDS_SHOWN[audience]
            if re.search(rf"alert\('{field}'\)|click-{field}|{field}</a>", readable)
        }
    TALLY["unescaped"] += len(found)
    assert found == [], f"payloads rendered unescaped: {found}"
    missing = set(FIELDS_SHOWN[audience]) - shown
    assert not missing, f"payloads not shown anywhere for {audience}, so not checked: {sorted(missing)}"
    assert_unchanged(before)


@pytest.mark.parametrize(
    "html, expected",
    [
        ("<p><script>alert('x')</script></p>", 1),
        ("<img src=x onerror=alert('x')>", 1),
        ("<a href=' JavaScript:alert(1)'>x</a>", 1),
        ("<p>&lt;script&gt;alert('x')&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;</p>", 0),
        ('<a href="https://example.org/javascript:">x</a><script src="/static/app.js"></script>', 0),
    ],
)
def test_the_payload_finder_finds_what_it_looks_for(html, expected):
    """The check above is only as good as this finder: it must see a live payload and pass an escaped one."""
    assert len(unescaped_in(html)) == expected
