"""The classification: its terms (themes, population groups, SDG targets, types of measure) and the
secretariat's classification of each recommendation."""

from django.db import transaction

from ..models import RecommendationClassification
from .common import save_with_history


@transaction.atomic
def term_save(*, term, by):
    """Create or correct a term of the classification (a theme, a population group, an SDG target or a
    type of measure). A term is never deleted: recommendations and actions keep pointing at it."""
    term.full_clean()
    save_with_history(term, by=by)
    return term


@transaction.atomic
def recommendation_classify(
    *, recommendation, by, themes=None, population_groups=None, sdg_targets=None
) -> RecommendationClassification:
    """Set a recommendation's themes, population groups and SDG targets (those given; `None` keeps
    what it has). Each change is a version in the classification's history, with `by` as its author."""
    classification = (
        RecommendationClassification.objects.select_for_update().filter(recommendation=recommendation).first()
    )
    if classification is None:
        classification = RecommendationClassification(recommendation=recommendation)
        save_with_history(classification, by=by)
    # The versions its links write name the same author.
    classification._history_user = by
    for field, terms in (("themes", themes), ("population_groups", population_groups), ("sdg_targets", sdg_targets)):
        if terms is not None:
            getattr(classification, field).set(terms)
    return classification
