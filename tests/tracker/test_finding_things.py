"""Finding things (issue 18): sortable tables with the sort in the address, an actor's figures, an
action's own page, a compact list, the matrix's choices and its grid download."""

import csv
import datetime
import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import (
    ActionFactory,
    ActorFactory,
    BodyFactory,
    LiaisonFactory,
    OverallAssessmentFactory,
    RecommendationFactory,
    ResponsibilityFactory,
    UserFactory,
)
from tracker.links import recommendation_url
from tracker.models import Action, Status


@pytest.fixture
def states(db):
    one, two = RecommendationFactory(number=1), RecommendationFactory(number=2)
    alpha = ActorFactory(code="AAA", name="Alpha")
    beta = ActorFactory(code="BBB", name="Beta")
    gamma = ActorFactory(code="CCC", name="Gamma")
    body = BodyFactory(code="RCM", name="Regional body")
    ResponsibilityFactory(
        recommendation=one, actor=alpha, status=Status.PENDING, last_assessed=datetime.date(2024, 1, 1)
    )
    ResponsibilityFactory(recommendation=one, actor=beta, status=Status.FULL, last_assessed=datetime.date(2015, 1, 1))
    ResponsibilityFactory(recommendation=one, actor=gamma)  # not yet assessed
    ResponsibilityFactory(
        recommendation=two, actor=beta, status=Status.PARTIAL, last_assessed=datetime.date(2023, 5, 1)
    )
    ResponsibilityFactory(recommendation=two, actor=body, status=Status.NON_COMPLIANCE)
    return {"one": one, "two": two, "alpha": alpha, "beta": beta, "gamma": gamma, "body": body}


def codes(html, pattern=r'<th scope="row"><a href="/actors/([A-Z0-9-]+)/"'):
    return re.findall(pattern, html)


def test_the_states_list_sorts_by_progress_with_the_sort_in_the_address(client, states):
    page = client.get(reverse("tracker:actor_list"), {"sort": "-progress"}).content.decode()
    assert codes(page) == ["BBB", "AAA", "RCM", "CCC"]  # 75 %, 0 %, 0 % (flagged), then none assessed
    assert 'aria-sort="descending"' in page
    page = client.get(reverse("tracker:actor_list")).content.decode()
    assert codes(page) == ["AAA", "BBB", "CCC", "RCM"]
    assert 'aria-sort="ascending"' in page


def test_every_state_is_listed_on_one_page(client, db):
    for n in range(45):
        ActorFactory(code=f"S{n:02d}")
    page = client.get(reverse("tracker:actor_list")).content.decode()
    assert len(codes(page)) == 45 and 'rel="next"' not in page


def test_a_recommendations_states_sort_by_status_and_by_date_assessed(client, states):
    url = recommendation_url(1)
    by_status = client.get(url, {"sort": "-status"}).content.decode()
    table = by_status[by_status.index('id="responsible-heading"') :]
    assert codes(table)[:3] == ["BBB", "AAA", "CCC"]
    by_date = client.get(url, {"sort": "assessed"}).content.decode()
    table = by_date[by_date.index('id="responsible-heading"') :]
    assert codes(table)[:3] == ["BBB", "AAA", "CCC"]  # 2015, 2024, never
    assert 'aria-sort="ascending"' in by_date


def test_actions_sort_by_date_or_by_state_and_have_a_compact_view(client, states):
    ActionFactory(
        actor=states["beta"], title="Older by Beta", taken_on=datetime.date(2020, 1, 1), recommendations=[states["one"]]
    )
    ActionFactory(
        actor=states["alpha"],
        title="Newer by Alpha",
        taken_on=datetime.date(2023, 1, 1),
        recommendations=[states["one"]],
    )
    newest = client.get(reverse("tracker:action_list")).content.decode()
    assert newest.index("Newer by Alpha") < newest.index("Older by Beta")
    oldest = client.get(reverse("tracker:action_list"), {"sort": "date"}).content.decode()
    assert oldest.index("Older by Beta") < oldest.index("Newer by Alpha")
    by_state = client.get(reverse("tracker:action_list"), {"sort": "actor"}).content.decode()
    assert by_state.index("Newer by Alpha") < by_state.index("Older by Beta")
    compact = client.get(reverse("tracker:action_list"), {"view": "compact"}).content.decode()
    assert 'class="data stack"' in compact and 'class="prose"' not in compact


def test_an_action_has_its_own_page_and_a_draft_has_none(client, states):
    action = ActionFactory(actor=states["alpha"], title="A published plan", recommendations=[states["one"]])
    draft = ActionFactory(actor=states["alpha"], state=Action.State.DRAFT, recommendations=[states["one"]])
    page = client.get(reverse("tracker:action_detail", args=[action.pk]))
    assert page.status_code == 200 and "A published plan" in page.content.decode()
    listing = client.get(reverse("tracker:action_list")).content.decode()
    assert f'href="/actions/{action.pk}/"' in listing
    assert client.get(reverse("tracker:action_detail", args=[draft.pk])).status_code == 404


def test_an_actors_page_opens_with_its_figures_and_flags_old_assessments(client, states):
    page = client.get(reverse("tracker:actor_detail", args=["BBB"])).content.decode()
    assert "In figures" in page and "75\u00a0%" in page  # full and partial: (100 + 50) / 2
    assert "over five years old" in page  # the 2015 assessment
    assert page.count("over five years old") == 1


def test_the_liaison_of_that_actor_gets_a_button_to_report(states):
    liaison = LiaisonFactory(user=UserFactory(username="alpha-liaison"), actor=states["alpha"]).user
    client = Client()
    client.force_login(liaison)
    assert "Report an action" in client.get(reverse("tracker:actor_detail", args=["AAA"])).content.decode()
    assert "Report an action" not in client.get(reverse("tracker:actor_detail", args=["BBB"])).content.decode()
    assert "Report an action" not in Client().get(reverse("tracker:actor_detail", args=["AAA"])).content.decode()


def test_the_page_says_why_the_overall_status_and_the_progress_differ(client, states):
    overall = OverallAssessmentFactory(recommendation=states["one"])
    overall.status = Status.FULL
    overall.save()
    assert "The two differ" in client.get(recommendation_url(1)).content.decode()  # full vs 50 %
    overall.status = Status.PARTIAL
    overall.save()
    assert "The two differ" not in client.get(recommendation_url(1)).content.decode()


def test_the_matrix_can_show_one_kind_and_one_status_and_sort_by_progress(client, states):
    dashboard = reverse("tracker:dashboard")
    matrix = lambda html: codes(html[html.index('id="matrix-heading"') :])  # noqa: E731
    assert matrix(client.get(dashboard, {"kind": "body"}).content.decode()) == ["RCM"]
    assert matrix(client.get(dashboard, {"status": "full"}).content.decode()) == ["BBB"]
    assert matrix(client.get(dashboard, {"kind": "member_state", "sort": "-progress"}).content.decode()) == [
        "BBB",
        "AAA",
        "CCC",
    ]
    assert (
        "No state or body matches these choices." in client.get(dashboard, {"status": "substantial"}).content.decode()
    )


def test_the_matrix_downloads_as_a_grid(client, states):
    rows = list(csv.reader(io.StringIO(client.get("/export/matrix-grid.csv").getvalue().decode("utf-8-sig"))))
    assert rows[0] == ["actor", "actor_name", "actor_kind", "1", "2", "progress"]
    assert rows[1:] == [
        ["AAA", "Alpha", "member_state", "pending", "", "0"],
        ["BBB", "Beta", "member_state", "full", "partial", "75"],
        ["CCC", "Gamma", "member_state", "not_assessed", "", ""],
        ["RCM", "Regional body", "regional_process", "", "non_compliance", "0"],
    ]


def test_the_footer_links_the_api_documentation(client, db):
    assert f'href="{reverse("api:docs")}"' in client.get(reverse("tracker:dashboard")).content.decode()


def test_filters_offer_choices_without_dashes(client, states):
    page = client.get(reverse("tracker:action_list")).content.decode()
    assert "---------" not in page
    assert '<option value="AAA">Alpha</option>' in page
    assert '<option value="1">1. ' in page and '<option value="2">2. ' in page
