"""Write the whole follow-up to one portable file, which `manage.py restore` reads back exactly.

    manage.py backup backups/followup-2026-11-27.zip

The file (a zip; `tracker/backups.py` describes it) holds every row of the forum's and the follow-up's
tables with their history and many-to-many tables, the accounts, groups and their permissions, the
admin's log, and the evidence documents; not sessions or login attempts. It is read in one
snapshot (REPEATABLE READ on PostgreSQL, a read transaction on SQLite), so it is consistent while the
site keeps working and keeps no writer waiting. It holds password hashes: keep it as private as the
database. For a whole PostgreSQL server `pg_dump` stays the tool; this file moves the record between
databases, SQLite or PostgreSQL, and is what `restore` checks and loads.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from tracker import backups
from tracker.progress import TerminalProgress


class Command(BaseCommand):
    help = (
        "Write a backup of the follow-up (the forum's record, the follow-up with its history, accounts, groups, "
        "the admin's log and evidence documents) to FILE, a zip file that `manage.py restore` reads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="The file to write, for example backups/followup.zip.")
        parser.add_argument("--overwrite", action="store_true", help="Replace FILE if it exists.")

    def handle(self, *args: Any, file: str, overwrite: bool, **options: Any) -> None:
        path = Path(file)
        if path.exists() and not overwrite:
            raise CommandError(f"{path} exists: choose another name, or add --overwrite to replace it.")
        if not path.parent.is_dir():
            raise CommandError(f"{path.parent} is not a directory: nothing was written.")
        progress = TerminalProgress(self.stdout)
        try:
            manifest = backups.write_backup(path, progress=progress)
        except (backups.BackupError, OSError, DatabaseError) as error:
            raise CommandError(f"No backup was written: {error}.") from error
        finally:
            progress.clear()
        for name in manifest["missing_documents"]:
            self.stderr.write(f"Warning: the document {name} is named by the record but missing from the storage.")
        rows, documents = sum(manifest["counts"].values()), len(manifest["documents"])
        noun = "document" if documents == 1 else "documents"
        self.stdout.write(
            f"Backup written: {rows:,} rows of {len(manifest['counts'])} tables and {documents} {noun} to {path}."
        )
