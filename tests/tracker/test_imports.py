"""Staff import of status updates and actions from CSV or XLSX in the admin: preview, all or nothing, history."""

import csv
import datetime
import io

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import ActionFactory, ActorFactory, ForumFactory, RecommendationFactory, ResponsibilityFactory
from tracker.admin.resources import ActionResource, ResponsibilityStatusResource
from tracker.models import Action, Responsibility, Status, StatusChange

RESPONSIBILITY_IMPORT = "/admin/tracker/responsibility/import/"
RESPONSIBILITY_CONFIRM = "/admin/tracker/responsibility/process_import/"
ACTION_IMPORT = "/admin/tracker/action/import/"
ACTION_CONFIRM = "/admin/tracker/action/process_import/"
CSV_FORMAT, XLSX_FORMAT = "0", "1"


@pytest.fixture
def matrix(db):
    """Three recommendations, ten states responsible for each: thirty responsibilities, not yet assessed."""
    forum = ForumFactory()
    recs = [RecommendationFactory(forum=forum, number=n + 1) for n in range(3)]
    actors = [ActorFactory(code=f"S{n:02d}", name=f"State {n:02d}") for n in range(10)]
    ActorFactory(code="XXX", name="Not responsible for anything")
    return [ResponsibilityFactory(recommendation=rec, actor=actor) for rec in recs for actor in actors]


def _export_csv(client, query=""):
    response = client.get("/export/matrix.csv" + query)
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def _rows(text):
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _csv_text(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return "\ufeff" + buffer.getvalue()


def _upload(client, url, content, *, name="matrix.csv", fmt=CSV_FORMAT):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(url, {"format": fmt, "import_file": SimpleUploadedFile(name, data)})


def _confirm(client, url, preview):
    form = preview.context["confirm_form"]
    assert form is not None, "the preview offers to confirm"
    data = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(url, data)


def _all_assessed(text, *, status="partial", reason="Reported at the 2024 meeting."):
    rows = _rows(text)
    for row in rows[1:]:
        row[6], row[9] = status, reason
    return _csv_text(rows)


# The whole flow through the admin.


def test_staff_update_thirty_statuses_from_one_csv_with_a_preview_then_an_audit_trail(staff_client, staff, matrix):
    text = _all_assessed(_export_csv(staff_client))
    preview = _upload(staff_client, RESPONSIBILITY_IMPORT, text)
    assert preview.status_code == 200
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert len(result.valid_rows()) == 30
    assert "Nothing has been saved yet." in preview.content.decode()
    # The preview is a dry run: nothing was written.
    assert StatusChange.objects.count() == 0
    assert set(Responsibility.objects.values_list("status", flat=True)) == {Status.NOT_ASSESSED}

    response = _confirm(staff_client, RESPONSIBILITY_CONFIRM, preview)
    assert response.status_code == 302
    changes = StatusChange.objects.all()
    assert changes.count() == 30
    assert {c.changed_by for c in changes} == {staff}
    assert {(c.from_status, c.to_status, c.reason) for c in changes} == {
        ("not_assessed", "partial", "Reported at the 2024 meeting.")
    }
    assert set(Responsibility.objects.values_list("status", flat=True)) == {Status.PARTIAL}
    assert {r.last_assessed for r in Responsibility.objects.all()} == {timezone.localdate()}
    # The same per-row history as a manual edit, with the user.
    for responsibility in Responsibility.objects.all():
        latest = responsibility.history.first()
        assert latest.history_user == staff and latest.status == Status.PARTIAL


def test_one_bad_row_among_thirty_refuses_the_whole_file_and_names_the_row(staff_client, matrix):
    rows = _rows(_all_assessed(_export_csv(staff_client)))
    rows[17][6] = "almost done"  # data row 17
    preview = _upload(staff_client, RESPONSIBILITY_IMPORT, _csv_text(rows))
    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is None
    body = preview.content.decode()
    assert "The file was refused" in body and "nothing has been saved" in body
    assert "Row 17" in body and "“almost done” is not a status on the scale" in body
    invalid = preview.context["result"].invalid_rows
    assert [row.number for row in invalid] == [17]
    assert StatusChange.objects.count() == 0
    assert set(Responsibility.objects.values_list("status", flat=True)) == {Status.NOT_ASSESSED}


def test_the_exported_matrix_round_trips_and_only_the_edits_are_applied(staff_client, staff, matrix):
    from tracker import services

    services.responsibility_set_status(
        responsibility=matrix[0],
        status=Status.PENDING,
        by=staff,
        reason="No measures yet.",
        assessed_on=datetime.date(2023, 3, 1),
    )
    before = StatusChange.objects.count()
    rows = _rows(_export_csv(staff_client))
    header = rows[0]
    for row in rows[1:]:
        key = (row[0], row[2])
        if key == ("1", "S00"):
            row[6], row[9] = "full", "Law adopted in 2024."
        if key == ("2", "S05"):
            # A reason a spreadsheet would run, guarded as the download writes it: the import takes the
            # apostrophe off.
            row[6], row[9] = "non_compliance", "'@Refused: see the note of 12 May."
        if key == ("3", "S00"):
            # Words after a dash are not a formula: the download writes them as they are.
            row[9] = "-Refused, for now."
        if key == ("3", "S09"):
            row[9] = "Reasoning reworded, status kept."
    edited = _csv_text(rows)
    preview = _upload(staff_client, RESPONSIBILITY_IMPORT, edited)
    assert [r.import_type for r in preview.context["result"].valid_rows()] == ["update"] * 4
    _confirm(staff_client, RESPONSIBILITY_CONFIRM, preview)

    new = StatusChange.objects.order_by("id")[before:]
    assert [
        (c.responsibility.recommendation.number, c.actor.code, c.from_status, c.to_status, c.reason) for c in new
    ] == [
        (1, "S00", "pending", "full", "Law adopted in 2024."),
        (2, "S05", "not_assessed", "non_compliance", "@Refused: see the note of 12 May."),
        (3, "S00", "not_assessed", "not_assessed", "-Refused, for now."),
        (3, "S09", "not_assessed", "not_assessed", "Reasoning reworded, status kept."),
    ]
    # Everything else is as it was; exporting again gives the edited file back, save today's dates.
    again = _rows(_export_csv(staff_client))
    assert header == again[0]
    for old, new_row in zip(_rows(edited)[1:], again[1:], strict=True):
        if (old[0], old[2]) in {("1", "S00"), ("2", "S05"), ("3", "S00"), ("3", "S09")}:
            assert new_row[8] == timezone.localdate().isoformat()
            old[7], old[8] = new_row[7], new_row[8]  # the label follows the status; the date is today's
        assert old == new_row


def test_an_xlsx_file_imports_too(staff_client, staff, matrix):
    response = staff_client.get("/export/matrix.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.getvalue()))
    sheet = workbook.worksheets[0]
    sheet["G2"], sheet["J2"] = "substantial", "Most measures taken."
    sheet["G3"], sheet["I3"], sheet["J3"] = "full", datetime.date(2024, 2, 29), "Implemented."
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = _upload(staff_client, RESPONSIBILITY_IMPORT, buffer.getvalue(), name="matrix.xlsx", fmt=XLSX_FORMAT)
    assert len(preview.context["result"].valid_rows()) == 2
    _confirm(staff_client, RESPONSIBILITY_CONFIRM, preview)
    changes = {(c.to_status, c.assessed_on, c.changed_by) for c in StatusChange.objects.all()}
    assert changes == {
        ("substantial", timezone.localdate(), staff),
        ("full", datetime.date(2024, 2, 29), staff),
    }


def test_headers_in_another_language_are_recognised(staff_client, matrix):
    from django.utils import translation

    rows = _rows(_all_assessed(_export_csv(staff_client)))
    rows[0] = [
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
    ]  # the stable keys work in any language
    with translation.override("es"):
        preview = _upload(staff_client, RESPONSIBILITY_IMPORT, _csv_text(rows))
    assert len(preview.context["result"].valid_rows()) == 30


# Row rules, on the resource itself (the admin runs the same).


def _import(rows, *, user, dry_run=True, resource=ResponsibilityStatusResource):
    dataset = tablib.Dataset(headers=rows[0])
    for row in rows[1:]:
        dataset.append(row)
    return resource().import_data(
        dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True, user=user
    )


HEADER = ["Recommendation", "Actor code", "Status", "Last assessed", "Reasoning"]


@pytest.mark.parametrize(
    "row, field, message",
    [
        (["1", "S00", "full", "2999-01-01", "Done."], "last_assessed", "cannot be in the future"),
        (["1", "S00", "finished", "", "Done."], "status", "is not a status on the scale"),
        (["1", "ZZZ", "full", "", "Done."], "actor", "There is no state or body with the code “ZZZ”"),
        (["9", "S00", "full", "", "Done."], "recommendation", "There is no recommendation 9"),
        (["1", "XXX", "full", "", "Done."], "actor", "XXX is not responsible for recommendation 1"),
        (["1", "S00", "full", "", ""], "reasoning", "Give the reasoning for the new status"),
        (["1", "S00", "full", "31/12/2023", "Done."], "last_assessed", "is not a date"),
        (["one", "S00", "full", "", "Done."], "recommendation", "Give the recommendation's number"),
    ],
)
def test_a_row_error_is_reported_on_its_field(staff, matrix, row, field, message):
    result = _import([HEADER, ["2", "S01", "partial", "", "Fine."], row], user=staff)
    assert result.has_validation_errors()
    (invalid,) = result.invalid_rows
    assert invalid.number == 2
    assert any(message in error for error in invalid.error_dict[field]), invalid.error_dict


def test_the_same_responsibility_twice_in_a_file_is_refused(staff, matrix):
    result = _import([HEADER, ["1", "S00", "full", "", "Done."], ["1", "s00", "partial", "", "Again."]], user=staff)
    (invalid,) = result.invalid_rows
    assert "already on row 1" in invalid.error_dict["actor"][0]


def test_unchanged_rows_are_skipped(staff, matrix):
    result = _import([HEADER, ["1", "S00", "not_assessed", "", ""], ["2", "S00", "full", "", "Done."]], user=staff)
    assert not result.has_validation_errors()
    assert [r.import_type for r in result.valid_rows()] == ["update"]
    assert result.totals["skip"] == 1


def test_a_status_can_be_given_by_its_label_whatever_its_case(staff, matrix):
    result = _import([HEADER, ["1", "S00", "full COMPLIANCE", "", "Done."]], user=staff, dry_run=False)
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    assert Responsibility.objects.get(recommendation__number=1, actor__code="S00").status == Status.FULL


def test_a_failure_when_confirming_saves_nothing(staff, matrix):
    """The confirm step runs the file again; if a row fails then, every row before it is rolled back."""
    result = _import(
        [HEADER, ["1", "S00", "full", "", "Done."], ["1", "S01", "full", "", "Done."], ["1", "ZZZ", "full", "", "x"]],
        user=staff,
        dry_run=False,
    )
    assert result.has_validation_errors()
    assert StatusChange.objects.count() == 0
    assert not Responsibility.objects.filter(status=Status.FULL).exists()


def test_the_admin_confirm_step_rolls_back_on_any_row_error(staff_client, staff, matrix):
    from django.contrib import admin

    from tracker.models import Responsibility as Model

    model_admin = admin.site._registry[Model]
    assert model_admin.get_import_data_kwargs(request=None)["rollback_on_validation_errors"] is True


def test_import_needs_the_change_permission(client, db, matrix):
    from tests.factories import UserFactory

    viewer = UserFactory(username="viewer", is_staff=True)
    client.force_login(viewer)
    assert client.get(RESPONSIBILITY_IMPORT).status_code == 403


# Actions.

ACTION_HEADER = [
    "Actor code",
    "Recommendations",
    "Date taken",
    "Title",
    "Description",
    "Source of the information",
    "Publication state",
]


def test_staff_import_actions_as_drafts_or_published_through_the_service(staff_client, staff, matrix):
    text = _csv_text(
        [
            ACTION_HEADER,
            ["S00", "1; 3", "2024-05-02", "National migration plan", "A **plan**.", "National report", ""],
            ["s01", "2", "2024-06-10", "Visa reform", "", "Press release", "published"],
        ]
    )
    preview = _upload(staff_client, ACTION_IMPORT, text, name="actions.csv")
    assert [r.import_type for r in preview.context["result"].valid_rows()] == ["new", "new"]
    assert Action.objects.count() == 0
    _confirm(staff_client, ACTION_CONFIRM, preview)
    plan, visa = Action.objects.order_by("taken_on")
    assert plan.state == Action.State.DRAFT and plan.entered_by == staff
    assert sorted(r.number for r in plan.recommendations.all()) == [1, 3]
    assert visa.state == Action.State.PUBLISHED and visa.published_at is not None and visa.actor.code == "S01"
    assert plan.history.first().history_user == staff

    # The same file again changes nothing: no duplicates.
    again = _upload(staff_client, ACTION_IMPORT, text, name="actions.csv")
    assert again.context["result"].valid_rows() == []
    assert Action.objects.count() == 2


def test_an_action_row_with_a_bad_cell_refuses_the_file(staff, matrix):
    rows = [
        ACTION_HEADER,
        ["S00", "1", "2024-05-02", "Fine", "", "", ""],
        ["S00", "1; 42", "2024-05-02", "Unknown recommendation", "", "", ""],
        ["S00", "1", "2999-05-02", "Future", "", "", ""],
        ["S00", "1", "2024-05-02", "Withdrawn?", "", "", "withdrawn"],
    ]
    result = _import(rows, user=staff, dry_run=False, resource=ActionResource)
    assert [row.number for row in result.invalid_rows] == [2, 3, 4]
    assert "There is no recommendation 42." in result.invalid_rows[0].error_dict["recommendations"]
    assert Action.objects.count() == 0


def test_an_action_is_corrected_by_its_number(staff, matrix):
    action = ActionFactory(actor=matrix[0].actor, recommendations=[matrix[0].recommendation], title="Old title")
    rows = [["Action number", *ACTION_HEADER], [str(action.pk), "S00", "1", "2023-06-01", "New title", "", "", ""]]
    result = _import(rows, user=staff, dry_run=False, resource=ActionResource)
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    action.refresh_from_db()
    assert action.title == "New title" and action.version == 2 and action.state == Action.State.PUBLISHED


def test_the_import_pages_explain_the_rules(staff_client, matrix):
    body = staff_client.get(RESPONSIBILITY_IMPORT).content.decode()
    assert "found by its recommendation number and actor code" in body
    assert "A single row with an error refuses the whole file" in body
    body = staff_client.get(ACTION_IMPORT).content.decode()
    assert "the recommendations as numbers" in body
    assert staff_client.get("/admin/tracker/responsibility/").status_code == 200
    assert staff_client.get("/admin/tracker/responsibility/export/").status_code == 200


def test_the_admin_export_page_allows_only_its_own_inline_handler(admin_client):
    import base64
    import hashlib

    from django.urls import reverse

    response = admin_client.get(reverse("admin:tracker_responsibility_export"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'onchange="onSelectToggleChange(event)"' in body
    digest = base64.b64encode(hashlib.sha256(b"onSelectToggleChange(event)").digest()).decode()
    policy = response["Content-Security-Policy"]
    script_src = policy.split("script-src")[1].split(";")[0]
    assert f"'sha256-{digest}'" in script_src and "'unsafe-inline'" not in script_src
    # Elsewhere in the admin, no inline handler is allowed.
    assert (
        "unsafe-hashes" not in admin_client.get(reverse("admin:tracker_action_changelist"))["Content-Security-Policy"]
    )
