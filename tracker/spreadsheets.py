"""Rows written as CSV and XLSX, and read back: the mechanics shared by the downloads and the imports.

CSV is streamed with a byte-order mark so that Excel reads it as UTF-8, in pieces of about 64 KB;
XLSX is streamed too, written part by part by `tracker.xlsx`. The first row holds each column's stable
key (as the API names the field), or its header in the visitor's language when asked
(`?headers=labels`).

The formula guard alters as little as it can. In XLSX every text cell is stored as text (a spreadsheet
never runs it) and marked "quote prefix" when it starts like a formula, so the value is exactly the
record's. In CSV, only a text a spreadsheet would run (`could_run`) gets a leading apostrophe, which
the import takes off again (`unneutralise`): a number such as "-2", or words such as "- a list item" or
"+1 555 0100", are left as they are.
"""

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone, translation

from . import xlsx

# What a spreadsheet runs: a cell starting with "=" or "@" (a formula, a function), with a tab or a
# carriage return (which can hide one), or with "+" or "-" followed by a formula rather than a number
# or words: a function call or a link to another program ("+HYPERLINK(", "-cmd|"), a reference to a
# cell or a sheet ("+A1", "-Sheet1!A1"), an expression ("-2+3"), or "=", "@" or "(".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_RUNS_AFTER_SIGN = re.compile(r"\s*(?:[=@(]|[A-Za-z_][\w.]*\s*[(|!]|\$?[A-Za-z]{1,3}\$?\d+\b|\d[\d.,]*\s*[-+*/^&<>])")
WIDE_COLUMNS = {"text", "description", "reasoning", "evidence", "reason"}


def could_run(value) -> bool:
    """Whether a spreadsheet opening this text would run it as a formula."""
    if not isinstance(value, str) or not value:
        return False
    if value[0] in "=@\t\r":
        return True
    return value[0] in "+-" and bool(_RUNS_AFTER_SIGN.match(value, 1))


def _guarded(value) -> bool:
    # Leading apostrophes, then what would run: such a value gets one more apostrophe, which the
    # import takes off again, so that what comes back is exactly what went out.
    return isinstance(value, str) and could_run(value.lstrip("'"))


def neutralise(value):
    """The value for a CSV cell: with a leading apostrophe if a spreadsheet would run it."""
    return "'" + value if _guarded(value) else value


def unneutralise(value):
    """Undo `neutralise` on a value read back from a spreadsheet."""
    if isinstance(value, str) and value.startswith("'") and _guarded(value[1:]):
        return value[1:]
    return value


@dataclass(frozen=True)
class Column:
    """One column of a download: a stable key (the first row, accepted by the import), its header in
    the visitor's language, how to read it, and what it holds (its Frictionless type and a description,
    for the "About" sheet and the data package)."""

    key: str
    header: Any  # a lazy translation
    value: Callable[[Any], Any]
    type: str = "string"  # string, integer, number, date, datetime
    description: Any = ""  # a lazy translation


def plain(value):
    """A value as CSV text: dates in ISO 8601, times in the site's zone, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a stream."""

    def write(self, value):
        return value


def filename(name, extension):
    return f"sfmi-followup-{name}-{timezone.localdate():%Y-%m-%d}.{extension}"


def header_row(columns, labels=False) -> list[str]:
    """The first row: the columns' stable keys, or their headers in the active language."""
    return [str(column.header) if labels else column.key for column in columns]


# What a cell that could run as a formula starts with, apostrophes included: any other text is
# written as it is without looking further.
_GUARDED_FIRST = frozenset("=@\t\r+-'")
# Lines are sent in pieces of about this size rather than one by one.
CSV_PIECE = 64 * 1024


def _csv_cell(value, zone):
    """A value as CSV text (see `plain`), guarded (see `neutralise`); the common cases first."""
    kind = type(value)
    if kind is str:
        return "'" + value if value and value[0] in _GUARDED_FIRST and _guarded(value) else value
    if value is None:
        return ""
    if kind is int:
        return value
    if kind is datetime.datetime:
        return value.astimezone(zone).isoformat(timespec="seconds")
    if kind is datetime.date:
        return value.isoformat()
    return neutralise(plain(value))


def _cell_writer(column, zone):
    """How a column's values become CSV text (as `_csv_cell` writes them), chosen once per column by
    the type it declares; a value of another type goes through `_csv_cell`. csv writes None as an
    empty cell and a whole number as it is."""
    read = column.value

    def integer(row):
        value = read(row)
        return value if value is None or type(value) is int else _csv_cell(value, zone)

    def string(row):
        value = read(row)
        if type(value) is str:
            return "'" + value if value and value[0] in _GUARDED_FIRST and _guarded(value) else value
        return None if value is None else _csv_cell(value, zone)

    def date(row):
        value = read(row)
        return value.isoformat() if type(value) is datetime.date else _csv_cell(value, zone)

    def moment(row):
        value = read(row)
        if type(value) is datetime.datetime:
            return value.astimezone(zone).isoformat(timespec="seconds")
        return _csv_cell(value, zone)

    writers = {"integer": integer, "string": string, "date": date, "datetime": moment}
    return writers.get(column.type) or (lambda row: _csv_cell(read(row), zone))


def csv_lines(columns, rows, labels=False):
    """The rows as CSV text, in pieces of about `CSV_PIECE` characters: a byte-order mark and the
    heading row, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    zone = timezone.get_current_timezone()
    cells = [_cell_writer(column, zone) for column in columns]
    writer.writerow(header_row(columns, labels))
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for row in rows:
        writer.writerow([cell(row) for cell in cells])
        if buffer.tell() >= CSV_PIECE:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def csv_response(*, name, columns, rows, labels=False):
    """Stream the rows as UTF-8 CSV with a byte-order mark, in the language of the request."""
    language = translation.get_language()

    def stream():
        with translation.override(language):
            yield from csv_lines(columns, rows, labels)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(name, "csv")}"'
    return response


class _Sink:
    """A write-only file that keeps what is written until it is taken: a zip written as it streams."""

    def __init__(self):
        self.pieces: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        self.pieces.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self):
        pass

    def take(self) -> bytes:
        data = b"".join(self.pieces)
        self.pieces, self.size = [], 0
        return data


ZIP_CHUNK = 256 * 1024


def zip_stream(entries):
    """A zip of `entries` ((name, a callable giving its text or bytes piece by piece)), yielded in
    chunks as it is written, so a large file never sits whole in memory."""
    language = translation.get_language()
    sink = _Sink()
    with translation.override(language), zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as entry:
                for piece in content():
                    entry.write(piece.encode() if isinstance(piece, str) else piece)
                    if sink.size >= ZIP_CHUNK:
                        yield sink.take()
            yield sink.take()
    yield sink.take()


def _xlsx_value(value):
    # The one alteration: a text that already starts with an apostrophe before a formula gets one
    # more, which the import takes off, so that it reads back as it was.
    if type(value) is str and value[:1] == "'":
        return neutralise(value)
    return value


def xlsx_response(*, name, columns, rows, title, about_title, about, labels=False):
    """The rows as the first sheet of a workbook (the one an import reads), and `about` (rows of
    cells saying what they are) on a second sheet, `about_title`; streamed as it is written."""
    values = [column.value for column in columns]

    def data():
        yield header_row(columns, labels)
        for row in rows:
            yield [_xlsx_value(value(row)) for value in values]

    sheets = [
        xlsx.Sheet(
            title,
            data(),
            widths=[60 if column.key in WIDE_COLUMNS else 18 for column in columns],
            heading=True,
            quoted=could_run,
        ),
        xlsx.Sheet(about_title, ([_xlsx_value(value) for value in line] for line in about), widths=[28, 40, 12, 80]),
    ]
    response = StreamingHttpResponse(
        zip_stream(xlsx.workbook_entries(sheets)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(name, "xlsx")}"'
    return response
