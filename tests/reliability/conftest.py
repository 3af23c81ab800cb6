"""Shared by the reliability tests: the PostgreSQL requirement, a real gunicorn, and the bad-input tally.

Some of these tests need PostgreSQL itself (row locks under concurrent writers, a server to restart,
pg_dump). On SQLite they skip and say why; when `CI` is set (CI runs on PostgreSQL) they fail
instead, so that a misconfigured CI cannot pass them by skipping.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _in_ci():
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no", "off"}


def skip_or_fail(reason):
    """Skip on a developer's machine; fail in CI, where everything these tests need must be there."""
    if _in_ci():
        pytest.fail(f"{reason} (CI is set, so this cannot be skipped)")
    pytest.skip(reason)


@pytest.fixture
def postgresql(db):
    """The test database must be PostgreSQL (DATABASE_URL=postgres://...)."""
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/followup_rel")
    return connection


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url, timeout=5.0):
    """(status, body) for a GET; status is None when no HTTP answer came (refused, reset, timed out)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - http://127.0.0.1 only
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (OSError, urllib.error.URLError):
        return None, b""


def child_pids(pid):
    """The processes a process started (gunicorn's workers), from /proc."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return sorted(int(value) for value in path.read_text().split())
    except OSError:
        return []


class Gunicorn:
    """gunicorn with the project's config, serving the test database in production settings."""

    def __init__(self, *, database_url, workers=2, extra_env=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            # The real settings, with the static files storage that needs no collectstatic.
            "DJANGO_SETTINGS_MODULE": "config.test_settings",
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECRET_KEY": "reliability-tests-only",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "CONN_MAX_AGE": "60",
            "CACHE_URL": "dummycache://",
            "LOG_LEVEL": "CRITICAL",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_ACCESS_LOG": "/dev/null",
            "GUNICORN_LOG_LEVEL": "critical",
            "GUNICORN_MAX_REQUESTS": "0",
            **(extra_env or {}),
        }
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and config
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            if http_get(self.url + "/healthz", timeout=2)[0] == 200 and len(self.workers()) == int(
                self.env["GUNICORN_WORKERS"]
            ):
                return self
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError("gunicorn did not answer /healthz within 30 s")

    def workers(self):
        return child_pids(self.process.pid)

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def pg_cluster():
    """(version, name) of the local PostgreSQL cluster, or None when it cannot be controlled from here."""
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir() or os.geteuid() != 0:
        return None
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir() if (p / "main").is_dir())
    return (versions[-1], "main") if versions else None


def pg_ctl(action, cluster):
    version, name = cluster
    subprocess.run(  # noqa: S603 - fixed arguments
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action],  # noqa: S607
        check=True,
        capture_output=True,
        timeout=60,
    )


def wait_for_postgresql(timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            try:
                sock.connect(("127.0.0.1", 5432))
            except OSError:
                time.sleep(0.1)
                continue
        result = subprocess.run(  # noqa: S603
            ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"],  # noqa: S607
            check=False,
        )
        if result.returncode == 0:
            return True
        time.sleep(0.1)
    return False


# The bad-input battery counts what it sent and what it found; the totals are printed after the run.
# Each test's counts travel in its report, so that they add up across parallel workers too.

TALLY = Counter()
TOTALS = Counter()


@pytest.fixture(autouse=True)
def _report_tally(request):
    before = Counter(TALLY)
    yield
    counted = Counter(TALLY)
    counted.subtract(before)
    if +counted:
        request.node.user_properties.append(("bad_input_tally", dict(+counted)))


def pytest_runtest_logreport(report):
    if report.when == "teardown":
        for name, counts in report.user_properties:
            if name == "bad_input_tally":
                TOTALS.update(counts)


def pytest_terminal_summary(terminalreporter):
    if not TOTALS:
        return
    terminalreporter.write_sep("-", "bad input battery")
    terminalreporter.write_line(
        "requests sent: {requests} (malformed or oversized posts {malformed}, without CSRF token {csrf}, "
        "injection strings in filters {injection}); payload renderings checked: {renderings}".format(
            **{key: TOTALS[key] for key in ("requests", "malformed", "csrf", "injection", "renderings")}
        )
    )
    terminalreporter.write_line(
        f"server errors (5xx): {TOTALS['server_errors']} (of which known application defects, marked xfail: "
        f"{TOTALS['known_defects']}); unintended changes: {TOTALS['unintended_changes']}; "
        f"unescaped payloads: {TOTALS['unescaped']}"
    )
