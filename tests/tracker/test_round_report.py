"""The report on a closed reporting round: its page, its PDF and its Word document.

Who reported and when (never a draft, nor what was reported before review), the statuses at the
close and what moved since the previous closed round, the same figures in all three, in the visitor's
language; the PDF drawn without reading anything but the project's static files.
"""

import datetime
import io
import re
import shutil
import socket
import subprocess

import docx
import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ActionFactory,
    ActorFactory,
    BodyFactory,
    LiaisonFactory,
    RecommendationFactory,
    ResponsibilityFactory,
    UserFactory,
)
from tracker import round_documents, services
from tracker.models import ReportingRound, Responsibility, Status

TODAY = timezone.localdate()
DRAFT_WORDING = "Secret draft wording from Canada"
UNREVIEWED_WORDING = "Unreviewed wording from Mexico"
FILENAME = r'attachment; filename="sfmi-followup-round-{pk}-report-\d{{4}}-\d\d-\d\d\.{ext}"'


@pytest.fixture
def record(db, staff):
    recommendations = [RecommendationFactory(number=n, short_title=f"Short title {n}") for n in (1, 2, 3)]
    mexico, canada = ActorFactory(code="MEX", name="Mexico"), ActorFactory(code="CAN", name="Canada")
    body = BodyFactory(code="RCM", name="Regional Conference on Migration")
    for recommendation in recommendations[:2]:
        for actor in (mexico, canada):
            ResponsibilityFactory(recommendation=recommendation, actor=actor)
    ResponsibilityFactory(recommendation=recommendations[2], actor=body)
    liaisons = {
        actor.code: LiaisonFactory(user=UserFactory(username=f"liaison-{actor.code.lower()}"), actor=actor).user
        for actor in (mexico, canada)
    }
    return {"recommendations": recommendations, "mexico": mexico, "canada": canada, "liaisons": liaisons}


def make_round(staff, name, *, opens, due):
    round_ = ReportingRound(
        name=name, opens_on=TODAY + datetime.timedelta(days=opens), due_on=TODAY + datetime.timedelta(days=due)
    )
    return services.round_save(round_=round_, by=staff)


def assess(staff, actor, number, status):
    responsibility = Responsibility.objects.get(actor=actor, recommendation__number=number)
    services.responsibility_set_status(responsibility=responsibility, status=status, by=staff, reason="Assessed.")


def write(report, liaison, progress, *, submit):
    entries = {e.pk: {"proposed_status": Status.FULL, "progress": progress} for e in report.entries.all()}
    report = services.round_report_save(report=report, by=liaison, entries=entries, expected_version=report.version)
    if submit:
        report = services.round_report_submit(report=report, by=liaison, expected_version=report.version)
    return report


@pytest.fixture
def rounds(record, staff):
    """Two closed rounds. Between them Mexico improves on recommendation 1 and reports (its report is
    still in review); Canada regresses and leaves its report a draft; the committee's overall status
    of recommendation 1 goes from pending to partial."""
    mexico, canada, liaisons = record["mexico"], record["canada"], record["liaisons"]
    first = make_round(staff, "Spring round", opens=-90, due=-60)
    assess(staff, mexico, 1, Status.PARTIAL)
    assess(staff, canada, 1, Status.FULL)
    services.recommendation_set_status(
        recommendation=record["recommendations"][0], status=Status.PENDING, by=staff, reason="Early."
    )
    services.round_close(round_=first, by=staff)
    second = make_round(staff, "Autumn round", opens=-30, due=-5)
    mexico_report = services.round_report_start(round_=second, actor=mexico, by=liaisons["MEX"])
    write(mexico_report, liaisons["MEX"], UNREVIEWED_WORDING, submit=True)
    canada_report = services.round_report_start(round_=second, actor=canada, by=liaisons["CAN"])
    write(canada_report, liaisons["CAN"], DRAFT_WORDING, submit=False)
    assess(staff, mexico, 1, Status.SUBSTANTIAL)
    assess(staff, canada, 1, Status.NON_COMPLIANCE)
    services.recommendation_set_status(
        recommendation=record["recommendations"][0], status=Status.PARTIAL, by=staff, reason="Progress."
    )
    services.round_close(round_=second, by=staff)
    return first, second


def _section(page, heading_id):
    """The HTML of one section of the page, from its heading to the next section."""
    return page.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


def test_a_round_that_is_not_closed_has_no_report(record, staff):
    open_round = make_round(staff, "Open round", opens=-3, due=20)
    client = Client()
    for name in ("tracker:round_report", "tracker:round_report_pdf", "tracker:round_report_docx"):
        assert client.get(reverse(name, args=[open_round.pk])).status_code == 404
        assert client.get(reverse(name, args=[open_round.pk + 100])).status_code == 404
    services.round_close(round_=open_round, by=staff)
    assert client.get(reverse("tracker:round_report", args=[open_round.pk])).status_code == 200


def test_the_page_shows_who_reported_the_statuses_and_what_moved_never_a_draft(rounds):
    first, second = rounds
    response = Client().get(reverse("tracker:round_report", args=[second.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Autumn round</h1>" in page and "Produced on" in page
    completeness = _section(page, "completeness-heading")
    assert "3 states and bodies are asked to report." in completeness
    assert "Reported: 1 · did not report: 2." in completeness
    reported = completeness.split('id="not-reported-heading"')[0]
    assert "Mexico" in reported and "Canada" not in reported
    submitted = second.reports.get(actor__code="MEX").first_submitted_at
    assert f'datetime="{timezone.localtime(submitted).date().isoformat()}"' in reported
    missed = completeness.split('id="not-reported-heading"')[1]
    assert "Canada" in missed and "Regional Conference on Migration" in missed and "Mexico" not in missed

    overall = _section(page, "overall-heading")
    assert re.search(
        r"Short title 1</a></th>\s*<td[^>]*><span class=\"status status--partial\">Partial compliance", overall
    )
    assert "improved" in overall and "was Pending compliance" in overall
    matrix = _section(page, "matrix-heading")
    assert matrix.count('<tr><th scope="row">') == 3
    assert "moved moved--improved" in matrix and "moved moved--regressed" in matrix

    moved = _section(page, "moved-heading")
    assert "“Spring round”" in moved
    figures = {
        label: int(value)
        for value, label in re.findall(r'figure__value">(\d+)</span> <span class="figure__label">(\w+)', moved)
    }
    assert figures == {"improved": 1, "regressed": 1, "unchanged": 3}
    rows = re.findall(r"<tr>\s*<th scope=\"row\">([^<]+)</th>\s*<td class=\"num\"[^>]*>(\d+)</td>", moved)
    assert rows == [("Canada", "1"), ("Mexico", "1")]

    for secret in (DRAFT_WORDING, UNREVIEWED_WORDING, "liaison-mex", "liaison-can"):
        assert secret not in page


def test_the_first_closed_round_has_nothing_to_compare_with(rounds):
    first, _second = rounds
    page = Client().get(reverse("tracker:round_report", args=[first.pk])).content.decode()
    assert "This is the first closed round: there is nothing to compare it with." in page
    assert "Reported: 0 · did not report: 3." in page
    document = _docx(Client().get(reverse("tracker:round_report_docx", args=[first.pk])))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "No state or body submitted a report in this round." in text
    assert "This is the first closed round: there is nothing to compare it with." in text
    missed, overall, matrix = document.tables
    assert len(missed.rows) == 1 + 3 and len(overall.rows) == 1 + 3 and len(matrix.rows) == 1 + 3
    assert _rows(overall)[1] == ["1", "Short title 1", "Pending compliance"]


def test_the_closed_round_page_links_to_its_report(rounds):
    _first, second = rounds
    page = Client().get(reverse("tracker:round_detail", args=[second.pk])).content.decode()
    for name in ("tracker:round_report", "tracker:round_report_pdf", "tracker:round_report_docx"):
        assert f'href="{reverse(name, args=[second.pk])}"' in page


def pdf_text(content: bytes) -> str | None:
    """The PDF's text, with pypdf or poppler's pdftotext, whichever is installed; None with neither."""
    try:
        import pypdf
    except ImportError:
        pypdf = None
    if pypdf is not None:
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    return None


@pytest.fixture
def watched_pdf(monkeypatch):
    """What the PDF is drawn from, the fetchers it was given, and any socket connection tried meanwhile."""
    seen = {"html": [], "fetchers": [], "connections": []}
    make_fetcher, render = round_documents.static_files_fetcher, round_documents.render_pdf

    def fetcher():
        seen["fetchers"].append(make_fetcher())
        return seen["fetchers"][-1]

    def spy(html, fetcher=None):
        seen["html"].append(html)
        return render(html, fetcher)

    def connect(sock, address, *args, **kwargs):
        seen["connections"].append(address)
        raise OSError("No network in this test")

    monkeypatch.setattr(round_documents, "static_files_fetcher", fetcher)
    monkeypatch.setattr(round_documents, "render_pdf", spy)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: connect(None, address))
    return seen


def test_the_pdf_is_a_pdf_of_the_report_drawn_from_local_files_only(rounds, watched_pdf):
    _first, second = rounds
    response = Client().get(reverse("tracker:round_report_pdf", args=[second.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert re.fullmatch(FILENAME.format(pk=second.pk, ext="pdf"), response["Content-Disposition"])
    assert response.content.startswith(b"%PDF")
    html = watched_pdf["html"][0]
    assert '<html lang="en">' in html and "Partial compliance" in html
    text = pdf_text(response.content) or html
    assert "Autumn round" in text and "Mexico" in text and "Regional Conference on Migration" in text
    assert DRAFT_WORDING not in text and UNREVIEWED_WORDING not in text
    [fetcher] = watched_pdf["fetchers"]
    assert fetcher.attempts == [round_documents.PDF_BASE_URL + "css/round-report-pdf.css"]
    assert fetcher.refused == [] and watched_pdf["connections"] == []


def test_the_pdf_fetcher_refuses_every_address_but_the_static_files(db, watched_pdf):
    html = (
        '<html><head><link rel="stylesheet" href="https://example.org/remote.css">'
        '<link rel="stylesheet" href="css/round-report-pdf.css">'
        '<link rel="stylesheet" href="../../etc/passwd"></head><body><p>Hello</p>'
        '<img src="http://192.0.2.1/pixel.png" alt=""><img src="file:///etc/hostname" alt="">'
        '<img src="css/../../../config/settings.py" alt=""></body></html>'
    )
    fetcher = round_documents.static_files_fetcher()
    assert round_documents.render_pdf(html, fetcher).startswith(b"%PDF")
    base = round_documents.PDF_BASE_URL
    assert set(fetcher.attempts) - set(fetcher.refused) == {base + "css/round-report-pdf.css"}
    assert {"https://example.org/remote.css", "http://192.0.2.1/pixel.png", "file:///etc/hostname"} <= set(
        fetcher.refused
    )
    assert "file:///etc/passwd" in fetcher.refused
    assert watched_pdf["connections"] == []
    assert round_documents.static_path(base + "css/../../config/settings.py") is None
    assert round_documents.static_path(base + "css/print.css").endswith("static/css/print.css")


def _docx(response):
    return docx.Document(io.BytesIO(response.content))


def _rows(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_word_document_holds_the_tables_with_the_page_s_figures(rounds):
    _first, second = rounds
    response = Client().get(reverse("tracker:round_report_docx", args=[second.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert re.fullmatch(FILENAME.format(pk=second.pk, ext="docx"), response["Content-Disposition"])
    document = _docx(response)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Autumn round" in text and "Produced on" in text
    assert "Reported: 1 · did not report: 2." in text
    assert "1 improved, 1 regressed, 3 unchanged." in text
    assert "PC = Partial compliance" in text
    assert "Autumn round" in document.sections[0].header.paragraphs[0].text
    reported, missed, overall, matrix, moved = document.tables
    assert [row[0] for row in _rows(reported)[1:]] == ["Mexico"]
    assert [row[0] for row in _rows(missed)[1:]] == ["Canada", "Regional Conference on Migration"]
    assert _rows(overall)[1] == ["1", "Short title 1", "Partial compliance", "Improved (was Pending compliance)"]
    assert len(overall.rows) == 1 + 3
    assert _rows(matrix)[0] == ["State or body", "1", "2", "3"]
    assert _rows(matrix)[1:] == [
        ["Canada", "NC ▼", "NYA", "–"],
        ["Mexico", "SPC ▲", "NYA", "–"],
        ["Regional Conference on Migration", "–", "–", "NYA"],
    ]
    assert _rows(moved)[1:] == [
        ["Canada", "1", "Regressed", "Full compliance", "Non-compliance"],
        ["Mexico", "1", "Improved", "Partial compliance", "Substantial partial compliance"],
    ]
    everything = text + str([_rows(t) for t in document.tables])
    assert DRAFT_WORDING not in everything and UNREVIEWED_WORDING not in everything


def test_spanish_changes_the_page_the_pdf_and_the_word_document(rounds, watched_pdf):
    _first, second = rounds
    client = Client()
    page = client.get(reverse("tracker:round_report", args=[second.pk]), {"lang": "es"}).content.decode()
    assert '<html lang="es">' in page
    assert "Cumplimiento parcial" in page and "Partial compliance" not in page
    assert "Estado u organismo" in page and "Leyenda" in page
    pdf = client.get(reverse("tracker:round_report_pdf", args=[second.pk]), {"lang": "es"})
    assert pdf.status_code == 200 and pdf["Content-Language"] == "es"
    assert "Cumplimiento parcial" in watched_pdf["html"][0] and "Partial compliance" not in watched_pdf["html"][0]
    document = _docx(client.get(reverse("tracker:round_report_docx", args=[second.pk]), {"lang": "es"}))
    table_text = str([_rows(t) for t in document.tables])
    assert "Cumplimiento parcial" in table_text and "Partial compliance" not in table_text
    assert _rows(document.tables[0])[0][0] == "Estado u organismo"


def _grow(staff, recommendations, first, last, rounds):
    """States `first` to `last` responsible for every recommendation, with actions, half of them
    reporting in each of `rounds` new rounds, each then closed."""
    made = [ActorFactory(code=f"A{n:02d}", name=f"State {n}") for n in range(first, last)]
    for actor in made:
        for recommendation in recommendations:
            ResponsibilityFactory(recommendation=recommendation, actor=actor, status=Status.PARTIAL)
        ActionFactory.create_batch(3, actor=actor, recommendations=recommendations)
    reporting = [LiaisonFactory(user=UserFactory(username=f"liaison-{a.code}"), actor=a) for a in made[::2]]
    created = []
    for n in range(rounds):
        round_ = make_round(staff, f"Round {first}-{n}", opens=-100, due=-90)
        for liaison in reporting:
            report = services.round_report_start(round_=round_, actor=liaison.actor, by=liaison.user)
            write(report, liaison.user, "Done.", submit=True)
        services.round_close(round_=round_, by=staff)
        created.append(round_)
    return created


@pytest.mark.parametrize("url_name", ["tracker:round_report", "tracker:round_report_docx"])
def test_the_report_costs_the_same_queries_with_few_and_many_rows(db, staff, url_name):
    """Guards against a query per actor, report, status or round: the report reads the round's scope,
    reports and both snapshots once."""
    recommendations = [RecommendationFactory(number=n) for n in (1, 2)]
    counts = []
    for first, last, rounds in ((0, 2, 2), (2, 12, 4)):
        created = _grow(staff, recommendations, first, last, rounds)
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(reverse(url_name, args=[created[-1].pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_downloads_are_throttled_and_built_once_per_version_of_the_record(rounds, settings, monkeypatch):
    _first, second = rounds
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rr"}}
    caches["default"].clear()
    settings.DOWNLOAD_THROTTLE_ANON = "2/min"
    built = []
    build = round_documents.round_report_docx
    monkeypatch.setattr(round_documents, "round_report_docx", lambda context: built.append(1) or build(context))
    url = reverse("tracker:round_report_docx", args=[second.pk])
    client = Client()
    try:
        assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
        assert len(built) == 1
        assert client.get(url, REMOTE_ADDR="10.1.2.3").status_code == 200
    finally:
        caches["default"].clear()
