"""Public downloads: CSV and XLSX of the matrix, the recommendations and the actions."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tests.factories import ActionFactory, ActorFactory, EvidenceFactory, RecommendationFactory, ResponsibilityFactory
from tests.tracker.test_api import build_record
from tracker import licence
from tracker.models import Status
from tracker.spreadsheets import could_run, neutralise, unneutralise

DOWNLOADS = [
    "/export/matrix",
    "/export/recommendations",
    "/export/actions",
    "/export/actors",
    "/export/status-changes",
]


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def _csv(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="sfmi-followup-')
    raw = _body(response)
    assert raw.startswith("\ufeff".encode()), "a byte-order mark, so that Excel reads UTF-8"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _xlsx(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(_body(response)))
    return workbook, [[cell.value for cell in row] for row in workbook.worksheets[0].iter_rows()]


# The formula guard: only what a spreadsheet would run is guarded, and the import takes it off again.

RUNNABLE = [
    "=1+1",
    "@SUM(A1)",
    "\t=cmd",
    "\r=cmd",
    '+HYPERLINK("http://evil")',
    "-cmd|' /C calc'!A0",
    "+A1",
    "-Sheet1!A1",
    "-2+3",
    "+(1)",
    "'=already",
    "''@twice",
]
LEFT_ALONE = [
    "Plan 2024",
    "",
    "1 = 1",
    42,
    None,
    "Mexico's plan",
    "-2",
    "- a list item",
    "+1 555 0100",
    "-5%",
    "'quoted'",
]


@pytest.mark.parametrize("value", RUNNABLE)
def test_text_a_spreadsheet_would_run_is_guarded_and_comes_back_unchanged(value):
    guarded = neutralise(value)
    assert guarded == "'" + value
    assert not could_run(guarded)
    assert unneutralise(guarded) == value


@pytest.mark.parametrize("value", LEFT_ALONE)
def test_numbers_words_and_ordinary_values_are_left_as_they_are(value):
    assert not could_run(value)
    assert neutralise(value) == value
    assert unneutralise(value) == value


# The downloads.


def test_the_matrix_has_one_row_per_responsibility_with_its_status_and_reasoning(client, db):
    recs, actors = build_record(recommendations=2, states=2, actions=1)
    rows = _csv(client, "/export/matrix.csv")
    assert rows[0] == [
        "recommendation",
        "short_title",
        "actor",
        "actor_name",
        "actor_kind",
        "role",
        "status",
        "status_label",
        "last_assessed",
        "reasoning",
    ]
    assert len(rows) == 1 + 2 * 3
    first = rows[1]
    assert first[0] == "1" and first[2] == "S00" and first[6] in {s.value for s in Status}
    # By recommendation, then in the one order of actors: member states by name, then bodies.
    assert [(r[0], r[2]) for r in rows[1:]] == [(n, code) for n in ("1", "2") for code in ("S00", "S01", "RCM")]


def test_the_recommendations_download_has_counts_per_status_and_progress(client, db):
    rec = RecommendationFactory(number=1, short_title="Development", text="To promote a closer link.")
    ResponsibilityFactory(recommendation=rec, status=Status.FULL)
    ResponsibilityFactory(recommendation=rec, status=Status.PARTIAL)
    ResponsibilityFactory(recommendation=rec, status=Status.NOT_ASSESSED)
    header, row = _csv(client, "/export/recommendations.csv")
    record = dict(zip(header, row, strict=True))
    assert record["number"] == "1" and record["short_title"] == "Development"
    assert record["text"] == "To promote a closer link."
    assert record["overall_status"] == "not_assessed"
    assert record["n_full"] == "1" and record["n_partial"] == "1"
    assert record["n_not_assessed"] == "1" and record["n_pending"] == "0"
    assert record["progress"] == "75"


def test_the_actions_download_lists_published_actions_with_recommendations_and_evidence(client, db):
    build_record(recommendations=2, states=2, actions=3)
    rows = _csv(client, "/export/actions.csv")
    assert len(rows) == 1 + 3
    text = "\n".join(",".join(r) for r in rows)
    assert "Secret draft plan" not in text and "Withdrawn duplicate" not in text
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["evidence"] == "Official gazette: https://example.org/gazette"
    assert record["recommendations"] in {"1", "1; 2"}


# Either side of a change of clocks, and a moment with a fraction of a second (cut, not rounded).
MOMENTS = [
    datetime.datetime(2026, 3, 8, 6, 59, 59, 900_000, tzinfo=datetime.UTC),
    datetime.datetime(2026, 3, 8, 7, 0, tzinfo=datetime.UTC),
    datetime.datetime(2026, 11, 1, 5, 30, tzinfo=datetime.UTC),
    datetime.datetime(2008, 4, 17, 14, 30, tzinfo=datetime.UTC),
]


@pytest.mark.parametrize("zone", ["America/New_York", "America/St_Johns", "Asia/Kolkata"])
def test_the_moment_of_publication_is_written_in_the_sites_zone_with_its_offset(client, db, settings, zone):
    """On PostgreSQL the CSV has the database write it; it must read as Python's own `isoformat` does.
    The XLSX keeps it a spreadsheet date."""
    settings.TIME_ZONE = zone
    for moment in MOMENTS:
        ActionFactory(published_at=moment)
    rows = _csv(client, "/export/actions.csv")
    written = sorted(dict(zip(rows[0], row, strict=True))["published_at"] for row in rows[1:])
    assert written == sorted(timezone.localtime(moment).isoformat(timespec="seconds") for moment in MOMENTS)
    _workbook, sheet = _xlsx(client, "/export/actions.xlsx")
    column = sheet[0].index("published_at")
    assert sorted(row[column] for row in sheet[1:]) == sorted(
        timezone.localtime(moment).replace(tzinfo=None) for moment in MOMENTS
    )


def test_downloads_honour_the_filters_of_the_page_they_mirror(client, db):
    build_record(recommendations=3, states=3, actions=6)
    matrix = _csv(client, "/export/matrix.csv?status=partial")
    assert len(matrix) > 1 and {r[6] for r in matrix[1:]} == {"partial"}
    recs = _csv(client, "/export/recommendations.csv?q=Thing")
    assert len(recs) == 4
    actions = _csv(client, "/export/actions.csv?actor=S01")
    assert len(actions) > 1 and {r[2] for r in actions[1:]} == {"S01"}
    # A page number is not a filter: the download holds every matching row.
    assert _csv(client, "/export/actions.csv?page=2") == _csv(client, "/export/actions.csv")


@pytest.mark.parametrize(
    "url",
    [
        "/export/matrix.csv?status=bogus",
        "/export/recommendations.xlsx?actor_kind=x",
        "/export/actions.csv?date_after=x",
    ],
)
def test_a_filter_that_cannot_be_understood_refuses_the_download_with_a_message(client, db, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "could not be understood" in response.content.decode()


def test_csv_guards_only_what_would_run_and_xlsx_keeps_every_text_exactly(client, db):
    rec = RecommendationFactory(number=1, short_title='=HYPERLINK("http://evil")')
    ResponsibilityFactory(recommendation=rec, actor=ActorFactory(code="MEX"), reasoning="+1 plan", status="partial")
    action = ActionFactory(actor=ActorFactory(code="CAN"), recommendations=[rec], title="@cmd", description="-2")
    EvidenceFactory(action=action, title="=1+1", url="https://example.org/a")

    matrix = _csv(client, "/export/matrix.csv")
    assert matrix[1][1] == '\'=HYPERLINK("http://evil")' and matrix[1][9] == "+1 plan"
    actions = dict(zip(*_csv(client, "/export/actions.csv"), strict=True))
    assert actions["title"] == "'@cmd" and actions["description"] == "-2"
    assert actions["evidence"] == "'=1+1: https://example.org/a"

    workbook, rows = _xlsx(client, "/export/matrix.xlsx")
    sheet = workbook.worksheets[0]
    assert rows[1][1] == '=HYPERLINK("http://evil")' and rows[1][9] == "+1 plan"
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert [cell.value for cell in cells if cell.quotePrefix] == ['=HYPERLINK("http://evil")']
    workbook, rows = _xlsx(client, "/export/actions.xlsx")
    assert rows[1][4] == "@cmd" and rows[1][5] == "-2"
    assert all(cell.data_type != "f" for row in workbook.worksheets[0].iter_rows() for cell in row)


def test_the_api_and_the_xlsx_agree_on_every_text(client, db):
    build_record(recommendations=2, states=2, actions=3)
    action = ActionFactory(title="-cmd|' /C calc'!A0", description="- a list item\n+1 555 0100")
    api = {a["id"]: a for a in client.get("/api/actions/?page_size=500").json()["results"]}
    _workbook, rows = _xlsx(client, "/export/actions.xlsx")
    keys = rows[0]
    for row in rows[1:]:
        record = dict(zip(keys, row, strict=True))
        assert record["title"] == api[record["id"]]["title"]
        assert record["description"] == api[record["id"]]["description"]
    assert any(row[keys.index("id")] == action.pk for row in rows[1:])


def test_headings_are_the_stable_keys_in_every_language_and_labels_when_asked(client, db):
    build_record(recommendations=1, states=1, actions=1)
    english = _csv(client, "/export/actions.csv")[0]
    client.cookies["django_language"] = "es"
    assert _csv(client, "/export/actions.csv")[0] == english
    labels = _csv(client, "/export/actions.csv?headers=labels")[0]
    assert labels[0] == "Número de la acción" and labels[3] == "Estado u organismo"
    workbook, rows = _xlsx(client, "/export/actions.xlsx?headers=labels")
    assert rows[0] == labels
    about = [[cell.value for cell in row] for row in workbook.worksheets[1].iter_rows()]
    dictionary = {row[0]: row for row in about if row and row[0] in english}
    assert set(dictionary) == set(english)
    with translation.override("es"):
        described = translation.gettext("The date the action was taken.")
    assert described != "The date the action was taken."  # the Spanish catalogue has it
    assert dictionary["taken_on"][2] == "date" and dictionary["taken_on"][3] == described


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("/export/actions.csv?actr=MEX", "actr"),
        ("/export/matrix.xlsx?status=partial&stauts=x", "stauts"),
        ("/export/matrix-grid.csv?q=1", "q"),
        ("/export/recommendations.csv?headers=fancy", "headers"),
    ],
)
def test_a_parameter_a_download_does_not_know_is_refused_by_name(client, db, url, named):
    build_record(recommendations=1, states=1, actions=1)
    response = client.get(url)
    assert response.status_code == 400
    assert named in response.content.decode()


def test_the_language_of_a_link_is_understood_by_every_download(client, db):
    build_record(recommendations=1, states=1, actions=1)
    rows = _csv(client, "/export/matrix.csv?lang=es")
    assert rows[1][rows[0].index("status_label")] == "Aún no evaluado"


def test_the_licence_is_on_the_about_sheet(client, db):
    build_record(recommendations=1, states=1, actions=1)
    workbook, _rows = _xlsx(client, "/export/matrix.xlsx")
    about = [[cell.value for cell in row] for row in workbook.worksheets[1].iter_rows()]
    assert ["Licence", str(licence.DATA_LICENCE_NOTICE), licence.DATA_LICENCE_URL] in [row[:3] for row in about]


def test_csv_is_utf8_that_keeps_accents_and_typographic_quotes(client, db):
    rec = RecommendationFactory(number=1, short_title="Migración “segura”")
    ResponsibilityFactory(recommendation=rec, actor=ActorFactory(code="PER", name="Perú"))
    rows = _csv(client, "/export/matrix.csv")
    assert rows[1][1] == "Migración “segura”" and rows[1][3] == "Perú"


def test_xlsx_holds_the_same_rows_with_real_dates_and_an_about_sheet(client, db, staff):
    from tracker import services

    responsibility = ResponsibilityFactory(recommendation=RecommendationFactory(number=1))
    services.responsibility_set_status(responsibility=responsibility, status="full", by=staff, reason="Done.")
    workbook, rows = _xlsx(client, "/export/matrix.xlsx")
    assert rows[0][0] == "recommendation" and rows[1][6] == "full"
    assert rows[1][8].date() == responsibility.last_assessed
    assert workbook.sheetnames[1] == "About"


def test_downloads_are_linked_from_the_pages_they_mirror_with_the_current_filters(client, db):
    build_record(recommendations=1, states=1, actions=1)
    body = client.get("/").content.decode()
    assert 'href="/export/matrix.csv"' in body and 'href="/export/matrix.xlsx"' in body
    body = client.get("/recommendations/?q=thing&page=1").content.decode()
    assert 'href="/export/recommendations.csv?q=thing"' in body
    body = client.get("/actions/?actor=S00").content.decode()
    assert 'href="/export/actions.xlsx?actor=S00"' in body


def _count(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        _body(response)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url", [f"{d}.{fmt}" for d in DOWNLOADS for fmt in ("csv", "xlsx")])
def test_query_count_does_not_grow_with_the_record(client, db, url):
    """Guards the downloads against a query per row: rows are joined, prefetched per chunk, or annotated."""
    build_record(recommendations=2, states=2, actions=2)
    small = _count(client, url)
    build_record(recommendations=5, states=10, actions=30, first_state=2)
    large = _count(client, url)
    assert small == large, f"{url}: {small} queries with few rows, {large} with many"
    # With the record's version for the validators, read here from its row (from Redis in production).
    assert large <= 5
