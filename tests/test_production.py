"""Production settings: the deployment checks pass, headers are set, errors have the site's pages."""

import datetime
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse


def test_check_deploy_reports_nothing_with_production_settings():
    # The test settings relax HTTPS redirection for the test client; production keeps the default.
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("SECURE_SSL_REDIRECT", "SECURE_COOKIES")},
        "DEBUG": "false",
        "SECRET_KEY": "k" * 20 + "-a-long-random-production-key-" + "z" * 20,
        "ALLOWED_HOSTS": "followup.example.org",
        "SITE_URL": "https://followup.example.org",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


WARMED = """
import gc
from config.wsgi import application
from django.template import engines
from django.utils.translation import trans_real
loader = engines["django"].engine.template_loaders[0]
print(gc.get_freeze_count(), len(trans_real._translations), "tracker/dashboard.html" in loader.get_template_cache)
"""


def test_a_worker_loads_its_templates_and_catalogues_then_freezes_them_out_of_garbage_collection():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "k" * 20 + "-a-long-random-production-key-" + "z" * 20,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", WARMED], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    frozen, catalogues, compiled = result.stdout.split()
    assert int(frozen) > 50_000 and int(catalogues) >= len(settings.LANGUAGES) and compiled == "True", result.stdout


@pytest.mark.parametrize("site_url", [None, "http://127.0.0.1:8000", "http://followup.example.org"])
def test_check_deploy_asks_for_the_sites_public_address(site_url):
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("SECURE_SSL_REDIRECT", "SECURE_COOKIES", "SITE_URL")},
        "DEBUG": "false",
        "SECRET_KEY": "k" * 20 + "-a-long-random-production-key-" + "z" * 20,
        "ALLOWED_HOSTS": "followup.example.org",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **({"SITE_URL": site_url} if site_url else {}),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "tracker.W001" in result.stdout + result.stderr


def test_the_settings_refuse_to_start_without_a_secret_key_when_debug_is_off():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update({"DEBUG": "false", "DJANGO_SETTINGS_MODULE": "config.settings"})
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def database_options(**environment):
    """The database OPTIONS the production settings make of `environment` (on PostgreSQL)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_PREPARE_THRESHOLD"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": "postgres://followup@db.invalid:5432/followup",
            **environment,
        }
    )
    script = (
        "from django.conf import settings; o = settings.DATABASES['default']['OPTIONS']\n"
        "print(o['server_side_binding'], o['prepare_threshold'], o['cursor_factory'].__module__, o['connect_timeout'])"
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("environment", "threshold"),
    [({}, 1), ({"DATABASE_PREPARE_THRESHOLD": "5"}, 5), ({"DATABASE_PREPARE_THRESHOLD": "off"}, None)],
)
def test_postgresql_binds_parameters_on_the_server_and_prepares_what_a_connection_runs_again(environment, threshold):
    result = database_options(**environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"True {threshold} config.postgresql 2"


def test_a_prepare_threshold_that_is_not_a_number_is_refused_by_name():
    result = database_options(DATABASE_PREPARE_THRESHOLD="twice")
    assert result.returncode != 0
    assert "DATABASE_PREPARE_THRESHOLD must be a number of runs or 'off', not 'twice'." in result.stderr


@pytest.mark.django_db
def test_a_statement_a_kept_connection_runs_again_is_prepared():
    """What the setting buys: PostgreSQL keeps the parsed and planned statement for the connection."""
    from django.db import connection

    from tracker.models import Actor

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    list(Actor.objects.filter(code="MEX"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ['%"tracker_actor"%'])
        assert cursor.fetchone() == (0,)
    list(Actor.objects.filter(code="ARG"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ['%"tracker_actor"%'])
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db
def test_a_text_search_is_never_prepared_but_planned_for_its_words():
    from django.db import connection

    from tracker.models import Actor
    from tracker.search import parse_query
    from tracker.selectors import search

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    for words in ("consular", "consular", "protection", "trafficking OR smuggling"):
        search.counts(search.matching(parse_query(words), "en", search.SearchFilters()))
    for code in ("MEX", "ARG"):
        list(Actor.objects.filter(code=code))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%to_tsquery(%"])
        assert cursor.fetchone() == (0,)
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ['%"tracker_actor"%'])
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db
def test_timestamps_are_read_as_djangos_own_loader_reads_them():
    """The connections read a timestamptz through psycopg's compiled parser (`timestamptz_loader`):
    the same instants, with the same tzinfo, as Django's loader, and nothing where the value is null."""
    from django.db import connection
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader

    from config.postgresql import timestamptz_loader

    if connection.vendor != "postgresql":
        pytest.skip("the loader is PostgreSQL's")
    values = [
        "2008-04-17 15:30:00-03",
        "2024-03-10 06:59:59.999999+00",
        "2024-11-03 05:30:00.5+00",
        "0001-01-01 00:00:00+00",
        "9999-12-31 23:59:59.999999+00",
        "1901-12-13 20:45:52+05:45",
    ]
    sql = "SELECT value::timestamptz FROM unnest(%s::text[]) WITH ORDINALITY AS v(value, n) ORDER BY n"
    connection.ensure_connection()
    raw = connection.connection
    timestamptz = raw.adapters.types["timestamptz"].oid
    assert raw.adapters.get_loader(timestamptz, 0).__qualname__ == timestamptz_loader(None).__qualname__
    with raw.cursor() as cursor:
        cursor.execute(sql, [values])
        ours = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT NULL::timestamptz")
        assert cursor.fetchone() == (None,)

    class DjangosLoader(BaseTzLoader):
        timezone = connection.timezone

    with raw.cursor() as cursor:
        cursor.adapters.register_loader("timestamptz", DjangosLoader)
        cursor.execute(sql, [values])
        djangos = [row[0] for row in cursor.fetchall()]
    assert [(value, value.tzinfo) for value in ours] == [(value, value.tzinfo) for value in djangos]
    assert ours[0] == datetime.datetime(2008, 4, 17, 18, 30, tzinfo=datetime.UTC) and ours[0].tzinfo is datetime.UTC


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "FileSystemStorage /srv/documents"),
        (
            {"DOCUMENTS_BUCKET": "followup-documents", "DOCUMENTS_ENDPOINT_URL": "http://127.0.0.1:9000"},
            "S3Storage followup-documents http://127.0.0.1:9000 private",
        ),
    ],
)
def test_documents_go_to_the_storage_the_environment_names(environment, expected):
    """A local folder (shared between machines as a network mount), or an S3-compatible object store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCUMENTS_")}
    env.update({"MEDIA_ROOT": "/srv/documents", "DJANGO_SETTINGS_MODULE": "config.settings", **environment})
    script = (
        "import django; django.setup()\n"
        "from django.core.files.storage import storages\n"
        "s = storages['default']\n"
        "where = [s.bucket_name, s.endpoint_url, s.default_acl] if hasattr(s, 'bucket_name') else [s.location]\n"
        "print(type(s).__name__, *where)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.parametrize("url", ["/", "/recommendations/", "/accounts/login/", "/admin/login/", "/healthz"])
def test_security_headers_on_every_route(db, url):
    response = Client().get(url)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


def test_the_404_page_is_in_the_sites_design(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and "Skip to main content" in body


def test_the_500_page_is_in_the_sites_design(db):
    from django.views.defaults import server_error

    response = server_error(Client().get("/").wsgi_request)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_healthz_reveals_no_versions(db):
    response = Client().get(reverse("tracker:healthz"))
    assert response.content == b"ok\n"
    assert "Server" not in response


def test_json_logs_carry_the_error_and_the_request(rf):
    import json
    import logging

    from config.logging import JsonFormatter

    request = rf.get("/broken/")
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            ("/broken/",),
            sys.exc_info(),
            extra={"request": request, "status_code": 500},
        )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "ERROR" and entry["path"] == "/broken/" and entry["status"] == 500
    assert "ValueError: boom" in entry["exception"]


def test_security_txt_says_how_to_report_a_vulnerability(db, client, settings):
    settings.SECURITY_CONTACT = "mailto:security@followup.example.org"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = dict(line.split(": ", 1) for line in response.content.decode().splitlines())
    assert fields["Contact"] == "mailto:security@followup.example.org"
    expires = datetime.datetime.fromisoformat(fields["Expires"].replace("Z", "+00:00"))
    assert datetime.timedelta(days=30) < expires - datetime.datetime.now(datetime.UTC) < datetime.timedelta(days=365)
    assert fields["Canonical"].endswith("/.well-known/security.txt")
