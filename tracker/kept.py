"""What a process keeps in its memory, per distinct content: the least recently used is dropped first.

Two uses: markup of page sections (`tracker_tags`), and the SQL of the reads pages repeat on every
request (`plain_rows`, and `plain_records` for rows read as plain records rather than model
instances). Building a query through the ORM cost more than running it: about 1 ms of Python for the
status history's grouped read against 0.2 ms in the database. The SQL of such a read is a pure
function of its inputs (the recommendations, the actor, the database), so it is built once per
distinct input and kept; only the rows are read each time, except for the reads of the record's
reference data (`reference_rows`), whose rows are kept too, under the number that changes with it.
"""

import functools
import threading
from collections import OrderedDict
from types import SimpleNamespace

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.utils.translation import get_language

from .caching import answered_reference


class Kept:
    """At most `size` values, each under its key, the least recently used dropped first."""

    def __init__(self, size: int):
        self.size = size
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, make):
        """The value kept under `key`, or `make()`'s, kept."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
                return value
        value = make()
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self):
        with self._lock:
            self._entries.clear()


# The querysets of the selectors that build the same read on every request, per language.
_querysets = Kept(size=64)


def kept_queryset(build):
    """A selector taking no argument whose queryset is built once per process and language, and
    cloned for each call (as Django's generic views clone their class's queryset).

    Building a read with annotations and subqueries through the ORM costs more than cloning it
    (the API's recommendations: 2.2 ms against 10 us); what the queryset reads (the forum, the rows)
    is still decided by its SQL each time it is run, and each call gets a queryset of its own to
    narrow and evaluate. The language is part of the key, since the translation layer names columns
    by it when a read is built."""

    @functools.wraps(build)
    def selector():
        return _querysets.get((build.__module__, build.__qualname__, get_language()), build).all()

    return selector


# The SQL of each read per distinct input: a few per page, some hundreds in all.
_statements = Kept(size=2048)
# What `_statement` keeps for a read no row can meet (an empty list of recommendations).
_NO_ROWS = ("", (), "", ())


def _reads(model, expression, alias, field) -> bool:
    """Whether a selected column is the field asked of `values_list`: by its alias, else by the name
    of the field it reads ("actor__code" reads "code", "actor_id" the key "actor", "pk" the key)."""
    if alias:
        return alias == field
    target = getattr(expression, "target", None)
    if target is None:
        return False
    if field == "pk":
        return target == model._meta.pk
    return field.rsplit("__", 1)[-1] in (target.name, target.attname)


def _check_columns(model, compiler, fields) -> None:
    """Refuse SQL whose columns are not the fields asked, in their order: the driver gives the columns
    in the SQL's order (the ORM, and the translation layer over it, may select them in another and
    reorder the rows after)."""
    if fields and not (
        len(compiler.select) >= len(fields)
        and all(
            _reads(model, expression, alias, field)
            for (expression, _sql, alias), field in zip(compiler.select, fields, strict=False)
        )
    ):
        named = [alias or str(expression) for expression, _sql, alias in compiler.select]
        raise ValueError(f"the SQL gives its columns as {named}, not as asked: {list(fields)}")


def _statement(queryset) -> tuple:
    compiler = queryset.query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return _NO_ROWS
    fields = queryset._fields
    if queryset.query.combinator and not fields:
        raise ValueError("a union is read as values_list(): name its fields")
    _check_columns(queryset.model, compiler, fields)
    if queryset.query.combinator:
        # The rows of a union come in the columns of each part's SQL: every part must give the fields
        # asked, in their order. Its values are as the driver gives them.
        for part in queryset.query.combined_queries:
            part_compiler = part.get_compiler(queryset.db)
            part_compiler.setup_query()
            _check_columns(part.model, part_compiler, fields)
        return sql, tuple(params), queryset.db, ()
    # The database's and the fields' conversions of each column (dates from SQLite's text, say).
    columns = [expression for expression, _sql, _alias in compiler.select[: compiler.col_count]]
    converters = tuple(
        (position, tuple(functions), expression)
        for position, (functions, expression) in compiler.get_converters(columns).items()
    )
    return sql, tuple(params), queryset.db, converters


def plain_rows(key: tuple, build, *, converted: bool = False) -> tuple:
    """The rows of `build()`, a `values_list` queryset, as tuples; `key` names the read and every
    input the queryset is built from (the language is added, since translated fields are named by
    it). The SQL is built once per key and kept; the rows are read every time.

    `converted` gives each value as the ORM would (a date as a date on SQLite too); without it, the
    values are as the database driver gives them, which suits numbers and texts: a thousand grouped
    rows spent more time in the ORM's converters than in the database.
    """
    sql, params, alias, converters = _statements.get((*key, get_language()), lambda: _statement(build()))
    if not sql:
        return ()
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not (converted and converters):
        return tuple(map(tuple, rows))
    converted_rows = []
    for row in map(list, rows):
        for position, functions, expression in converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        converted_rows.append(tuple(row))
    return tuple(converted_rows)


# The rows of the reads of the record's reference data, per reference number (`reference_rows`).
reference_rows_kept = Kept(size=1024)


def reference_rows(key: tuple, build, *, converted: bool = False) -> tuple:
    """`plain_rows`, for a read of the record's reference data alone (a recommendation's comments and
    classification, the closed rounds and their snapshots: rows only a change to
    `caching.REFERENCE_MODELS` can change). The rows themselves are kept under the reference number
    the request is answered under (`caching.answered_reference`), so a page drawn again after an
    action or an assessment does not read them again. Where no number answers (inside a transaction,
    on a signed-in user's page), they are read as `plain_rows` reads them."""
    reference = answered_reference()
    if reference is None:
        return plain_rows(key, build, converted=converted)
    return reference_rows_kept.get(
        (*key, get_language(), reference), lambda: plain_rows(key, build, converted=converted)
    )


def kept_count(key: tuple, build) -> int:
    """How many rows `build()` has (a queryset, sliced where counting may stop), by SQL built once per
    `key` and kept, as `plain_rows` keeps a read's."""

    def statement():
        sql, params, alias, _converters = _statement(build().values_list("pk"))
        # The ORM's own SQL, its values as parameters: nothing from outside is written into it.
        counting = f"SELECT COUNT(*) FROM ({sql}) counted" if sql else ""  # noqa: S608  # nosec B608
        return (counting, params, alias, ())

    sql, params, alias, _converters = _statements.get((*key, get_language()), statement)
    if not sql:
        return 0
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def plain_records(queryset, fields, key: tuple | None = None, *, reference: bool = False) -> list[SimpleNamespace]:
    """The rows of `queryset` as plain records of `fields`: "x__y" becomes `record.x.y` (`record.x` is
    None when all its fields are), "id" is also `pk`. For pages that show many rows and change none:
    a model instance, with its related one, costs several times as much to build. With `key` (all
    the queryset is built from), its SQL is built once and kept (`tracker.kept.plain_rows`); the
    queryset may then be given as a function that builds it, so that it is built only that once.
    With `reference` too (a read of the record's reference data alone), the rows are kept as
    `reference_rows` keeps them."""
    plan = [name.partition("__")[::2] for name in fields]
    # Where each value goes: a field of the record, or a field of one of its related records.
    own = [(position, head) for position, (head, tail) in enumerate(plan) if not tail]
    related = {}
    for position, (head, tail) in enumerate(plan):
        if tail:
            related.setdefault(head, []).append((position, tail))
    with_pk = any(head == "id" for _position, head in own)

    def build():
        read = (queryset() if callable(queryset) else queryset).values_list(*fields)
        # The translation layer's querysets take the fields as a set: their order is the process's.
        if list(read._fields) != list(fields):
            raise ValueError(f"the read gives {list(read._fields)}, not {list(fields)}: use .rewrite(False)")
        return read

    rows = build() if key is None else (reference_rows if reference else plain_rows)(key, build, converted=True)
    records = []
    width = len(plan)
    for row in rows:
        if len(row) != width:
            raise ValueError(f"a row of {len(row)} values for {width} fields")
        values = {head: row[position] for position, head in own}
        for head, places in related.items():
            inner = {tail: row[position] for position, tail in places}
            values[head] = None if all(value is None for value in inner.values()) else SimpleNamespace(**inner)
        if with_pk:
            values["pk"] = values["id"]
        records.append(SimpleNamespace(**values))
    return records
