"""Writing synthetic rows in bulk, with the history rows the services would have written."""

from django.db import DEFAULT_DB_ALIAS, connections

BATCH_SIZE = 1000


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
        with cursor.cursor.copy(f"COPY {db.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([field.get_db_prep_save(field.pre_save(obj, True), db) for field in fields])
    for obj in objs:
        obj._state.adding, obj._state.db = False, db.alias
    return objs


def tracked(history_model, instance) -> dict:
    """The fields a historical row copies from `instance`."""
    return {field.attname: getattr(instance, field.attname) for field in history_model.tracked_fields}
