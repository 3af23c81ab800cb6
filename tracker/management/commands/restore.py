"""Put a backup written by `manage.py backup` back into the database, exactly, or change nothing.

    manage.py restore backups/followup-2026-11-27.zip             # into a freshly migrated database
    manage.py restore backups/followup-2026-11-27.zip --replace   # over a database that holds data

The whole file is checked before anything is written (format and its version, checksums, every
table's row count, the migrations it was written at). Then, in one transaction, the tables the
backup covers are locked and, if they hold follow-up data and `--replace` was given, written to a
backup of their own; emptied; loaded (no history row of its own, sequences set past the restored
ids); checked against the manifest; and the documents are put back. Any failure rolls all of it
back. Once committed, the page cache's version is raised.
"""

import json
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.test.utils import override_settings
from django.utils import timezone

from tracker import backups
from tracker.backups import DOCUMENTS, MANIFEST, RECORD, BackupError, Progress
from tracker.caching import bump_data_version, connect_signals
from tracker.progress import TerminalProgress

# What a file that passed the checks can still fail on while it loads; all of it is rolled back.
# (A document's name that would leave the storage is a SuspiciousOperation.)
LOAD_ERRORS = (
    BackupError,
    DeserializationError,
    DatabaseError,
    ValidationError,
    SuspiciousOperation,
    ValueError,
    OSError,
)


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup`, in one transaction. It refuses a database that holds "
        "follow-up data unless --replace is given, and then first writes a backup of what it replaces. A "
        "database holds follow-up data when it has a user account, or a row in any table of the forum's record "
        "or of the follow-up (the record's version aside); a freshly migrated one has none (its content types, "
        "permissions and 'Committee staff' group are not follow-up data; the backup brings its own groups)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="A backup written by `manage.py backup`.")
        parser.add_argument(
            "--replace", action="store_true", help="Replace the follow-up data here, after writing a backup of it."
        )
        parser.add_argument(
            "--keep-dir",
            metavar="DIR",
            help="Where --replace writes its backup of what it replaces (default: the directory of FILE).",
        )

    def handle(self, *args: Any, file: str, replace: bool, keep_dir: str | None, **options: Any) -> None:
        path = Path(file)
        keep = Path(keep_dir) if keep_dir else path.absolute().parent
        if replace and not keep.is_dir():
            raise CommandError(f"{keep} is not a directory, so what --replace replaces could not be kept.")
        progress = TerminalProgress(self.stdout)
        try:
            archive, manifest = open_backup(path, progress=progress)
        except BackupError as error:
            raise CommandError(str(error)) from None
        finally:
            progress.clear()
        kept: Path | None = None
        with archive:
            try:
                with transaction.atomic():
                    backups.lock_tables()
                    if found := backups.follow_up_rows():
                        if not replace:
                            raise CommandError(_refusal(found))
                        target = _free_name(keep)
                        backups.write_backup(target, progress=progress)
                        kept = target
                    backups.empty_tables()
                    rows = load_backup(archive, manifest, progress=progress)
            except LOAD_ERRORS as error:
                taken = f" The backup of the database as it is, taken first, is in {kept}." if kept else ""
                raise CommandError(f"{path} could not be restored ({error}). Nothing was changed.{taken}") from error
            finally:
                progress.clear()
        # Committed: no page rendered from the data it replaced may be served again.
        bump_data_version()
        documents = len(manifest["documents"])
        noun = "document" if documents == 1 else "documents"
        replaced = f"; what it replaced is kept in {kept}" if kept else ""
        self.stdout.write(f"Restored {rows:,} rows and {documents} {noun} from {path}{replaced}.")


def _refusal(found: dict[str, int]) -> str:
    largest = ", ".join(f"{count:,} in {label}" for label, count in sorted(found.items(), key=lambda i: -i[1])[:4])
    return (
        f"This database already holds follow-up data ({sum(found.values()):,} rows: {largest}). Nothing was "
        "changed. To replace it with the backup, run again with --replace; a backup of what it replaces is "
        "written first (next to FILE, or in --keep-dir)."
    )


def _free_name(directory: Path) -> Path:
    """A new file for the backup of what is replaced, named for the time, never one that exists."""
    stem = f"replaced-{timezone.localtime():%Y%m%d-%H%M%S}"
    path, n = directory / f"{stem}.zip", 1
    while path.exists():
        n += 1
        path = directory / f"{stem}-{n}.zip"
    return path


def _refuse(path: Path, reason: str) -> BackupError:
    return BackupError(f"{path} cannot be restored: {reason}. Nothing was changed.")


def open_backup(path: Path, *, progress: Progress | None = None) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    """Open a backup and check all of it before anything is written: format, checksums, counts, schema."""
    if not path.is_file():
        raise _refuse(path, "there is no such file")
    if not zipfile.is_zipfile(path):
        raise _refuse(path, "it is not a backup written by `manage.py backup` (not a zip file, or cut short)")
    try:
        archive = zipfile.ZipFile(path)
        broken = archive.testzip()
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise _refuse(path, f"it is not a backup written by `manage.py backup` (no {MANIFEST})") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        raise _refuse(path, f"it is corrupted ({error})") from None
    try:
        if broken:
            raise _refuse(path, f"it is corrupted ({broken} fails its checksum)")
        _check_manifest(path, manifest)
        _check_contents(path, archive, manifest, progress)
        _check_schema(path, manifest)
    except BaseException:
        archive.close()
        raise
    return archive, manifest


def _check_manifest(path: Path, manifest: Any) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != backups.FORMAT:
        raise _refuse(path, "it is not a backup written by `manage.py backup` (unknown manifest)")
    if (version := manifest.get("format_version")) != backups.FORMAT_VERSION:
        raise _refuse(path, f"it is in format version {version!r}; this version reads {backups.FORMAT_VERSION} only")
    counts, documents, migrations = manifest.get("counts"), manifest.get("documents"), manifest.get("migrations")
    if not (
        isinstance(counts, dict)
        and all(isinstance(n, int) for n in counts.values())
        and isinstance(documents, list)
        and all(isinstance(name, str) for name in documents)
        and isinstance(migrations, dict)
        and all(isinstance(names, list) and all(isinstance(n, str) for n in names) for names in migrations.values())
    ):
        raise _refuse(path, f"it is corrupted (its {MANIFEST} is incomplete)")


def _check_contents(path: Path, archive: zipfile.ZipFile, manifest: dict[str, Any], progress: Progress | None):
    known = {model._meta.label_lower for model in backups.covered_models()}
    expected = manifest["counts"]
    if unknown := sorted(set(expected) - known):
        raise _refuse(path, f"it holds tables this version does not restore ({', '.join(unknown)})")
    members = set(archive.namelist())
    if RECORD not in members:
        raise _refuse(path, f"it has no {RECORD}")
    if absent := [name for name in manifest["documents"] if DOCUMENTS + name not in members]:
        raise _refuse(path, f"documents named in its manifest are missing ({', '.join(absent[:3])})")
    found: Counter[str] = Counter()
    total = sum(expected.values())
    with backups.record_lines(archive) as lines:
        for number, line in enumerate(lines, 1):
            try:
                found[json.loads(line)["model"]] += 1
            except (ValueError, KeyError, TypeError):
                raise _refuse(path, f"it is corrupted (line {number} of {RECORD} is not a row)") from None
            if progress and number % 2000 == 0:
                progress("checking", number, total)
    if differences := sorted(label for label in known | set(found) if found[label] != expected.get(label, 0)):
        label = differences[0]
        said = expected.get(label, 0)
        raise _refuse(path, f"it is corrupted ({RECORD} holds {found[label]} rows of {label}; manifest: {said})")


def _check_schema(path: Path, manifest: dict[str, Any]) -> None:
    """The backup's migrations must be this database's, which must be this code's.

    A backup from an earlier version would load into the later tables without the data migrations
    in between (the groups' permissions, for one); one from a later version would not load at all.
    """
    try:
        backups.check_migrated()
    except BackupError as error:
        raise _refuse(path, str(error)) from None
    theirs = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    labels = {app for app, _name in theirs} | {model._meta.app_label for model in backups.covered_models()}
    ours = {(app, name) for app, name in MigrationRecorder(connection).applied_migrations() if app in labels}
    if theirs != ours:
        differ = ", ".join(f"{app}.{name}" for app, name in sorted(theirs ^ ours)[:3])
        raise _refuse(
            path,
            f"it was written by another version of the application (migrations differ: {differ}); restore it "
            "with the version that wrote it, into a database that version migrated, then update and migrate",
        )


def load_backup(archive: zipfile.ZipFile, manifest: dict[str, Any], *, progress: Progress | None = None) -> int:
    """Load a checked backup into emptied tables, in the caller's transaction; return the rows loaded.

    Rows are saved "raw", as `loaddata` saves them, with history recording off: a restore adds no
    version of its own to anything. Sequences are set past the restored ids, as `loaddata` sets them.
    """
    covered = backups.covered_models()
    total, loaded = sum(manifest["counts"].values()), 0
    # Permissions are found by their content type's name, through a per-process cache of content types:
    # it must hold this database's ids as they are now, not as this process first read them.
    ContentType.objects.clear_cache()
    history_off = override_settings(SIMPLE_HISTORY_ENABLED=False)
    with history_off, _page_cache_receivers_paused(), backups.record_lines(archive) as lines:
        for item in serializers.deserialize("jsonl", lines):
            item.save(force_insert=True)
            _keep_untranslated_columns(item.object)
            loaded += 1
            if progress and (loaded % 500 == 0 or loaded == total):
                progress("loading", loaded, total)
    connection.check_constraints(table_names=[model._meta.db_table for model in covered])
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), covered):
            cursor.execute(statement)
    for model in covered:
        if (found := model._base_manager.count()) != manifest["counts"].get(model._meta.label_lower, 0):
            raise BackupError(f"{model._meta.label_lower} holds {found} rows after loading, not as the manifest says")
    _restore_documents(archive, manifest["documents"])
    return loaded


@contextmanager
def _page_cache_receivers_paused() -> Iterator[None]:
    """Without the page cache's receivers (`tracker.caching.connect_signals`) while rows load.

    They would queue a raise of the record's version for nearly every row, run one by one after the
    commit (a third of a restore's time, and a query per document to read its action); the restore
    raises it once instead.
    """
    uids = {post_save: "cache-post-save", post_delete: "cache-post-delete", m2m_changed: "cache-m2m"}
    paused = [signal.disconnect(dispatch_uid=uid) for signal, uid in uids.items()]
    try:
        yield
    finally:
        if any(paused):
            connect_signals()


def _keep_untranslated_columns(row: models.Model) -> None:
    # A raw save writes these columns as modeltranslation's descriptor reads them (in the active
    # language); the constructor left the stored values in __dict__. A plain QuerySet, which
    # modeltranslation does not rewrite, puts those back.
    stored = {name: row.__dict__[name] for name in backups.untranslated_columns(type(row))}
    if any(getattr(row, name) != value for name, value in stored.items()):
        models.QuerySet(model=type(row)).filter(pk=row.pk).update(**stored)


def _restore_documents(archive: zipfile.ZipFile, names: list[str]) -> None:
    """Put the documents back under their own names; one already there with the same bytes is left alone.

    Storage is not transactional: this runs last, once every row is in and checked, before the commit.
    """
    for name in names:
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as current, archive.open(DOCUMENTS + name) as kept:
                if _same_bytes(current, kept):
                    continue
            default_storage.delete(name)
        with archive.open(DOCUMENTS + name) as kept:
            if (saved := default_storage.save(name, File(kept, name=name))) != name:
                raise BackupError(f"the document {name} could only be stored as {saved}")


def _same_bytes(first: IO[bytes], second: IO[bytes]) -> bool:
    while (chunk := first.read(1 << 16)) == second.read(1 << 16):
        if not chunk:
            return True
    return False
