"""Evidence documents: checked by their content when uploaded, stored under random names, and served only
to those who may see their action (finding 3 of the security review)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from tests.factories import ActionFactory, ActorFactory, LiaisonFactory
from tracker import services
from tracker.links import evidence_url
from tracker.models import Action, Evidence

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>fetch('/admin/')</script></body></html>"


def xlsx_bytes():
    workbook = Workbook()
    workbook.active["A1"] = "Figures"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def attach(action, name, content, by):
    evidence = Evidence(action=action, title="Decree", document=SimpleUploadedFile(name, content))
    return services.evidence_save(evidence=evidence, by=by)


def client_for(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_a_drafts_document_is_served_only_to_staff_and_its_states_liaisons(db, staff):
    mexico, canada = ActorFactory(code="MEX"), ActorFactory(code="CAN")
    draft = ActionFactory(actor=mexico, state=Action.State.DRAFT)
    evidence = attach(draft, "decree.pdf", PDF, staff)
    url = evidence_url(evidence)
    mexican = LiaisonFactory(actor=mexico).user
    canadian = LiaisonFactory(actor=canada).user
    assert client_for().get(url).status_code == 404
    assert client_for(canadian).get(url).status_code == 404
    for reader in (mexican, staff):
        response = client_for(reader).get(url)
        assert response.status_code == 200
        assert response.getvalue() == PDF
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    services.action_publish(action=draft, by=staff)
    assert client_for().get(url).status_code == 200


def test_documents_are_stored_under_random_names_and_never_served_from_the_storage(db, staff, media):
    action = ActionFactory(state=Action.State.DRAFT)
    evidence = attach(action, "Plan nacional 2024.pdf", PDF, staff)
    stored = evidence.document.name
    assert stored.startswith("evidence/") and "Plan" not in stored and "2024" not in stored
    assert len(stored.removeprefix("evidence/").removesuffix(".pdf")) == 32
    assert (media / stored).read_bytes() == PDF
    assert evidence.original_name == "Plan nacional 2024.pdf"
    assert client_for().get(f"/media/{stored}").status_code == 404
    assert client_for().get("/media/evidence/2024/Plan%20nacional%202024.pdf").status_code == 404


def test_a_page_of_html_is_refused_whatever_its_name(db, staff):
    action = ActionFactory()
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    for name, content in [("page.html", HTML), ("decree.pdf", HTML), ("logo.svg", svg), ("notes.txt", b"\x00\x01\x02")]:
        with pytest.raises(ValidationError, match="not one of the kinds accepted"):
            attach(action, name, content, staff)
    assert not Evidence.objects.exists()


def test_the_kind_comes_from_the_content_not_the_name(db, staff):
    action = ActionFactory()
    evidence = attach(action, "looks-like-a-page.html", PNG, staff)
    response = client_for().get(evidence_url(evidence))
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert 'filename="looks-like-a-page.png"' in response["Content-Disposition"]


def test_office_documents_are_downloaded_and_text_is_shown_as_text(db, staff):
    action = ActionFactory()
    sheet = attach(action, "figures.xlsx", xlsx_bytes(), staff)
    response = client_for().get(evidence_url(sheet))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment")
    note = attach(action, "note.txt", "Décret nº 5, article 3: migrants' access to schools.".encode(), staff)
    response = client_for().get(evidence_url(note))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_document_over_the_size_limit_is_refused(db, staff, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="the largest accepted is 100"):
        attach(ActionFactory(), "big.pdf", PDF + b" " * 200, staff)
    assert not Evidence.objects.exists()


def test_the_admin_uploads_through_the_same_checks(db, staff):
    action = ActionFactory(state=Action.State.DRAFT)
    client = client_for(staff)
    url = f"/admin/tracker/action/{action.pk}/change/"
    client.get(url)
    data = {
        "actor": action.actor.pk,
        "recommendations": [r.pk for r in action.recommendations.all()],
        "taken_on": "2023-06-01",
        "title": action.title,
        "description": "",
        "information_source": "",
        "state": "draft",
        "withdrawal_reason": "",
        "loaded_version": action.version,
        "evidence-TOTAL_FORMS": "1",
        "evidence-INITIAL_FORMS": "0",
        "evidence-MIN_NUM_FORMS": "0",
        "evidence-MAX_NUM_FORMS": "1000",
        "evidence-0-title": "A page",
        "evidence-0-url": "",
        "evidence-0-document": SimpleUploadedFile("gazette.pdf", HTML),
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "not one of the kinds accepted" in response.content.decode()
    assert not Evidence.objects.exists()
    data["evidence-0-document"] = SimpleUploadedFile("gazette.pdf", PDF)
    data["loaded_version"] = Action.objects.get(pk=action.pk).version
    assert client.post(url, data).status_code == 302
    assert Evidence.objects.get().content_type == "application/pdf"
