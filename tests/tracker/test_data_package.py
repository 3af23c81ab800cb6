"""The data package and the bulk download: every public table described (fields, types, keys,
licence), and the whole record in one zip that `frictionless` validates as it is."""

import csv
import io
import json
import zipfile

import frictionless
import pytest

from tests.factories import ActionFactory, EvidenceFactory
from tests.tracker.test_api import build_record
from tracker import licence
from tracker.models import Action
from tracker.spreadsheets import unneutralise

TABLES = ["recommendations", "actors", "matrix", "actions", "status-changes"]


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def record(db, staff):
    from tracker import services

    recommendations, actors = build_record(recommendations=3, states=3, actions=4)
    responsibility = recommendations[0].responsibilities.first()
    services.responsibility_set_status(responsibility=responsibility, status="partial", by=staff, reason="=1+1 steps")
    action = ActionFactory(actor=actors[0], recommendations=[recommendations[1]], title="-cmd|' /C calc'!A0")
    EvidenceFactory(action=action, title="Gazette", url="https://example.org/g")
    return recommendations, actors


def test_the_package_describes_every_table_with_its_fields_keys_and_licence(client, record):
    response = client.get("/export/datapackage.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    package = json.loads(response.content)
    assert [resource["name"] for resource in package["resources"]] == TABLES
    assert package["licenses"] == [
        {"name": "CC-BY-4.0", "path": licence.DATA_LICENCE_URL, "title": licence.DATA_LICENCE_TITLE}
    ]
    for resource in package["resources"]:
        fields = resource["schema"]["fields"]
        assert all(field["description"] and field["title"] and field["type"] for field in fields)
        # The path is relative to the package, and is the table's download; its first row, the field names.
        download = client.get(f"/export/{resource['path']}")
        assert download.status_code == 200
        header = next(csv.reader(io.StringIO(_body(download).decode("utf-8-sig"))))
        assert header == [field["name"] for field in fields]
        assert set(resource["schema"]["primaryKey"]) <= set(header)
    matrix = package["resources"][2]["schema"]
    assert matrix["foreignKeys"][1] == {"fields": "actor", "reference": {"resource": "actors", "fields": "code"}}


def test_the_bulk_zip_holds_every_table_and_validates_as_a_data_package(client, record, tmp_path):
    response = client.get("/export/all.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'filename="sfmi-followup-all-' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(_body(response)))
    assert sorted(archive.namelist()) == sorted(["datapackage.json", *[f"{name}.csv" for name in TABLES]])
    archive.extractall(tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["title", "rowNumber", "fieldName", "note"])
    # The zip's CSVs are the downloads, byte for byte.
    for name in TABLES:
        assert (tmp_path / f"{name}.csv").read_bytes() == _body(client.get(f"/export/{name}.csv"))
    with (tmp_path / "actions.csv").open(encoding="utf-8-sig") as actions:
        assert len(list(csv.DictReader(actions))) == Action.objects.published().count()


def test_a_broken_foreign_key_is_caught_by_the_validation(client, record, tmp_path):
    """The check above can fail: a matrix row naming an actor the actors table lacks is an error."""
    archive = zipfile.ZipFile(io.BytesIO(_body(client.get("/export/all.zip"))))
    archive.extractall(tmp_path)
    actors = (tmp_path / "actors.csv").read_text(encoding="utf-8-sig").splitlines()
    (tmp_path / "actors.csv").write_text("\n".join(actors[:-1]) + "\n", encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert "foreign-key" in {error.type for task in report.tasks for error in task.errors}


def test_the_new_tables_download_as_xlsx_with_their_dictionary(client, record):
    import openpyxl

    for name in ("actors", "status-changes"):
        workbook = openpyxl.load_workbook(io.BytesIO(_body(client.get(f"/export/{name}.xlsx"))))
        header = [cell.value for cell in next(workbook.worksheets[0].iter_rows())]
        about = [[cell.value for cell in row] for row in workbook.worksheets[1].iter_rows()]
        assert set(header) <= {row[0] for row in about}


def test_the_status_changes_agree_with_the_api(client, record):
    api = client.get("/api/status-changes/?page_size=500").json()["results"]
    rows = list(csv.DictReader(io.StringIO(_body(client.get("/export/status-changes.csv")).decode("utf-8-sig"))))
    assert [int(row["id"]) for row in rows] == [change["id"] for change in api]
    for row, change in zip(rows, api, strict=True):
        assert row["to_status"] == change["to_status"] and row["actor"] == (change["actor"] or "")
        assert unneutralise(row["reason"]) == change["reason"]
