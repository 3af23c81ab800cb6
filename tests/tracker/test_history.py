"""Progress through time: the statuses at the end of each month and at each closed round, and the chart."""

import datetime
from collections import defaultdict

import pytest
from django.utils import timezone, translation

from tests.factories import ActorFactory, RecommendationFactory, ResponsibilityFactory
from tracker import charts, services
from tracker.models import ReportingRound, Status, StatusChange, StatusMonth
from tracker.rollup import RollUp
from tracker.selectors import history
from tracker.services import status_months

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2024, 3, 15)


def assess_in_order(steps, staff):
    """Each (responsibility, status, day) assessed through the service, in order."""
    for responsibility, status, day in steps:
        responsibility.refresh_from_db()
        services.responsibility_set_status(
            responsibility=responsibility, status=status, by=staff, reason="Seen.", assessed_on=day
        )


@pytest.fixture
def record(staff):
    recommendation = RecommendationFactory(number=1)
    mexico = ResponsibilityFactory(recommendation=recommendation, actor=ActorFactory(code="MEX"))
    brazil = ResponsibilityFactory(recommendation=recommendation, actor=ActorFactory(code="BRA"))
    steps = [
        (mexico, Status.PENDING, datetime.date(2023, 11, 2)),
        (mexico, Status.PARTIAL, datetime.date(2024, 1, 20)),
        (brazil, Status.FULL, datetime.date(2024, 1, 25)),
        (mexico, Status.SUBSTANTIAL, datetime.date(2024, 3, 1)),
    ]
    assess_in_order(steps, staff)
    return recommendation


def _now(recommendation):
    return RollUp.of(recommendation.responsibilities.values_list("status", flat=True))


def test_each_month_ends_as_the_history_says_and_the_last_is_now(record, django_assert_num_queries):
    now = _now(record)
    with django_assert_num_queries(1):
        moments = history.monthly(now, recommendations=[record], today=TODAY)
    assert [m.when for m in moments] == [
        datetime.date(2023, 11, 1),
        datetime.date(2023, 12, 1),
        datetime.date(2024, 1, 1),
        datetime.date(2024, 2, 1),
        datetime.date(2024, 3, 1),
    ]

    def standing(moment):
        return {status.value: n for status, n in moment.rollup.counts.items() if n}

    assert standing(moments[0]) == {"pending": 1, "not_assessed": 1}
    assert standing(moments[1]) == {"pending": 1, "not_assessed": 1}
    assert standing(moments[2]) == {"partial": 1, "full": 1}
    assert standing(moments[4]) == {"substantial": 1, "full": 1}
    assert moments[-1].rollup == now
    assert [m.rollup.progress for m in moments] == [0, 0, 75, 75, 87.5]


def test_one_actor_and_nothing_assessed(record):
    mexico = record.responsibilities.get(actor__code="MEX")
    moments = history.monthly(RollUp.of([mexico.status]), actor=mexico.actor, today=TODAY)
    assert [m.rollup.progress for m in moments] == [0, 0, 50, 50, 75]
    fresh = ResponsibilityFactory(recommendation=RecommendationFactory(number=2), actor=ActorFactory(code="CAN"))
    assert history.monthly(RollUp.of([fresh.status]), actor=fresh.actor, today=TODAY) == []
    assert charts.chart([]) is None


def movements_of_the_history(**scope):
    """What the movements kept by month must say, worked out here from the status changes themselves."""
    moved = defaultdict(lambda: dict.fromkeys(Status.values, 0))
    for change in StatusChange.objects.filter(responsibility__isnull=False, **scope):
        counts = moved[change.assessed_on.year * 12 + change.assessed_on.month - 1]
        counts[change.from_status] -= 1
        counts[change.to_status] += 1
    return tuple((month, *counts.values()) for month, counts in sorted(moved.items()))


def kept_rows():
    fields = [f.attname for f in StatusMonth._meta.concrete_fields if f.name != "id"]
    return list(StatusMonth.objects.order_by("recommendation_id", "actor_id", "month").values_list(*fields))


def test_the_movements_kept_by_month_are_the_historys_in_every_scope(record, staff, django_assert_num_queries):
    mexico = record.responsibilities.get(actor__code="MEX")
    other = RecommendationFactory(number=2)
    canada = ResponsibilityFactory(recommendation=other, actor=mexico.actor)
    steps = [
        # The same status again: the month counts (the chart starts there), the figures do not move.
        (canada, Status.NOT_ASSESSED, datetime.date(2023, 8, 9)),
        (canada, Status.FULL, datetime.date(2024, 1, 3)),
        # Entered late, dated back into a month already counted.
        (mexico, Status.NON_COMPLIANCE, datetime.date(2023, 11, 30)),
    ]
    assess_in_order(steps, staff)
    # The committee's overall status is not a responsibility's: it moves no figure of the chart.
    services.recommendation_set_status(
        recommendation=record, status=Status.PARTIAL, by=staff, reason="Seen.", assessed_on=datetime.date(2022, 5, 1)
    )
    both = [record, other]
    scopes = [
        ({}, {}),
        ({"recommendations": [record]}, {"recommendation": record}),
        ({"recommendations": both}, {"recommendation__in": both}),
        ({"actor": mexico.actor}, {"actor": mexico.actor}),
    ]
    for asked, scope in scopes:
        with django_assert_num_queries(1):
            kept = history.month_movements(**asked)
        assert kept == movements_of_the_history(**scope), asked
    # A row a month for the whole record, however many changes the month holds.
    months = {m for m, *_moved in movements_of_the_history()}
    assert StatusMonth.objects.filter(recommendation=None, actor=None).count() == len(months) == 4
    with pytest.raises(ValueError, match="not for both"):
        history.month_movements(recommendations=[record], actor=mexico.actor)


def test_working_the_movements_out_again_gives_the_rows_kept_one_change_at_a_time(record):
    kept = kept_rows()
    assert kept
    assert status_months.rebuild() == len(kept)
    assert kept_rows() == kept


def test_each_closed_round_as_it_froze_the_statuses(record, staff):
    today = timezone.localdate()
    round_ = services.round_save(
        round_=ReportingRound(name="First round", opens_on=today - datetime.timedelta(days=10), due_on=today),
        by=staff,
    )
    assert history.at_closed_rounds(recommendations=[record]) == []
    services.round_close(round_=round_, by=staff)
    # A later assessment leaves the round's figures as they were.
    brazil = record.responsibilities.get(actor__code="BRA")
    services.responsibility_set_status(responsibility=brazil, status=Status.NON_COMPLIANCE, by=staff, reason="x")
    [moment] = history.at_closed_rounds(recommendations=[record])
    assert moment.label == "First round" and moment.when == today
    assert moment.rollup.counts[Status.FULL] == 1 and moment.rollup.counts[Status.SUBSTANTIAL] == 1


def test_the_closed_rounds_are_named_as_the_model_names_them_in_each_language(record, staff):
    today = timezone.localdate()
    named = []
    for days, name, name_es in ((30, "First round", "Primera ronda"), (20, "Second round", "")):
        round_ = services.round_save(
            round_=ReportingRound(
                name=name, name_es=name_es, opens_on=today - datetime.timedelta(days=days), due_on=today
            ),
            by=staff,
        )
        services.round_close(round_=round_, by=staff)
        named.append(round_.pk)
    services.round_save(
        round_=ReportingRound(name="Still open", opens_on=today - datetime.timedelta(days=5), due_on=today),
        by=staff,
    )
    for language in ("en", "es", "fr"):
        with translation.override(language):
            expected = [
                (r.pk, str(r), r.closed_at)
                for r in ReportingRound.objects.filter(closed_at__isnull=False).order_by("closed_at", "pk")
            ]
            assert history.closed_rounds() == expected
            assert [pk for pk, _name, _closed in expected] == named
    with translation.override("es"):
        assert [name for _pk, name, _closed in history.closed_rounds()] == ["Primera ronda", "Second round"]
        assert [moment.label for moment in history.at_closed_rounds(recommendations=[record])] == [
            "Primera ronda",
            "Second round",
        ]


def test_the_chart_stacks_every_status_present_and_draws_the_progress_line(record):
    moments = history.monthly(_now(record), recommendations=[record], today=TODAY)
    drawn = charts.chart(moments)
    assert [status for status, _points in drawn.areas] == [
        Status.FULL,
        Status.SUBSTANTIAL,
        Status.PARTIAL,
        Status.PENDING,
        Status.NOT_ASSESSED,
    ]
    # Five months: at most five points along the top of each area, and back along its bottom, from the
    # first month to the last (a level stretch is drawn by its ends alone).
    first_x, last_x = f"{charts.LEFT:.1f}", f"{charts.WIDTH - charts.RIGHT:.1f}"
    for _status, points in drawn.areas:
        xs = [point.split(",")[0] for point in points.split()]
        assert len(xs) <= 10 and xs[0] == xs[-1] == first_x and last_x in xs
    assert drawn.line.startswith("M") and 1 <= drawn.line.count("L") <= 4
    assert drawn.years == [(f"{charts.LEFT + 2 * (charts.WIDTH - charts.LEFT - charts.RIGHT) / 4:.1f}", 2024)]


def _height_at(points, x):
    """The height of the path through `points` (x, y), in order of x, at `x`."""
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if x0 <= x <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    raise ValueError(x)


def test_a_path_keeps_its_corners_and_the_ends_of_each_level_stretch():
    points = [("1", "5"), ("2", "5"), ("3", "5"), ("4", "6"), ("5", "6"), ("6", "4"), ("7", "4")]
    assert charts.level_corners(points) == [("1", "5"), ("3", "5"), ("4", "6"), ("5", "6"), ("6", "4"), ("7", "4")]
    assert charts.level_corners([("1", "5"), ("2", "5")]) == [("1", "5"), ("2", "5")]
    assert charts.level_corners([("1", "5")]) == [("1", "5")]
    assert charts.level_corners([]) == []
    # The same drawing: at every point of the full path, the kept points draw the same height.
    heights = [3, 3, 3, 3, 7, 7, 2, 2, 2, 9, 9, 9, 9, 9, 1]
    full = [(float(x), float(y)) for x, y in enumerate(heights)]
    kept = charts.level_corners(full)
    assert len(kept) == 9
    assert all(_height_at(kept, x) == y for x, y in full)


@pytest.mark.parametrize("url", ["/", "/recommendations/1/", "/actors/MEX/"])
def test_the_pages_show_it_with_its_figures(client, record, url):
    body = client.get(url).content.decode()
    assert "Progress through time" in body and 'class="chart__drawing" role="img"' in body
    assert "The figures, at the end of each year" in body


def test_a_states_page_shows_its_strip_of_every_recommendation(client, record):
    RecommendationFactory(forum=record.forum, number=2)
    body = client.get("/actors/MEX/").content.decode()
    strip = body[body.index('id="strip-heading"') : body.index("</table>", body.index('id="strip-heading"'))]
    # A column for each recommendation; Mexico answers for the first only.
    assert strip.count('<th scope="col" class="num">') == 2
    assert "status--substantial" in strip and strip.count("status--none") == 1


def test_a_themes_page_shows_its_recommendations_through_time(client, record):
    from tracker.models import RecommendationClassification, Theme

    theme = Theme.objects.create(slug="test-theme", name="A theme")
    RecommendationClassification.objects.create(recommendation=record).themes.add(theme)
    body = client.get("/themes/test-theme/").content.decode()
    assert "Progress through time" in body and 'class="chart__drawing"' in body
    assert 'href="/map/?theme=test-theme"' in body


def test_the_section_is_kept_per_history_and_drawn_again_when_it_changes(client, record, staff, settings):
    # The page cache is off in tests: each request reads the rows again; only the drawing is kept.
    first = charts.over_time(_now(record), recommendations=[record])
    assert first == charts.over_time(_now(record), recommendations=[record])

    def figures(body):
        start = body.index("The figures, at the end of each year")
        return body[start : body.index("</details>", start)]

    before = figures(client.get("/recommendations/1/").content.decode())
    brazil = record.responsibilities.get(actor__code="BRA")
    services.responsibility_set_status(responsibility=brazil, status=Status.NON_COMPLIANCE, by=staff, reason="x")
    after_change = charts.over_time(_now(record), recommendations=[record])
    assert after_change != first
    after = figures(client.get("/recommendations/1/").content.decode())
    assert after != before
    # This month's row: Brazil moved from "full" to "non-compliance", so progress fell from 87.5 % to 37.5 %.
    assert "87.5" in before.rsplit("<tr>", 1)[1] and "37.5" in after.rsplit("<tr>", 1)[1]
