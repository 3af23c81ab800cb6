"""The cursor the site's PostgreSQL connections use, and how they read a timestamp with a time zone."""

import functools

import psycopg
from django.db.backends.postgresql.base import ServerBindingCursor
from psycopg.adapt import Loader
from psycopg.pq import Format

# What psycopg reads a timestamptz with: its compiled loader when psycopg[binary] is installed.
_TIMESTAMPTZ = psycopg.adapters.types["timestamptz"].oid
_NATIVE_LOADER = psycopg.adapters.get_loader(_TIMESTAMPTZ, Format.TEXT)


class Cursor(ServerBindingCursor):
    """Server-side binding with prepared statements, except for full-text searches.

    A prepared statement is planned for no value in particular once PostgreSQL finds that plan
    cheap enough, and a search's plan depends on its words: how many rows match decides the indexes
    worth reading (a generic plan made the site search's count 11.7 ms against 8.0, its ranked union
    24 against 13). A statement with a text search is therefore never prepared, and PostgreSQL plans
    it for the words asked.
    """

    def execute(self, query, params=None, *, prepare=None, binary=None):
        if prepare is None and isinstance(query, str) and "to_tsquery(" in query:
            prepare = False
        return super().execute(query, params, prepare=prepare, binary=binary)


@functools.lru_cache
def timestamptz_loader(zone):
    """A loader of timestamptz values in `zone`, as Django's own loader gives them (the instant, with
    `zone` as its tzinfo), through psycopg's compiled parser. Django's derives from psycopg's loader
    written in Python, which a compiled class cannot be: 3.5 us a value against 1.2 through this one
    (a hundred values on a recommendation's page, two hundred thousand in the full actions CSV).
    One class per zone, made once: with CONN_MAX_AGE=0 every request opens a connection."""

    class TimestamptzLoader(Loader):
        timezone = zone  # Django compares it with the connection's before each cursor

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._parse = _NATIVE_LOADER(oid, context).load

        def load(self, data):
            return self._parse(data).replace(tzinfo=zone)

    return TimestamptzLoader


def read_timestamps_natively(sender, connection, **kwargs):
    """On each new PostgreSQL connection, read timestamptz values with `timestamptz_loader`, in the
    time zone Django reads them in (`connection.timezone`: UTC)."""
    if connection.vendor == "postgresql":
        connection.connection.adapters.register_loader("timestamptz", timestamptz_loader(connection.timezone))
