"""The browser suite: Debian's Chromium, driven by Playwright, against pytest-django's live server.

One Chromium and one tab serve the whole package (`chromium`, `page`). Each test builds its data with
the factories; pytest-django flushes the database after it (live_server implies transactional_db).
Without a Chromium the tests skip, unless REQUIRE_BROWSER=1 (CI), in which case they fail.

The browser is started here rather than through pytest-playwright's session-scoped fixtures so that it
stops when this package is done: Playwright's sync API keeps an asyncio loop running in the main thread
for as long as it is started, and Django refuses ORM calls while a loop runs unless
DJANGO_ALLOW_ASYNC_UNSAFE is set. Both are kept to this package: later tests neither meet the loop
nor inherit the variable (which `manage.py check --deploy` rightly reports as an error).
"""

import datetime
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, connections
from django.utils import timezone
from playwright.sync_api import sync_playwright

from tests.browser.pages import (
    DESKTOP,
    DRAFT_TITLE,
    EARLIER_ROUND,
    LATER_ROUND,
    OPEN_ROUND,
    ROUND_DRAFT_TEXT,
    ROUND_SUBMITTED_TEXT,
    WITHDRAWN_TITLE,
)
from tests.factories import (
    ActionFactory,
    ActorFactory,
    BodyFactory,
    CommentFactory,
    CommentSectionFactory,
    EvidenceFactory,
    ForumFactory,
    LiaisonFactory,
    PanelFactory,
    RecommendationFactory,
    ResponsibilityFactory,
    StatusChangeFactory,
    UserFactory,
)
from tracker import services
from tracker.models import STAFF_GROUP, Action, Actor, OverallAssessment, ReportingRound, Responsibility, Status

CHROMIUM_MISSING = "Chromium not installed: apt-get install chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _browser_required():
    return os.environ.get("REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


def _find_chromium(playwright):
    """The Chromium to launch, as (executable_path, found).

    CHROMIUM_PATH, when set, is the only one tried. Otherwise: Debian's package (its /usr/bin/chromium is
    a shell wrapper, so the real binary under /usr/lib/chromium comes first), one on PATH, and last
    Playwright's own download (executable_path None: Playwright finds it).
    """
    explicit = os.environ.get("CHROMIUM_PATH")
    candidates = [explicit] if explicit else ["/usr/lib/chromium/chromium", shutil.which("chromium")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate, True
    if explicit:
        return None, False
    try:
        bundled = playwright.chromium.executable_path
    except Exception:  # noqa: BLE001 - whatever the reason, there is no bundled browser to use
        bundled = None
    return None, bool(bundled and Path(bundled).is_file())


@pytest.fixture(scope="package")
def chromium(django_db_setup, live_server):
    """A headless Chromium for this package; skips (or fails, with REQUIRE_BROWSER=1) when there is none."""
    # Once the loop runs, Django keeps its connections apart from the thread's (asgiref's Local), so the
    # tests get new connection objects, without the migrated rows pytest-django serialised on the first.
    serialised = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with pytest.MonkeyPatch.context() as env, sync_playwright() as playwright:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        for alias, contents in serialised.items():
            env.setattr(connections[alias], "_test_serialized_contents", contents, raising=False)
        executable, found = _find_chromium(playwright)
        if not found:
            if _browser_required():
                pytest.fail(f"{CHROMIUM_MISSING} (REQUIRE_BROWSER=1: the browser tests may not skip)", pytrace=False)
            pytest.skip(CHROMIUM_MISSING)
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_context(chromium, live_server):
    """Make a browser context of its own, on the live server; closed after the test."""
    contexts = []

    def _new_context(**kwargs):
        contexts.append(chromium.new_context(**{"base_url": live_server.url, "locale": "en-US", **kwargs}))
        return contexts[-1]

    yield _new_context
    for context in contexts:
        context.close()


@pytest.fixture(scope="package")
def _package_page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="en-US")  # the tests read English
    yield context.new_page()
    context.close()


@pytest.fixture
def page(_package_page):
    """The package's one tab, on the live server (`page.goto("/actors/")`), left on about:blank after each test.

    A context per test would cost Chromium a new renderer process, about a third of a second each. Every
    test starts with a navigation, which resets the DOM, the focus and the scroll; the cookies are cleared
    after each test, so that a language one test picked (`?lang=es` is remembered in a cookie) never
    carries over to the next. A test that loads hostile content uses a context of its own (`new_context`).
    """
    yield _package_page
    _package_page.goto("about:blank")
    _package_page.context.clear_cookies()


@pytest.fixture
def visit(page):
    """Open a path on the live server at a viewport width; the response's status is checked."""

    def _visit(path, width=DESKTOP, status=200):
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(path, wait_until="load")
        assert response is not None, f"no response for {path}"
        assert response.status == status, f"{path} answered {response.status}, expected {status}"
        return response

    return _visit


def _set_status(responsibility, status, on, reasoning, previous=Status.NOT_ASSESSED):
    """Give a responsibility a status with its history row, as the services would."""
    responsibility.status = status
    responsibility.last_assessed = on
    responsibility.reasoning = reasoning
    responsibility.save()
    StatusChangeFactory(
        responsibility=responsibility, from_status=previous, to_status=status, assessed_on=on, reason=reasoning
    )


def _restart_round_ids():
    """Number the rounds from 1 again, so that pages.py can name their pages (`/rounds/1/`).

    The database is emptied after each test but its sequences run on (pytest-django flushes without
    resetting them), and the rounds are the only rows whose pages are reached by id. Their table is
    empty here, so restarting its sequence cannot collide with a row.
    """
    assert not ReportingRound.objects.exists(), "the rounds' ids can only be restarted on an empty table"
    table = {"table": ReportingRound._meta.db_table, "column": "id"}
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_by_name_sql(no_style(), [table]):
            cursor.execute(sql)


def _reporting_rounds(responsibilities, *, mexico, canada):
    """Three reporting rounds, built through the services as the staff and the liaisons would.

    The 2023 round is closed first, while Mexico's consular protection was pending and Guatemala had a
    labour-migration bill; between the two closes the staff record the assessments the record shows
    today (Mexico improved, Guatemala regressed), and the 2024 round is closed on them. The third round
    is open, due in the future: Canada has submitted its report, Mexico has only a draft.
    """
    staff = UserFactory(username="secretariat", is_staff=True, email="secretariat@example.org")
    staff.groups.add(Group.objects.get(name=STAFF_GROUP))
    liaisons = {
        "MEX": LiaisonFactory(actor=mexico, user=UserFactory(username="mex-liaison")).user,
        "CAN": LiaisonFactory(actor=canada, user=UserFactory(username="can-liaison")).user,
    }

    _restart_round_ids()
    earlier = services.round_save(
        round_=ReportingRound(
            name="2023 reporting round",
            request="Report on **every recommendation** you are responsible for.",
            opens_on=datetime.date(2023, 3, 1),
            due_on=datetime.date(2023, 6, 30),
            closes_on=datetime.date(2023, 7, 31),
        ),
        by=staff,
    )
    services.round_close(round_=earlier, by=staff)

    # What moved between the closes: the assessments the record shows today, with their dates and reasons.
    services.responsibility_set_status(
        responsibility=responsibilities["mexico_1"],
        status=Status.PARTIAL,
        by=staff,
        reason="Consular network expanded in 2023.",
        assessed_on=datetime.date(2024, 1, 15),
    )
    services.responsibility_set_status(
        responsibility=responsibilities["guatemala_2"],
        status=Status.NON_COMPLIANCE,
        by=staff,
        reason="No measure reported.",
        assessed_on=datetime.date(2023, 9, 1),
    )
    later = services.round_save(
        round_=ReportingRound(
            name="2024 reporting round",
            opens_on=datetime.date(2024, 3, 1),
            due_on=datetime.date(2024, 5, 31),
        ),
        by=staff,
    )
    services.round_close(round_=later, by=staff)

    today = timezone.localdate()
    current = services.round_save(
        round_=ReportingRound(
            name="Mid-term reporting round",
            request="Say what was done on each recommendation since the 2024 round, with links to the evidence.",
            opens_on=today - datetime.timedelta(days=14),
            due_on=today + datetime.timedelta(days=45),
        ),
        by=staff,
    )
    assert (earlier.pk, later.pk, current.pk) == (EARLIER_ROUND, LATER_ROUND, OPEN_ROUND)

    # Mexico has a draft: one entry begun, one not.
    draft = services.round_report_start(round_=current, actor=mexico, by=liaisons["MEX"])
    first, _second = draft.entries.order_by("responsibility__recommendation__number")
    draft = services.round_report_save(
        report=draft,
        by=liaisons["MEX"],
        entries={first.pk: {"proposed_status": Status.SUBSTANTIAL, "progress": ROUND_DRAFT_TEXT}},
        expected_version=draft.version,
    )
    # Canada has submitted, and nobody has reviewed it yet.
    submitted = services.round_report_start(round_=current, actor=canada, by=liaisons["CAN"])
    workers = Action.objects.get(actor=canada, title="Seasonal agricultural workers programme renewed")
    submitted = services.round_report_save(
        report=submitted,
        by=liaisons["CAN"],
        entries={
            entry.pk: {
                "proposed_status": entry.responsibility.status,
                "progress": f"{ROUND_SUBMITTED_TEXT} (recommendation {entry.responsibility.recommendation.number}).",
                "links": "https://example.org/canada-round-report",
                "actions": [workers],
            }
            for entry in submitted.entries.select_related("responsibility__recommendation")
        },
        expected_version=submitted.version,
    )
    submitted = services.round_report_submit(report=submitted, by=liaisons["CAN"], expected_version=submitted.version)
    return SimpleNamespace(
        earlier=earlier, later=later, open=current, staff=staff, liaisons=liaisons, draft=draft, submitted=submitted
    )


@pytest.fixture
def dataset(transactional_db):
    """A small but realistic record: the forum, three recommendations, four states and a body,
    responsibilities at every kind of status, published actions with Markdown, a draft and a withdrawn one;
    and three reporting rounds (`_reporting_rounds`): two closed, one open with a submitted report and a draft."""
    forum = ForumFactory(
        introduction=(
            "The Special Forum on Migration Issues was held at the headquarters of the Organization.\n"
            "Its participants adopted the comments and recommendations that follow."
        ),
        source_reference="OEA/Ser.G CE/AM-66/08",
    )
    PanelFactory(forum=forum, position=1, topic="Migration and development")
    PanelFactory(forum=forum, position=2, topic="Human rights of migrants and their families")
    general = CommentSectionFactory(forum=forum, letter="A", heading="General comments", position=1)
    specific = CommentSectionFactory(forum=forum, letter="B", heading="Specific comments", position=2)
    comment_plain = CommentFactory(
        forum=forum,
        section=general,
        number=1,
        position=1,
        text="Migration is a shared responsibility of countries of origin, transit and destination.",
    )
    comment_bullets = CommentFactory(
        forum=forum,
        section=specific,
        number=2,
        position=2,
        text=(
            "The participants stressed the following points:\n"
            "· the protection of the human rights of all migrants;\n"
            "· access to consular assistance;\n"
            "· regular channels for labour migration."
        ),
    )

    recommendations = {
        1: RecommendationFactory(
            forum=forum,
            number=1,
            short_title="Consular protection",
            text="To strengthen the consular protection of migrants, whatever their migratory status.",
        ),
        2: RecommendationFactory(
            forum=forum,
            number=2,
            short_title="Labour migration",
            text="To promote regular, safe and orderly channels for labour migration in the region.",
        ),
        3: RecommendationFactory(
            forum=forum,
            number=3,
            short_title="",
            text="To exchange information and good practices on the integration of migrants and their families.",
        ),
    }
    recommendations[1].related_comments.set([comment_plain, comment_bullets])
    recommendations[2].related_comments.set([comment_bullets])

    mexico = ActorFactory(code="MEX", name="Mexico", member_since=datetime.date(1948, 4, 30))
    canada = ActorFactory(code="CAN", name="Canada")
    guatemala = ActorFactory(code="GTM", name="Guatemala")
    belize = ActorFactory(code="BLZ", name="Belize", notes="Reports through its permanent mission.")
    body = BodyFactory(code="RCM", name="Regional Conference on Migration", kind=Actor.Kind.REGIONAL_PROCESS)

    def responsibility(number, actor, role=Responsibility.Role.LEAD):
        return ResponsibilityFactory(recommendation=recommendations[number], actor=actor, role=role)

    # Mexico's consular protection and Guatemala's labour migration start where they stood at the close
    # of the 2023 round; `_reporting_rounds` brings them to their statuses of today (partial, non-compliance).
    mexico_1 = responsibility(1, mexico)
    _set_status(mexico_1, Status.PENDING, datetime.date(2023, 5, 10), "A consular protection plan was announced.")
    _set_status(responsibility(1, canada), Status.FULL, datetime.date(2024, 2, 1), "Programme in force since 2019.")
    responsibility(1, guatemala)  # not yet assessed
    _set_status(
        responsibility(1, body, Responsibility.Role.SUPPORTING),
        Status.SUBSTANTIAL,
        datetime.date(2024, 3, 5),
        "Guidelines adopted by the member countries.",
    )
    _set_status(
        responsibility(2, mexico), Status.NOT_APPLICABLE, datetime.date(2024, 1, 15), "No such programme applies."
    )
    _set_status(responsibility(2, canada), Status.PENDING, datetime.date(2023, 11, 20), "Bill before parliament.")
    guatemala_2 = responsibility(2, guatemala)
    _set_status(guatemala_2, Status.PENDING, datetime.date(2023, 2, 1), "A labour migration bill was announced.")
    responsibility(3, belize)  # not yet assessed
    responsibility(3, body, Responsibility.Role.SUPPORTING)  # not yet assessed

    overall = OverallAssessment.objects.get(recommendation=recommendations[1])
    overall.status = Status.PARTIAL
    overall.last_assessed = datetime.date(2024, 4, 1)
    overall.reasoning = "Two of four responsible actors report measures."
    overall.save()
    StatusChangeFactory(
        responsibility=None,
        actor=None,
        recommendation=recommendations[1],
        from_status=Status.NOT_ASSESSED,
        to_status=Status.PARTIAL,
        assessed_on=datetime.date(2024, 4, 1),
        reason="Two of four responsible actors report measures.",
    )

    consular = ActionFactory(
        actor=mexico,
        title="National consular protection programme",
        taken_on=datetime.date(2023, 6, 1),
        description=(
            "The **Ministry of Foreign Affairs** opened twelve new consular offices.\n\n"
            "- mobile consulates in border areas\n"
            "- a free telephone line for *migrants in transit*\n\n"
            "See [the official announcement](https://example.org/announcement)."
        ),
        information_source="National report to the committee",
        recommendations=[recommendations[1]],
    )
    EvidenceFactory(action=consular, title="Official gazette", url="https://example.org/gazette")
    workers = ActionFactory(
        actor=canada,
        title="Seasonal agricultural workers programme renewed",
        taken_on=datetime.date(2022, 3, 15),
        description="The programme was renewed for *five* years.\n\n1. recruitment\n2. placement\n3. return",
        information_source="Press release",
        recommendations=[recommendations[1], recommendations[2]],
    )
    EvidenceFactory(action=workers, title="Press release", url="https://example.org/press")
    ActionFactory(
        actor=body,
        title="Regional guidelines on consular protection",
        taken_on=datetime.date(2021, 10, 1),
        description="> Adopted by the vice-ministers at their annual meeting.",
        information_source="",
        recommendations=[recommendations[1], recommendations[3]],
    )
    draft = ActionFactory(
        actor=mexico,
        title=DRAFT_TITLE,
        description="Not yet checked by the committee.",
        state=Action.State.DRAFT,
        recommendations=[recommendations[1], recommendations[2]],
    )
    withdrawn = ActionFactory(
        actor=guatemala,
        title=WITHDRAWN_TITLE,
        state=Action.State.WITHDRAWN,
        withdrawal_reason="Announced in error.",
        recommendations=[recommendations[2]],
    )
    rounds = _reporting_rounds({"mexico_1": mexico_1, "guatemala_2": guatemala_2}, mexico=mexico, canada=canada)
    return SimpleNamespace(
        forum=forum,
        recommendations=recommendations,
        mexico=mexico,
        canada=canada,
        guatemala=guatemala,
        belize=belize,
        body=body,
        draft=draft,
        withdrawn=withdrawn,
        rounds=rounds,
    )
