"""Public downloads: CSV and XLSX of the matrix, the recommendations and the actions."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ActionFactory, ActorFactory, EvidenceFactory, RecommendationFactory, ResponsibilityFactory
from tests.tracker.test_api import build_record
from tracker.exports import FORMULA_TRIGGERS, neutralise, unneutralise
from tracker.models import Status

DOWNLOADS = ["/export/matrix", "/export/recommendations", "/export/actions"]


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


# The neutralisation helper.


@pytest.mark.parametrize("value", ["=1+1", "+33 1 23", "-2", "@SUM(A1)", "\t=cmd", "\r=cmd", "'=already"])
def test_text_a_spreadsheet_could_run_is_neutralised_and_comes_back_unchanged(value):
    neutralised = neutralise(value)
    assert neutralised == "'" + value
    assert not neutralised.startswith(FORMULA_TRIGGERS)
    assert unneutralise(neutralised) == value


@pytest.mark.parametrize("value", ["Plan 2024", "", "1 = 1", 42, None, "Mexico's plan"])
def test_ordinary_values_are_left_as_they_are(value):
    assert neutralise(value) == value
    assert unneutralise(value) == value


# The downloads.


def test_the_matrix_has_one_row_per_responsibility_with_its_status_and_reasoning(client, db):
    recs, actors = build_record(recommendations=2, states=2, actions=1)
    rows = _csv(client, "/export/matrix.csv")
    assert rows[0] == [
        "Recommendation",
        "Short title",
        "Actor code",
        "State or body",
        "Kind of actor",
        "Role",
        "Status",
        "Status (label)",
        "Last assessed",
        "Reasoning",
    ]
    assert len(rows) == 1 + 2 * 3
    first = rows[1]
    assert first[0] == "1" and first[2] == "RCM" and first[6] in {s.value for s in Status}
    assert [(r[0], r[2]) for r in rows[1:]] == sorted((r[0], r[2]) for r in rows[1:])


def test_the_recommendations_download_has_counts_per_status_and_progress(client, db):
    rec = RecommendationFactory(number=1, short_title="Development", text="To promote a closer link.")
    ResponsibilityFactory(recommendation=rec, status=Status.FULL)
    ResponsibilityFactory(recommendation=rec, status=Status.PARTIAL)
    ResponsibilityFactory(recommendation=rec, status=Status.NOT_ASSESSED)
    header, row = _csv(client, "/export/recommendations.csv")
    record = dict(zip(header, row, strict=True))
    assert record["Recommendation"] == "1" and record["Short title"] == "Development"
    assert record["Text (verbatim)"] == "To promote a closer link."
    assert record["Overall status"] == "not_assessed"
    assert record["Full compliance"] == "1" and record["Partial compliance"] == "1"
    assert record["Not yet assessed"] == "1" and record["Pending compliance"] == "0"
    assert record["Progress (%)"] == "75"


def test_the_actions_download_lists_published_actions_with_recommendations_and_evidence(client, db):
    build_record(recommendations=2, states=2, actions=3)
    rows = _csv(client, "/export/actions.csv")
    assert len(rows) == 1 + 3
    text = "\n".join(",".join(r) for r in rows)
    assert "Secret draft plan" not in text and "Withdrawn duplicate" not in text
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Evidence"] == "Official gazette: https://example.org/gazette"
    assert record["Recommendations"] in {"1", "1; 2"}


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


def test_formula_cells_are_neutralised_in_csv_and_written_as_text_in_xlsx(client, db):
    rec = RecommendationFactory(number=1, short_title='=HYPERLINK("http://evil")')
    ResponsibilityFactory(recommendation=rec, actor=ActorFactory(code="MEX"), reasoning="+1 plan", status="partial")
    action = ActionFactory(actor=ActorFactory(code="CAN"), recommendations=[rec], title="@cmd", description="-2")
    EvidenceFactory(action=action, title="=1+1", url="https://example.org/a")

    matrix = _csv(client, "/export/matrix.csv")
    assert matrix[1][1] == '\'=HYPERLINK("http://evil")' and matrix[1][9] == "'+1 plan"
    actions = dict(zip(*_csv(client, "/export/actions.csv"), strict=True))
    assert actions["Title"] == "'@cmd" and actions["Description"] == "'-2"
    assert actions["Evidence"] == "'=1+1: https://example.org/a"

    workbook, rows = _xlsx(client, "/export/matrix.xlsx")
    sheet = workbook.worksheets[0]
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    workbook, rows = _xlsx(client, "/export/actions.xlsx")
    assert rows[1][4] == "'@cmd"
    assert all(cell.data_type != "f" for row in workbook.worksheets[0].iter_rows() for cell in row)


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
    assert rows[0][0] == "Recommendation" and rows[1][6] == "full"
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
    assert large <= 4
