"""Reads that several pages and endpoints share."""

from django.db.models import QuerySet

from forum.models import Forum, Recommendation, translation_columns

from ..kept import plain_rows
from ..models import Action, Responsibility

# What a page shows of an actor read with its responsibilities: enough to name, order and link it.
ACTOR_FIELDS = ("code", "kind", "name", *translation_columns("name"))


def current_recommendations() -> QuerySet:
    """The recommendations of the most recent forum, with the committee's overall assessment."""
    latest = Forum.objects.order_by("-date").values("pk")[:1]
    return Recommendation.objects.filter(forum__in=latest).select_related("overall_assessment")


def published_actions() -> QuerySet:
    """Published actions with their actor, type of measure and the numbers of their recommendations, in
    one query."""
    return Action.objects.published().select_related("actor", "measure_type").with_recommendation_numbers()


# What a list or a timeline shows of an action (`tracker/includes/action.html`, the compact table):
# reading these columns only, and no type of measure, halves the cost of an action read.
LISTED_ACTION_FIELDS = (
    "id",
    "title",
    "taken_on",
    "description",
    "information_source",
    "published_at",
    *(f"actor__{name}" for name in ACTOR_FIELDS),
)


def listed_actions() -> QuerySet:
    """Published actions as lists and timelines show them: `published_actions` with only the columns
    they show."""
    return published_actions().select_related(None).select_related("actor").only(*LISTED_ACTION_FIELDS)


def responsibility_statuses(recommendations: list, actor=None) -> list[tuple]:
    """(actor id, recommendation id, status, *the actor's ACTOR_FIELDS) of every responsibility for
    these recommendations (of one actor, if given).

    At most one row per actor and recommendation: a page reads them once and derives its roll-ups and
    its matrix from them, rather than asking the database for each.
    """
    pks = tuple(r.pk for r in recommendations)

    def build():
        responsibilities = Responsibility.objects.filter(recommendation__in=pks)
        if actor is not None:
            responsibilities = responsibilities.filter(actor=actor)
        # Unordered: the default ordering would join the recommendations only to sort.
        actor_fields = [f"actor__{name}" for name in ACTOR_FIELDS]
        return responsibilities.order_by().values_list("actor_id", "recommendation_id", "status", *actor_fields)

    return list(plain_rows(("responsibility_statuses", pks, getattr(actor, "pk", actor)), build))
