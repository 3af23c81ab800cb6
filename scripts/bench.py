#!/usr/bin/env python3
"""The benchmark behind `make bench`: the public pages' cost, as multiples of a trivial request.

For each size (1,000 and 100,000 actions by default) it builds a PostgreSQL database with
`create_demo_data` (kept and reused on the next run when it was built with the same size and seed;
`--rebuild` forces it), counts the queries of every public page in-process, then serves the site with
gunicorn (`config/gunicorn.conf.py`, 2 workers, production settings) and measures, with `wrk` on
127.0.0.1:

- requests per second, and the CPU time per request of the gunicorn workers and of the PostgreSQL
  backends serving this database (utime + stime from /proc, before and after each run, divided by the
  requests wrk counted);
- for `/healthz` (a trivial request with one `SELECT 1`) and each endpoint, in three interleaved
  repetitions (healthz, then each endpoint, three times over); each endpoint's cost is divided by that
  repetition's healthz cost, and the medians are reported. Ratios cancel much of what the machine is
  doing besides: the figures of a loaded machine are comparable with those of an idle one;
- first with the cache off (`CACHE_URL=dummycache://`), then with Redis, where the pages come from the
  page cache;
- the workers' resident memory at the end, and whether `ETag` / conditional GET answers 304 when nothing
  changed and a new page when something changed elsewhere.

It prints a table with each target PASS or FAIL, and writes it to bench-results/bench.txt and, with
every figure, to bench-results/bench.json. A missed target is a result, not an error: the exit status
is non-zero only when the benchmark itself could not run.

Standard library only; it shells out to wrk, psql, createdb, dropdb and redis-cli.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SCHEMA_MARK = 1
# gunicorn's own messages go here (set from --out).
SERVER_LOG = (
    ROOT / "bench-results" / "gunicorn.log"
)  # raise when create_demo_data changes what it writes, to rebuild kept databases

# What is measured under load: (name, path, served from the page cache when it is on).
ENDPOINTS = [
    ("healthz", "/healthz", False),
    ("dashboard", "/", True),
    ("recommendation", "/recommendations/1/", True),
    ("actor", "/actors/MEX/", True),
    ("api_actions", "/api/actions/", False),
    ("csv_actions", "/export/actions.csv", False),
]
# Every public page whose queries are counted at both sizes.
COUNTED_PAGES = [
    "/healthz",
    "/",
    "/recommendations/",
    "/recommendations/1/",
    "/actors/",
    "/actors/MEX/",
    "/actions/",
    "/actions/?recommendation=1&q=plan",
    "/forum/",
    "/report/",
    "/feed/",
    "/recommendations/1/feed/",
    "/actors/MEX/feed/",
    "/api/recommendations/",
    "/api/actors/",
    "/api/responsibilities/",
    "/api/actions/",
    "/api/status-changes/",
    "/export/actions.csv",
    "/export/matrix.csv",
    "/export/recommendations.csv",
]
# Downloads stream every row, so their queries grow by design with the rows (a few per chunk of 2,000).
STREAMED = {"/export/actions.csv", "/export/matrix.csv", "/export/recommendations.csv"}
# Above this many actions, the full CSV download takes seconds per request: it is measured with one
# request per repetition instead of wrk, and only without the page cache (which it does not use).
CSV_WRK_LIMIT = 10_000

TARGETS = {
    "dashboard_growth": 1.2,
    "uncached_vs_healthz": 15.0,
    "cached_vs_healthz": 2.0,
    "worker_rss_mb": 150.0,
    "demo_data_seconds": 120.0,
    "gunicorn_timeout_seconds": 30.0,
}


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


class BenchError(RuntimeError):
    """The benchmark could not run (as opposed to a target missed)."""


def run(command, *, env=None, check=True, capture=True, timeout=None):
    result = subprocess.run(  # noqa: S603 - fixed programs, arguments built here
        command, cwd=ROOT, env=env, check=False, capture_output=capture, text=True, timeout=timeout
    )
    if check and result.returncode != 0:
        raise BenchError(f"{' '.join(map(str, command))} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return result


# The machine and its processes.


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
        log(f"starting PostgreSQL {versions[-1]}")
        run(["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"])
        for _ in range(60):
            if run(["pg_isready", "-h", self.host, "-p", str(self.port), "-q"], check=False).returncode == 0:
                return
            time.sleep(0.5)
        raise BenchError("PostgreSQL did not start")

    @staticmethod
    def _name(database):
        # Names are built by this script; checked anyway, since they are written into SQL.
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


# Building the datasets.


def database_name(actions):
    if actions % 1000 == 0:
        return f"followup_bench_{actions // 1000}k"
    return f"followup_bench_{actions}"


def django_env(base, **extra):
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
        **extra,
    }


def build(pg, base_env, *, actions, seed, rebuild):
    """Create, migrate and fill the database for this size, unless it is already there."""
    name = database_name(actions)
    mark = f"followup bench: actions={actions} seed={seed} schema={SCHEMA_MARK} complete"
    kept = pg.mark(name)
    if not rebuild and kept.startswith(mark):
        log(f"{name}: reusing (built earlier with {actions} actions, seed {seed}; --rebuild to build it again)")
        try:
            earlier = json.loads(kept[len(mark) :].strip() or "{}")
        except ValueError:
            earlier = {}
        # The data stays; the schema follows the code (a new migration must not break a reused database).
        run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
            env=django_env(base_env, DATABASE_URL=pg.url(name)),
        )
        return {**earlier, "database": name, "built": False}
    log(f"{name}: building with {actions} actions (seed {seed})")
    run(["dropdb", "--if-exists", "--force", name], env=pg.env)
    run(["createdb", name], env=pg.env)
    env = django_env(base_env, DATABASE_URL=pg.url(name), CACHE_URL="dummycache://")
    started = time.monotonic()
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env=env)
    migrated = time.monotonic()
    result = run([PYTHON, "manage.py", "create_demo_data", "--actions", str(actions), "--seed", str(seed)], env=env)
    filled = time.monotonic()
    reported = re.search(r"Demo data added in ([\d.]+) s", result.stdout)
    pg.psql("VACUUM ANALYZE", database=name)
    info = {
        "database": name,
        "built": True,
        "migrate_seconds": round(migrated - started, 1),
        "create_demo_data_seconds": float(reported.group(1)) if reported else None,
        "create_demo_data_wall_seconds": round(filled - migrated, 1),
        "create_demo_data_output": result.stdout.strip().splitlines()[-1],
        "load_average": load_average(),
    }
    log(f"{name}: {info['create_demo_data_output']}")
    kept = {key: info[key] for key in ("create_demo_data_seconds", "load_average")}
    kept["built_on"] = datetime.date.today().isoformat()
    pg.psql(f"COMMENT ON DATABASE {name} IS '{mark} {json.dumps(kept)}'")
    return info


def dataset_facts(pg, name):
    sql = (
        "SELECT (SELECT count(*) FROM tracker_action), "
        "(SELECT count(*) FROM tracker_action WHERE state = 'published'), "
        "(SELECT count(*) FROM tracker_statuschange), (SELECT count(*) FROM tracker_responsibility), "
        "(SELECT count(*) FROM tracker_historicalaction), pg_database_size(current_database())"
    )
    values = [int(v) for v in pg.psql(sql, database=name).split("|")]
    keys = ["actions", "published_actions", "status_changes", "responsibilities", "action_history_rows", "bytes"]
    return dict(zip(keys, values, strict=True))


# Query counts, in-process (this script re-runs itself with --query-counts against one database).


def query_counts_in_process():
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for path in COUNTED_PAGES:
        with CaptureQueriesContext(connection) as context:
            response = client.get(path)
            size = (
                sum(len(part) for part in response.streaming_content) if response.streaming else len(response.content)
            )
        counts[path] = {"status": response.status_code, "queries": len(context.captured_queries), "bytes": size}
    print(json.dumps(counts))


def query_counts(base_env, pg, name):
    env = django_env(base_env, DATABASE_URL=pg.url(name), CACHE_URL="dummycache://", LOG_LEVEL="ERROR")
    result = run([PYTHON, __file__, "--query-counts"], env=env, timeout=900)
    return json.loads(result.stdout.strip().splitlines()[-1])


# Serving and loading.


class Server:
    """gunicorn with the project's config; workers are never recycled while measuring."""

    def __init__(self, env, port):
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
        self.process = None

    def __enter__(self):
        self.log = open(SERVER_LOG, "a")  # noqa: SIM115 - closed in __exit__
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
                raise BenchError(f"gunicorn exited at start: see {SERVER_LOG}")
            if get(self.base + "/healthz")[0] == 200 and len(self.workers()) == 2:
                return self
            time.sleep(0.3)
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


def get(url, headers=None, timeout=600):
    """(status, headers, body length) of a GET, reading the whole body."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - http://127.0.0.1 only
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            size = 0
            while chunk := response.read(1 << 20):
                size += len(chunk)
            return response.status, dict(response.headers), size
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), len(error.read())
    except OSError as error:
        return None, {"error": repr(error)}, 0


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(output):
    requests = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not requests or not rps:
        raise BenchError(f"could not read wrk's output:\n{output}")
    latency = {}
    for percent, value, unit in re.findall(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE):
        latency[f"p{percent}_ms"] = round(float(value) * _UNITS[unit], 2)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests": int(requests.group(1)),
        "rps": float(rps.group(1)),
        "errors": (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket.groups())) if socket else 0),
        **latency,
    }


class Meter:
    """CPU seconds of the workers, the database backends and Redis, across one load run."""

    def __init__(self, server, pg, database):
        self.server, self.pg, self.database = server, pg, database

    def snapshot(self):
        workers = self.server.workers()
        backends = self.pg.backends(self.database)
        return {
            "workers": {pid: cpu_seconds(pid) for pid in workers},
            "db": {pid: cpu_seconds(pid) for pid in backends},
            "redis": {pid: cpu_seconds(pid) for pid in pids_named("redis-server")},
        }

    @staticmethod
    def delta(before, after):
        total = 0.0
        for pid, value in after.items():
            if value is not None:
                total += value - (before.get(pid) or 0.0)
        return total


def measure(server, meter, path, *, duration, fixed_requests=None):
    url = server.base + path
    before = meter.snapshot()
    started = time.monotonic()
    if fixed_requests:
        results = []
        threads = [
            threading.Thread(target=lambda: results.append(get(url)))
            for _ in range(fixed_requests)  # noqa: B023
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        load = {
            "requests": len(results),
            "rps": len(results) / elapsed,
            "errors": sum(1 for status, _, _ in results if status != 200),
            "p50_ms": round(elapsed * 1000, 1),
            "bytes_per_request": results[0][2] if results else 0,
            "tool": f"{fixed_requests} concurrent request(s)",
        }
    else:
        output = run(
            ["wrk", "-t2", "-c4", f"-d{duration}s", "--latency", "--timeout", "60s", url], timeout=duration + 120
        ).stdout
        load = {**parse_wrk(output), "tool": f"wrk -t2 -c4 -d{duration}s"}
    after = meter.snapshot()
    requests = max(load["requests"], 1)
    worker_ms = Meter.delta(before["workers"], after["workers"]) * 1000 / requests
    db_ms = Meter.delta(before["db"], after["db"]) * 1000 / requests
    redis_ms = Meter.delta(before["redis"], after["redis"]) * 1000 / requests
    return {
        **load,
        "rps": round(load["rps"], 2),
        "worker_cpu_ms": round(worker_ms, 3),
        "db_cpu_ms": round(db_ms, 3),
        "redis_cpu_ms": round(redis_ms, 3),
        "cpu_ms": round(worker_ms + db_ms, 3),
        "workers_restarted": sorted(before["workers"]) != sorted(after["workers"]),
        "load_average": load_average(),
    }


def freshness_check(server, env, path="/"):
    """ETag: 304 while nothing changed; and after a change made by another process, a new page.

    The change is an assessment through the service, committed (the record's version is raised
    when a write commits; a rolled-back write changes nothing, rightly); the next assessment puts
    the status back, so the benchmark's record keeps its statuses, with two more history rows.
    """
    status, headers, _ = get(server.base + path)
    etag = headers.get("ETag")
    conditional = get(server.base + path, {"If-None-Match": etag or '"none"'})[0]
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from tracker import services\n"
        "from tracker.models import Responsibility, Status\n"
        "r = Responsibility.objects.order_by('pk').first()\n"
        "user = get_user_model().objects.get(username='demo-staff')\n"
        "services.responsibility_set_status(responsibility=r, by=user, reason='benchmark freshness check',\n"
        "    status=Status.PENDING if r.status != Status.PENDING else Status.PARTIAL)\n"
    )
    restore = (
        "from django.contrib.auth import get_user_model\n"
        "from tracker import services\n"
        "from tracker.models import Responsibility, StatusChange\n"
        "r = Responsibility.objects.order_by('pk').first()\n"
        "user = get_user_model().objects.get(username='demo-staff')\n"
        "previous = StatusChange.objects.filter(responsibility=r).order_by('-id').first().from_status\n"
        "services.responsibility_set_status(responsibility=r, by=user, reason='benchmark freshness check, undone',\n"
        "    status=previous)\n"
    )
    run([PYTHON, "manage.py", "shell", "-c", code], env=env)
    after = [get(server.base + path, {"If-None-Match": etag or '"none"'})[0] for _ in range(6)]
    run([PYTHON, "manage.py", "shell", "-c", restore], env=env)
    return {
        "status": status,
        "etag": etag,
        "conditional_get_unchanged": conditional,
        "conditional_gets_after_a_change": after,
        "etag_304_when_unchanged": bool(etag) and conditional == 304,
        "fresh_after_a_change": all(code == 200 for code in after),
    }


def flush_redis(db):
    if shutil.which("redis-cli"):
        run(["redis-cli", "-h", "127.0.0.1", "-n", str(db), "FLUSHDB"], check=False)


def redis_available():
    return (
        bool(shutil.which("redis-cli"))
        and run(["redis-cli", "-h", "127.0.0.1", "PING"], check=False).stdout.strip() == "PONG"
    )


def run_mode(pg, base_env, *, name, actions, mode, cache_url, port, duration, repetitions):
    env = django_env(base_env, DATABASE_URL=pg.url(name), CACHE_URL=cache_url)
    endpoints = [e for e in ENDPOINTS if mode == "uncached" or e[2] or e[0] == "healthz"]
    results = {"cache_url": cache_url, "endpoints": {}, "missing": [], "freshness": None}
    with Server(env, port) as server:
        meter = Meter(server, pg, name)
        available = []
        for endpoint, path, _ in endpoints:
            status = get(server.base + path, timeout=900)[0]
            if status != 200:
                log(f"  {path}: answers {status}; reported as missing")
                results["missing"].append({"endpoint": endpoint, "path": path, "status": status})
            else:
                available.append((endpoint, path))
        # Warm up: every worker imports what it needs, opens its connection, and fills the page cache.
        for endpoint, path in available:
            if endpoint == "csv_actions" and actions > CSV_WRK_LIMIT:
                continue
            run(["wrk", "-t2", "-c4", "-d1s", "--timeout", "60s", server.base + path])
        for repetition in range(repetitions):
            for endpoint, path in available:
                big_csv = endpoint == "csv_actions" and actions > CSV_WRK_LIMIT
                result = measure(server, meter, path, duration=duration, fixed_requests=1 if big_csv else None)
                results["endpoints"].setdefault(endpoint, {"path": path, "runs": []})["runs"].append(result)
                log(
                    f"  {mode} rep {repetition + 1} {path}: {result['rps']:.1f} req/s, "
                    f"{result['cpu_ms']:.2f} ms CPU/request ({result['requests']} requests, {result['errors']} errors)"
                )
        results["worker_rss_mb"] = [round(rss_mb(pid) or 0, 1) for pid in server.workers()]
        results["freshness"] = freshness_check(server, env)
    return results


def locmem_check(pg, base_env, *, name, port):
    """The default cache, `locmemcache://`, lives inside each worker: is a change elsewhere seen?"""
    env = django_env(base_env, DATABASE_URL=pg.url(name), CACHE_URL="locmemcache://")
    with Server(env, port) as server:
        run(["wrk", "-t2", "-c4", "-d1s", server.base + "/"])
        return freshness_check(server, env)


# Summaries.


def median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


def summarise(mode_results):
    """Medians per endpoint, and each repetition's ratio to that repetition's healthz, then the median."""
    healthz = mode_results["endpoints"].get("healthz", {}).get("runs", [])
    summary = {}
    for endpoint, data in mode_results["endpoints"].items():
        runs = data["runs"]
        ratios_rps, ratios_cpu = [], []
        for index, result in enumerate(runs):
            base = healthz[index] if index < len(healthz) else None
            # Requests per second compare only between runs of the same load (wrk, 4 connections).
            if base and result["rps"] and "wrk" in result["tool"]:
                ratios_rps.append(base["rps"] / result["rps"])
            if base and base["cpu_ms"]:
                ratios_cpu.append(result["cpu_ms"] / base["cpu_ms"])
        summary[endpoint] = {
            "path": data["path"],
            "rps": median([r["rps"] for r in runs]),
            "p50_ms": median([r.get("p50_ms") for r in runs]),
            "worker_cpu_ms": median([r["worker_cpu_ms"] for r in runs]),
            "db_cpu_ms": median([r["db_cpu_ms"] for r in runs]),
            "redis_cpu_ms": median([r["redis_cpu_ms"] for r in runs]),
            "cpu_ms": median([r["cpu_ms"] for r in runs]),
            "x_healthz_rps": median(ratios_rps),
            "x_healthz_cpu": median(ratios_cpu),
            "requests": sum(r["requests"] for r in runs),
            "errors": sum(r["errors"] for r in runs),
            "tool": runs[0]["tool"],
            "workers_restarted": any(r["workers_restarted"] for r in runs),
        }
    return summary


def verdict(ok):
    return "PASS" if ok else "FAIL"


def check_targets(report):
    sizes = report["sizes"]
    small, large = sizes[0], sizes[-1]
    checks = []

    def add(name, ok, detail):
        checks.append({"target": name, "result": "n/a" if ok is None else verdict(ok), "detail": detail})

    # Query counts: every public page the same at every size (downloads stream: reported apart).
    differing, streamed = [], []
    for path in COUNTED_PAGES:
        counts = [s["query_counts"].get(path, {}).get("queries") for s in sizes]
        statuses = [s["query_counts"].get(path, {}).get("status") for s in sizes]
        if any(status != 200 for status in statuses):
            continue
        if len(set(counts)) > 1:
            (streamed if path in STREAMED else differing).append(f"{path} {counts}")
    add(
        "every public page's query count is the same at every size",
        not differing,
        "; ".join(differing)
        or "all equal" + (f" (downloads, by design per 2,000-row chunk: {'; '.join(streamed)})" if streamed else ""),
    )

    def cost(size, mode, endpoint, key):
        return size["modes"].get(mode, {}).get("summary", {}).get(endpoint, {}).get(key)

    if len(sizes) > 1:
        # Growth of the dashboard's cost as a multiple of healthz in the same run: the machine's other work
        # (which changes between the two sizes) cancels out. Raw figures are in the table and the JSON.
        for key, label in (("x_healthz_cpu", "CPU per request"), ("x_healthz_rps", "requests per second")):
            a, b = cost(small, "uncached", "dashboard", key), cost(large, "uncached", "dashboard", key)
            if a and b:
                add(
                    f"dashboard at {large['actions']:,} costs at most {TARGETS['dashboard_growth']}× "
                    f"its cost at {small['actions']:,} ({label}, as multiples of healthz)",
                    b / a <= TARGETS["dashboard_growth"],
                    f"{b / a:.2f}× ({a:.1f}× healthz at {small['actions']:,}, {b:.1f}× at {large['actions']:,})",
                )
    for size in sizes:
        for mode, limit in (("uncached", TARGETS["uncached_vs_healthz"]), ("cached", TARGETS["cached_vs_healthz"])):
            if mode not in size["modes"]:
                continue
            for endpoint in ("dashboard", "recommendation", "actor"):
                extended = "" if endpoint == "dashboard" else " [beyond the stated target: same bound on another page]"
                for metric in ("x_healthz_cpu", "x_healthz_rps"):
                    ratio = cost(size, mode, endpoint, metric)
                    if ratio is None:
                        continue
                    add(
                        f"{endpoint} {mode} at {size['actions']:,}: at most {limit:g}× healthz "
                        f"({'CPU' if metric.endswith('cpu') else 'req/s'}){extended}",
                        ratio <= limit,
                        f"{ratio:.2f}×",
                    )
    rss = [mb for size in sizes for mode in size["modes"].values() for mb in mode.get("worker_rss_mb", [])]
    if rss:
        add(
            f"worker memory under {TARGETS['worker_rss_mb']:g} MB",
            max(rss) < TARGETS["worker_rss_mb"],
            f"max {max(rss):.0f} MB",
        )
    for size in sizes:
        for mode, data in size["modes"].items():
            fresh = data.get("freshness")
            if fresh:
                add(
                    f"ETag / conditional GET answers 304 when nothing changed ({mode}, {size['actions']:,})",
                    fresh["etag_304_when_unchanged"],
                    f"ETag {fresh['etag']}, answer {fresh['conditional_get_unchanged']}",
                )
                add(
                    f"a change made elsewhere gives a new page, not 304 ({data['cache_url']}, {size['actions']:,})",
                    fresh["fresh_after_a_change"],
                    f"answers after the change: {fresh['conditional_gets_after_a_change']}",
                )
        if size.get("locmem_freshness"):
            fresh = size["locmem_freshness"]
            add(
                f"a change made elsewhere gives a new page, not 304 (locmemcache://, the default, {size['actions']:,})",
                fresh["fresh_after_a_change"],
                f"answers after the change: {fresh['conditional_gets_after_a_change']}",
            )
        build = size.get("build", {})
        if size["actions"] >= 100_000 and build.get("create_demo_data_seconds"):
            seconds = build["create_demo_data_seconds"]
            when = "in this run" if build.get("built") else f"when it was built, {build.get('built_on')}"
            add(
                f"create_demo_data --actions {size['actions']:,} in under {TARGETS['demo_data_seconds']:g} s",
                seconds < TARGETS["demo_data_seconds"],
                f"{seconds:.1f} s {when} (load average {build.get('load_average')})",
            )
        csv = size["modes"].get("uncached", {}).get("summary", {}).get("csv_actions")
        if csv and csv.get("p50_ms"):
            seconds = csv["p50_ms"] / 1000 if "concurrent" in csv["tool"] else None
            if seconds is not None:
                add(
                    f"full CSV download at {size['actions']:,} within gunicorn's production timeout "
                    f"({TARGETS['gunicorn_timeout_seconds']:g} s)",
                    seconds < TARGETS["gunicorn_timeout_seconds"],
                    f"{seconds:.1f} s per download",
                )
    etags = {
        (size["actions"], mode): data["freshness"]["etag"]
        for size in sizes
        for mode, data in size["modes"].items()
        if data.get("freshness")
    }
    if len(sizes) > 1 and etags:
        same = [
            mode
            for mode in ("uncached", "cached")
            if etags.get((small["actions"], mode)) == etags.get((large["actions"], mode))
        ]
        add(
            "an ETag is never reused for other content (the dashboard of the two datasets)",
            not same,
            f"same ETag for both datasets ({', '.join(same)}): it counts writes since the cache was empty"
            if same
            else "different",
        )
    errors = [
        f"{size['actions']:,} {mode} {endpoint}: {data['errors']}"
        for size in sizes
        for mode, result in size["modes"].items()
        for endpoint, data in result.get("summary", {}).items()
        if data["errors"]
    ]
    add("no failed request under load", not errors, "; ".join(errors) or "none")
    return checks


def render(report):
    lines = []
    meta = report["meta"]
    lines.append(
        f"Benchmark, {meta['started']} ({meta['cpus']} CPUs; load average at start {meta['load_average_start']}, "
        f"at end {meta['load_average_end']})"
    )
    lines.append(
        f"gunicorn: 2 sync workers, config/gunicorn.conf.py, DEBUG off; load: wrk -t2 -c4 -d{meta['duration']}s "
        f"on 127.0.0.1; {meta['repetitions']} interleaved repetitions, medians; "
        "CPU = gunicorn workers + PostgreSQL backends of the database; ×hz = multiple of /healthz"
    )
    for size in report["sizes"]:
        facts = size["facts"]
        lines.append("")
        lines.append(
            f"== {size['actions']:,} actions ({size['database']}: {facts['published_actions']:,} published, "
            f"{facts['status_changes']:,} status changes, {facts['bytes'] / 2**20:.0f} MB) =="
        )
        for mode, data in size["modes"].items():
            lines.append(f"-- {mode} ({data['cache_url']}) --")
            lines.append(
                f"{'endpoint':<22}{'req/s':>9}{'p50 ms':>9}{'worker ms':>11}{'db ms':>8}{'CPU ms':>9}"
                f"{'×hz CPU':>9}{'×hz rps':>9}{'queries':>9}  notes"
            )
            for row in data["summary"].values():
                queries = size["query_counts"].get(row["path"], {}).get("queries", "")
                notes = []
                if row["errors"]:
                    notes.append(f"{row['errors']} errors")
                if "concurrent" in row["tool"]:
                    notes.append(f"{row['requests']} requests in all, one at a time; p50 = one download")
                if row["workers_restarted"]:
                    notes.append("a worker restarted")
                by_rps = "–" if row["x_healthz_rps"] is None else f"{row['x_healthz_rps']:.2f}"
                rps = row["rps"]
                rps = f"{rps:.0f}" if rps >= 100 else f"{rps:.1f}" if rps >= 1 else f"{rps:.3f}"
                lines.append(
                    f"{row['path']:<22}{rps:>9}{(row['p50_ms'] or 0):>9.1f}{row['worker_cpu_ms']:>11.2f}"
                    f"{row['db_cpu_ms']:>8.2f}{row['cpu_ms']:>9.2f}{(row['x_healthz_cpu'] or 0):>9.2f}"
                    f"{by_rps:>9}{queries!s:>9}  {', '.join(notes)}"
                )
            for missing in data["missing"]:
                lines.append(f"{missing['path']:<22} missing (answered {missing['status']})")
            lines.append(
                f"worker memory (VmRSS at the end): {', '.join(f'{mb:.0f} MB' for mb in data['worker_rss_mb'])}"
            )
    lines.append("")
    lines.append("Query counts (anonymous, cache off, rendered in-process):")
    header = f"{'page':<38}" + "".join(f"{size['actions']:>12,}" for size in report["sizes"])
    lines.append(header)
    for path in COUNTED_PAGES:
        cells = []
        for size in report["sizes"]:
            entry = size["query_counts"].get(path, {})
            cells.append(str(entry.get("queries")) if entry.get("status") == 200 else f"({entry.get('status')})")
        lines.append(f"{path:<38}" + "".join(f"{cell:>12}" for cell in cells))
    lines.append("")
    lines.append("Targets:")
    for check in report["targets"]:
        lines.append(f"  [{check['result']}] {check['target']}: {check['detail']}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000", help="action counts, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="build the databases again even if kept")
    parser.add_argument("--duration", type=int, default=5, help="seconds of each wrk run")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--redis-db", type=int, default=13, help="the Redis database used for the cached runs")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--out", default=str(ROOT / "bench-results"))
    parser.add_argument("--query-counts", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--from-json", metavar="PATH", help="check the targets and print the table of an earlier run")
    args = parser.parse_args()
    if args.from_json:
        report = json.loads(Path(args.from_json).read_text())
        report["targets"] = check_targets(report)
        print(render(report) + f"\n\nWhole run: {report['meta']['seconds']:.0f} s.")
        return 0
    if args.query_counts:
        sys.path.insert(0, str(ROOT))
        query_counts_in_process()
        return 0

    global SERVER_LOG
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    SERVER_LOG = out / "gunicorn.log"
    for tool in ("wrk", "psql", "createdb", "dropdb", "pg_isready"):
        if not shutil.which(tool):
            raise BenchError(f"{tool} is not installed (make bench installs wrk: apt-get install -y wrk)")
    sizes = [int(value) for value in args.sizes.split(",")]
    pg = Postgres(args.pg_host, args.pg_port, args.pg_user)
    pg.ensure_running()
    base_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE")}
    started = time.monotonic()
    report = {
        "meta": {
            "started": datetime.datetime.now().isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
            "load_average_start": load_average(),
            "duration": args.duration,
            "repetitions": args.repetitions,
            "seed": args.seed,
            "wrk": run(["wrk", "--version"], check=False).stdout.splitlines()[0] if shutil.which("wrk") else None,
        },
        "targets_definition": TARGETS,
        "sizes": [],
    }
    log("collectstatic (the manifest storage needs it when DEBUG is off)")
    run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        env=django_env(base_env, CACHE_URL="dummycache://"),
    )
    with_redis = redis_available()
    if not with_redis:
        log("Redis is not answering at 127.0.0.1:6379: the cached figures are left out")

    for actions in sizes:
        build_info = build(pg, base_env, actions=actions, seed=args.seed, rebuild=args.rebuild)
        name = build_info["database"]
        size = {
            "actions": actions,
            "database": name,
            "build": build_info,
            "facts": dataset_facts(pg, name),
            "modes": {},
        }
        log(f"{name}: counting queries in-process")
        size["query_counts"] = query_counts(base_env, pg, name)
        modes = [("uncached", "dummycache://")]
        if with_redis:
            modes.append(("cached", f"redis://127.0.0.1:6379/{args.redis_db}"))
        for mode, cache_url in modes:
            if mode == "cached":
                flush_redis(args.redis_db)
            log(f"{name}: serving {mode} ({cache_url})")
            result = run_mode(
                pg,
                base_env,
                name=name,
                actions=actions,
                mode=mode,
                cache_url=cache_url,
                port=args.port,
                duration=args.duration,
                repetitions=args.repetitions,
            )
            result["summary"] = summarise(result)
            size["modes"][mode] = result
        if actions == sizes[0]:
            log(f"{name}: checking the default cache (locmemcache://) across workers")
            size["locmem_freshness"] = locmem_check(pg, base_env, name=name, port=args.port)
        report["sizes"].append(size)

    report["meta"]["load_average_end"] = load_average()
    report["meta"]["seconds"] = round(time.monotonic() - started, 1)
    report["targets"] = check_targets(report)
    table = render(report) + f"\n\nWhole run: {report['meta']['seconds']:.0f} s."
    (out / "bench.json").write_text(json.dumps(report, indent=2, default=str))
    (out / "bench.txt").write_text(table + "\n")
    print()
    print(table)
    print(f"\nWritten: {out / 'bench.txt'} and {out / 'bench.json'}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        sys.exit(2)
