"""Writing synthetic rows in bulk, with the history rows the services would have written."""

import datetime
import queue
import threading
from contextlib import contextmanager

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.base import ModelState

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


def write_rows(model, objs: list, *, copier=None) -> list:
    """Insert unsaved instances in bulk and set their primary keys; return them.

    On PostgreSQL the rows go in with COPY, their keys taken from the table's sequence beforehand: five
    to ten times faster than `bulk_create`, whose cost per row (preparing each value, then the INSERT)
    dominates at 100,000 actions. Elsewhere (SQLite in tests and on laptops) it is `bulk_create` in
    batches. Field defaults and `auto_now` are applied the same way as by `save()`, through `pre_save`.
    With a `copier` (see `Copier`), the COPY is sent behind, while the caller goes on.
    """
    if not objs:
        return objs
    # The connection itself, not the per-thread proxy: it is read for every value written.
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        return model._default_manager.bulk_create(objs, batch_size=BATCH_SIZE)
    meta, pk = model._meta, model._meta.pk
    fields = meta.concrete_fields
    unsaved = [obj for obj in objs if obj.pk is None]
    if unsaved:
        for obj, value in zip(unsaved, _keys(copier or db, meta.db_table, pk.column, len(unsaved)), strict=True):
            setattr(obj, pk.attname, value)
    columns = ", ".join(db.ops.quote_name(field.column) for field in fields)
    statement = f"COPY {db.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
    readers = [_reader(field, db) for field in fields]
    if copier is not None:
        copier.send(statement, [[read(obj) for read in readers] for obj in objs])
    else:
        with db.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for obj in objs:
                copy.write_row([read(obj) for read in readers])
    for obj in objs:
        obj._state.adding, obj._state.db = False, db.alias
    return objs


def _keys(source, table, column, count) -> list:
    """`count` new primary keys of `table`, in increasing order, from its sequence."""
    with source.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
        )
        return sorted(value for (value,) in cursor.fetchall())


class Copier:
    """Sends the COPYs of `write_rows` from a thread of its own, while the calling thread makes the
    next rows.

    In a large load, PostgreSQL's work (the four full-text vectors of every action above all) and
    Python's (making the rows) are of a size, and they ran one after the other: on two cores they can
    run side by side. The COPYs go out in the order they were given, on the connection's own
    transaction; the keys come from the sequences through a second connection of their own, so that
    taking them never waits for a COPY. At most `QUEUED` batches wait to be sent (two chunks of the
    demo data's six tables), so memory stays flat. A failed COPY stops the rest and is raised in the
    calling thread, at its next call or at `close()`; the transaction then rolls back as for any error.
    """

    QUEUED = 12

    def __init__(self, db):
        self.db = db
        self.keys = psycopg.connect(**db.get_connection_params(), autocommit=True)
        # Taking keys that waited this long would be a lock it cannot have: an error, not a hang.
        self.keys.execute("SET statement_timeout = '60s'")
        self.batches = queue.Queue(maxsize=self.QUEUED)
        self.failure = None
        self.thread = threading.Thread(target=self._send_batches, name="copier", daemon=True)
        self.thread.start()

    def cursor(self):
        self._raise_failure()
        return self.keys.cursor()

    def send(self, statement, rows):
        self._raise_failure()
        self.batches.put((statement, rows))

    def _send_batches(self):
        while (batch := self.batches.get()) is not None:
            if self.failure is not None:
                continue
            statement, rows = batch
            try:
                with (
                    self.db.wrap_database_errors,
                    self.db.connection.cursor() as cursor,
                    cursor.copy(statement) as copy,
                ):
                    for row in rows:
                        copy.write_row(row)
            except BaseException as error:  # noqa: BLE001 - raised again in the calling thread
                self.failure = error

    def _raise_failure(self):
        if self.failure is not None:
            raise self.failure

    def close(self, *, abandon=False):
        """Wait for the batches given to be sent (or, on `abandon`, for the one under way only)."""
        if abandon and self.failure is None:
            self.failure = RuntimeError("abandoned")
        self.batches.put(None)
        self.thread.join()
        self.keys.close()
        if not abandon:
            self._raise_failure()


def _large_load_on_postgresql(rows: int):
    """The connection, when it is PostgreSQL's and a load of `rows` counts as large; else None."""
    db = connections[DEFAULT_DB_ALIAS]
    return db if db.vendor == "postgresql" and rows >= REBUILD_INDEXES_FROM else None


@contextmanager
def copied_behind(rows: int):
    """A `Copier` for a load of at least `REBUILD_INDEXES_FROM` rows on PostgreSQL, else None."""
    db = _large_load_on_postgresql(rows)
    if db is None:
        yield None
        return
    copier = Copier(db)
    try:
        yield copier
    except BaseException:
        copier.close(abandon=True)
        raise
    copier.close()


def maker(model):
    """A quick `model(**values)` for the unsaved rows of a bulk load: values by attribute name
    (`actor_id`, not `actor`), each other field at its default.

    It skips `Model.__init__`, whose signals and descriptors cost about ten times as much (7 µs a
    row against 0.7): a third of the demo data's Python time, at 690,000 rows for 100,000 actions.
    What it makes is only for `write_rows`: a related object is not cached on it, so reading one
    (`row.actor`) would be a query.
    """
    fields = [(field.attname, field.get_default) for field in model._meta.concrete_fields]
    known = frozenset(attname for attname, _default in fields)

    def make(**values):
        if not known.issuperset(values):
            raise TypeError(f"{model.__name__} has no field {sorted(set(values) - known)[0]!r}")
        obj = model.__new__(model)
        obj._state = ModelState()
        for attname, default in fields:
            if attname not in values:
                values[attname] = default()
        obj.__dict__.update(values)
        return obj

    return make


def tracked(history_model, instance) -> dict:
    """The fields a historical row copies from `instance`."""
    return {field.attname: getattr(instance, field.attname) for field in history_model.tracked_fields}


@contextmanager
def indexes_rebuilt_after(models, rows: int):
    """On PostgreSQL, for a load of at least `REBUILD_INDEXES_FROM` rows: the secondary indexes of these
    models' tables (all but the primary keys and the unique ones, which uphold constraints) and their
    foreign keys are dropped while the rows go in, and made again at the end, in the same transaction
    (a failed load gets them back with the rollback).

    Keeping an index up row by row costs far more than building it once: the full-text (GIN) indexes
    alone took a third of the demo data's time at 100,000 actions (32 s, against 3.5 s to build all
    eight afresh). A foreign key the same way: checked row by row, each row written queues a check
    that runs at the end (four seconds at 100,000 actions, about ten million checks at 1,000,000),
    where adding the key again checks every row in one join. The tables are locked against readers
    until the transaction commits: this is for building a database, not for a site in use.
    """
    db = _large_load_on_postgresql(rows)
    if db is None:
        yield
        return
    tables = [model._meta.db_table for model in models]
    quote = db.ops.quote_name
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT index.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class index ON index.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.relname = ANY(%s) AND NOT i.indisprimary AND NOT i.indisunique "
            "AND t.relnamespace = to_regnamespace(current_schema())::oid ORDER BY 1",
            [tables],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'f' AND t.relname = ANY(%s) "
            "AND t.relnamespace = to_regnamespace(current_schema())::oid ORDER BY 1, 2",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        # Checks still pending from this transaction's earlier writes run now: PostgreSQL alters no
        # table (a key's own, or the one it points to) while some wait on it.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    yield
    with db.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
