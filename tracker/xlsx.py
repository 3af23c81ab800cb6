"""A workbook written as it streams: the few parts of the Office Open XML format the downloads need.

openpyxl, even in write-only mode, builds an object per cell (about 60 µs each): the 100,000-action
download took most of a minute and was held whole in memory before its first byte. Here each row
becomes its XML text as it is read, and the zip is sent while it is written (`zip_stream`), so memory
stays flat and the first byte leaves at once.

What is written: text as inline strings (never a formula, whatever it starts with), numbers, dates
and times as spreadsheet dates with a format, a bold heading row frozen at the top, column widths, and
the "quote prefix" mark on text that a spreadsheet would run if it were typed in (`could_run`). The
workbooks open in Excel, LibreOffice and openpyxl (the tests read them back with it).
"""

import datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

# The cell styles (`s=`), in the order of `STYLES`' cellXfs.
BOLD, DATE, DATETIME, QUOTED = 1, 2, 3, 4
STYLES = f"""{DECLARATION}<styleSheet xmlns="{MAIN}">
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>
<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="5">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""

EPOCH = datetime.datetime(1899, 12, 30)
EPOCH_DATE = EPOCH.date()
# Rows are sent in pieces of about this many characters.
PIECE = 64 * 1024


def _text(value: str, reference: str, style: int = 0) -> str:
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
    styled = f' s="{style}"' if style else ""
    return f'<c r="{reference}" t="inlineStr"{styled}><is><t{space}>{escape(value)}</t></is></c>'


def cell(value, reference: str, *, quoted, style: int = 0) -> str:
    """One cell's XML, or "" for an empty one. `quoted(text)` says whether text gets the quote prefix."""
    kind = type(value)
    if kind is str:
        if not value:
            return ""
        return _text(value, reference, QUOTED if quoted(value) else style)
    if value is None:
        return ""
    if kind is bool:
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if kind is int or kind is float or kind is Decimal:
        return f'<c r="{reference}"><v>{value}</v></c>'
    if kind is datetime.datetime:
        if timezone.is_aware(value):
            # Spreadsheets have no time zones: times are written in the site's.
            value = timezone.localtime(value)
        delta = value.replace(tzinfo=None) - EPOCH
        serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
        return f'<c r="{reference}" s="{DATETIME}"><v>{serial!r}</v></c>'
    if kind is datetime.date:
        return f'<c r="{reference}" s="{DATE}"><v>{(value - EPOCH_DATE).days}</v></c>'
    return _text(str(value), reference, style)


class Sheet:
    """A sheet: its name, its column widths, and its rows (lists of values) as an iterable."""

    def __init__(self, name: str, rows, *, widths=(), heading: bool = False, quoted=lambda text: False):
        forbidden = str.maketrans("", "", "[]:*?/\\")
        self.name = str(name).translate(forbidden)[:31] or "Sheet"
        self.rows = rows
        self.widths = widths
        self.heading = heading
        self.quoted = quoted

    def xml(self):
        """The sheet's XML, in pieces."""
        head = [f'{DECLARATION}<worksheet xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">']
        if self.heading:
            head.append(
                '<sheetViews><sheetView workbookViewId="0">'
                '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                "</sheetView></sheetViews>"
            )
        if self.widths:
            columns = "".join(
                f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>'
                for index, width in enumerate(self.widths, start=1)
            )
            head.append(f"<cols>{columns}</cols>")
        head.append("<sheetData>")
        yield "".join(head)
        letters: list[str] = []
        pieces: list[str] = []
        size = 0
        quoted = self.quoted
        for number, row in enumerate(self.rows, start=1):
            while len(letters) < len(row):
                letters.append(get_column_letter(len(letters) + 1))
            style = BOLD if self.heading and number == 1 else 0
            line = "".join(
                cell(value, f"{letter}{number}", quoted=quoted, style=style)
                for letter, value in zip(letters, row, strict=False)
            )
            line = f'<row r="{number}">{line}</row>'
            pieces.append(line)
            size += len(line)
            if size >= PIECE:
                yield "".join(pieces)
                pieces, size = [], 0
        pieces.append("</sheetData></worksheet>")
        yield "".join(pieces)


def workbook_entries(sheets):
    """The workbook's parts, as (name, a callable giving its text in pieces), for `zip_stream`."""
    sheets = list(sheets)
    names = [f"xl/worksheets/sheet{index}.xml" for index in range(1, len(sheets) + 1)]
    content_types = "".join(f'<Override PartName="/{name}" ContentType="{SHEET_TYPE}"/>' for name in names)
    listed = "".join(
        f'<sheet name="{escape(sheet.name, {chr(34): "&quot;"})}" sheetId="{index}" r:id="rId{index}"/>'
        for index, sheet in enumerate(sheets, start=1)
    )
    relationships = "".join(
        f'<Relationship Id="rId{index}" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet{index}.xml"/>'
        for index in range(1, len(sheets) + 1)
    )
    styles_id = len(sheets) + 1
    fixed = {
        "[Content_Types].xml": (
            f'{DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{content_types}</Types>"
        ),
        "_rels/.rels": (
            f'{DECLARATION}<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
            f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'{DECLARATION}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>{listed}</sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{DECLARATION}<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">{relationships}'
            f'<Relationship Id="rId{styles_id}" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": STYLES,
    }
    entries = [(name, lambda text=text: [text]) for name, text in fixed.items()]
    entries += [(name, sheet.xml) for name, sheet in zip(names, sheets, strict=True)]
    return entries
