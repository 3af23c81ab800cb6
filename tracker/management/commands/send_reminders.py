"""E-mail the liaisons whose state or body owes a report in an open reporting round. Run it daily.

What is due when, and why it is sent once even when two copies run at once: `tracker.reminders`.
"""

import argparse
import datetime

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tracker import reminders
from tracker.progress import TerminalProgress


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "E-mail the liaisons of every state and body that owes a report in an open reporting round: when "
        "the round opens, REMINDER_DAYS_BEFORE days before the due date, the day after it and then weekly "
        "while the report is overdue. Each reminder is sent once; safe to run twice, or on two machines."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=iso_date, help="The day to act as of (YYYY-MM-DD); by default today, in TIME_ZONE."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List the reminders that are due without sending or recording any."
        )

    def handle(self, *args, today=None, dry_run=False, **options):
        if isinstance(today, str):  # call_command(today="2025-03-01") bypasses the parser
            today = iso_date(today)
        today = today or timezone.localdate()
        try:
            due = reminders.reminders_due(today)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None

        if dry_run:
            for reminder in due:
                self.stdout.write(f"would send: {reminder.describe()}")
            self.stdout.write(f"{len(due)} reminders would be sent (dry run: none sent or recorded)")
            return

        terminal = TerminalProgress(self.stderr, unit="reminders")

        def progress(done, total):
            terminal("sending", done, total)

        def sent(reminder):
            terminal.clear()
            self.stdout.write(reminder.describe())

        def failed(reminder, error):
            terminal.clear()
            self.stderr.write(f"not sent: {reminder.describe()}: {error}")

        try:
            result = reminders.send_reminders(due, today=today, on_sent=sent, on_failed=failed, progress=progress)
        finally:
            terminal.clear()
        self.stdout.write(f"{len(result.sent)} reminders sent")
        if result.failed:
            names = "; ".join(f"{reminder.describe()} ({error})" for reminder, error in result.failed)
            raise CommandError(f"{len(result.failed)} reminders were not sent (the next run tries them again): {names}")
