"""Load the forum's record, the actors and the initial assignments, adding only what is missing.

Unlike `loaddata`, rows that already exist are left as they are, so running it again (as `make run`
does every time) never resets a status or an edit made by staff, and never duplicates a row. Rows are
matched by natural key: the forum's slug, a recommendation's number, an actor's code.
"""

from django.core import serializers
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from config.settings import BASE_DIR

FIXTURES = ["forum.json", "actors.json", "responsibilities.json"]


class Command(BaseCommand):
    help = "Load the fixtures, adding only the rows that are missing."

    @transaction.atomic
    @translation.override("en")
    def handle(self, *args, **options):
        # The fixtures carry the official English: their texts go into the English columns.
        added = kept = 0
        for name in FIXTURES:
            with open(BASE_DIR / "fixtures" / name, encoding="utf-8") as stream:
                for item in serializers.deserialize("json", stream, handle_forward_references=True):
                    if item.object.pk is not None:
                        kept += 1
                        continue
                    item.save()
                    added += 1
        self.stdout.write(f"Record loaded: {added} rows added, {kept} already present.")
