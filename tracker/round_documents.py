"""The committee's report on a closed reporting round: what its page, its PDF and its Word document show.

All three read `round_report_context`, which takes its figures from `tracker.selectors.rounds`, the
selectors of the round's own page, so the page, the downloads and the API agree. Public information
only: that a report was submitted and when, never its content.

The PDF is drawn by WeasyPrint from `templates/tracker/rounds/report_pdf.html`. WeasyPrint would fetch
any address a document names; here it may read this project's static files and nothing else
(`StaticFilesOnly`), from a base address on no network. WeasyPrint alone is imported inside the
functions that draw a PDF, not with the site: it takes most of a second and tens of megabytes to load
its libraries, in every worker, for a document few ask for.
"""

import io
import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from .models import STATUS_ABBREVIATIONS, Movement, Status
from .ordering import shown_name
from .selectors import rounds as selectors

# Beyond this many recommendations, the matrix gets a landscape page of its own.
PORTRAIT_MATRIX_COLUMNS = 6

# Where WeasyPrint resolves the document's relative addresses: a file address that names no real
# folder, so a relative address can reach neither the network nor the disk, only `StaticFilesOnly`.
PDF_BASE_URL = "file:///sfmi-followup-static/"


def round_report_context(round_) -> dict:
    """What the round's report shows, for a closed round: who reported (and when), the statuses at
    the close, and what moved since the previous closed round."""
    rows = selectors.completeness(round_)
    snapshot = selectors.snapshot(round_)
    reported = [row for row in rows if row.public_standing == selectors.Standing.REPORTED]
    return {
        "round": round_,
        "rows": rows,
        "reported": reported,
        "not_reported": [row for row in rows if row.public_standing != selectors.Standing.REPORTED],
        "tally": selectors.tally(rows),
        "snapshot": snapshot,
        "produced_on": timezone.localdate(),
        "wide_matrix": len(snapshot["recommendations"]) > PORTRAIT_MATRIX_COLUMNS,
    }


# The PDF -------------------------------------------------------------------------------------------


def static_path(url: str):
    """The file of this project's static files that `url` names under `PDF_BASE_URL`, or None."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc or parts.query:
        return None
    path = posixpath.normpath(unquote(parts.path))
    root = urlsplit(PDF_BASE_URL).path
    if not path.startswith(root):
        return None
    try:
        found = finders.find(path.removeprefix(root))
    except SuspiciousFileOperation:
        return None
    return found or None


def static_files_fetcher():
    """A WeasyPrint `url_fetcher` that hands it this project's static files and refuses any other
    address (the network, the disk, `data:`), keeping every address asked for in `attempts` and the
    refused ones in `refused`. A refused resource is left out and the rest of the document drawn."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
            self.attempts, self.refused = [], []

        def fetch(self, url, headers=None):
            self.attempts.append(url)
            path = static_path(url)
            if path is None:
                self.refused.append(url)
                raise ValueError(f"Only this project's static files are read, not {url}")
            with open(path, "rb") as file:
                body = file.read()
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, headers={"Content-Type": content_type})

    return StaticFilesOnly()


def render_pdf(html: str, fetcher=None) -> bytes:
    """An HTML document as a tagged PDF, reading nothing but this project's static files."""
    from weasyprint import HTML

    fetcher = fetcher or static_files_fetcher()
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher).write_pdf(pdf_tags=True)


def round_report_pdf(context: dict) -> bytes:
    return render_pdf(render_to_string("tracker/rounds/report_pdf.html", context))


# The Word document ---------------------------------------------------------------------------------


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else "–"


def _local_day(moment):
    return timezone.localtime(moment).date() if moment else None


def _short(status) -> str:
    return str(STATUS_ABBREVIATIONS[Status(status)]) if status else "–"


def _label(status) -> str:
    return str(Status(status).label) if status else "–"


MOVEMENT_SIGNS = {Movement.IMPROVED: "▲", Movement.REGRESSED: "▼", Movement.CHANGED: "◆"}


def _table(document, header: list, rows: list, *, weights: list, empty="", size=None):
    """A grid table whose header row repeats on every page it runs over and whose rows never split
    across two pages, its columns sharing the page's width by `weights`; or `empty` said in a
    paragraph when there are no rows."""

    if not rows and empty:
        return document.add_paragraph(empty)
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(text)).bold = True
    for values in rows:
        row = table.add_row()
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for cell, text in zip(row.cells, values, strict=True):
            cell.text = str(text)
    if size:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(size)
    section = document.sections[-1]
    usable = section.page_width - section.left_margin - section.right_margin
    table.autofit = False
    # Word reads the cells' widths, LibreOffice the grid's: both are set.
    for column, weight in zip(table.columns, weights, strict=True):
        column.width = int(usable * weight / sum(weights))
        for cell in column.cells:
            cell.width = column.width
    return table


def _page_setup(section, *, landscape=False):

    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    short, long = Mm(210), Mm(297)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))


def _field(paragraph, instruction: str):
    """A field Word fills in when it lays the page out (PAGE, NUMPAGES)."""

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run, placeholder = OxmlElement("w:r"), OxmlElement("w:t")
    placeholder.text = "1"
    run.append(placeholder)
    field.append(run)
    paragraph._p.append(field)


def _header_and_footer(section, text: str):
    section.header.paragraphs[0].text = text
    footer = section.footer.paragraphs[0]
    footer.add_run(_("Page") + " ")
    _field(footer, "PAGE")
    footer.add_run(" / ")
    _field(footer, "NUMPAGES")


def _recommendation_title(recommendation) -> str:
    return recommendation.short_title or Truncator(recommendation.text).words(12)


def round_report_docx(context: dict) -> bytes:
    """The round's report as a Word document: the same sections, tables and figures as its page."""

    round_, snapshot, tally = context["round"], context["snapshot"], context["tally"]
    produced = _("Produced on") + " " + _date(context["produced_on"])
    document = Document()
    document.core_properties.title = f"{round_.name} · {_('Report to the committee')}"
    document.core_properties.language = translation.get_language() or ""
    _page_setup(document.sections[0])
    _header_and_footer(document.sections[0], f"{round_.name} · {produced}")

    document.add_paragraph(
        _("Follow-up of the recommendations of the Special Forum on Migration Issues: report to the committee")
    )
    document.add_heading(round_.name, level=0)
    document.add_paragraph(produced)
    document.add_paragraph(
        " · ".join(
            f"{label}: {_date(day)}"
            for label, day in (
                (_("Opens"), round_.opens_on),
                (_("Reports due"), round_.due_on),
                (_("Closed"), _local_day(round_.closed_at)),
            )
        )
    )

    document.add_heading(_("Who has reported"), level=1)
    rows = context["rows"]
    document.add_paragraph(
        ngettext(
            "%(counter)s state or body is asked to report.",
            "%(counter)s states and bodies are asked to report.",
            len(rows),
        )
        % {"counter": len(rows)}
        + " "
        + _("Reported: %(reported)s · did not report: %(missed)s.")
        % {"reported": tally["reported"] + tally["in_review"] + tally["returned"], "missed": tally["missed"]}
    )

    def asked(row):
        return ", ".join(str(r.recommendation.number) for r in row.responsibilities)

    document.add_heading(_("Reported"), level=2)
    _table(
        document,
        [_("State or body"), _("Recommendations asked"), _("Reported on")],
        [[shown_name(row.actor), asked(row), _date(_local_day(row.reported_on))] for row in context["reported"]],
        weights=[5, 5, 3],
        empty=_("No state or body submitted a report in this round."),
    )
    document.add_heading(_("Did not report"), level=2)
    _table(
        document,
        [_("State or body"), _("Recommendations asked")],
        [[shown_name(row.actor), asked(row)] for row in context["not_reported"]],
        weights=[5, 8],
        empty=_("Every state and body asked submitted a report."),
    )

    previous = snapshot["previous"]
    document.add_heading(_("The committee's overall status of each recommendation"), level=1)
    document.add_paragraph(_("Statuses are as they stood when the round closed."))
    overall_header = [_("No."), _("Recommendation (short title)"), _("Status at the close")]
    _table(
        document,
        overall_header + ([_("Since the previous round")] if previous else []),
        [
            [item["recommendation"].number, _recommendation_title(item["recommendation"]), _label(item["status"])]
            + ([_movement_words(item["movement"], item["previous"])] if previous else [])
            for item in snapshot["overall"]
        ],
        weights=[1.5, 7, 5, 5] if previous else [1.5, 7, 5],
    )

    if context["wide_matrix"]:
        _page_setup(document.add_section(WD_SECTION.NEW_PAGE), landscape=True)
    document.add_heading(_("Each state and body on each recommendation"), level=1)
    document.add_paragraph(
        _("Legend")
        + ": "
        + "; ".join(f"{STATUS_ABBREVIATIONS[status]} = {status.label}" for status in Status)
        + "; – = "
        + _("not responsible for this recommendation")
        + ". "
        + " ".join(f"{sign} {Movement(value).label}" for value, sign in MOVEMENT_SIGNS.items())
    )
    _table(
        document,
        [_("State or body"), *[r.number for r in snapshot["recommendations"]]],
        [
            [shown_name(line["actor"])]
            + [
                _short(cell.status) + (" " + MOVEMENT_SIGNS[cell.movement] if cell.movement in MOVEMENT_SIGNS else "")
                for cell in line["cells"]
            ]
            for line in snapshot["matrix"]
        ],
        weights=[4] + [1] * len(snapshot["recommendations"]),
        size=7 if context["wide_matrix"] else 8,
    )
    if context["wide_matrix"]:
        _page_setup(document.add_section(WD_SECTION.NEW_PAGE))

    document.add_heading(_("What moved since the previous closed round"), level=1)
    if previous is None:
        document.add_paragraph(_("This is the first closed round: there is nothing to compare it with."))
    else:
        counts = snapshot["counts"]
        document.add_paragraph(
            _("Compared with the close of the previous round, “%(previous)s”:") % {"previous": previous.name}
            + " "
            + _("%(improved)s improved, %(regressed)s regressed, %(unchanged)s unchanged.")
            % {key: counts[key] for key in ("improved", "regressed", "unchanged")}
        )
        others = [
            f"{counts[key]} {label}"
            for key, label in (("changed", _("changed")), ("new", _("new since the previous round")))
            if counts[key]
        ]
        if others:
            document.add_paragraph(" · ".join(others))
        if counts["changed"]:
            document.add_paragraph(
                _(
                    "“Changed”: moved to or from a status that is not on the scale of progress (not yet assessed, "
                    "not applicable)."
                )
            )
        _table(
            document,
            [
                _("State or body"),
                _("No."),
                _("Movement"),
                _("Status at the close of the previous round"),
                _("Status at the close"),
            ],
            [
                [
                    shown_name(change["actor"]),
                    change["recommendation"].number,
                    str(Movement(change["cell"].movement).label),
                    _label(change["cell"].previous),
                    _label(change["cell"].status),
                ]
                for change in snapshot["changed"]
            ],
            weights=[4, 1.5, 3, 4, 4],
            empty=_("No status of a state or body moved since the previous round."),
        )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _movement_words(moved, previous) -> str:
    if not moved:
        return "–"
    words = str(Movement(moved).label)
    if previous and moved != Movement.UNCHANGED:
        words += " (" + _("was %(status)s") % {"status": _label(previous)} + ")"
    return words
