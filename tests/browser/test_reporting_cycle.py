"""The whole reporting cycle in a real browser: two liaisons of different states and one staff member.

Mexico's liaison reports and submits; Canada's liaison cannot reach Mexico's report; staff ask for a
change; Mexico's liaison edits and resubmits; staff approve with the proposed status; the public sees
the action and the new status.
"""

import re

import pytest
from django.contrib.auth.models import Group

from tests.factories import LiaisonFactory, UserFactory
from tracker.models import STAFF_GROUP, Action, Report, Status

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"


def sign_in(context, username):
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_two_liaisons_and_staff_run_the_whole_cycle(new_context, dataset):
    LiaisonFactory(actor=dataset.mexico, user=UserFactory(username="ana", email="ana@example.org"))
    LiaisonFactory(actor=dataset.canada, user=UserFactory(username="ben", email="ben@example.org"))
    reviewer = UserFactory(username="carla", is_staff=True, email="carla@example.org")
    reviewer.groups.add(Group.objects.get(name=STAFF_GROUP))

    # Mexico's liaison writes a report with a proposed status and submits it.
    mexico = sign_in(new_context(), "ana")
    assert mexico.url.endswith("/liaison/")
    mexico.get_by_role("link", name="Write a new report").click()
    mexico.get_by_label("Date the action was taken:", exact=True).fill("2024-05-02")
    mexico.get_by_label("Title:", exact=True).fill("Mobile consulates on the southern border")
    mexico.get_by_label("Description:", exact=True).fill("Six **mobile** consulates now visit border towns.")
    mexico.get_by_label("1. Consular protection").check()
    mexico.get_by_label("Evidence links:", exact=True).fill("https://example.org/mobile-consulates")
    mexico.get_by_label("Status you propose on recommendation 1:", exact=True).select_option(Status.SUBSTANTIAL.value)
    mexico.get_by_label("Why, for recommendation 1:", exact=True).fill("Most consular measures are in place.")
    mexico.get_by_role("button", name="Save the draft").click()
    assert "saved as a draft" in mexico.content()
    report = Report.objects.get()
    mexico.get_by_role("button", name="Submit for review").click()
    assert "was submitted" in mexico.content()

    # Canada's liaison cannot open it, under any of its addresses.
    canada = sign_in(new_context(), "ben")
    for path in [f"/liaison/reports/{report.pk}/", f"/liaison/reports/{report.pk}/edit/", f"/review/{report.pk}/"]:
        assert canada.goto(path).status == 404, path
    assert "Mobile consulates" not in canada.goto("/liaison/").text()

    # Staff ask for a change.
    staff = sign_in(new_context(), "carla")
    assert staff.url.endswith("/review/")
    staff.get_by_role("link", name="Mobile consulates on the southern border").click()
    staff.get_by_label("Ask the liaison for changes").check()
    staff.get_by_label("Comment for the liaison:", exact=True).fill("Please give the number of towns visited.")
    staff.get_by_role("button", name="Record the decision").click()
    assert "asked for changes" in staff.content()

    # Mexico's liaison sees the request, edits and resubmits.
    mexico.goto("/liaison/")
    assert "Please give the number of towns visited." in mexico.content()
    mexico.get_by_role("link", name="Mobile consulates on the southern border").first.click()
    mexico.get_by_role("link", name="Edit").click()
    mexico.get_by_label("Title:", exact=True).fill("Mobile consulates in 14 border towns")
    mexico.get_by_role("button", name="Save the draft").click()
    mexico.get_by_role("button", name="Submit for review").click()
    assert "was submitted" in mexico.content()

    # Staff approve and accept the proposed status.
    staff.goto("/review/")
    staff.get_by_role("link", name="Mobile consulates in 14 border towns").click()
    staff.get_by_label("Approve and publish the action").check()
    proposal = staff.get_by_role("group", name="Proposed status on recommendation 1")
    proposal.get_by_role("radio", name=re.compile(r"^Accept")).check()
    staff.get_by_role("button", name="Record the decision").click()
    assert "approved" in staff.content()

    # The public sees it.
    public = new_context().new_page()
    public.goto("/actions/")
    assert public.get_by_role("heading", name="Mobile consulates in 14 border towns").count() == 1
    public.goto("/recommendations/1/")
    row = public.get_by_role("row").filter(has_text="Mexico")
    assert "Substantial partial compliance" in row.first.text_content()
    assert "Most consular measures are in place." in public.content()
    assert Action.objects.published().filter(title="Mobile consulates in 14 border towns").exists()
    mexico.goto("/liaison/")
    assert "Approved and published" in mexico.content()
