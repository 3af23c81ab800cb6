"""On SQLite, the database of `make run`, concurrent writers wait their turn instead of failing.

Two processes, each a reviewer, decide on twenty submitted reports each at the same moment through the
review page, on one SQLite file, while a third keeps reading the public pages. Each approval writes an
action, its evidence, the status changes and their history in one transaction. Before the database
ran in WAL mode with immediate write transactions and a busy timeout, such decisions failed with
"database is locked" (a 500) whenever they overlapped (finding 7 of the security review).
"""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from tests.reliability.conftest import ROOT

REPORTS_PER_REVIEWER = 20

SETUP = """
from django.contrib.auth.models import Group
from tests.factories import ActorFactory, LiaisonFactory, RecommendationFactory, ResponsibilityFactory, UserFactory
from tracker import services
from tracker.models import STAFF_GROUP, Report
mexico = ActorFactory(code="MEX", name="Mexico")
liaison = LiaisonFactory(user=UserFactory(username="liaison"), actor=mexico).user
recs = [ResponsibilityFactory(actor=mexico).recommendation for _ in range(3)]
for name in ("reviewer-0", "reviewer-1"):
    UserFactory(username=name, is_staff=True).groups.add(Group.objects.get(name=STAFF_GROUP))
for n in range({total}):
    report = Report(actor=mexico, author=liaison, taken_on="2024-05-02", title=f"Report {{n}}",
                    evidence_links="https://example.org/decree")
    report = services.report_save(report=report, by=liaison, recommendations=recs, proposals={{
        responsibility: ("partial", "Half done.") for responsibility in mexico.responsibilities.all()}})
    services.report_submit(report=report, by=liaison, expected_version=report.version)
"""

REVIEWER = """
import json
from django.contrib.auth import get_user_model
from django.test import Client
from tracker.models import Report
client = Client(raise_request_exception=False)
client.force_login(get_user_model().objects.get(username="reviewer-{index}"))
statuses = []
for report in Report.objects.order_by("pk")[{index}::2]:
    decisions = {{f"proposal-{{p.pk}}-decision": "accepted" for p in report.proposals.all()}}
    response = client.post(f"/review/{{report.pk}}/", {{
        "decision": "approve", "comment": "", "loaded_version": report.version, **decisions}})
    statuses.append(response.status_code)
print(json.dumps(statuses))
"""

READER = """
import json
from django.test import Client
client = Client(raise_request_exception=False)
statuses = [client.get(url).status_code for _ in range(15) for url in ("/", "/actions/", "/actors/MEX/")]
print(json.dumps(statuses))
"""


def _manage(env, code, **kwargs):
    return subprocess.Popen(  # noqa: S603 - this project's own manage.py
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _finish(process):
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.django_db
def test_two_reviewers_deciding_at_once_on_sqlite_both_succeed(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the database of `make run` is SQLite; PostgreSQL has its own test of concurrent writers")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'followup.sqlite3'}",
        "LOG_LEVEL": "CRITICAL",
        "ALLOWED_HOSTS": "testserver",
        "PYTHONPATH": str(ROOT),
    }
    migrate = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    setup = _manage(env, SETUP.format(total=2 * REPORTS_PER_REVIEWER))
    setup.communicate(timeout=300)
    assert setup.returncode == 0

    processes = [_manage(env, REVIEWER.format(index=index)) for index in (0, 1)] + [_manage(env, READER)]
    reviews = [_finish(process) for process in processes[:2]]
    reads = _finish(processes[2])
    assert all(status == 302 for statuses in reviews for status in statuses), reviews
    assert sum(len(statuses) for statuses in reviews) == 2 * REPORTS_PER_REVIEWER
    assert all(status == 200 for status in reads), reads

    check = _manage(
        env,
        "import json; from tracker.models import Action, Report, StatusChange; "
        "print(json.dumps([Report.objects.filter(state='approved').count(), Action.objects.count(), "
        "StatusChange.objects.count()]))",
    )
    approved, actions, changes = _finish(check)
    assert approved == actions == 2 * REPORTS_PER_REVIEWER
    # Each approval records the proposed status on the report's three recommendations.
    assert changes == 3 * 2 * REPORTS_PER_REVIEWER
