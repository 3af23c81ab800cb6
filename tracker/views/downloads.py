"""Public downloads (CSV and XLSX): published information only, with the filters of the page they mirror.

The tables: the status matrix (the dashboard's, one responsibility a row, laid out so that staff can
edit it and import it back in the admin), the recommendations with their roll-up, the states and
bodies, the published actions and the status changes (the public history). Each is described once
(`TABLES`), which serves its download, its entry in the data package and its file in the bulk zip.
"""

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import NotSupportedError, connection
from django.db.models import CharField, Func, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .. import datapackage, licence, selectors
from ..caching import public_page
from ..columns import (
    ACTION_COLUMNS,
    ACTOR_COLUMNS,
    GRID_COLUMNS_AFTER,
    GRID_COLUMNS_BEFORE,
    MATRIX_COLUMNS,
    RECOMMENDATION_COLUMNS,
    STATUS_CHANGE_COLUMNS,
)
from ..filters import ActionFilter, ActorFilter, RecommendationFilter, ResponsibilityFilter, StatusChangeFilter
from ..links import page_url
from ..lookups import Ids
from ..models import STATUS_ABBREVIATIONS, Action, Actor, Evidence, Status
from ..ordering import sorted_actors, sorted_responsibilities
from ..readahead import read_ahead
from ..rollup import rollup_of
from ..spreadsheets import Column, csv_lines, csv_response, filename, xlsx_response, zip_stream
from ..throttling import throttled_download

# Rows are read from the database in chunks of this size; prefetches run once per chunk.
CHUNK_SIZE = 2000


# What every download accepts besides its filters: the heading row asked for, the language (`?lang=`,
# understood on every address of the site), and what the page it mirrors carries in its address (its
# page, sort and view), which a download ignores.
HEADERS_PARAMETER = "headers"
PAGE_PARAMETERS = ("lang", "page", "sort", "view")


def about(request, title, columns=()):
    """What the XLSX "About" sheet says: what the rows are, when and where from, under which licence,
    what each column holds, and the status scale."""
    filters = [(key, value) for key, value in request.GET.items() if value and key != HEADERS_PARAMETER]
    return [
        [_("Follow-up of the recommendations of the Special Forum on Migration Issues (OAS, 17 April 2008)")],
        [_("Contents"), str(title)],
        [_("Produced"), timezone.localtime().replace(tzinfo=None)],
        [_("Source"), request.build_absolute_uri(request.path)],
        [_("Filters"), "; ".join(f"{key}={value}" for key, value in filters) or _("none")],
        [_("Licence"), str(licence.DATA_LICENCE_NOTICE), licence.DATA_LICENCE_URL],
        [],
        [_("Columns"), _("Heading"), _("Type"), _("What it holds")],
        *[[column.key, str(column.header), column.type, str(column.description)] for column in columns],
        [],
        [_("Status scale (that of the Inter-American Commission on Human Rights)")],
        *[[status.value, str(status.label), str(STATUS_ABBREVIATIONS[status])] for status in Status],
    ]


def _plain_400(lines):
    return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")


def _refuse(filterset):
    """A download asked with a filter that cannot be understood: say which, rather than send all rows."""
    lines = [_("Some filters could not be understood, so nothing was exported:")]
    for field, errors in filterset.errors.items():
        label = filterset.form.fields[field].label if field in filterset.form.fields else field
        lines += [f"- {label}: {error}" for error in errors]
    return _plain_400(lines)


def refuse_unknown(request, filters=()):
    """A 400 naming the parameters this download does not know (a misspelt filter would otherwise
    export every row), or one saying what `headers` takes; None when all is understood."""
    known = {HEADERS_PARAMETER, *PAGE_PARAMETERS, *filters}
    unknown = sorted(set(request.GET) - known)
    if unknown:
        return _plain_400(
            [
                _("This download has no parameter %(unknown)s, so nothing was exported. It knows: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(known))}
            ]
        )
    if request.GET.get(HEADERS_PARAMETER, "keys") not in ("keys", "labels"):
        return _plain_400([_("headers takes “keys” (the default: the field names, as in the API) or “labels”.")])
    return None


def spreadsheet_download(request, fmt, *, name, columns, rows, title):
    """The rows as CSV or XLSX. The heading row holds the columns' keys, or with `?headers=labels`
    their headings in the visitor's language."""
    labels = request.GET.get(HEADERS_PARAMETER) == "labels"
    if fmt == "xlsx":
        return xlsx_response(
            name=name,
            columns=columns,
            rows=rows,
            title=title,
            about_title=_("About"),
            about=about(request, title, columns),
            labels=labels,
        )
    return csv_response(name=name, columns=columns, rows=rows, labels=labels)


def filtered(request, filterset_class, queryset):
    """The filterset for a download, and the 400 to answer instead when its parameters are wrong."""
    refusal = refuse_unknown(request, filterset_class.base_filters)
    filterset = filterset_class(request.GET, queryset=queryset)
    if refusal is None and not filterset.is_valid():
        refusal = _refuse(filterset)
    return filterset, refusal


def _recommendation_rows(request, queryset, fmt):
    rows = selectors.attach_classification(queryset)
    for recommendation in rows:
        recommendation.rollup = rollup_of(recommendation)
    return rows


def _actor_rows(request, queryset, fmt):
    numbers = selectors.recommendation_numbers_by_actor()
    actors = sorted_actors(queryset)
    for actor in actors:
        actor.recommendation_numbers = numbers.get(actor.pk, [])
    return actors


class _Actor:
    __slots__ = ("code", "name")

    def __init__(self, code, name):
        self.code, self.name = code, name


class _ActionRow:
    """A published action as its download reads it (what `ACTION_COLUMNS` asks of an action), built
    from one row of values rather than a model instance: at 100,000 actions, the difference is most
    of the download's time."""

    __slots__ = (
        "pk",
        "taken_on",
        "actor",
        "actor_name",
        "title",
        "description",
        "measure_type_slug",
        "information_source",
        "published_at",
        "recommendation_numbers",
        "evidence_links",
    )


def _batches(iterable, size):
    iterator = iter(iterable)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


class LocalMomentText(Func):
    """A moment as CSV text in the site's time zone (`2008-04-17T10:30:00-04:00`, what Python's
    `isoformat(timespec="seconds")` writes), formatted by PostgreSQL: reading 100,000 moments as
    Python datetimes and formatting them again cost a quarter of the actions CSV's time."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError("LocalMomentText is for PostgreSQL; elsewhere the CSV formats the datetime")

    def as_postgresql(self, compiler, connection, **extra_context):
        moment, params = compiler.compile(self.source_expressions[0])
        zone = timezone.get_current_timezone_name()
        local = f"({moment} AT TIME ZONE %s)"
        offset = f"EXTRACT(EPOCH FROM {local} - ({moment} AT TIME ZONE 'UTC'))::integer"
        sql = (
            f"CASE WHEN {moment} IS NULL THEN NULL ELSE to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS') "
            f"|| CASE WHEN {offset} < 0 THEN '-' ELSE '+' END "
            f"|| to_char(make_interval(secs => abs({offset})), 'HH24:MI') END"
        )
        return sql, (*params, *params, zone, *params, zone, *params, *params, zone, *params)


def _action_reads(queryset, fmt, language):
    """What the actions' rows are made of, as the database gives it, a chunk at a time: the actors'
    codes and names (read once, given with every chunk), the chunk's actions as values (streamed from
    a server-side cursor on PostgreSQL), their recommendations' numbers and their evidence. For CSV
    on PostgreSQL, the moment of publication comes as its text already."""
    actors = {
        actor["pk"]: _Actor(actor["code"], actor[f"name_{language}"] or actor["name_en"])
        for actor in Actor.objects.values("pk", "code", "name_en", f"name_{language}")
    }
    published = "published_at"
    if fmt == "csv" and connection.vendor == "postgresql":
        queryset, published = queryset.annotate(published_text=LocalMomentText("published_at")), "published_text"
    values = queryset.prefetch_related(None).values_list(
        "pk", "taken_on", "actor_id", "title", "description", "measure_type__slug", "information_source", published
    )
    links = Action.recommendations.through.objects
    for batch in _batches(values.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
        ids = [row[0] for row in batch]
        numbers = links.filter(action__id__any_of=Ids(ids)).values_list("action_id", "recommendation__number")
        evidence = (
            Evidence.objects.filter(action__id__any_of=Ids(ids))
            .order_by("action_id", "id")
            .values_list("action_id", "pk", "title", "url")
        )
        yield actors, batch, list(numbers), list(evidence)


def _action_rows(request, queryset, fmt):
    """The actions' rows: one query for the actors, one for the actions, and two per chunk (their
    recommendations and their evidence), read ahead of the rows written (`read_ahead`)."""
    language = get_language() or settings.LANGUAGE_CODE
    for actors, batch, number_rows, evidence_rows in read_ahead(lambda: _action_reads(queryset, fmt, language)):
        numbers = defaultdict(list)
        for action_id, number in number_rows:
            numbers[action_id].append(number)
        evidence = defaultdict(list)
        for action_id, pk, title, url in evidence_rows:
            link = url or request.build_absolute_uri(page_url("tracker:evidence_document", pk))
            evidence[action_id].append(f"{title}: {link}")
        for pk, taken_on, actor_id, title, description, measure, source, published_at in batch:
            row = _ActionRow()
            row.pk, row.taken_on, row.actor, row.title = pk, taken_on, actors[actor_id], title
            row.actor_name = row.actor.name
            row.measure_type_slug = measure or ""
            row.description, row.information_source, row.published_at = description, source, published_at
            row.recommendation_numbers = sorted(numbers.get(pk, ()))
            row.evidence_links = evidence.get(pk, ())
            yield row


def _status_change_rows(request, queryset, fmt):
    return queryset.iterator(chunk_size=CHUNK_SIZE)


@dataclass(frozen=True)
class Table:
    """One public table: its download's name, what it holds, its columns, the filters of the page it
    mirrors, its rows (for a request, the filtered queryset and the format, "csv" or "xlsx"), and its
    keys (for the data package)."""

    name: str
    title: Any
    description: Any
    columns: list[Column]
    filterset: type
    queryset: Callable[[], QuerySet]
    rows: Callable[[HttpRequest, QuerySet, str], Iterable]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  # (column, table, its column)


TABLES = {
    table.name: table
    for table in [
        Table(
            "recommendations",
            gettext_lazy("Recommendations"),
            gettext_lazy(
                "The forum's recommendations, verbatim, with the overall status and the roll-up of the statuses."
            ),
            RECOMMENDATION_COLUMNS,
            RecommendationFilter,
            selectors.public_recommendations,
            _recommendation_rows,
            ("number",),
        ),
        Table(
            "actors",
            gettext_lazy("States and bodies"),
            gettext_lazy("The member states and bodies, and the recommendations each answers for."),
            ACTOR_COLUMNS,
            ActorFilter,
            selectors.public_actors,
            _actor_rows,
            ("code",),
        ),
        Table(
            "matrix",
            gettext_lazy("Status matrix"),
            gettext_lazy("Each state's or body's status on each recommendation it answers for, one a row."),
            MATRIX_COLUMNS,
            ResponsibilityFilter,
            selectors.public_responsibilities,
            lambda request, queryset, fmt: sorted_responsibilities(queryset),
            ("recommendation", "actor"),
            (("recommendation", "recommendations", "number"), ("actor", "actors", "code")),
        ),
        Table(
            "actions",
            gettext_lazy("Published actions"),
            gettext_lazy("The actions taken to implement the recommendations, as published by the committee."),
            ACTION_COLUMNS,
            ActionFilter,
            selectors.public_actions,
            _action_rows,
            ("id",),
            (("actor", "actors", "code"),),
        ),
        Table(
            "status-changes",
            gettext_lazy("Status changes"),
            gettext_lazy("Every assessment on record, newest first: the public history of the statuses."),
            STATUS_CHANGE_COLUMNS,
            StatusChangeFilter,
            selectors.public_status_changes,
            _status_change_rows,
            ("id",),
            (("recommendation", "recommendations", "number"), ("actor", "actors", "code")),
        ),
    ]
}


def table_rows(request, table, queryset=None, fmt="csv"):
    return table.rows(request, table.queryset() if queryset is None else queryset, fmt)


def _table_export(table):
    @require_safe
    @throttled_download
    @public_page
    def export(request, fmt):
        filterset, refusal = filtered(request, table.filterset, table.queryset())
        if refusal:
            return refusal
        rows = table_rows(request, table, filterset.qs, fmt)
        return spreadsheet_download(request, fmt, name=table.name, columns=table.columns, rows=rows, title=table.title)

    export.__name__ = export.__qualname__ = f"{table.name.replace('-', '_')}_export"
    export.__doc__ = f"The {table.name} download, with the filters of the page it mirrors."
    return export


recommendations_export = _table_export(TABLES["recommendations"])
actors_export = _table_export(TABLES["actors"])
matrix_export = _table_export(TABLES["matrix"])
actions_export = _table_export(TABLES["actions"])
status_changes_export = _table_export(TABLES["status-changes"])


@public_page
@require_safe
def data_package(request):
    """The Frictionless data package that describes every table's CSV, its fields, keys and licence."""
    return JsonResponse(datapackage.descriptor(TABLES.values()), json_dumps_params={"ensure_ascii": False, "indent": 1})


@require_safe
@throttled_download
@public_page
def everything_zip(request):
    """Every public table as CSV, with the data package, in one zip (streamed as it is written)."""
    entries = [("datapackage.json", lambda: [datapackage.descriptor_json(TABLES.values()).encode()])]
    for table in TABLES.values():
        entries.append((f"{table.name}.csv", lambda table=table: csv_lines(table.columns, table_rows(request, table))))
    response = StreamingHttpResponse(zip_stream(entries), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename("all", "zip")}"'
    return response


@require_safe
@throttled_download
@public_page
def matrix_grid_export(request, fmt):
    """The status matrix as the dashboard draws it: a row per state or body, a column per
    recommendation (the status; empty where it is not responsible), and its progress."""
    refusal = refuse_unknown(request)
    if refusal:
        return refusal
    recommendations = list(selectors.current_recommendations().select_related(None).order_by("number"))
    rows = selectors.status_matrix(recommendations, selectors.responsibility_statuses(recommendations))
    columns = [
        *GRID_COLUMNS_BEFORE,
        *[
            Column(
                str(r.number),
                str(r.number),
                lambda row, index=index: row.cells[index] or "",
                "string",
                _("Its status on recommendation %(number)s; empty where it is not responsible.") % {"number": r.number},
            )
            for index, r in enumerate(recommendations)
        ],
        *GRID_COLUMNS_AFTER,
    ]
    return spreadsheet_download(
        request, fmt, name="matrix-grid", columns=columns, rows=rows, title=gettext_lazy("Status grid")
    )
