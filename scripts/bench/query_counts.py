"""The queries of every public page, counted in-process: `python -m scripts.bench.query_counts`.

Each page of `pages.COUNTED_PAGES` is rendered with Django's test client (anonymous, as 127.0.0.1,
downloads read to the end), and its queries captured; then each page but the downloads is asked
`TIMED_REQUESTS` times more, and its best time kept. It prints one line of JSON:
{path: {"status": ..., "queries": ..., "bytes": ..., "best_ms": ...}}.

The benchmark runs it once per database, in its own process, with the settings of every process it
starts (production settings, the cache off). Run by hand it counts against DATABASE_URL, with the same
settings for anything the environment leaves unset:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/followup_bench_1k .venv/bin/python -m scripts.bench.query_counts

(DEBUG off needs the static files collected, as `make bench` does first; or set DEBUG=true.)

With `--cached` (and CACHE_URL naming the shared cache) it asks each page of `pages.CACHED_PAGES`
once to fill the cache, then counts the queries of a second request and of a conditional GET with the
ETag of the first: {path: {"hit_status", "hit_queries", "conditional_status", "conditional_queries"}}.
"""

import argparse
import json
import os
import sys

from scripts.bench.pages import CACHED_PAGES, COUNTED_PAGES, STREAMED
from scripts.bench.processes import PYTHON, django_env, run

MODULE = "scripts.bench.query_counts"
# What the benchmark passes besides its database: the cache off (a page from the cache runs no query).
SETTINGS = {"CACHE_URL": "dummycache://", "LOG_LEVEL": "ERROR"}


# Each page (not the downloads) is then asked this many times more, one request at a time: its best
# time is what the growth targets compare between sizes. It moves far less from run to run than a
# multiple of healthz under wrk (two ratios, each to its own healthz run), and it holds the database's
# time as well as the worker's.
TIMED_REQUESTS = 25


def count_queries(paths=COUNTED_PAGES):
    import time

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for path in paths:
        with CaptureQueriesContext(connection) as context:
            response = client.get(path)
            size = (
                sum(len(part) for part in response.streaming_content) if response.streaming else len(response.content)
            )
        counts[path] = {"status": response.status_code, "queries": len(context.captured_queries), "bytes": size}
        if response.status_code == 200 and path not in STREAMED:
            times = []
            for _ in range(TIMED_REQUESTS):
                started = time.perf_counter()
                client.get(path)
                times.append(time.perf_counter() - started)
            counts[path]["best_ms"] = round(min(times) * 1000, 2)
    return counts


def count_cache_hits(paths=CACHED_PAGES):
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for path in paths:
        first = client.get(path)
        if first.status_code != 200:
            counts[path] = {"hit_status": first.status_code}
            continue
        with CaptureQueriesContext(connection) as hit:
            again = client.get(path)
        with CaptureQueriesContext(connection) as conditional:
            revalidated = client.get(path, HTTP_IF_NONE_MATCH=first.get("ETag", '"none"'))
        counts[path] = {
            "hit_status": again.status_code,
            "hit_queries": len(hit.captured_queries),
            "conditional_status": revalidated.status_code,
            "conditional_queries": len(conditional.captured_queries),
        }
    return counts


def query_counts_of(pg, base_env, name, *, cache_url=None):
    """Run this module against one of the benchmark's databases, and read what it printed; with a
    `cache_url`, the queries of cache hits and conditional GETs instead."""
    settings = {**SETTINGS, "CACHE_URL": cache_url} if cache_url else SETTINGS
    env = django_env(base_env, DATABASE_URL=pg.url(name), **settings)
    command = [PYTHON, "-m", MODULE, *(["--cached"] if cache_url else [])]
    result = run(command, env=env, timeout=900)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(prog="scripts.bench.query_counts", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cached", action="store_true", help="count the queries of cache hits and conditional GETs")
    args = parser.parse_args(argv)
    for key, value in django_env({}, **SETTINGS).items():
        os.environ.setdefault(key, value)
    print(json.dumps(count_cache_hits() if args.cached else count_queries()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
