"""The one order in which states and bodies are listed, on every page, download, feed and API list.

Member states first, then bodies; each group by the name the visitor reads (its translation into the
page's language, else the English), ignoring case and accents ("Éire" between "Dominica" and
"France"); the code breaks ties. Sorted in Python rather than by the database, whose collation
differs between SQLite and PostgreSQL and between servers: lists of actors are short (tens of rows).
"""

import unicodedata
from functools import lru_cache
from types import SimpleNamespace

from django.conf import settings
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import get_language

from .kept import Kept, plain_rows
from .models import Actor


def shown_name(actor, language=None) -> str:
    """The name the visitor reads: the translation into `language` (default: the active one), else
    the English. `actor` is an Actor or any record with its `name_<language>` fields."""
    language = language or get_language() or settings.LANGUAGE_CODE
    english = getattr(actor, "name_en", None) or getattr(actor, "name", "") or ""
    return getattr(actor, f"name_{language}", None) or english


@lru_cache(maxsize=4096)
def alphabetical(text: str) -> str:
    """Letters without their accents, case folded: "Áustria" sorts with the other A's. (The names are
    few and every list of actors sorts them: each is worked out once per process.)"""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def actor_sort_key(actor, language=None) -> tuple:
    return (actor.kind != Actor.Kind.MEMBER_STATE, alphabetical(shown_name(actor, language)), actor.code)


def sorted_actors(actors, *, key=lambda item: item) -> list:
    """`actors` (or items that `key` maps to their actor) in the one order, for the active language."""
    language = get_language() or settings.LANGUAGE_CODE
    return sorted(actors, key=lambda item: actor_sort_key(key(item), language))


# What orders and names a state or body, each language's column by its own name.
NAMED_ACTOR_FIELDS = ("pk", "code", "kind", *[f"name_{code}" for code, _label in settings.LANGUAGES])


def _named_actor_rows() -> tuple:
    # The translation layer's rewriting off: it would take the fields as a set, in no fixed order.
    return plain_rows(("named_actors",), lambda: Actor.objects.rewrite(False).values_list(*NAMED_ACTOR_FIELDS))


def named_actors(rows=None) -> list[SimpleNamespace]:
    """Every state and body with what orders and names it, as plain records (read on every list),
    or those of `rows` already read."""
    rows = _named_actor_rows() if rows is None else rows
    return [SimpleNamespace(**dict(zip(NAMED_ACTOR_FIELDS, row, strict=True))) for row in rows]


def actor_rank():
    """An SQL expression giving each actor its place in the one order, for lists too long to sort in
    Python (the actions, by state): the actors are few, and ranked here, not by the database."""
    ranked = sorted_actors(named_actors())
    return Case(
        *[When(actor_id=actor.pk, then=Value(rank)) for rank, actor in enumerate(ranked)],
        default=Value(len(ranked)),
        output_field=IntegerField(),
    )


# Every list's filters offer the states and bodies: their choices per distinct rows and language.
_actor_choices = Kept(size=64)


def actor_choices() -> list[tuple[str, str]]:
    """(code, name the visitor reads) of every state and body, in the one order: a filter's choices.
    Read on every call; worked out once per distinct rows and language."""
    rows = _named_actor_rows()
    language = get_language() or settings.LANGUAGE_CODE

    def choices():
        return tuple((actor.code, shown_name(actor, language)) for actor in sorted_actors(named_actors(rows)))

    return list(_actor_choices.get((rows, language), choices))


def sorted_responsibilities(responsibilities) -> list:
    """Responsibilities by recommendation number, then in the one order of actors."""
    language = get_language() or settings.LANGUAGE_CODE
    return sorted(responsibilities, key=lambda r: (r.recommendation.number, *actor_sort_key(r.actor, language)))
