"""Full-text search on PostgreSQL: the `unaccent` extension, a text search configuration per language,
and a search vector per language on the actions and their evidence, indexed. Nothing on SQLite, whose
search needs none of them (`tracker.search`).

Each configuration is a copy of PostgreSQL's own for the language whose words are first stripped of
their accents, as PostgreSQL's documentation of `unaccent` shows: "migracion", "migración" and
"MIGRACIÓN" are then the same word, stemmed as the language stems it. `search_simple` does no stemming,
for codes and names.

The vectors are stored generated columns, kept by PostgreSQL itself through every write whatever makes
it (the services, the admin, an import, the demo data's COPY, a restore), and unknown to Django's models:
no form, serialiser, download or backup reads or writes them. An action's vector holds its title
(weight A) and its description (weight B), so that a search can rank without parsing 100,000
descriptions again, and tell a title match from the ranking's weights. Adding them rewrites the actions'
table once (about a minute at 100,000 actions).
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

LANGUAGES = {"en": "english", "es": "spanish", "fr": "french", "pt": "portuguese"}


def _configurations():
    for name in LANGUAGES.values():
        yield f"search_{name}", name, f"{name}_stem"
    yield "search_simple", "simple", "simple"


def _vector(config, column, weight):
    return f"setweight(to_tsvector('{config}'::regconfig, coalesce({column}, '')), '{weight}')"


def _columns():
    """(table, column, the expression it is generated from)."""
    for code, name in LANGUAGES.items():
        config = f"search_{name}"
        action = f"{_vector(config, 'title', 'A')} || {_vector(config, 'description', 'B')}"
        yield "tracker_action", f"search_{code}", action
        yield "tracker_evidence", f"search_{code}", _vector(config, "title", "C")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for config, copy_of, dictionary in _configurations():
        schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {config} (COPY = pg_catalog.{copy_of})")
        schema_editor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {config} "
            f"ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {dictionary}"
        )
    tables = {}
    for table, column, expression in _columns():
        tables.setdefault(table, []).append(f"ADD COLUMN {column} tsvector GENERATED ALWAYS AS ({expression}) STORED")
    for table, additions in tables.items():
        # One statement per table: the table is rewritten once, not once per column.
        schema_editor.execute(f"ALTER TABLE {table} {', '.join(additions)}")
    for table, column, _expression in _columns():
        schema_editor.execute(f"CREATE INDEX {table}_{column} ON {table} USING gin ({column})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, _expression in _columns():
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column}")
    for config, _copy_of, _dictionary in _configurations():
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {config}")


class Migration(migrations.Migration):
    dependencies = [("tracker", "0017_committee_staff_translate_the_record")]

    operations = [
        # Does nothing on SQLite: Django's operation checks the database.
        UnaccentExtension(),
        migrations.RunPython(create, drop, elidable=False),
    ]
