"""Factories for every model. Tests build their own data; the JSON fixtures are tested once."""

import datetime

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from forum.models import Comment, CommentSection, Forum, Panel, Recommendation
from tracker.models import (
    Action,
    Actor,
    Evidence,
    Liaison,
    MeasureType,
    OverallAssessment,
    PopulationGroup,
    Responsibility,
    SdgTarget,
    Status,
    StatusChange,
    Theme,
)
from tracker.services.status_months import count_change


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


class ForumFactory(DjangoModelFactory):
    class Meta:
        model = Forum
        django_get_or_create = ["slug"]

    name = "Special Forum on Migration Issues"
    slug = "sfmi-2008"
    date = datetime.date(2008, 4, 17)
    place = "Washington, D.C."
    convening_body = "Special Committee on Migration Issues"


class PanelFactory(DjangoModelFactory):
    class Meta:
        model = Panel

    forum = factory.SubFactory(ForumFactory)
    position = factory.Sequence(lambda n: n + 1)
    topic = factory.Sequence(lambda n: f"Panel topic {n}")


def _section_letter(n):
    """At most two characters, as the column holds: A … Z, then BA … ZZ and round again. The sequence
    runs on through a worker's whole session, past where a letter and a number would still fit."""
    letter = chr(ord("A") + n % 26)
    return letter if n < 26 else chr(ord("A") + n // 26 % 26) + letter


class CommentSectionFactory(DjangoModelFactory):
    class Meta:
        model = CommentSection

    forum = factory.SubFactory(ForumFactory)
    letter = factory.Sequence(lambda n: _section_letter(n))
    heading = factory.Sequence(lambda n: f"Section {n}")
    position = factory.Sequence(lambda n: n + 1)


class CommentFactory(DjangoModelFactory):
    class Meta:
        model = Comment

    forum = factory.SubFactory(ForumFactory)
    section = factory.SubFactory(CommentSectionFactory, forum=factory.SelfAttribute("..forum"))
    number = factory.Sequence(lambda n: n + 1)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Comment paragraph {n}.")


class RecommendationFactory(DjangoModelFactory):
    class Meta:
        model = Recommendation
        skip_postgeneration_save = True

    forum = factory.SubFactory(ForumFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"To do the thing number {n}.")
    short_title = factory.Sequence(lambda n: f"Thing {n}")
    overall = factory.RelatedFactory("tests.factories.OverallAssessmentFactory", factory_related_name="recommendation")


class OverallAssessmentFactory(DjangoModelFactory):
    class Meta:
        model = OverallAssessment
        django_get_or_create = ["recommendation"]

    recommendation = factory.SubFactory(RecommendationFactory, overall=None)


class ActorFactory(DjangoModelFactory):
    class Meta:
        model = Actor
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"S{n:03d}")
    name = factory.Sequence(lambda n: f"State {n}")
    kind = Actor.Kind.MEMBER_STATE


class BodyFactory(ActorFactory):
    code = factory.Sequence(lambda n: f"BODY-{n}")
    name = factory.Sequence(lambda n: f"Body {n}")
    kind = Actor.Kind.REGIONAL_PROCESS


class ResponsibilityFactory(DjangoModelFactory):
    class Meta:
        model = Responsibility

    recommendation = factory.SubFactory(RecommendationFactory)
    actor = factory.SubFactory(ActorFactory)
    role = Responsibility.Role.LEAD
    status = Status.NOT_ASSESSED


class StatusChangeFactory(DjangoModelFactory):
    class Meta:
        model = StatusChange

    responsibility = factory.SubFactory(ResponsibilityFactory)
    recommendation = factory.SelfAttribute("responsibility.recommendation")
    actor = factory.SelfAttribute("responsibility.actor")
    from_status = Status.NOT_ASSESSED
    to_status = Status.PARTIAL
    assessed_on = datetime.date(2024, 1, 15)
    reason = "Measures reported in the national plan."

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        change = super()._create(model_class, *args, **kwargs)
        # Counted by month as the assessment service counts the changes it records.
        count_change(change)
        return change


class ActionFactory(DjangoModelFactory):
    class Meta:
        model = Action
        skip_postgeneration_save = True

    actor = factory.SubFactory(ActorFactory)
    taken_on = datetime.date(2023, 6, 1)
    title = factory.Sequence(lambda n: f"Action {n}")
    description = "A **national** plan was adopted."
    information_source = "National report"
    state = Action.State.PUBLISHED

    @factory.post_generation
    def recommendations(self, create, extracted, **kwargs):
        if create:
            self.recommendations.set(extracted if extracted is not None else [RecommendationFactory()])


class EvidenceFactory(DjangoModelFactory):
    class Meta:
        model = Evidence

    action = factory.SubFactory(ActionFactory)
    title = "Official gazette"
    url = "https://example.org/gazette"


class LiaisonFactory(DjangoModelFactory):
    class Meta:
        model = Liaison

    user = factory.SubFactory(UserFactory)
    actor = factory.SubFactory(ActorFactory)


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.Sequence(lambda n: f"Theme {n}")


class PopulationGroupFactory(DjangoModelFactory):
    class Meta:
        model = PopulationGroup
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"group-{n}")
    name = factory.Sequence(lambda n: f"Group {n}")


class MeasureTypeFactory(DjangoModelFactory):
    class Meta:
        model = MeasureType
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"measure-{n}")
    name = factory.Sequence(lambda n: f"Measure {n}")


class SdgTargetFactory(DjangoModelFactory):
    class Meta:
        model = SdgTarget
        django_get_or_create = ["number"]

    number = factory.Sequence(lambda n: f"{1 + n % 17}.{1 + n // 17}")
    title = factory.Sequence(lambda n: f"Target title {n}")
