"""Reporting rounds in a real browser: the whole cycle, from a liaison's draft to the public page of the
closed round; axe-core and reflow on the signed-in round pages; and what the public never reads.

The `dataset` fixture holds three rounds (pages.py names them): two closed, and one open in which Canada
has submitted its report and Mexico has only a draft. Guatemala, asked too, has not started: it is the
liaison who runs the cycle here.
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.browser.pages import (
    DRAFT_TITLE,
    EARLIER_ROUND,
    LATER_ROUND,
    NARROW,
    OPEN_ROUND,
    PAGES_WITH_DATA,
    ROUND_DRAFT_TEXT,
    ROUND_SUBMITTED_TEXT,
    WIDTH_PARAMS,
    WITHDRAWN_TITLE,
    axe_violations,
    describe_violations,
)
from tests.factories import LiaisonFactory, UserFactory
from tracker import services
from tracker.models import ReportingRound, RoundReport, Status

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"  # every factory-made account's
ROUND_NAME = "Mid-term reporting round"
CLOSE_ACTION = "Close the selected rounds (their statuses are frozen)"
RETURN_COMMENT = "Please name the bill and the date it was tabled."

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
# What sticks out, for the failure message: as in test_keyboard_and_structure.py, a wide table in its
# own scrolling region is fine.
TOO_WIDE = """() => [...document.querySelectorAll("body *")]
    .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .filter(el => !el.closest(".table-scroll") || getComputedStyle(el).position === "absolute")
    .slice(0, 6)
    .map(el => `${el.outerHTML.slice(0, 70)}… ends at ${Math.round(el.getBoundingClientRect().right)}px`)"""


def sign_in(context, username):
    """Sign in through the login form, in a context of the person's own; their page, where it lands."""
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    return page


def signed_in(new_context, live_server, user, **kwargs):
    """A context already signed in as `user` (a session made by the test client): for the tests that
    look at a page rather than at the login."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = new_context(**kwargs)
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context


def entry(page, number, title):
    """A round report's section for one recommendation, on the liaison's or the staff's page."""
    heading = page.get_by_role("heading", name=f"Recommendation {number}: {title}", exact=True)
    return page.locator("section.round-entry").filter(has=heading)


def test_a_liaison_reports_staff_review_and_close_and_the_public_sees_what_moved(new_context, dataset):
    LiaisonFactory(actor=dataset.guatemala, user=UserFactory(username="gtm-liaison"))
    staff_user = dataset.rounds.staff

    # Guatemala's liaison finds the round on their home page, starts the report, answers each recommendation.
    liaison = sign_in(new_context(), "gtm-liaison")
    expect(liaison).to_have_url(re.compile(r"/liaison/$"))
    owed = liaison.get_by_role("region", name="What you owe")
    owed.get_by_role("link", name=ROUND_NAME, exact=True).click()
    expect(liaison).to_have_url(re.compile(rf"/liaison/rounds/{OPEN_ROUND}/$"))
    expect(liaison.get_by_role("heading", level=1)).to_have_text(f"{ROUND_NAME}: the report of Guatemala")
    liaison.get_by_role("button", name="Start the report").click()
    expect(liaison.get_by_role("heading", name="Recommendation 1: Consular protection")).to_be_visible()

    consular = entry(liaison, 1, "Consular protection")
    consular.get_by_label("Status you propose").select_option(Status.PARTIAL.value)
    consular.get_by_label("What was done").fill("Two consulates opened in **Mexico**.")
    consular.get_by_label("Evidence links").fill("https://example.org/gtm/consulates")
    labour = entry(liaison, 2, "Labour migration")
    labour.get_by_label("Status you propose").select_option(Status.PENDING.value)
    labour.get_by_label("What was done").fill("A bill is before congress.")
    labour.get_by_label("Evidence links").fill("https://example.org/gtm/bill")
    liaison.get_by_role("button", name="Save the draft").click()
    expect(liaison.get_by_text("Your draft is saved.")).to_be_visible()

    # Later, from the home page again: the draft kept every answer; it is submitted.
    liaison.goto("/liaison/")
    liaison.get_by_role("region", name="What you owe").get_by_role("link", name=ROUND_NAME).click()
    consular = entry(liaison, 1, "Consular protection")
    expect(consular.get_by_label("Status you propose")).to_have_value(Status.PARTIAL.value)
    expect(consular.get_by_label("What was done")).to_have_value("Two consulates opened in **Mexico**.")
    expect(entry(liaison, 2, "Labour migration").get_by_label("Evidence links")).to_have_value(
        "https://example.org/gtm/bill"
    )
    liaison.get_by_role("button", name="Submit the report").click()
    expect(liaison.get_by_text("Your report is submitted.")).to_be_visible()
    report = RoundReport.objects.get(round_id=OPEN_ROUND, actor=dataset.guatemala)
    assert report.state == RoundReport.State.SUBMITTED

    # Staff accept the first entry and return the second with a comment.
    staff = sign_in(new_context(), staff_user.username)
    expect(staff).to_have_url(re.compile(r"/review/$"))
    waiting = staff.get_by_role("list", name="Round reports awaiting your review")
    expect(waiting.get_by_role("link")).to_have_text(["Canada", "Guatemala"])  # oldest submission first
    waiting.get_by_role("link", name="Guatemala").click()
    expect(staff).to_have_url(re.compile(rf"/review/rounds/{report.pk}/$"))
    entry(staff, 1, "Consular protection").get_by_label("Accept (the proposed status is recorded)").check()
    labour = entry(staff, 2, "Labour migration")
    labour.get_by_label("Return to the liaison").check()
    labour.get_by_label("Comment for the liaison").fill(RETURN_COMMENT)
    staff.get_by_role("button", name="Record the decisions").click()
    expect(staff.get_by_text("Your decisions on the report of Guatemala are recorded.")).to_be_visible()

    # The liaison sees the returned entry with the comment, corrects it and submits again.
    liaison.goto(f"/liaison/rounds/{OPEN_ROUND}/")
    consular = entry(liaison, 1, "Consular protection")
    expect(consular.locator(".entry-decision")).to_have_text("Accepted")
    expect(consular.get_by_label("What was done")).to_have_count(0)  # an accepted entry is not offered again
    labour = entry(liaison, 2, "Labour migration")
    expect(labour.locator(".entry-decision")).to_have_text("Returned")
    expect(labour.get_by_text(RETURN_COMMENT)).to_be_visible()
    labour.get_by_label("Status you propose").select_option(Status.SUBSTANTIAL.value)
    labour.get_by_label("What was done").fill("Bill 5512, tabled on 3 March, was adopted in committee.")
    liaison.get_by_role("button", name="Submit the report").click()
    expect(liaison.get_by_text("Your report is submitted.")).to_be_visible()

    # Staff accept the corrected entry: the report is complete.
    staff.goto("/review/")
    staff.get_by_role("list", name="Round reports awaiting your review").get_by_role("link", name="Guatemala").click()
    expect(entry(staff, 1, "Consular protection").get_by_role("radio")).to_have_count(0)  # decided already
    entry(staff, 2, "Labour migration").get_by_label("Accept (the proposed status is recorded)").check()
    staff.get_by_role("button", name="Record the decisions").click()
    expect(staff.get_by_text("Your decisions on the report of Guatemala are recorded.")).to_be_visible()
    report.refresh_from_db()
    assert report.state == RoundReport.State.ACCEPTED

    # Staff close the round in the admin.
    staff.goto("/admin/tracker/reportinground/")
    staff.get_by_role("row").filter(has_text=ROUND_NAME).get_by_role("checkbox").check()
    staff.get_by_label("Action:").select_option(label=CLOSE_ACTION)
    staff.get_by_role("button", name="Go", exact=True).click()
    expect(staff.get_by_text("1 round closed.")).to_be_visible()
    assert ReportingRound.objects.get(pk=OPEN_ROUND).closed_by == staff_user

    # The public page of the round: who reported, the statuses at the close, and what moved.
    public = new_context().new_page()
    assert public.goto(f"/rounds/{OPEN_ROUND}/").status == 200
    expect(public.locator(".round-state")).to_have_text("Closed")
    who = public.get_by_role("region", name="Who has reported")
    standings = {
        "Canada": "Reported",  # submitted, not yet reviewed: the public sees only that it reported
        "Guatemala": "Reported",
        "Mexico": "Did not report",  # a draft is not a report
    }
    for actor, standing in standings.items():
        row = who.get_by_role("row").filter(has=public.get_by_role("rowheader", name=actor))
        expect(row.locator(".standing")).to_have_text(standing)
    snapshot = public.get_by_role("region", name="Where every status stood when the round closed")
    expect(snapshot).to_contain_text("Compared with the close of the previous round, “2024 reporting round”")
    matrix = snapshot.locator("table.matrix")
    guatemala = matrix.get_by_role("row").filter(has=public.get_by_role("rowheader", name="Guatemala"))
    expect(guatemala.locator("td").nth(0)).to_contain_text("Partial compliance")
    expect(guatemala.locator("td").nth(1)).to_contain_text("Substantial partial compliance")
    expect(guatemala.locator("td").nth(1)).to_contain_text("improved")
    moved = snapshot.get_by_role("list", name="What moved").get_by_role("listitem")
    expect(moved.filter(has_text="Guatemala, recommendation 2")).to_have_text(
        re.compile(r"improved.*Non-compliance\s*→\s*Substantial partial compliance", re.S)
    )
    expect(moved.filter(has_text="Guatemala, recommendation 1")).to_have_text(
        re.compile(r"(improved|changed).*Not yet assessed\s*→\s*Partial compliance", re.S)
    )
    # The page shows none of what the liaisons wrote; nor does the committee's report of the round show
    # Mexico's draft or Canada's report, which nobody reviewed.
    assert "Bill 5512" not in public.content() and ROUND_DRAFT_TEXT not in public.content()
    committee_report = public.request.get(f"/rounds/{OPEN_ROUND}/report/")
    assert committee_report.status == 200
    assert ROUND_DRAFT_TEXT not in committee_report.text() and ROUND_SUBMITTED_TEXT not in committee_report.text()

    # And the dashboard shows the accepted statuses.
    public.goto("/")
    row = public.locator("table.matrix tbody tr").filter(has=public.get_by_role("rowheader", name="Guatemala"))
    expect(row.locator("td").nth(0).locator(".visually-hidden")).to_have_text("Partial compliance")
    expect(row.locator("td").nth(1).locator(".visually-hidden")).to_have_text("Substantial partial compliance")


def test_the_report_just_started_can_be_saved_at_once(new_context, dataset):
    LiaisonFactory(actor=dataset.guatemala, user=UserFactory(username="gtm-liaison"))
    liaison = sign_in(new_context(), "gtm-liaison")
    liaison.goto(f"/liaison/rounds/{OPEN_ROUND}/")
    liaison.get_by_role("button", name="Start the report").click()
    expect(liaison.get_by_role("heading", name="Recommendation 1: Consular protection")).to_be_visible()
    expect(liaison.get_by_role("alert")).to_have_count(0, timeout=1000)  # no "version ... missing"
    entry(liaison, 1, "Consular protection").get_by_label("What was done").fill("Two consulates opened.")
    liaison.get_by_role("button", name="Save the draft").click()
    expect(liaison.get_by_text("Your draft is saved.")).to_be_visible(timeout=2000)


def _returned_guatemala_report(dataset):
    """Guatemala's report in the open round, as the cycle above leaves it after the first review: the
    first entry accepted, the second returned with a comment."""
    user = UserFactory(username="gtm-liaison")
    LiaisonFactory(actor=dataset.guatemala, user=user)
    report = services.round_report_start(round_=dataset.rounds.open, actor=dataset.guatemala, by=user)
    entries = list(report.entries.order_by("responsibility__recommendation__number"))
    report = services.round_report_save(
        report=report,
        by=user,
        entries={
            item.pk: {
                "proposed_status": Status.PARTIAL,
                "progress": "Measures taken.",
                "links": "https://example.org/a",
            }
            for item in entries
        },
        expected_version=report.version,
    )
    report = services.round_report_submit(report=report, by=user, expected_version=report.version)
    services.round_report_review(
        report=report,
        by=dataset.rounds.staff,
        decisions={entries[0].pk: ("accepted", ""), entries[1].pk: ("returned", RETURN_COMMENT)},
        expected_version=report.version,
    )
    return user


def _signed_in_round_pages(new_context, live_server, dataset):
    """Every signed-in page that shows a round, as (who, path, open page), one context per person."""
    guatemala = _returned_guatemala_report(dataset)
    belize = LiaisonFactory(actor=dataset.belize, user=UserFactory(username="blz-liaison")).user
    pages = []
    for who, user, paths in [
        ("Guatemala's liaison (an entry returned)", guatemala, ["/liaison/", f"/liaison/rounds/{OPEN_ROUND}/"]),
        ("Mexico's liaison (a draft)", dataset.rounds.liaisons["MEX"], [f"/liaison/rounds/{OPEN_ROUND}/"]),
        ("Canada's liaison (submitted)", dataset.rounds.liaisons["CAN"], [f"/liaison/rounds/{OPEN_ROUND}/"]),
        ("Belize's liaison (not started)", belize, [f"/liaison/rounds/{OPEN_ROUND}/"]),
        ("staff", dataset.rounds.staff, ["/review/", f"/review/rounds/{dataset.rounds.submitted.pk}/"]),
    ]:
        page = signed_in(new_context, live_server, user).new_page()
        pages += [(who, path, page) for path in paths]
    return pages


@pytest.mark.parametrize("width", WIDTH_PARAMS)
def test_signed_in_round_pages_have_no_axe_violations(new_context, live_server, dataset, width):
    pages = _signed_in_round_pages(new_context, live_server, dataset)
    found = []
    for who, path, page in pages:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(path, wait_until="load")
        assert response.status == 200, f"{path} as {who} answered {response.status}"
        if path == f"/liaison/rounds/{OPEN_ROUND}/" and who.startswith("Guatemala"):
            expect(page.get_by_text(RETURN_COMMENT)).to_be_visible()  # the returned entry is on the page
        if path == "/review/":
            expect(page.get_by_role("heading", name=re.compile(ROUND_NAME))).to_be_visible()
        if path.startswith("/review/rounds/"):
            expect(page.get_by_role("button", name="Record the decisions")).to_be_visible()
        violations = axe_violations(page)
        if violations:
            found.append(describe_violations(violations, f"{path} as {who} at {width}px"))
    assert not found, "\n\n".join(found)


def test_no_round_page_scrolls_sideways_at_320px(new_context, live_server, dataset):
    """WCAG 1.4.10 Reflow on every round page, public and signed in; a table may scroll in its own region."""
    public = new_context().new_page()
    rounds = (EARLIER_ROUND, LATER_ROUND, OPEN_ROUND)
    pages = [("the public", path, public) for path in ["/rounds/", *(f"/rounds/{pk}/" for pk in rounds)]]
    pages += _signed_in_round_pages(new_context, live_server, dataset)
    wide = []
    for who, path, page in pages:
        page.set_viewport_size({"width": NARROW, "height": 900})
        assert page.goto(path, wait_until="load").status == 200, path
        if page.evaluate(OVERFLOW) > 0:
            wide.append(f"{path} as {who}: {page.evaluate(OVERFLOW)}px too wide; {page.evaluate(TOO_WIDE)}")
    assert not wide, "pages wider than 320px:\n" + "\n".join(wide)


def test_the_empty_round_list_says_so_and_fits_at_320px(visit, page):
    visit("/rounds/", NARROW)
    expect(page.locator("h1")).to_have_text("Reporting rounds")
    expect(page.get_by_role("main")).to_contain_text("No reporting round has been planned yet.")
    expect(page.get_by_role("navigation", name="Main", exact=True)).to_have_count(1)
    assert page.evaluate(OVERFLOW) <= 0


def _public_round_paths():
    """Every public page (the round pages among them), and what the rounds publish besides: their
    downloads and the API."""
    paths = [param.values[0] for param in PAGES_WITH_DATA]
    return paths + [
        f"/rounds/{OPEN_ROUND}/completeness.csv",
        "/api/rounds/",
        f"/api/rounds/{OPEN_ROUND}/",
    ]


def test_round_drafts_and_unreviewed_reports_never_appear_in_public(page, dataset):
    """Only that a report was submitted, and when, is public: neither Mexico's draft nor the text of
    Canada's report awaiting review, on any page (the open round's above all), download or API answer."""
    hidden = [ROUND_DRAFT_TEXT, ROUND_SUBMITTED_TEXT, "https://example.org/canada-round-report", DRAFT_TITLE]
    hidden.append(WITHDRAWN_TITLE)
    leaks = []
    for path in _public_round_paths():
        response = page.request.get(path)
        assert response.status == 200, f"{path} answered {response.status}"
        body = response.text()
        leaks += [f"{path}: {text!r}" for text in hidden if text in body]
    assert not leaks, "unpublished text shown publicly:\n" + "\n".join(leaks)


def test_the_open_round_shows_who_reported_and_the_closed_one_what_moved(visit, page, dataset):
    """The control for the test above, and the dataset's story: Canada reported, Mexico's draft does not
    count; between the two closes Mexico improved and Guatemala regressed."""
    visit(f"/rounds/{OPEN_ROUND}/")
    who = page.get_by_role("region", name="Who has reported")
    for actor, standing in {"Canada": "Reported", "Mexico": "Due", "Guatemala": "Due"}.items():
        row = who.get_by_role("row").filter(has=page.get_by_role("rowheader", name=actor))
        expect(row.locator(".standing")).to_have_text(standing)
    expect(page.get_by_role("region", name="Where every status stood when the round closed")).to_have_count(0)

    visit(f"/rounds/{dataset.rounds.later.pk}/")
    moved = page.get_by_role("list", name="What moved").get_by_role("listitem")
    expect(moved).to_have_count(2)
    expect(moved.filter(has_text="Mexico, recommendation 1")).to_contain_text("improved")
    expect(moved.filter(has_text="Guatemala, recommendation 2")).to_contain_text("regressed")
    expect(page.get_by_text("1 improved, 1 regressed")).to_be_visible()

    visit(f"/rounds/{dataset.rounds.earlier.pk}/")
    expect(page.get_by_text("This is the first closed round: there is nothing to compare it with.")).to_be_visible()
