"""The processes the benchmark runs and reads: commands, /proc, PostgreSQL, gunicorn, Redis, HTTP GETs."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from scripts.bench.console import progress
from scripts.bench.errors import BenchError

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def run(command, *, env=None, check=True, capture=True, timeout=None):
    result = subprocess.run(  # noqa: S603 - fixed programs, arguments built here
        command, cwd=ROOT, env=env, check=False, capture_output=capture, text=True, timeout=timeout
    )
    if check and result.returncode != 0:
        raise BenchError(f"{' '.join(map(str, command))} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return result


def django_env(base, **extra):
    """The environment of every Django process the benchmark starts: production settings, on 127.0.0.1."""
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-secret-key-not-used-anywhere-else-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        # The rate limits would turn the load into 429s: the benchmark measures the work, not the limit.
        "API_THROTTLE_ANON": "off",
        "API_THROTTLE_USER": "off",
        "DOWNLOAD_THROTTLE_ANON": "off",
        **extra,
    }


# The machine and its processes, from /proc.


def cpu_seconds(pid):
    """utime + stime of a process, in seconds; None once it has exited."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def children(pid):
    try:
        return sorted(int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
    except OSError:
        return []


def pids_named(name):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def load_average():
    return [round(value, 2) for value in os.getloadavg()]


# PostgreSQL.


class Postgres:
    def __init__(self, host, port, user):
        self.host, self.port, self.user = host, port, user
        self.env = {**os.environ, "PGHOST": host, "PGPORT": str(port), "PGUSER": user}

    def url(self, name):
        return f"postgres://{self.user}@{self.host}:{self.port}/{name}"

    def psql(self, sql, database="postgres"):
        result = run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql], env=self.env)
        return result.stdout.strip()

    def ensure_running(self):
        if run(["pg_isready", "-h", self.host, "-p", str(self.port), "-q"], check=False).returncode == 0:
            return
        versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
        if not versions:
            raise BenchError("PostgreSQL is not answering and no local cluster was found to start")
        progress(f"starting PostgreSQL {versions[-1]}")
        run(["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"])
        for _ in range(60):
            if run(["pg_isready", "-h", self.host, "-p", str(self.port), "-q"], check=False).returncode == 0:
                return
            time.sleep(0.5)
        raise BenchError("PostgreSQL did not start")

    @staticmethod
    def _name(database):
        # Names are built by the benchmark; checked anyway, since they are written into SQL.
        if not re.fullmatch(r"[a-z0-9_]+", database):
            raise BenchError(f"unexpected database name {database!r}")
        return database

    def mark(self, database):
        sql = "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{}'"
        return self.psql(sql.format(self._name(database)))

    def backends(self, database):
        """The server processes of the clients connected to this database (the gunicorn workers)."""
        sql = "SELECT pid FROM pg_stat_activity WHERE datname = '{}' AND backend_type = 'client backend'"
        rows = self.psql(sql.format(self._name(database)))
        return [int(pid) for pid in rows.split()]


# Serving.


def get(url, headers=None, timeout=600):
    """(status, headers, body length) of a GET, reading the whole body."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - http://127.0.0.1 only
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # nosec B310
            size = 0
            while chunk := response.read(1 << 20):
                size += len(chunk)
            return response.status, dict(response.headers), size
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), len(error.read())
    except OSError as error:
        return None, {"error": repr(error)}, 0


def get_json(url, timeout=600):
    """The parsed JSON body of a GET that must answer 200."""
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310  # nosec B310
        return json.loads(response.read())


def get_timed(url, headers=None, timeout=600):
    """(status, headers, body length, seconds to the first byte of the body, seconds to the last).

    The body is counted as it crossed the wire: a compressed answer is not decompressed."""
    started = time.monotonic()
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - http://127.0.0.1 only
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # nosec B310
            size = len(response.read(1))
            first_byte = time.monotonic() - started
            while chunk := response.read(1 << 20):
                size += len(chunk)
            return response.status, dict(response.headers), size, first_byte, time.monotonic() - started
    except urllib.error.HTTPError as error:
        elapsed = time.monotonic() - started
        return error.code, dict(error.headers), len(error.read()), elapsed, elapsed
    except OSError as error:
        elapsed = time.monotonic() - started
        return None, {"error": repr(error)}, 0, elapsed, elapsed


class Server:
    """gunicorn with the project's config; workers are never recycled while measuring.

    Its own messages are appended to `log_path`.
    """

    def __init__(self, env, port, log_path):
        self.env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_ACCESS_LOG": "/dev/null",
            "GUNICORN_LOG_LEVEL": "warning",
            # A recycled worker would take its CPU time with it.
            "GUNICORN_MAX_REQUESTS": "0",
            # The full CSV download at 100,000 actions takes longer than the production timeout of 30 s;
            # the benchmark lets it finish, and reports it against that timeout.
            "GUNICORN_TIMEOUT": "600",
        }
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.process = None

    def __enter__(self):
        self.log = open(self.log_path, "a")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(  # noqa: S603
            [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.close()
                raise BenchError(f"gunicorn exited at start: see {self.log_path}")
            if get(self.base + "/healthz")[0] == 200 and len(self.workers()) == 2:
                return self
            time.sleep(0.3)
        self.__exit__()
        raise BenchError("gunicorn did not answer within 60 s")

    def workers(self):
        return children(self.process.pid)

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# Redis (the cached runs).


def flush_redis(db):
    if shutil.which("redis-cli"):
        run(["redis-cli", "-h", "127.0.0.1", "-n", str(db), "FLUSHDB"], check=False)


def redis_available():
    return (
        bool(shutil.which("redis-cli"))
        and run(["redis-cli", "-h", "127.0.0.1", "PING"], check=False).stdout.strip() == "PONG"
    )
