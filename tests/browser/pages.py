"""The public pages the browser suite visits, and the axe-core run shared by the tests."""

import pytest
from axe_playwright_python.sync_playwright import Axe

DESKTOP = 1280
NARROW = 320

DRAFT_TITLE = "Unpublished draft: amnesty bill under negotiation"
WITHDRAWN_TITLE = "Withdrawn: reception centre announced in error"

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
]

# With an empty database the lists and the dashboard still answer 200...
EMPTY_PAGES = [
    pytest.param("/", id="dashboard"),
    pytest.param("/recommendations/", id="recommendation_list"),
    pytest.param("/actors/", id="actor_list"),
    pytest.param("/actions/", id="action_list"),
]
# ...while the record's pages have nothing to show and answer 404.
NOT_FOUND_PAGES = [
    pytest.param("/forum/", id="forum_record"),
    pytest.param("/recommendations/1/", id="recommendation_detail"),
]

# The pages the keyboard and structure tests walk, as (path, with_data, status): each template once,
# with data and empty, and the 404 page (which all the record's pages show when there is no record).
STRUCTURE_PAGES = [
    pytest.param("/", True, 200, id="dashboard"),
    pytest.param("/recommendations/", True, 200, id="recommendation_list"),
    pytest.param("/recommendations/1/", True, 200, id="recommendation_detail"),
    pytest.param("/actors/", True, 200, id="actor_list"),
    pytest.param("/actors/MEX/", True, 200, id="actor_detail"),
    pytest.param("/actions/", True, 200, id="action_list"),
    pytest.param("/forum/", True, 200, id="forum_record"),
    pytest.param("/", False, 200, id="empty_dashboard"),
    pytest.param("/recommendations/", False, 200, id="empty_recommendation_list"),
    pytest.param("/actors/", False, 200, id="empty_actor_list"),
    pytest.param("/actions/", False, 200, id="empty_action_list"),
    pytest.param("/forum/", False, 404, id="not_found"),
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
