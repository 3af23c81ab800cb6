"""The public pages the browser suite visits, and the axe-core run shared by the tests."""

import pytest
from axe_playwright_python.sync_playwright import Axe

DESKTOP = 1280
NARROW = 320

DRAFT_TITLE = "Unpublished draft: amnesty bill under negotiation"
WITHDRAWN_TITLE = "Withdrawn: reception centre announced in error"

# The reporting rounds of the `dataset` fixture, by id (it numbers them from 1): two closed, one open.
EARLIER_ROUND, LATER_ROUND, OPEN_ROUND = 1, 2, 3
MISSING_ROUND = 999
# What the liaisons wrote in the open round, which the public never reads: Mexico's draft, and Canada's
# submitted report, not yet reviewed (the public sees only that Canada reported, and when).
ROUND_DRAFT_TEXT = "Draft round answer: consular fairs still being planned"
ROUND_SUBMITTED_TEXT = "Submitted round answer awaiting review: programme evaluation under way"

# WCAG 2.0, 2.1 and 2.2 at levels A and AA: the rules axe-core tags for them.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Every public page, as the `dataset` fixture fills it. The ids name the page in test ids.
PAGES_WITH_DATA = [
    pytest.param("/", id="dashboard"),
    pytest.param("/recommendations/", id="recommendation_list"),
    pytest.param("/recommendations/1/", id="recommendation_detail"),
    pytest.param("/recommendations/3/", id="recommendation_detail_without_short_title"),
    pytest.param("/actors/", id="actor_list"),
    pytest.param("/actors/MEX/", id="actor_detail_state"),
    pytest.param("/actors/RCM/", id="actor_detail_body"),
    pytest.param("/actions/", id="action_list"),
    pytest.param("/actions/?recommendation=first&date_after=yesterday", id="action_list_with_filter_errors"),
    pytest.param("/forum/", id="forum_record"),
    pytest.param("/map/", id="map"),
    pytest.param("/map/?recommendation=1", id="map_of_one_recommendation"),
    pytest.param("/rounds/", id="round_list"),
    pytest.param(f"/rounds/{OPEN_ROUND}/", id="round_detail_open"),
    pytest.param(f"/rounds/{LATER_ROUND}/", id="round_detail_closed_with_snapshot"),
    pytest.param(f"/rounds/{EARLIER_ROUND}/", id="round_detail_first_closed"),
    pytest.param("/search/", id="search_empty_query"),
    pytest.param("/search/?q=consular", id="search_results"),
    pytest.param("/search/?q=consular&kind=action&date_after=2022-01-01", id="search_filtered"),
    pytest.param("/search/?q=zeppelin", id="search_nothing_found"),
    pytest.param("/search/?q=consular&date_after=2024-01-01&date_before=2023-01-01", id="search_with_errors"),
]

# With an empty database the lists and the dashboard still answer 200...
EMPTY_PAGES = [
    pytest.param("/", id="dashboard"),
    pytest.param("/recommendations/", id="recommendation_list"),
    pytest.param("/actors/", id="actor_list"),
    pytest.param("/actions/", id="action_list"),
    pytest.param("/rounds/", id="round_list"),
    pytest.param("/map/", id="map"),
    pytest.param("/search/", id="search_empty_query"),
    pytest.param("/search/?q=consular", id="search_results"),
]
# ...while the record's pages have nothing to show and answer 404.
NOT_FOUND_PAGES = [
    pytest.param("/forum/", id="forum_record"),
    pytest.param("/recommendations/1/", id="recommendation_detail"),
    pytest.param(f"/rounds/{MISSING_ROUND}/", id="round_detail"),
    pytest.param("/search/?q=consular&page=2", id="search_page_past_the_end"),
]

# The pages the keyboard and structure tests walk, as (path, with_data, status): each template once,
# with data and empty, and the 404 page (which all the record's pages show when there is no record).
# The empty round list is not walked here: it has nothing to focus in its main content (no filters, no
# table), so the skip link's "next Tab lands in main" cannot hold; test_rounds.py checks its structure.
STRUCTURE_PAGES = [
    pytest.param("/", True, 200, id="dashboard"),
    pytest.param("/recommendations/", True, 200, id="recommendation_list"),
    pytest.param("/recommendations/1/", True, 200, id="recommendation_detail"),
    pytest.param("/actors/", True, 200, id="actor_list"),
    pytest.param("/actors/MEX/", True, 200, id="actor_detail"),
    pytest.param("/actions/", True, 200, id="action_list"),
    pytest.param("/forum/", True, 200, id="forum_record"),
    pytest.param("/rounds/", True, 200, id="round_list"),
    pytest.param(f"/rounds/{OPEN_ROUND}/", True, 200, id="round_detail_open"),
    pytest.param(f"/rounds/{LATER_ROUND}/", True, 200, id="round_detail_closed"),
    pytest.param("/search/", True, 200, id="search_empty_query"),
    pytest.param("/search/?q=consular", True, 200, id="search_results"),
    pytest.param("/", False, 200, id="empty_dashboard"),
    pytest.param("/recommendations/", False, 200, id="empty_recommendation_list"),
    pytest.param("/actors/", False, 200, id="empty_actor_list"),
    pytest.param("/actions/", False, 200, id="empty_action_list"),
    pytest.param("/forum/", False, 404, id="not_found"),
    pytest.param(f"/rounds/{MISSING_ROUND}/", True, 404, id="round_not_found"),
]

WIDTH_PARAMS = [pytest.param(DESKTOP, id=f"{DESKTOP}px"), pytest.param(NARROW, id=f"{NARROW}px")]

_axe = Axe()


def axe_violations(page):
    """The axe-core violations of the WCAG A/AA rules on the page as it is now."""
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    return results.response["violations"]


def describe_violations(violations, where):
    """A report a developer can act on: each rule with its impact, help link and failing nodes."""
    lines = [f"{len(violations)} axe-core violation(s) on {where}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    target: {target}")
            lines.append(f"      html: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            if summary:
                lines.append(f"      why:  {summary[:400]}")
    return "\n".join(lines)
