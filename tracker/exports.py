"""Public downloads (CSV and XLSX) and the committee report: published information only.

Each download mirrors a page and takes the same FilterSet from the query string: the status matrix
(the dashboard's, one responsibility a row, laid out so staff can edit it and import it back in the
admin), the recommendations with their roll-up, and the published actions. CSV is streamed with a
byte-order mark so that Excel reads it as UTF-8; XLSX is written with openpyxl. Any text cell that a
spreadsheet could run as a formula is neutralised with a leading apostrophe (`neutralise`), which
the import removes again (`unneutralise`), so an exported file can be re-imported as it is.
"""

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from . import selectors
from .filters import ActionFilter, RecommendationFilter, ReportFilter, ResponsibilityFilter
from .models import STATUS_ABBREVIATIONS, Status

# Spreadsheets treat a cell that starts with one of these as a formula (tab and carriage return can
# smuggle one in after them). A leading apostrophe makes it text; one that starts with an apostrophe
# already gets another, so that removing one on import gives back exactly what was exported.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The value, with a leading apostrophe if it is text that a spreadsheet could run as a formula."""
    if isinstance(value, str) and value.startswith((*FORMULA_TRIGGERS, "'")):
        return "'" + value
    return value


def unneutralise(value):
    """Undo `neutralise` on a value read back from a spreadsheet."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith((*FORMULA_TRIGGERS, "'")):
        return value[1:]
    return value


@dataclass(frozen=True)
class Column:
    """One column of a download: a stable key (accepted by the import), its header, how to read it."""

    key: str
    header: Any  # a lazy translation
    value: Callable[[Any], Any]


MATRIX_COLUMNS = [
    Column("recommendation", _("Recommendation"), lambda r: r.recommendation.number),
    Column("short_title", _("Short title"), lambda r: r.recommendation.short_title),
    Column("actor", _("Actor code"), lambda r: r.actor.code),
    Column("actor_name", _("State or body"), lambda r: r.actor.name),
    Column("actor_kind", _("Kind of actor"), lambda r: r.actor.get_kind_display()),
    Column("role", _("Role"), lambda r: r.role),
    Column("status", _("Status"), lambda r: r.status),
    Column("status_label", _("Status (label)"), lambda r: r.get_status_display()),
    Column("last_assessed", _("Last assessed"), lambda r: r.last_assessed),
    Column("reasoning", _("Reasoning"), lambda r: r.reasoning),
]


def _overall(recommendation):
    return getattr(recommendation, "overall_assessment", None)


RECOMMENDATION_COLUMNS = [
    Column("number", _("Recommendation"), lambda r: r.number),
    Column("short_title", _("Short title"), lambda r: r.short_title),
    Column("text", _("Text (verbatim)"), lambda r: r.text),
    Column("overall_status", _("Overall status"), lambda r: _overall(r).status if _overall(r) else Status.NOT_ASSESSED),
    Column(
        "overall_status_label",
        _("Overall status (label)"),
        lambda r: _overall(r).get_status_display() if _overall(r) else Status.NOT_ASSESSED.label,
    ),
    Column(
        "overall_last_assessed", _("Overall status assessed on"), lambda r: getattr(_overall(r), "last_assessed", None)
    ),
    Column("responsible", _("Responsible states and bodies"), lambda r: r.rollup.total),
    *[Column(f"n_{status.value}", status.label, lambda r, status=status: r.rollup.counts[status]) for status in Status],
    Column("assessed", _("Counted toward progress"), lambda r: r.rollup.counted),
    Column("progress", _("Progress (%)"), lambda r: r.rollup.progress),
]

ACTION_COLUMNS = [
    Column("id", _("Action number"), lambda a: a.pk),
    Column("taken_on", _("Date taken"), lambda a: a.taken_on),
    Column("actor", _("Actor code"), lambda a: a.actor.code),
    Column("actor_name", _("State or body"), lambda a: a.actor.name),
    Column("title", _("Title"), lambda a: a.title),
    Column("description", _("Description"), lambda a: a.description),
    Column("recommendations", _("Recommendations"), lambda a: "; ".join(str(n) for n in a.recommendation_numbers)),
    Column("information_source", _("Source of the information"), lambda a: a.information_source),
    Column("evidence", _("Evidence"), lambda a: "\n".join(a.evidence_links)),
    Column("published_at", _("Published"), lambda a: a.published_at),
]

# Rows are read from the database in chunks of this size; prefetches run once per chunk.
CHUNK_SIZE = 2000


def _plain(value):
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


def _filename(name, extension):
    return f"sfmi-followup-{name}-{timezone.localdate():%Y-%m-%d}.{extension}"


def csv_response(*, name, columns, rows):
    """Stream the rows as UTF-8 CSV with a byte-order mark, in the language of the request."""
    language = translation.get_language()
    headers = [str(column.header) for column in columns]
    writer = csv.writer(_Echo())

    def stream():
        with translation.override(language):
            yield "\ufeff" + writer.writerow(headers)
            for row in rows:
                yield writer.writerow([neutralise(_plain(column.value(row))) for column in columns])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(name, "csv")}"'
    return response


def _xlsx_cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        # Spreadsheets have no time zones: times are written in the site's.
        value = timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str):
        value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, str):
        # Never a formula, whatever openpyxl makes of the text.
        cell.data_type = "s"
    return cell


def xlsx_response(*, name, columns, rows, request, description):
    """The rows as the first sheet of a workbook (the one an import reads), and what they are beside it."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(description)[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        width = 60 if column.key in ("text", "description", "reasoning", "evidence") else 18
        sheet.column_dimensions[get_column_letter(index)].width = width
    header_cells = []
    for column in columns:
        cell = _xlsx_cell(sheet, str(column.header))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, column.value(row)) for column in columns])

    about = workbook.create_sheet(title=_gettext("About"))
    for line in _about_lines(request, description):
        about.append([_xlsx_cell(about, value) for value in line])

    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(name, "xlsx")}"'
    return response


def _about_lines(request, description):
    filters = [(key, value) for key, value in request.GET.items() if value]
    return [
        [_gettext("Follow-up of the recommendations of the Special Forum on Migration Issues (OAS, 17 April 2008)")],
        [_gettext("Contents"), str(description)],
        [_gettext("Produced"), timezone.localtime().replace(tzinfo=None)],
        [_gettext("Source"), request.build_absolute_uri(request.path)],
        [_gettext("Filters"), "; ".join(f"{key}={value}" for key, value in filters) or _gettext("none")],
        [],
        [_gettext("Status scale (that of the Inter-American Commission on Human Rights)")],
        *[[status.value, str(status.label), str(STATUS_ABBREVIATIONS[status])] for status in Status],
    ]


def _refuse(filterset):
    """A download asked with a filter that cannot be understood: say which, rather than send all rows."""
    lines = [_gettext("Some filters could not be understood, so nothing was exported:")]
    for field, errors in filterset.errors.items():
        label = filterset.form.fields[field].label if field in filterset.form.fields else field
        lines += [f"- {label}: {error}" for error in errors]
    return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")


def _download(request, fmt, *, name, columns, filterset, description, prepare=None):
    if not filterset.is_valid():
        return _refuse(filterset)
    rows = filterset.qs.iterator(chunk_size=CHUNK_SIZE)
    if prepare is not None:
        rows = (prepare(row) for row in rows)
    if fmt == "xlsx":
        return xlsx_response(name=name, columns=columns, rows=rows, request=request, description=description)
    return csv_response(name=name, columns=columns, rows=rows)


@require_safe
def matrix_export(request, fmt):
    """The status matrix, one responsibility a row; the file staff edit and import back in the admin."""
    filterset = ResponsibilityFilter(request.GET, queryset=selectors.public_responsibilities())
    return _download(
        request, fmt, name="matrix", columns=MATRIX_COLUMNS, filterset=filterset, description=_("Status matrix")
    )


def _with_rollup(recommendation):
    recommendation.rollup = selectors.rollup_of(recommendation)
    return recommendation


@require_safe
def recommendations_export(request, fmt):
    filterset = RecommendationFilter(request.GET, queryset=selectors.public_recommendations())
    return _download(
        request,
        fmt,
        name="recommendations",
        columns=RECOMMENDATION_COLUMNS,
        filterset=filterset,
        description=_("Recommendations"),
        prepare=_with_rollup,
    )


@require_safe
def actions_export(request, fmt):
    def prepare(action):
        action.evidence_links = [
            f"{e.title}: {e.url or request.build_absolute_uri(e.document.url)}" for e in action.evidence.all()
        ]
        return action

    filterset = ActionFilter(request.GET, queryset=selectors.public_actions())
    return _download(
        request,
        fmt,
        name="actions",
        columns=ACTION_COLUMNS,
        filterset=filterset,
        description=_("Published actions"),
        prepare=prepare,
    )


# The committee report: one printable page for a meeting.


@require_safe
def committee_report(request):
    """The roll-up, each recommendation's status and recent actions, and the matrix, as of now.

    Filtered by one actor and a period; filters that cannot be understood are listed and the report
    shows the whole record rather than nothing, so a meeting always has something to print.
    """
    filterset = ReportFilter(request.GET or None)
    valid = filterset.is_bound and filterset.is_valid()
    choices = filterset.form.cleaned_data if valid else {}
    actor, date_from, date_to = choices.get("actor"), choices.get("date_from"), choices.get("date_to")
    context = selectors.committee_report(actor=actor, date_from=date_from, date_to=date_to)
    context.update(
        {
            "filter": filterset,
            "actor": actor,
            "date_from": date_from,
            "date_to": date_to,
            "produced_at": timezone.localtime(),
            "legend": [(status, STATUS_ABBREVIATIONS[status]) for status in Status],
            "per_recommendation": selectors.REPORT_ACTIONS_PER_RECOMMENDATION,
        }
    )
    return render(request, "tracker/report.html", context)
