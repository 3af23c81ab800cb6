"""One search over the published record: the query's syntax and the excerpts (`text`), and what each
kind of record matches on each database (`matching`). The search page reads through
`tracker.selectors.search`."""

from .matching import (
    contains_every_word,
    is_postgresql,
    languages_for,
    match_actions,
    match_actors,
    match_comments,
    match_recommendations,
)
from .text import Marker, Query, excerpt, fold, highlight, parse_query, plain_text

__all__ = [
    "Marker",
    "Query",
    "contains_every_word",
    "excerpt",
    "fold",
    "highlight",
    "is_postgresql",
    "languages_for",
    "match_actions",
    "match_actors",
    "match_comments",
    "match_recommendations",
    "parse_query",
    "plain_text",
]
