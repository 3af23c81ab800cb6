"""The streamed workbook: what a spreadsheet reads back from it, cell by cell."""

import datetime
import io
import os
import zipfile
from zoneinfo import ZoneInfo

import openpyxl
from django.test import override_settings
from django.utils import timezone

from tracker import xlsx
from tracker.spreadsheets import ZIP_CHUNK, could_run, zip_stream


def _read(sheets):
    data = b"".join(zip_stream(xlsx.workbook_entries(sheets)))
    return openpyxl.load_workbook(io.BytesIO(data)), data


@override_settings(TIME_ZONE="America/New_York")
def test_values_come_back_as_the_spreadsheet_types_they_are():
    timezone.activate(ZoneInfo("America/New_York"))
    moment = datetime.datetime(2024, 3, 1, 17, 30, tzinfo=datetime.UTC)
    rows = [
        ["text", "number", "date", "moment", "flag", "share"],
        ["  spaced  ", 42, datetime.date(2024, 2, 29), moment, True, 62.5],
        ['=HYPERLINK("http://evil")', -7, None, None, False, None],
        ["bell\x07 removed", 0, datetime.date(1900, 3, 1), None, None, None],
    ]
    workbook, _data = _read([xlsx.Sheet("Rows", rows, heading=True, quoted=could_run), xlsx.Sheet("About", [["x"]])])
    sheet = workbook["Rows"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == rows[0]
    assert values[1][:3] == ["  spaced  ", 42, datetime.datetime(2024, 2, 29)]
    assert values[1][3] == datetime.datetime(2024, 3, 1, 12, 30)  # in the site's zone, without one
    assert values[1][4:] == [True, 62.5]
    assert values[2][:2] == ['=HYPERLINK("http://evil")', -7] and sheet["A3"].data_type == "s"
    assert sheet["A3"].quotePrefix and not sheet["A2"].quotePrefix
    assert values[3][0] == "bell removed" and values[3][2] == datetime.datetime(1900, 3, 1)
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert sheet["C2"].number_format == "yyyy-mm-dd" and sheet["D2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet.freeze_panes == "A2"
    assert workbook.sheetnames == ["Rows", "About"]


def test_sheet_names_lose_what_a_spreadsheet_refuses_and_markup_is_escaped():
    workbook, data = _read([xlsx.Sheet("Status: 1/2 [draft] & more than thirty-one characters", [["<b>&</b>"]])])
    assert workbook.sheetnames == ["Status 12 draft & more than thi"]
    assert workbook.worksheets[0]["A1"].value == "<b>&</b>"
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None


def test_rows_are_written_as_they_are_read_and_the_zip_sent_as_it_is_written():
    written = []

    def rows():
        for n in range(20_000):
            written.append(n)
            yield [f"row {n}", n]

    pieces = xlsx.Sheet("Rows", rows()).xml()
    next(pieces), next(pieces)
    assert 0 < len(written) < 20_000
    # The zip leaves in pieces while later entries are still unread.
    read = []

    def noise(n):
        def content():
            read.append(n)
            return [os.urandom(ZIP_CHUNK)]

        return content

    stream = zip_stream([(f"part{n}", noise(n)) for n in range(4)])
    first = next(stream)
    assert read == [0]
    archive = zipfile.ZipFile(io.BytesIO(first + b"".join(stream)))
    assert archive.namelist() == ["part0", "part1", "part2", "part3"] and archive.testzip() is None
