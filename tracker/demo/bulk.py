"""Writing synthetic rows in bulk, with the history rows the services would have written."""

import datetime
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

BATCH_SIZE = 1000
# Below this many rows the indexes are kept up as the rows go in; above, built again after.
REBUILD_INDEXES_FROM = 10_000


# Values the driver takes as an instance holds them.
PLAIN_VALUES = frozenset({str, int, bool, float, type(None), datetime.date, datetime.datetime})


def _reader(field, db):
    """How a row's value for `field` is read from an instance: the attribute itself when it is a plain
    value (preparing a million rows' values one by one through their fields cost a quarter of the demo
    data's Python time), else as `save()` prepares it (a file, a choice, an automatic date)."""
    attname = field.attname

    def prepared(obj):
        return field.get_db_prep_save(field.pre_save(obj, True), db)

    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return prepared

    def read(obj):
        value = getattr(obj, attname)
        return value if type(value) in PLAIN_VALUES else prepared(obj)

    return read


def write_rows(model, objs: list) -> list:
    """Insert unsaved instances in bulk and set their primary keys; return them.

    On PostgreSQL the rows go in with COPY, their keys taken from the table's sequence beforehand: five
    to ten times faster than `bulk_create`, whose cost per row (preparing each value, then the INSERT)
    dominates at 100,000 actions. Elsewhere (SQLite in tests and on laptops) it is `bulk_create` in
    batches. Field defaults and `auto_now` are applied the same way as by `save()`, through `pre_save`.
    """
    if not objs:
        return objs
    # The connection itself, not the per-thread proxy: it is read for every value written.
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        return model._default_manager.bulk_create(objs, batch_size=BATCH_SIZE)
    meta, pk = model._meta, model._meta.pk
    fields = meta.concrete_fields
    with db.cursor() as cursor:
        unsaved = [obj for obj in objs if obj.pk is None]
        if unsaved:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(unsaved)],
            )
            for obj, (value,) in zip(unsaved, sorted(cursor.fetchall()), strict=True):
                setattr(obj, pk.attname, value)
        columns = ", ".join(db.ops.quote_name(field.column) for field in fields)
        readers = [_reader(field, db) for field in fields]
        with cursor.cursor.copy(f"COPY {db.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([read(obj) for read in readers])
    for obj in objs:
        obj._state.adding, obj._state.db = False, db.alias
    return objs


def tracked(history_model, instance) -> dict:
    """The fields a historical row copies from `instance`."""
    return {field.attname: getattr(instance, field.attname) for field in history_model.tracked_fields}


@contextmanager
def indexes_rebuilt_after(models, rows: int):
    """On PostgreSQL, for a load of at least `REBUILD_INDEXES_FROM` rows: the secondary indexes of these
    models' tables (all but the primary keys and the unique ones, which uphold constraints) are
    dropped while the rows go in, and built again at the end, in the same transaction (a failed load
    gets them back with the rollback).

    Keeping an index up row by row costs far more than building it once: the full-text (GIN) indexes
    alone took a third of the demo data's time at 100,000 actions (32 s, against 3.5 s to build all
    eight afresh). The tables are locked against readers until the transaction commits: this is for
    building a database, not for a site in use.
    """
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql" or rows < REBUILD_INDEXES_FROM:
        yield
        return
    tables = [model._meta.db_table for model in models]
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT index.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class index ON index.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.relname = ANY(%s) AND NOT i.indisprimary AND NOT i.indisunique "
            "AND t.relnamespace = to_regnamespace(current_schema())::oid ORDER BY 1",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {db.ops.quote_name(name)}")
    yield
    with db.cursor() as cursor:
        # The foreign keys are checked now rather than at the commit: PostgreSQL builds no index on a
        # table with checks still pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
