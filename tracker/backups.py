"""One portable file holding the whole follow-up, and how it is written and read back, exactly.

A backup is a zip file (`manage.py backup`, `manage.py restore`):

- `manifest.json`: the format and its version, when it was written, the database's applied migrations,
  the row count of every table it holds, and the evidence documents it holds;
- `record.jsonl`: every row, one JSON object a line, by Django's JSON Lines serialiser with two changes.
  Datetimes keep their microseconds (Django's encoder cuts them to milliseconds, which would change
  every "recorded at" and every history date). And only content types and permissions are written by
  natural key, so that the file loads into another database, where they have other ids; every other
  row keeps its own id, so the history, whose foreign keys are plain numbers, stays whole. XML keeps
  microseconds too, but cannot hold control characters, which a pasted text may carry.
- `documents/<name>`: the evidence documents named by the rows, from the default storage.

Many-to-many tables are written as tables of their own, each row with its id, not as lists on their
owner: the restore then writes no many-to-many step, which django-simple-history would record as a
new version of every action and report (history recording is also switched off while loading).

The columns django-modeltranslation keeps under a field's own name (`text`, beside `text_en` ...) hold
whatever language was active when the row was last saved; they are written and restored as stored,
not as the descriptor reads them, so every column of every row comes back as it was.
"""

import datetime
import io
import json
import shutil
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Serializer as JsonLinesSerializer
from django.db import connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from modeltranslation.translator import NotRegistered, translator

from .models import RecordVersion

FORMAT = "oas-sfmi-followup-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
RECORD = "record.jsonl"
DOCUMENTS = "documents/"

# (what is being done, rows done, rows in all); called every few hundred rows.
Progress = Callable[[str, int, int], None]


class BackupError(Exception):
    """A file that cannot be restored, or a database it cannot be restored into; nothing was changed."""


def covered_models() -> list[type[models.Model]]:
    """Every model whose table the backup holds, and that a restore empties and fills again.

    The forum's and the follow-up's models with their history and many-to-many tables, the accounts,
    groups and their permissions, and the admin's log (it refers to the accounts). Not the record's
    version (each database keeps its own, raised after a restore), content types and permissions
    (migrate makes them), sessions or login attempts.
    """
    user = get_user_model()
    covered = [Group, Group.permissions.through, user, user.groups.through, user.user_permissions.through]
    for label in ("forum", "tracker"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model is not RecordVersion and not model._meta.proxy:
                covered.append(model)
    return [*covered, LogEntry]


def follow_up_rows() -> dict[str, int]:
    """The rows that make a database hold follow-up data, by table: a restore will not replace them unasked.

    Any user account, or any row of the forum's or the follow-up's tables. A freshly migrated database
    has none: its content types, permissions and "Committee staff" group are not follow-up data, and
    the record's version is not in the backup at all.
    """
    counted = [m for m in covered_models() if m._meta.app_label in ("forum", "tracker")] + [get_user_model()]
    counts = {model._meta.label_lower: model._base_manager.count() for model in counted}
    return {label: count for label, count in counts.items() if count}


@cache
def untranslated_columns(model: type[models.Model]) -> tuple[str, ...]:
    try:
        return tuple(translator.get_options_for_model(model).fields)
    except NotRegistered:
        return ()


class _Encoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        return super().default(o)


class _RecordSerializer(JsonLinesSerializer):
    """Django's JSON Lines serialiser: natural keys for content types and permissions only, columns as stored."""

    def handle_field(self, obj: models.Model, field: models.Field) -> None:
        if field.attname in untranslated_columns(type(obj)):
            self._current[field.name] = obj.__dict__[field.attname]
        else:
            super().handle_field(obj, field)

    def handle_fk_field(self, obj: models.Model, field: models.Field) -> None:
        self.use_natural_foreign_keys = field.remote_field.model in (ContentType, Permission)
        related = getattr(obj, field.name) if field.remote_field.model is ContentType else None
        if related is not None and related.model_class() is None:
            # The content type of a model removed since: no other database has it, and a log entry keeps its text.
            self._current[field.name] = None
            return
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj: models.Model, field: models.Field) -> None:
        """Nothing: the many-to-many tables are written as models of their own."""

    def end_object(self, obj: models.Model) -> None:
        # `json.dumps` uses the C encoder, where Django's `json.dump` runs in Python: twice as fast.
        self.stream.write(json.dumps(self.get_dump_object(obj), **self.json_kwargs) + "\n")
        self._current = None


def _rows(model: type[models.Model]) -> models.QuerySet:
    rows = model._base_manager.order_by("pk")
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is ContentType:
            rows = rows.select_related(field.name)
        elif field.is_relation and field.related_model is Permission:
            rows = rows.select_related(f"{field.name}__content_type")
            # A permission of a model removed since grants nothing, and no other database has it.
            stale = [ct.pk for ct in ContentType.objects.all() if ct.model_class() is None]
            rows = rows.exclude(**{f"{field.name}__content_type__in": stale})
    return rows


def _document_names() -> list[str]:
    names: set[str] = set()
    for model in covered_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                names.update(model._base_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True))
    return sorted(name for name in names if name)


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of the database for the whole backup, which leaves the site's writers free.

    Inside the caller's transaction (the restore's backup of what it replaces) the caller's locks
    keep the view still. Otherwise, on PostgreSQL, a REPEATABLE READ, READ ONLY transaction: one
    snapshot, so a write committed while the backup runs is wholly in it or not at all. On SQLite a
    DEFERRED transaction (a snapshot in WAL mode): Django's own transactions begin IMMEDIATE here
    (`config/settings.py`), which would keep every writer waiting until the backup ends.
    """
    if connection.in_atomic_block:
        yield
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            if connection.connection.in_transaction:
                connection.connection.rollback()
    else:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield


def check_migrated() -> None:
    """Refuse a database that lacks some of this code's migrations: its tables are not what the models say."""
    executor = MigrationExecutor(connection)
    if plan := executor.migration_plan(executor.loader.graph.leaf_nodes()):
        names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _backwards in plan[:3])
        raise BackupError(
            f"the database is not migrated to this version of the code ({names} not applied): "
            "run `manage.py migrate` first"
        )


def write_backup(path: Path, *, progress: Progress | None = None) -> dict[str, Any]:
    """Write a backup of the database to `path` and return its manifest.

    Written to a temporary file beside it and renamed at the end, so `path` never holds half a backup.
    """
    check_migrated()
    partial = path.with_name(f".{path.name}.partial")
    counts: Counter[str] = Counter()
    try:
        with _snapshot(), zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            applied = MigrationRecorder(connection).applied_migrations()
            covered = covered_models()
            app_labels = {model._meta.app_label for model in covered}

            def rows() -> Iterator[models.Model]:
                for model in covered:
                    label, total = model._meta.label_lower, model._base_manager.count()
                    counts[label] = 0
                    for row in _rows(model).iterator(chunk_size=2000):
                        yield row
                        counts[label] += 1
                        if progress and (counts[label] % 500 == 0 or counts[label] == total):
                            progress(f"writing {label}", counts[label], total)

            member = zipfile.ZipInfo(RECORD, timezone.localtime().timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            with io.TextIOWrapper(archive.open(member, "w", force_zip64=True), "utf-8", newline="\n") as record:
                # ASCII only: no character inside a text can be taken for the end of a line.
                _RecordSerializer().serialize(rows(), stream=record, cls=_Encoder, ensure_ascii=True)
            documents, missing = [], []
            for name in _document_names():
                if not default_storage.exists(name):
                    missing.append(name)
                    continue
                with default_storage.open(name, "rb") as source, archive.open(DOCUMENTS + name, "w") as target:
                    shutil.copyfileobj(source, target)
                documents.append(name)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": timezone.now().isoformat(),
                "database": connection.vendor,
                "migrations": {app: sorted(n for a, n in applied if a == app) for app in sorted(app_labels)},
                "counts": dict(counts),
                "documents": documents,
                "missing_documents": missing,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


@contextmanager
def record_lines(archive: zipfile.ZipFile) -> Iterator[IO[str]]:
    with io.TextIOWrapper(archive.open(RECORD), "utf-8", newline="\n") as lines:
        yield lines


def lock_tables() -> None:
    """Keep writers out until the restore commits, so its backup of what it replaces misses nothing."""
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in covered_models())
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")


def empty_tables() -> None:
    """Empty every table the backup covers (TRUNCATE on PostgreSQL), in the caller's transaction.

    Foreign keys are checked at commit, so the order does not matter; a table outside the backup
    that referred to these would make PostgreSQL refuse, and the restore with it.
    """
    tables = [model._meta.db_table for model in covered_models()]
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables))
