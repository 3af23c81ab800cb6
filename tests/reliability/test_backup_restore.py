"""A backup restored gives back the same record: the same API output, the same rows, the same history.

Three round trips, each from a record written through the services (assessments, actions published and
withdrawn, evidence links and a document, a liaison's report approved, a translation saved in Spanish,
text with control characters):

- `manage.py backup` → `manage.py restore` into a freshly migrated database (an SQLite file, or a second
  PostgreSQL database), on either database;
- `dumpdata` → `flush` → `loaddata`, on any database;
- `pg_dump -Fc` → `pg_restore` into a fresh database, which the site is then pointed at (PostgreSQL).

"The same output" is every list of the API (every page of it), the downloads and the public pages,
compared byte for byte; for `backup` and `restore` also every column of every row of every table the
record lives in, compared as the database returns them, so the history's timestamps to the microsecond.
And the restore's refusals: a database holding follow-up data without `--replace`, and files that are
not backups, of another format version or corrupted; each changes nothing.
"""

import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from contextlib import closing, contextmanager
from urllib.parse import quote, urlsplit

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.test import Client
from django.utils import translation

from forum.models import Recommendation
from tests.factories import (
    ActorFactory,
    BodyFactory,
    ForumFactory,
    LiaisonFactory,
    RecommendationFactory,
    ResponsibilityFactory,
    UserFactory,
)
from tests.reliability.conftest import ROOT
from tracker import backups, services
from tracker.caching import data_version
from tracker.models import Action, Actor, Evidence, Report, Responsibility, Status, StatusChange

# Transactional: pg_dump, a second database and another thread must see the rows committed. The rows
# the migrations made (content types, permissions, the staff group) are put back before each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

API_LISTS = ["/api/recommendations/", "/api/actors/", "/api/responsibilities/", "/api/actions/", "/api/status-changes/"]
PAGES = ["/", "/recommendations/", "/recommendations/1/", "/recommendations/2/", "/actors/", "/actions/", "/forum/"]
DOWNLOADS = ["/export/actions.csv", "/export/matrix.csv", "/export/recommendations.csv"]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# Tables a restore leaves as they are, and the test with them: migrate makes the content types and
# permissions, each database counts its own record version, and sessions and login attempts are not kept.
NOT_RESTORED = {"contenttypes", "sessions", "axes", "auth.permission", "tracker.recordversion"}
# Tables that name permissions, whose ids are the database's own: compared by the permissions' names.
GRANTS = {"auth.group_permissions", "auth.user_user_permissions"}
# The freshly migrated database numbers its content types and permissions apart from the test database's,
# as another database would: the backup must name them, not number them.
RENUMBER = [
    "UPDATE django_content_type SET id = id + 1000",
    "UPDATE auth_permission SET id = id + 5000, content_type_id = content_type_id + 1000",
    "UPDATE auth_group_permissions SET permission_id = permission_id + 5000",
    "UPDATE auth_user_user_permissions SET permission_id = permission_id + 5000",
    "UPDATE django_admin_log SET content_type_id = content_type_id + 1000",
]


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """The comparisons fetch every page of every list: rate limits are not what is tested here."""
    settings.API_THROTTLE_ANON = settings.API_THROTTLE_USER = settings.DOWNLOAD_THROTTLE_ANON = None


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
    )
    proposals = dict.fromkeys(
        actors[0].responsibilities.filter(recommendation__in=recommendations[:2]),
        (Status.FULL, "All measures in place."),
    )
    report = services.report_save(report=report, by=liaison, recommendations=recommendations[:2], proposals=proposals)
    report = services.report_submit(report=report, by=liaison, expected_version=report.version)
    services.report_approve(
        report=report,
        by=staff,
        expected_version=report.version,
        proposal_decisions={p.pk: ("accepted", "") for p in report.proposals.all()},
    )
    return staff


def add_harder_rows(staff):
    """What a serialiser can lose: a translation saved in Spanish, control characters, a document."""
    recommendation = Recommendation.objects.get(number=2)
    with translation.override("es"):
        # modeltranslation also writes the Spanish into the untranslated `short_title` column.
        recommendation.short_title = "Tema 2, traducido"
        recommendation.save()
    action = Action(
        actor=Actor.objects.get(code="CAN"),
        taken_on="2024-03-01",
        title="Vertical\x0btab, line\u2028separator, 🌎",
        description="Form\x0cfeed, bell\x07 and escape\x1b[0m, pasted from a terminal.",
        information_source="Gazette",
        state=Action.State.PUBLISHED,
    )
    services.action_save(action=action, by=staff, recommendations=[recommendation])
    document = SimpleUploadedFile("decree.pdf", PDF, content_type="application/pdf")
    services.evidence_save(evidence=Evidence(action=action, title="Decree", document=document), by=staff)
    staff.user_permissions.add(Permission.objects.get(codename="view_report"))


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def site_output():
    """Everything the site publishes, by address, as bytes: every page of every API list, downloads, pages."""
    cache.clear()
    client = Client()
    lists = set(API_LISTS)
    root = client.get("/api/")
    if root.status_code == 200:
        lists |= {urlsplit(url).path for url in json.loads(root.content).values()}
    output, paged = {}, False
    for path in sorted(lists):
        url, page = f"{path}?page_size=7", 1
        while url:
            output[f"{path} page {page}"] = body = _get(client, url)
            url, page = json.loads(body).get("next"), page + 1
            paged |= page > 2
    assert paged, "no API list has a second page: the comparison would not cover paging"
    for url in DOWNLOADS + PAGES:
        output[url] = _get(client, url)
    return output


def assert_same(before, after):
    assert after.keys() == before.keys()
    for key in before:
        assert after[key] == before[key], f"{key} differs after the restore"


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def table_rows():
    """Every row of every table the record lives in, as the database returns it, by table.

    Chosen here, not from `tracker.backups`: a table the backup forgot would show up as a difference.
    """
    quote_name = connection.ops.quote_name
    rows = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if {model._meta.app_label, model._meta.label_lower} & (NOT_RESTORED | GRANTS):
                continue
            table, pk = model._meta.db_table, model._meta.pk.column
            cursor.execute(f"SELECT * FROM {quote_name(table)} ORDER BY {quote_name(pk)}")  # noqa: S608
            rows[table] = cursor.fetchall()
    user = get_user_model()
    for grants, owner in [(Group.permissions.through, "group"), (user.user_permissions.through, "user")]:
        rows[grants._meta.db_table] = list(
            grants.objects.order_by("pk").values_list(
                "pk",
                owner,
                "permission__content_type__app_label",
                "permission__content_type__model",
                "permission__codename",
            )
        )
    return rows


def history_dates():
    """(model, id, date) of every history row: simple-history's and the status changes'."""
    dates = [("statuschange", pk, at) for pk, at in StatusChange.objects.values_list("pk", "changed_at")]
    for model in apps.get_models():
        if any(field.name == "history_date" for field in model._meta.fields):
            dates += [(model._meta.label, *row) for row in model.objects.values_list("pk", "history_date")]
    return sorted(dates)


def assert_same_tables(before, after):
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], f"{table} differs after the restore"


def run_command(*args, **kwargs):
    """Run a management command as from a log: its output, which must be one line."""
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    assert out.getvalue().count("\n") == 1 and "\r" not in out.getvalue(), out.getvalue()
    return out.getvalue()


# --- A second, freshly migrated database -------------------------------------------------------------


def _pg_env():
    settings = connection.settings_dict
    env = {**os.environ, "PGHOST": settings["HOST"] or "127.0.0.1", "PGPORT": str(settings["PORT"] or 5432)}
    env["PGUSER"] = settings["USER"] or "postgres"
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return env


def _run(*command):
    subprocess.run(command, check=True, capture_output=True, env=_pg_env(), timeout=120)


def _database_url(name):
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings.get("PASSWORD") else ""
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    return f"postgres://{quote(settings['USER'] or 'postgres', safe='')}{password}@{host}:{port}/{name}"


def manage(*args, database):
    """`manage.py` in a process of its own, against `database`, as an operator runs it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": _database_url(database),
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


@contextmanager
def connected_to(name):
    """This thread's default connection pointed at another database of the same server (or another file)."""
    original = connections["default"]
    other = original.__class__({**original.settings_dict, "NAME": name}, "default")
    connections["default"] = other
    # Content types are cached by database alias, and the alias now names another database.
    ContentType.objects.clear_cache()
    try:
        yield name
    finally:
        other.close()
        connections["default"] = original
        ContentType.objects.clear_cache()


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory):
    """A database made by `manage.py migrate` alone, once per module; each test gets a copy."""
    if connection.vendor == "sqlite":
        name = str(tmp_path_factory.mktemp("fresh") / "template.sqlite3")
    else:
        name = f"{connection.settings_dict['NAME']}_fresh_{uuid.uuid4().hex[:8]}"
        _run("createdb", name)
    try:
        result = manage("migrate", "--noinput", database=name)
        assert result.returncode == 0, result.stderr
        if connection.vendor == "sqlite":
            with closing(sqlite3.connect(name)) as database, database:
                for statement in RENUMBER:
                    database.execute(statement)
        else:
            _run("psql", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-1", "-d", name, *(f"-c{s};" for s in RENUMBER))
        yield name
    finally:
        if connection.vendor != "sqlite":
            _run("dropdb", "--if-exists", "--force", name)


@pytest.fixture
def fresh_database(migrated_template, tmp_path):
    """A copy of the migrated template, and a way to point this process's connection at it."""
    if connection.vendor == "sqlite":
        name = str(tmp_path / "fresh.sqlite3")
        assert not os.path.exists(migrated_template + "-wal")
        shutil.copyfile(migrated_template, name)
    else:
        name = f"{migrated_template}_{uuid.uuid4().hex[:6]}"
        assert re.fullmatch(r"[a-z0-9_]+", name)
        _run("createdb", "-T", migrated_template, name)

    yield lambda: connected_to(name)
    if connection.vendor != "sqlite":
        _run("dropdb", "--if-exists", "--force", name)


# --- manage.py backup and restore --------------------------------------------------------------------


def test_backup_restored_into_a_freshly_migrated_database_gives_back_the_same_record(
    tmp_path, settings, fresh_database
):
    settings.MEDIA_ROOT = tmp_path / "media"
    staff = build_record()
    add_harder_rows(staff)
    before, tables, counts, dates = site_output(), table_rows(), row_counts(), history_dates()
    assert counts["tracker.StatusChange"] > 10 and counts["tracker.HistoricalAction"] > 6
    # Django's JSON encoder would cut these to the millisecond: some must have digits beyond it.
    assert any(at.microsecond % 1000 for _model, _pk, at in dates)

    backup = tmp_path / "followup.zip"
    message, written = run_command("backup", str(backup)), counts_of(backup)
    assert (
        message
        == f"Backup written: {sum(written.values()):,} rows of {len(written)} tables and 1 document to {backup}.\n"
    )

    settings.MEDIA_ROOT = tmp_path / "media-restored"
    with fresh_database() as name:
        assert backups.follow_up_rows() == {}, "a freshly migrated database must count as empty"
        assert ContentType.objects.order_by("pk").first().pk > 1000, "the fresh database numbers alike"
        version = data_version()
        message = run_command("restore", str(backup))
        assert message == f"Restored {sum(written.values()):,} rows and 1 document from {backup}.\n"
        after, after_tables, after_counts, after_dates = site_output(), table_rows(), row_counts(), history_dates()
        assert data_version() > version, "the page cache's version was not raised"
        document = Evidence.objects.exclude(document="").get().document.name
        with default_storage.open(document) as stored:
            assert stored.read() == PDF

        # The restored database, backed up again by an operator, gives the same rows.
        again = manage("backup", str(tmp_path / "again.zip"), database=name)
        assert again.returncode == 0 and again.stdout.count("\n") == 1, again.stderr
        assert record_of(tmp_path / "again.zip") == record_of(backup)
        # Restored once, it holds follow-up data: the command line refuses, exits non-zero, changes nothing.
        refused = manage("restore", str(backup), database=name)
        assert refused.returncode == 1 and "already holds follow-up data" in refused.stderr, refused
        assert refused.stdout == "" and table_rows() == after_tables

        # The sequences were set past the restored ids: new rows get new ones.
        last = StatusChange.objects.order_by("-pk").first().pk
        services.responsibility_set_status(
            responsibility=Responsibility.objects.first(),
            status=Status.FULL,
            by=get_user_model().objects.get(username="backup-staff"),
            reason="After the restore.",
        )
        assert StatusChange.objects.order_by("-pk").first().pk > last

    assert_same(before, after)
    assert_same_tables(tables, after_tables)
    assert after_dates == dates
    assert after_counts == counts


def counts_of(path):
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json"))["counts"]


def record_of(path):
    """The rows of a backup, each as a dict (the order of a row's fields may differ between processes)."""
    with zipfile.ZipFile(path) as archive:
        return [json.loads(line) for line in archive.read("record.jsonl").splitlines()]


def test_restore_refuses_a_database_that_holds_follow_up_data_and_changes_nothing(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    staff = build_record()
    backup = tmp_path / "followup.zip"
    run_command("backup", str(backup))
    # The database moves on, so a restore that went ahead would show.
    add_harder_rows(staff)
    before, tables, version = site_output(), table_rows(), data_version()

    with pytest.raises(CommandError, match=r"already holds follow-up data .*Nothing was changed.*--replace"):
        call_command("restore", str(backup), stdout=io.StringIO())

    assert table_rows() == tables and site_output() == before and data_version() == version
    assert sorted(p.name for p in tmp_path.iterdir()) == ["followup.zip", "media"], "it wrote a backup anyway"


def test_restore_with_replace_keeps_what_it_replaced_and_that_backup_restores_too(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    staff = build_record()
    backup = tmp_path / "first.zip"
    run_command("backup", str(backup))
    first, first_tables = site_output(), table_rows()
    add_harder_rows(staff)
    second, second_tables = site_output(), table_rows()
    assert second != first
    # Content types renumbered after this process cached them (as a flush and a migrate do): the
    # restore must find the permissions it names by the rows as they are now.
    ContentType.objects.get_for_model(Recommendation)
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in RENUMBER:
            cursor.execute(statement)

    kept_dir = tmp_path / "kept"
    kept_dir.mkdir()
    message = run_command("restore", str(backup), "--replace", "--keep-dir", str(kept_dir))
    (kept,) = kept_dir.iterdir()
    assert message.endswith(f"from {backup}; what it replaced is kept in {kept}.\n")
    assert_same(first, site_output())
    assert_same_tables(first_tables, table_rows())

    # What was replaced comes back from the file the restore kept; this time kept next to that file.
    message = run_command("restore", str(kept), "--replace")
    assert len(list(kept_dir.iterdir())) == 2 and "what it replaced is kept in" in message
    assert_same(second, site_output())
    assert_same_tables(second_tables, table_rows())


def _rewritten(source, target, *, manifest=None, record=None):
    """A copy of a backup with its manifest or its record changed by the given functions."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "manifest.json" and manifest:
                data = json.dumps(manifest(json.loads(data))).encode()
            if item.filename == "record.jsonl" and record:
                data = record(data.decode()).encode()
            copy.writestr(item, data)


def _flip_a_byte_of_the_record(source, target):
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:
        member = archive.getinfo("record.jsonl")
    header = member.header_offset
    name_length, extra_length = (
        int.from_bytes(data[header + 26 : header + 28], "little"),
        int.from_bytes(data[header + 28 : header + 30], "little"),
    )
    data[header + 30 + name_length + extra_length + member.compress_size // 2] ^= 0xFF
    target.write_bytes(bytes(data))


def _dangling_status_change(record):
    """A status change that names a responsibility the file does not hold: only the database can tell."""
    lines = record.splitlines(keepends=True)
    for n, line in enumerate(lines):
        row = json.loads(line)
        if row["model"] == "tracker.statuschange" and row["fields"]["responsibility"]:
            row["fields"]["responsibility"] = 999999
            lines[n] = json.dumps(row) + "\n"
            return "".join(lines)
    raise AssertionError("no status change of a responsibility in the backup")


CORRUPTIONS = {
    "not a zip file": (lambda source, target: target.write_text("pg_dump output, perhaps"), "not a zip file"),
    "cut short": (lambda source, target: target.write_bytes(source.read_bytes()[:-2000]), "or cut short"),
    "a byte changed": (_flip_a_byte_of_the_record, "corrupted"),
    "another application's zip": (
        lambda source, target: _rewritten(source, target, manifest=lambda m: {**m, "format": "other"}),
        "not a backup written by `manage.py backup`",
    ),
    "a later format version": (
        lambda source, target: _rewritten(source, target, manifest=lambda m: {**m, "format_version": 2}),
        "format version 2",
    ),
    "another version's migrations": (
        lambda source, target: _rewritten(
            source, target, manifest=lambda m: {**m, "migrations": {**m["migrations"], "tracker": ["0001_initial"]}}
        ),
        "written by another version of the application",
    ),
    "a row missing": (
        lambda source, target: _rewritten(source, target, record=lambda r: "".join(r.splitlines(True)[:-1])),
        "corrupted",
    ),
    "a row naming a missing row": (
        lambda source, target: _rewritten(source, target, record=_dangling_status_change),
        "could not be restored",
    ),
    "a column this version does not have": (
        lambda source, target: _rewritten(
            source, target, record=lambda r: r.replace('"fields": {', '"fields": {"x": 1,', 1)
        ),
        "could not be restored",
    ),
}


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_restore_refuses_a_bad_file_and_changes_nothing(tmp_path, settings, corruption):
    settings.MEDIA_ROOT = tmp_path / "media"
    staff = build_record()
    good = tmp_path / "good.zip"
    run_command("backup", str(good))
    add_harder_rows(staff)
    tables, version = table_rows(), data_version()
    damage, message = CORRUPTIONS[corruption]
    bad = tmp_path / "bad.zip"
    damage(good, bad)

    # The hardest case: --replace over a database with data, so the tables are emptied before loading.
    with pytest.raises(CommandError, match="Nothing was changed") as refusal:
        call_command("restore", str(bad), "--replace", stdout=io.StringIO())

    assert message in str(refusal.value)
    assert table_rows() == tables and data_version() == version


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_shows_on_a_terminal_and_stays_out_of_logs(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    build_record()
    terminal = Terminal()
    call_command("backup", str(tmp_path / "followup.zip"), stdout=terminal)
    assert "\rwriting tracker.statuschange: " in terminal.getvalue()
    assert terminal.getvalue().endswith(f"to {tmp_path / 'followup.zip'}.\n")
    # Not on a terminal: the summary line only (run_command checks it).
    run_command("backup", str(tmp_path / "again.zip"))


def test_backup_reads_one_snapshot_and_leaves_writers_free(tmp_path, settings, fresh_database):
    """A write committed while the backup runs is wholly out of it, and is not kept waiting.

    On PostgreSQL the backup reads one REPEATABLE READ snapshot; on SQLite a read transaction of its
    own (WAL), where Django's transactions would begin IMMEDIATE and hold every writer until the end.
    Run in a database file of its own on SQLite: the test database there lives in memory, without WAL.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    with fresh_database() as name:
        staff = build_record()
        changes = StatusChange.objects.count()
        waited = []

        def assess_elsewhere():
            with connected_to(name):
                started = time.monotonic()
                services.responsibility_set_status(
                    responsibility=Responsibility.objects.first(), status=Status.FULL, by=staff, reason="Meanwhile."
                )
                waited.append(time.monotonic() - started)

        writers = []

        def progress(step, done, total):
            # Once, after the backup's first table and before it reads the status changes.
            if not writers:
                writers.append(threading.Thread(target=assess_elsewhere, daemon=True))
                writers[0].start()
                writers[0].join(timeout=30)

        manifest = backups.write_backup(tmp_path / "followup.zip", progress=progress)
        assert waited and waited[0] < 5, "the other writer was kept waiting, or failed"
        assert StatusChange.objects.count() == changes + 1
        assert manifest["counts"]["tracker.statuschange"] == changes


# --- dumpdata and loaddata; pg_dump and pg_restore -------------------------------------------------


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
