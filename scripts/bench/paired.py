"""Two sizes timed side by side, for the growth targets: `python -m scripts.bench.paired`.

A page's growth from one size to another is a ratio of two timings. Taken minutes apart, each in its
own process, the machine's own drift went into it: the dashboard at 100,000 actions measured 10.2, 8.5
and 7.2 ms best-of-25 on the same code on one day, and a page at 1,000,000 came out faster than at
100,000 in one such pair. Here one process serves each size's database (Django's test client,
production settings, the cache off), both at once, and the driver asks them in turn: each round, each
page once at the smaller size and once at the larger, the order swapped every round, so that whatever
the machine does touches both sides alike. A page's best time over `pages.PAIRED_ROUNDS` rounds at
each size is what the growth targets compare.

Each process reads a path on stdin and answers one line of JSON: the status and the milliseconds
taken.
"""

import argparse
import json
import os
import subprocess
import sys
import time

from scripts.bench.console import progress
from scripts.bench.errors import BenchError
from scripts.bench.pages import PAIRED_ROUNDS
from scripts.bench.processes import PYTHON, ROOT, django_env
from scripts.bench.query_counts import SETTINGS

MODULE = "scripts.bench.paired"


def serve():
    """Answer each path read on stdin with {"status": ..., "ms": ...}, timed around the request alone."""
    for key, value in django_env({}, **SETTINGS).items():
        os.environ.setdefault(key, value)
    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    for line in sys.stdin:
        started = time.perf_counter()
        response = client.get(line.strip())
        elapsed = time.perf_counter() - started
        print(json.dumps({"status": response.status_code, "ms": round(elapsed * 1000, 3)}), flush=True)


class Side:
    """One size's process: ask it for a path, read how long the page took."""

    def __init__(self, pg, base_env, name):
        env = django_env(base_env, DATABASE_URL=pg.url(name), **SETTINGS)
        self.name = name
        self.process = subprocess.Popen(  # noqa: S603 - this module, arguments built here
            [PYTHON, "-m", MODULE, "--serve"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def time(self, path):
        self.process.stdin.write(path + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise BenchError(f"{MODULE} on {self.name} stopped while asked for {path}")
        answer = json.loads(line)
        if answer["status"] != 200:
            raise BenchError(f"{path} on {self.name} answered {answer['status']}")
        return answer["ms"]

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


def paired_best(pg, base_env, small, large, paths, rounds=PAIRED_ROUNDS):
    """{path: [best ms at `small`, best ms at `large`]} (databases by name), the two asked in turn."""
    sides = [Side(pg, base_env, small), Side(pg, base_env, large)]
    try:
        times = {path: ([], []) for path in paths}
        for path in paths:  # once first, unmeasured: connections, templates, kept statements
            for side in sides:
                side.time(path)
        for number in range(rounds):
            progress(f"paired timing {small} and {large}: round {number + 1} of {rounds}")
            order = (0, 1) if number % 2 == 0 else (1, 0)
            for path in paths:
                for index in order:
                    times[path][index].append(sides[index].time(path))
    finally:
        for side in sides:
            side.close()
    return {path: [min(at_small), min(at_large)] for path, (at_small, at_large) in times.items()}


def paired_timings(pg, base_env, sizes):
    """The pairs of sizes the growth targets compare, each timed in turn: the smallest and the largest
    on `GROWTH_PAGES`, and with 1,000,000 actions, 100,000 and 1,000,000 on every page the wrk runs
    load (the downloads apart, and the API's deep page, whose cursor differs between sizes).
    [{"small": actions, "large": actions, "best_ms": {path: [small, large]}}]."""
    from scripts.bench.pages import DEEP_API_PAGE, DOWNLOADS, ENDPOINTS
    from scripts.bench.targets import GROWTH_PAGES, LARGE, MILLION

    pairs = []
    if len(sizes) > 1:
        paths = [e.path for e in ENDPOINTS if e.name in GROWTH_PAGES]
        pairs.append((sizes[0], sizes[-1], paths))
    large = [size for size in sizes if size["actions"] >= LARGE]
    if len(large) > 1 and large[-1]["actions"] >= MILLION:
        skipped = {"healthz", DEEP_API_PAGE, *DOWNLOADS}
        pairs.append((large[0], large[-1], [e.path for e in ENDPOINTS if e.name not in skipped]))
    return [
        {
            "small": small["actions"],
            "large": big["actions"],
            "best_ms": paired_best(pg, base_env, small["database"], big["database"], paths),
        }
        for small, big, paths in pairs
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(prog=MODULE, description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", action="store_true", help="answer the paths read on stdin (against DATABASE_URL)")
    if not parser.parse_args(argv).serve:
        parser.print_help()
        return 2
    serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
