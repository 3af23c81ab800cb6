"""The fixtures hold the forum's words verbatim: checked against the source record itself."""

import os
import re

import pytest
from django.conf import settings
from django.core.management import call_command

from forum.models import Comment, CommentSection, Forum, Panel, Recommendation, split_bullets
from tests.conftest import kept_for_module
from tracker.models import Actor, OverallAssessment, Responsibility, Status

pytestmark = pytest.mark.django_db

SOURCE = settings.BASE_DIR.parent / "shared" / "source" / "special-forum-on-migration-issues-2008.txt"


def collapse(text):
    return re.sub(r"\s+", " ", text).strip()


def numbered_paragraphs(block):
    """(number, text) for each paragraph that starts with "N. ", continuation lines included."""
    paragraphs = []
    for line in block.splitlines():
        match = re.match(r"\s*(\d+)\.\s+(.*)", line)
        if match:
            paragraphs.append([int(match.group(1)), match.group(2)])
        elif line.strip() and paragraphs and not re.match(r"\s*[A-D]\.\s", line):
            paragraphs[-1][1] += "\n" + line
    return [(number, collapse(text)) for number, text in paragraphs]


@pytest.fixture
def source():
    if not SOURCE.exists():
        # CI always has the source beside the project; elsewhere a checkout may not.
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"the source record is not at {SOURCE}")
    text = SOURCE.read_text(encoding="utf-8")
    before, rest = text.split("COMMENTS:")
    comments, recommendations = rest.split("RECOMMENDATIONS:")
    return {"intro": before, "comments": comments, "recommendations": recommendations}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The fixtures, loaded once for this module's tests rather than once per test."""
    with kept_for_module(django_db_blocker):
        with django_db_blocker.unblock():
            call_command("loaddata", "forum", "actors", "responsibilities", verbosity=0)
        yield


def test_all_13_recommendations_match_the_source(source, loaded):
    expected = numbered_paragraphs(source["recommendations"])
    assert [number for number, _ in expected] == list(range(1, 14))
    stored = {r.number: r.text for r in Recommendation.objects.all()}
    assert len(stored) == 13
    for number, text in expected:
        assert collapse(stored[number]) == text, f"recommendation {number} differs from the source"


def test_all_16_comments_match_the_source_in_order(source, loaded):
    expected = numbered_paragraphs(source["comments"])
    assert len(expected) == 16
    stored = list(Comment.objects.order_by("position").values_list("number", "position", "text"))
    assert len(stored) == 16
    for (number, text), (stored_number, position, stored_text) in zip(expected, stored, strict=True):
        assert stored_number == number, f"comment at position {position} is numbered {stored_number}"
        assert collapse(stored_text) == text, f"comment at position {position} differs from the source"


def test_the_printed_number_4_appears_twice_in_two_sections(loaded):
    fours = Comment.objects.filter(number=4).select_related("section").order_by("position")
    assert [c.section.letter for c in fours] == ["A", "B"]
    assert fours[0].text.endswith("migrate.]"), "the stray bracket of the source is kept"


def test_comment_14_keeps_its_four_bullet_points(loaded):
    lead, bullets = split_bullets(Comment.objects.get(number=14).text)
    assert lead == "It is important to share best practices in migration, including:"
    assert bullets == [
        "Safe, legal, and orderly flows",
        "Programs for seasonal workers",
        "Programs to promote the circulation and reinsertion of migrants into their communities of origin",
        "Regional cooperation programs to promote best migratory practices in the Hemisphere "
        "(legal framework, procedures, technology, etc.)",
    ]


def test_typographic_quotes_are_kept(loaded):
    assert "“Proceso Puebla”" in Recommendation.objects.get(number=13).text
    assert "migrants’ human rights" in Comment.objects.get(number=5).text


def test_sections_panels_and_forum_match_the_source(source, loaded):
    forum = Forum.objects.get()
    assert forum.date.isoformat() == "2008-04-17"
    assert collapse(forum.introduction) in collapse(source["intro"]) or all(
        collapse(p) in collapse(source["intro"]) for p in forum.introduction.split("\n\n")
    )
    headings = [f"{s.letter}. {s.heading}" for s in CommentSection.objects.order_by("position")]
    assert headings == [line.strip() for line in source["comments"].splitlines() if re.match(r"\s*[A-D]\.\s", line)]
    for panel in Panel.objects.all():
        assert panel.topic in source["intro"]
    assert Panel.objects.count() == 3


def test_actors_are_the_35_member_states_and_the_bodies_named(loaded):
    assert Actor.objects.filter(kind=Actor.Kind.MEMBER_STATE).count() == 35
    assert Actor.objects.get(code="NIC").member_until.isoformat() == "2023-11-19"
    assert set(Actor.objects.exclude(kind=Actor.Kind.MEMBER_STATE).values_list("code", flat=True)) >= {
        "SCMI",
        "IAJC",
        "MERCOSUR",
        "RCM",
        "SACM",
        "OAS-GS",
        "CSO",
    }


def test_responsibilities_follow_the_addressees_named(loaded):
    assert list(Responsibility.objects.filter(recommendation__number=3).values_list("actor__code", flat=True)) == [
        "SCMI"
    ]
    assert list(Responsibility.objects.filter(recommendation__number=13).values_list("actor__code", flat=True)) == [
        "OAS-GS"
    ]
    for number in [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12]:
        actors = Responsibility.objects.filter(recommendation__number=number)
        assert actors.count() == 35
        assert not actors.exclude(actor__kind=Actor.Kind.MEMBER_STATE).exists()
    assert not Responsibility.objects.exclude(status=Status.NOT_ASSESSED).exists()
    assert OverallAssessment.objects.count() == 13


def test_loading_twice_duplicates_nothing(loaded):
    counts = (Recommendation.objects.count(), Comment.objects.count(), Actor.objects.count())
    call_command("loaddata", "forum", "actors", "responsibilities", verbosity=0)
    assert (Recommendation.objects.count(), Comment.objects.count(), Actor.objects.count()) == counts
