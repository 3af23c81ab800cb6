"""Loading the served site and reading what it cost: the runs of one cache setting, and the ETag checks."""

from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from scripts.bench.console import notice, progress
from scripts.bench.pages import DEEP_API_PAGE, DEEP_ROW, compressed_endpoints, endpoints_for, one_request_at_a_time
from scripts.bench.processes import (
    PYTHON,
    Server,
    cpu_seconds,
    django_env,
    get,
    get_json,
    get_timed,
    load_average,
    pids_named,
    rss_mb,
    run,
)
from scripts.bench.stats import beside_figures, compression_figures, per_request_costs, single_request_load
from scripts.bench.wrk import LOAD_THREADS, parse_percentiles, parse_wrk, wrk_command, wrk_label

PERCENTILES_SCRIPT = Path(__file__).with_name("percentiles.lua")


class Meter:
    """CPU seconds of the workers, the database backends and Redis, read before and after a load run."""

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


def measure(server, meter, path, *, duration, single=False, headers=None):
    """One load run on one path: wrk for `duration` seconds, or one request (a full download, or a
    request with `headers`), with its time to the first byte, how much the workers' memory grew while
    it streamed, and how the answer was encoded."""
    url = server.base + path
    before = meter.snapshot()
    if single:
        memory_before = {pid: rss_mb(pid) or 0.0 for pid in server.workers()}
        status, answered, size, first_byte, total = get_timed(url, headers=headers)
        growth = max((rss_mb(pid) or 0.0) - mb for pid, mb in memory_before.items()) if memory_before else 0.0
        answered = {name.lower(): value for name, value in answered.items()}
        load = {
            **single_request_load(status, size, first_byte, total, growth),
            "status": status,
            "content_encoding": answered.get("content-encoding"),
            "vary": answered.get("vary"),
        }
    else:
        output = run(wrk_command(url, seconds=duration, latency=True), timeout=duration + 120).stdout
        load = {**parse_wrk(output), "tool": wrk_label(duration)}
    after = meter.snapshot()
    return {**per_request_costs(load, before, after), "load_average": load_average()}


# The compressed answer is asked for with this; the raw one without it, as wrk asks (urllib then sends
# `Accept-Encoding: identity`, which asks for no compression).
GZIP_REQUEST = {"Accept-Encoding": "gzip"}


def compression_check(server, meter):
    """The dashboard, the API's actions and the full actions CSV, each asked once without compression
    and once with `Accept-Encoding: gzip`, one request at a time: the bytes on the wire, the headers
    of the compressed answer, and the time and CPU the server spent on each."""
    results = {}
    for name, path, kind in compressed_endpoints():
        progress(f"  compression: {path} ({kind}), without and with Accept-Encoding: gzip")
        raw = measure(server, meter, path, duration=0, single=True)
        gzip = measure(server, meter, path, duration=0, single=True, headers=GZIP_REQUEST)
        results[name] = compression_figures(path, kind, raw=raw, gzip=gzip)
    return results


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


def deep_cursor(base, rows=DEEP_ROW, page_size=500):
    """The address of the API's actions about `rows` down the list (or its last page), reached as a
    client reaches it: following `next` from the first page, `page_size` rows at a time. The cursor
    is then asked with the default page size, so it is page rows / 50 of an ordinary client."""
    url = f"{base}/api/actions/?page_size={page_size}"
    for _ in range(rows // page_size):
        following = get_json(url).get("next")
        if not following:
            break
        url = following
    cursor = parse_qs(urlsplit(url).query).get("cursor")
    return f"/api/actions/?cursor={quote(cursor[0])}" if cursor else "/api/actions/"


# The load test's runs: /healthz, then the dashboard as a browser asks it (compressed: every browser
# sends `Accept-Encoding: gzip`, and the cache keeps the compressed copy), /healthz again, and the
# dashboard as a client that asks for it uncompressed (163 kB a request, read by wrk on the same two
# cores as the workers). Each dashboard run is compared with the /healthz runs beside it.
LOAD_RUNS = (
    ("healthz", "/healthz", {}),
    ("dashboard_gzip", "/", {"Accept-Encoding": "gzip"}),
    ("healthz_after", "/healthz", {}),
    ("dashboard", "/", {}),
)


def load_test(server, meter, runs, *, clients, seconds):
    """Many clients at once on each path, one after the other: throughput, errors and the 50th, 95th and
    99th percentile latencies (wrk with `percentiles.lua`)."""
    results = {}
    for name, path, headers in runs:
        asked = "".join(f", {header}: {value}" for header, value in headers.items())
        progress(f"  load: {clients} clients for {seconds} s on {path}{asked}")
        before = meter.snapshot()
        command = wrk_command(
            server.base + path,
            seconds=seconds,
            threads=LOAD_THREADS,
            connections=clients,
            script=PERCENTILES_SCRIPT,
            headers=headers,
        )
        output = run(command, timeout=seconds + 120).stdout
        load = {**parse_wrk(output), **parse_percentiles(output), "tool": wrk_label(seconds, LOAD_THREADS, clients)}
        results[name] = {"path": path, "headers": headers, **per_request_costs(load, before, meter.snapshot())}
    return results


# The /healthz runs taken between the pages' runs are shorter than theirs: about 3,500 requests.
BESIDE_SECONDS = 2


def one_repetition(available, load_path, *, actions, duration):
    """(endpoint, path, result) of each available endpoint in turn, loaded by `load_path(path, seconds,
    single)`, with /healthz loaded again after each page's wrk run: each page then has a /healthz run
    just before it and one just after (`healthz_before`, `healthz_after`), which it is divided by
    (`stats.healthz_beside`). A download measured one request at a time has none."""
    before = None
    for endpoint, path in available:
        single = one_request_at_a_time(endpoint, actions)
        result = load_path(path, duration, single)
        if endpoint == "healthz":
            before = beside_figures(result)
        elif single:
            before = None
        else:
            after = beside_figures(load_path("/healthz", min(BESIDE_SECONDS, duration), False))
            result.update(healthz_before=before, healthz_after=after)
            before = after
        yield endpoint, path, result


def run_mode(pg, base_env, *, name, actions, mode, cache_url, port, duration, repetitions, server_log, load=None):
    """Serve one database with one cache setting; load each endpoint, repetition by repetition, each
    page between two runs of /healthz (`one_repetition`); then, when `load` = (clients, seconds) is
    given, the load test of healthz and the dashboard."""
    env = django_env(base_env, DATABASE_URL=pg.url(name), CACHE_URL=cache_url)
    results = {"cache_url": cache_url, "endpoints": {}, "missing": [], "freshness": None}
    with Server(env, port, server_log) as server:
        meter = Meter(server, pg, name)
        available = []
        for endpoint, path, _ in endpoints_for(mode):
            if endpoint == DEEP_API_PAGE:
                path = deep_cursor(server.base)
            status = get(server.base + path, timeout=900)[0]
            if status != 200:
                notice(f"  {path}: answers {status}; reported as missing")
                results["missing"].append({"endpoint": endpoint, "path": path, "status": status})
            else:
                available.append((endpoint, path))
        # Warm up: every worker imports what it needs, opens its connection, and fills the page cache.
        for endpoint, path in available:
            if not one_request_at_a_time(endpoint, actions):
                run(wrk_command(server.base + path, seconds=1))

        def load_path(path, seconds, single):
            return measure(server, meter, path, duration=seconds, single=single)

        for repetition in range(repetitions):
            for endpoint, path, result in one_repetition(available, load_path, actions=actions, duration=duration):
                shown = path if endpoint != DEEP_API_PAGE else f"/api/actions/ deep (row {DEEP_ROW:,} or last)"
                results["endpoints"].setdefault(endpoint, {"path": shown, "runs": []})["runs"].append(result)
                progress(
                    f"  {mode} rep {repetition + 1} {path}: {result['rps']:.1f} req/s, "
                    f"{result['cpu_ms']:.2f} ms CPU/request ({result['requests']} requests, {result['errors']} errors)"
                )
        results["worker_rss_mb"] = [round(rss_mb(pid) or 0, 1) for pid in server.workers()]
        if mode == "uncached":
            # Where every answer is built and compressed afresh (the page cache keeps a page it has
            # compressed once, so there compression costs next to nothing).
            results["compression"] = compression_check(server, meter)
        if load:
            clients, seconds = load
            results["load"] = load_test(server, meter, LOAD_RUNS, clients=clients, seconds=seconds)
        results["freshness"] = freshness_check(server, env)
    return results


def locmem_check(pg, base_env, *, name, port, server_log):
    """The default cache, `locmemcache://`, lives inside each worker: is a change elsewhere seen?"""
    env = django_env(base_env, DATABASE_URL=pg.url(name), CACHE_URL="locmemcache://")
    with Server(env, port, server_log) as server:
        run(wrk_command(server.base + "/", seconds=1, timeout=None))
        return freshness_check(server, env)
