"""A backup restored gives back the same record: the same API output, the same rows, the same history.

Two round trips, each from a record written through the services (assessments, actions published and
withdrawn, evidence, a liaison's report approved):

- `dumpdata` → `flush` → `loaddata`, on any database;
- `pg_dump -Fc` → `pg_restore` into a fresh database, which the site is then pointed at (PostgreSQL).

"The same output" is every list of the API (every endpoint its root lists, every page of it), the
downloads, and the public pages, compared byte for byte; plus the number of rows of every table.
"""

import json
import os
import re
import subprocess
import uuid

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client

from tests.factories import (
    ActorFactory,
    BodyFactory,
    ForumFactory,
    LiaisonFactory,
    RecommendationFactory,
    ResponsibilityFactory,
    UserFactory,
)
from tracker import services
from tracker.models import Action, Evidence, Report, Status

# Transactional: pg_dump must see the rows committed. Nothing here relies on rows made by migrations
# (the staff group): an earlier transactional test may have flushed them.
pytestmark = pytest.mark.django_db(transaction=True)

PAGES = ["/", "/recommendations/", "/recommendations/1/", "/recommendations/2/", "/actors/", "/actions/", "/forum/"]
DOWNLOADS = ["/export/actions.csv", "/export/matrix.csv", "/export/recommendations.csv"]


def build_record():
    """A record written the way staff and liaisons write it: through the services."""
    staff = UserFactory(username="backup-staff", is_staff=True)
    forum = ForumFactory()
    recommendations = [RecommendationFactory(forum=forum, number=n, short_title=f"Topic {n}") for n in (1, 2, 3)]
    actors = [ActorFactory(code=code, name=name) for code, name in [("MEX", "Mexico"), ("CAN", "Canada")]]
    actors.append(BodyFactory(code="RCM", name="Regional Conference on Migration"))
    responsibilities = [ResponsibilityFactory(recommendation=r, actor=a) for r in recommendations for a in actors]
    for n, responsibility in enumerate(responsibilities):
        for status in [Status.PENDING, Status.PARTIAL, Status.SUBSTANTIAL][: 1 + n % 3]:
            services.responsibility_set_status(
                responsibility=responsibility, status=status, by=staff, reason=f"Assessment {n}: {status}."
            )
    services.recommendation_set_status(
        recommendation=recommendations[0], status=Status.PARTIAL, by=staff, reason="Half the states acted."
    )
    for n in range(6):
        action = Action(
            actor=actors[n % 3],
            taken_on=f"2020-0{1 + n}-15",
            title=f"Action «{n}» — ünïcode",
            description=f"A **plan** number {n}.\n\n- one\n- two",
            information_source="National report",
            state=Action.State.PUBLISHED if n % 3 else Action.State.DRAFT,
        )
        services.action_save(action=action, by=staff, recommendations=recommendations[: 1 + n % 3])
        services.evidence_save(
            evidence=Evidence(action=action, title="Gazette", url=f"https://example.org/{n}"), by=staff
        )
    services.action_withdraw(action=Action.objects.published().first(), by=staff, reason="Reported twice.")
    liaison = LiaisonFactory(user=UserFactory(username="backup-liaison"), actor=actors[0]).user
    report = Report(
        actor=actors[0],
        author=liaison,
        taken_on="2024-05-02",
        title="Regularisation programme",
        description="For *40,000* migrants.",
        evidence_links="https://example.org/decree",
        proposed_status=Status.FULL,
        proposed_reasoning="All measures in place.",
    )
    report = services.report_save(report=report, by=liaison, recommendations=recommendations[:2])
    report = services.report_submit(report=report, by=liaison)
    services.report_approve(report=report, by=staff, accept_status=True)


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def site_output():
    """Everything the site publishes, by address."""
    cache.clear()
    client = Client()
    output = {}
    root = client.get("/api/")
    if root.status_code == 200:
        for name, url in sorted(json.loads(root.content).items()):
            page = 1
            while url:
                body = json.loads(_get(client, url + ("&" if "?" in url else "?") + "page_size=500"))
                output[f"api {name} {page}"] = body
                url, page = body.get("next") if isinstance(body, dict) else None, page + 1
    for url in DOWNLOADS:
        if client.get(url).status_code != 404:
            output[url] = _get(client, url)
    for url in PAGES:
        output[url] = _get(client, url)
    assert any(key.startswith("api actions") for key in output) or "/export/actions.csv" in output, (
        "neither the API nor the downloads answer: nothing to compare the actions by"
    )
    return output


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def assert_same(before, after):
    assert after.keys() == before.keys()
    for key in before:
        assert after[key] == before[key], f"{key} differs after the restore"


def test_dumpdata_flush_loaddata_gives_back_the_same_record(tmp_path, settings):
    build_record()
    before, counts = site_output(), row_counts()
    assert counts["tracker.StatusChange"] > 10 and counts["tracker.HistoricalAction"] > 6

    # XML keeps datetimes to the microsecond; Django's JSON serialiser cuts them to the millisecond,
    # which would change every "recorded at" in the API (see the README's backup section).
    backup = tmp_path / "backup.xml"
    call_command(
        "dumpdata",
        "--natural-foreign",
        "--exclude=contenttypes",
        "--exclude=auth.permission",
        "--exclude=sessions",
        format="xml",
        output=str(backup),
        verbosity=0,
    )
    call_command("flush", interactive=False, verbosity=0)
    assert row_counts()["tracker.Action"] == 0
    # loaddata saves rows "raw", which simple-history ignores, but it then sets many-to-many fields, and
    # simple-history records that as a new version of each action and report, dated now and by nobody.
    # A restore must not add history, so it runs with history recording switched off.
    settings.SIMPLE_HISTORY_ENABLED = False
    call_command("loaddata", str(backup), verbosity=0)
    settings.SIMPLE_HISTORY_ENABLED = True

    assert_same(before, site_output())

    # Content types and permissions are not in the backup: Django makes them again after a flush.
    def record(rows):
        return {k: v for k, v in rows.items() if not k.startswith("contenttypes.") and k != "auth.Permission"}

    assert record(row_counts()) == record(counts)


def _pg_env():
    settings = connection.settings_dict
    env = {**os.environ, "PGHOST": settings["HOST"] or "127.0.0.1", "PGPORT": str(settings["PORT"] or 5432)}
    env["PGUSER"] = settings["USER"] or "postgres"
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return env


def _run(*command):
    subprocess.run(command, check=True, capture_output=True, env=_pg_env(), timeout=120)  # noqa: S603


def test_pg_dump_and_pg_restore_give_back_the_same_record(postgresql, tmp_path):
    build_record()
    before, counts = site_output(), row_counts()
    original = connection.settings_dict["NAME"]
    restored = f"{original}_restored_{uuid.uuid4().hex[:8]}"
    assert re.fullmatch(r"[a-z0-9_]+", restored)
    backup = tmp_path / "backup.dump"
    _run("pg_dump", "-Fc", "--no-owner", "-f", str(backup), original)
    _run("createdb", restored)
    try:
        _run("pg_restore", "--no-owner", "--exit-on-error", "-d", restored, str(backup))
        connection.close()
        connection.settings_dict["NAME"] = restored
        try:
            assert connection.cursor().connection.info.dbname == restored
            after, after_counts = site_output(), row_counts()
        finally:
            connection.close()
            connection.settings_dict["NAME"] = original
    finally:
        _run("dropdb", "--if-exists", "--force", restored)
    assert_same(before, after)
    assert after_counts == counts
