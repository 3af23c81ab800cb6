"""Load the forum's record, the actors and the initial assignments, adding only what is missing; then
their translations.

Unlike `loaddata`, rows that already exist are left as they are, so running it again (as `make run`
does every time) never resets a status or an edit made by staff, and never duplicates a row. Rows are
matched by natural key: the forum's slug, a recommendation's number, an actor's code.

The translations (`fixtures/translations/<language>.json`, unofficial) fill the Spanish, French and
Portuguese columns: an empty text is filled, a text still as it was loaded takes the fixture's
correction, and a text that staff entered or changed is kept (see `tracker.services.record`).
"""

import json

from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from config.settings import BASE_DIR
from tracker import services

FIXTURE_DIR = BASE_DIR / "fixtures"
FIXTURES = ["forum.json", "actors.json", "responsibilities.json", "classification.json"]


class Command(BaseCommand):
    help = "Load the fixtures, adding only the rows that are missing, and their translations."

    @transaction.atomic
    @translation.override("en")
    def handle(self, *args, **options):
        # The fixtures carry the official English: their texts go into the English columns.
        added = kept = 0
        for name in FIXTURES:
            with open(FIXTURE_DIR / name, encoding="utf-8") as stream:
                for item in serializers.deserialize("json", stream, handle_forward_references=True):
                    if item.object.pk is not None:
                        kept += 1
                        continue
                    item.save()
                    added += 1
        self.stdout.write(f"Record loaded: {added} rows added, {kept} already present.")
        for code, _name in settings.LANGUAGES:
            path = FIXTURE_DIR / "translations" / f"{code}.json"
            if code != settings.LANGUAGE_CODE and path.exists():
                self._load_translations(code, path, options["verbosity"])

    def _load_translations(self, code, path, verbosity):
        try:
            with open(path, encoding="utf-8") as stream:
                data = json.load(stream)
            if data.get("language") != code:
                raise CommandError(f"{path.name}: its language is {data.get('language')!r}, not {code!r}.")
            rows = [services.TranslationRow(row["model"], row["key"], row["fields"]) for row in data["rows"]]
            outcome = services.record_translations_load(language=code, credit=data.get("credit", ""), rows=rows)
        except (ValueError, KeyError, TypeError) as error:
            raise CommandError(f"{path.name} cannot be read: {error!r}. Nothing was loaded.") from error
        except ValidationError as error:
            problems = "\n  ".join(error.messages)
            raise CommandError(f"{path.name} was refused, so nothing was loaded:\n  {problems}") from error
        self.stdout.write(
            f"Translations ({code}): {outcome.filled} filled, {outcome.corrected} corrected, "
            f"{outcome.unchanged} unchanged, {len(outcome.kept)} kept as staff wrote them."
        )
        if verbosity > 1:
            for text in outcome.kept:
                self.stdout.write(f"  kept: {text}")
