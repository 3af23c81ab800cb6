"""`python -m scripts.bench`: the options, and the order of the run (see the package's docstring)."""

import argparse
import datetime
import json
import os
import shutil
import sys
import time
from pathlib import Path

import scripts.bench
from scripts.bench.console import notice, progress
from scripts.bench.datasets import build, dataset_facts
from scripts.bench.errors import BenchError
from scripts.bench.measure import locmem_check, run_mode
from scripts.bench.pages import PAIRED_ROUNDS
from scripts.bench.paired import paired_timings
from scripts.bench.processes import PYTHON, ROOT, Postgres, django_env, flush_redis, load_average, redis_available, run
from scripts.bench.query_counts import query_counts_of
from scripts.bench.report import render, to_json
from scripts.bench.stats import summarise
from scripts.bench.targets import LIMITS, check_targets

REQUIRED_TOOLS = ("wrk", "psql", "createdb", "dropdb", "pg_isready")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="scripts.bench", description=scripts.bench.__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000", help="action counts, comma-separated")
    parser.add_argument(
        "--million", action="store_true", help="add 1,000,000 actions to the sizes (building it takes about 10 minutes)"
    )
    parser.add_argument("--load-clients", type=int, default=32, help="concurrent clients of the load test")
    parser.add_argument(
        "--load-seconds", type=int, default=60, help="seconds of the load test on the largest size (0: none)"
    )
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
    parser.add_argument("--from-json", metavar="PATH", help="check the targets and print the table of an earlier run")
    return parser.parse_args(argv)


def from_json(path):
    """The table and the verdicts of an earlier run, the targets checked again as they stand now."""
    report = json.loads(Path(path).read_text())
    report["targets"] = check_targets(report)
    return render(report)


def measure_size(pg, base_env, args, *, actions, with_redis, server_log, load=None):
    """Build (or reuse) one size's database, count its queries, and load it with each cache setting."""
    build_info = build(pg, base_env, actions=actions, seed=args.seed, rebuild=args.rebuild)
    name = build_info["database"]
    size = {"actions": actions, "database": name, "build": build_info, "facts": dataset_facts(pg, name), "modes": {}}
    progress(f"{name}: counting queries in-process (python -m scripts.bench.query_counts)")
    size["query_counts"] = query_counts_of(pg, base_env, name)
    modes = [("uncached", "dummycache://")]
    if with_redis:
        cache_url = f"redis://127.0.0.1:6379/{args.redis_db}"
        modes.append(("cached", cache_url))
        flush_redis(args.redis_db)
        progress(f"{name}: counting the queries of cache hits and conditional GETs")
        size["cache_hit_queries"] = query_counts_of(pg, base_env, name, cache_url=cache_url)
    for mode, cache_url in modes:
        if mode == "cached":
            flush_redis(args.redis_db)
        progress(f"{name}: serving {mode} ({cache_url})")
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
            server_log=server_log,
            load=load if mode == "cached" else None,
        )
        result["summary"] = summarise(result)
        size["modes"][mode] = result
    return size


def run_benchmark(args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    server_log = out / "gunicorn.log"
    for tool in REQUIRED_TOOLS:
        if not shutil.which(tool):
            raise BenchError(f"{tool} is not installed (make bench installs wrk: apt-get install -y wrk)")
    sizes = sorted({int(value) for value in args.sizes.split(",")} | ({1_000_000} if args.million else set()))
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
        "load_test": {"clients": args.load_clients, "seconds": args.load_seconds},
        "targets_definition": LIMITS,
        "sizes": [],
    }
    progress("collectstatic (the manifest storage needs it when DEBUG is off)")
    run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        env=django_env(base_env, CACHE_URL="dummycache://"),
    )
    with_redis = redis_available()
    if not with_redis:
        notice("Redis is not answering at 127.0.0.1:6379: the cached figures are left out")

    for actions in sizes:
        # The load test runs once, on the largest size, with the shared cache.
        load = (args.load_clients, args.load_seconds) if actions == sizes[-1] and args.load_seconds else None
        size = measure_size(
            pg, base_env, args, actions=actions, with_redis=with_redis, server_log=server_log, load=load
        )
        if actions == sizes[0]:
            progress(f"{size['database']}: checking the default cache (locmemcache://) across workers")
            size["locmem_freshness"] = locmem_check(
                pg, base_env, name=size["database"], port=args.port, server_log=server_log
            )
        report["sizes"].append(size)

    progress(f"timing the sizes compared for growth in turn ({PAIRED_ROUNDS} rounds)")
    report["paired"] = paired_timings(pg, base_env, report["sizes"])
    report["meta"]["load_average_end"] = load_average()
    report["meta"]["seconds"] = round(time.monotonic() - started, 1)
    report["targets"] = check_targets(report)
    table = render(report)
    (out / "bench.json").write_text(to_json(report))
    (out / "bench.txt").write_text(table + "\n")
    print()
    print(table)
    print(f"\nWritten: {out / 'bench.txt'} and {out / 'bench.json'}")


def main(argv=None):
    args = parse_args(argv)
    try:
        if args.from_json:
            print(from_json(args.from_json))
        else:
            run_benchmark(args)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
