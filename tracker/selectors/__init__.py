"""Reads shaped for pages and open data: scoped, filtered and annotated so that templates never query."""

from .common import ACTOR_FIELDS, current_recommendations, published_actions, responsibility_statuses
from .map import progress_map
from .open_data import (
    FEED_LENGTH,
    REPORT_ACTIONS_PER_RECOMMENDATION,
    committee_report,
    feed_entries,
    public_actions,
    public_actors,
    public_recommendations,
    public_responsibilities,
    public_status_changes,
    recommendation_numbers_by_actor,
)
from .pages import (
    LATEST_ACTIONS,
    TIMELINE_LENGTH,
    MatrixRow,
    actor_list,
    actor_page,
    dashboard,
    narrow_matrix,
    recommendation_list,
    recommendation_page,
    status_matrix,
    timeline,
)

__all__ = [
    "ACTOR_FIELDS",
    "FEED_LENGTH",
    "LATEST_ACTIONS",
    "REPORT_ACTIONS_PER_RECOMMENDATION",
    "TIMELINE_LENGTH",
    "MatrixRow",
    "actor_list",
    "actor_page",
    "committee_report",
    "progress_map",
    "current_recommendations",
    "dashboard",
    "feed_entries",
    "narrow_matrix",
    "public_actions",
    "public_actors",
    "public_recommendations",
    "public_responsibilities",
    "public_status_changes",
    "recommendation_numbers_by_actor",
    "published_actions",
    "recommendation_list",
    "recommendation_page",
    "responsibility_statuses",
    "status_matrix",
    "timeline",
]
