"""Benchmark reports built by hand, shaped as bench.json: small, readable, and changed one figure at a time."""

import copy

from scripts.bench.pages import CACHED_PAGES, COUNTED_PAGES, STREAMED
from scripts.bench.stats import ONE_AT_A_TIME


def run_figures(*, rps, cpu_ms, tool="wrk -t2 -c4 -d5s", requests=None, errors=0, p50_ms=2.0, restarted=False):
    """One load run, as measure() records it."""
    return {
        "requests": requests if requests is not None else int(rps * 5),
        "rps": rps,
        "errors": errors,
        "p50_ms": p50_ms,
        "tool": tool,
        "worker_cpu_ms": round(cpu_ms * 0.9, 3),
        "db_cpu_ms": round(cpu_ms * 0.1, 3),
        "redis_cpu_ms": 0.0,
        "cpu_ms": cpu_ms,
        "workers_restarted": restarted,
        "load_average": [0.5, 0.5, 0.5],
    }


def summary_row(path, *, rps, cpu_ms, x_cpu, x_rps, tool="wrk -t2 -c4 -d5s", requests=1000, errors=0, p50_ms=2.0):
    """One endpoint's summary over the repetitions, as summarise() writes it."""
    return {
        "path": path,
        "rps": rps,
        "p50_ms": p50_ms,
        "worker_cpu_ms": round(cpu_ms * 0.9, 3),
        "db_cpu_ms": round(cpu_ms * 0.1, 3),
        "redis_cpu_ms": 0.0,
        "cpu_ms": cpu_ms,
        "x_healthz_rps": x_rps,
        "x_healthz_cpu": x_cpu,
        "requests": requests,
        "errors": errors,
        "tool": tool,
        "workers_restarted": False,
    }


def freshness(*, etag='"v1"', unchanged=304, after=(200,) * 6):
    return {
        "status": 200,
        "etag": etag,
        "conditional_get_unchanged": unchanged,
        "conditional_gets_after_a_change": list(after),
        "etag_304_when_unchanged": bool(etag) and unchanged == 304,
        "fresh_after_a_change": all(code == 200 for code in after),
    }


def download_row(path, *, seconds, first_byte_ms=300.0, rss_growth_mb=3.0):
    """A full download measured one request at a time."""
    row = summary_row(
        path, rps=1 / seconds, cpu_ms=seconds * 900, x_cpu=seconds * 900, x_rps=None, tool=ONE_AT_A_TIME, requests=3
    )
    return {**row, "p50_ms": seconds * 1000, "first_byte_ms": first_byte_ms, "rss_growth_mb": rss_growth_mb}


def single_request(*, size, ms, status=200, content_encoding=None, vary="Accept-Encoding, Cookie"):
    """One request alone, as measure() records it for the compression check."""
    return {
        "requests": 1,
        "rps": 1000 / ms,
        "errors": int(status != 200),
        "p50_ms": ms,
        "first_byte_ms": round(ms / 4, 1),
        "rss_growth_mb": 0.0,
        "bytes_per_request": size,
        "tool": ONE_AT_A_TIME,
        "status": status,
        "content_encoding": content_encoding,
        "vary": vary,
        "worker_cpu_ms": round(ms * 0.8, 3),
        "db_cpu_ms": round(ms * 0.1, 3),
        "redis_cpu_ms": 0.0,
        "cpu_ms": round(ms * 0.9, 3),
        "workers_restarted": False,
        "load_average": [0.5, 0.5, 0.5],
    }


def compression_row(path, kind, *, raw_bytes, wire_bytes, raw_ms=100.0, gzip_ms=110.0):
    """One answer asked without and with gzip, compressed as it should be (compression_figures' shape)."""
    return {
        "path": path,
        "kind": kind,
        "raw_bytes": raw_bytes,
        "wire_bytes": wire_bytes,
        "size_ratio": wire_bytes / raw_bytes,
        "time_ratio": gzip_ms / raw_ms,
        "cpu_ratio": gzip_ms / raw_ms,
        "content_encoding": "gzip",
        "vary": "Accept-Encoding, Cookie",
        "served_compressed": True,
        "raw": single_request(size=raw_bytes, ms=raw_ms),
        "gzip": single_request(size=wire_bytes, ms=gzip_ms, content_encoding="gzip"),
    }


def compression(actions):
    """The compression check of one dataset: the dashboard, the API's actions, the full CSV."""
    return {
        "dashboard": compression_row("/", "HTML", raw_bytes=152_000, wire_bytes=19_000, raw_ms=120.0, gzip_ms=125.0),
        "api_actions": compression_row("/api/actions/", "JSON", raw_bytes=61_000, wire_bytes=9_150),
        "csv_actions": compression_row(
            "/export/actions.csv",
            "CSV",
            raw_bytes=actions * 410,
            wire_bytes=actions * 50,
            raw_ms=3600.0,
            gzip_ms=4500.0,
        ),
    }


def load_row(path, *, rps, errors=0, headers=None):
    """One path of the load test (32 clients for 60 s)."""
    return {
        **summary_row(path, rps=rps, cpu_ms=1.0, x_cpu=None, x_rps=None, tool="wrk -t2 -c32 -d60s", errors=errors),
        "headers": headers or {},
        "p95_ms": 40.0,
        "p99_ms": 80.0,
    }


def size_report(actions, *, dashboard_x=8.0, dashboard_ms=10.0, etag='"v1"'):
    """One dataset's figures, every target met: uncached and cached runs, query counts, ETag checks."""
    single = actions > 10_000
    uncached = {
        "healthz": summary_row("/healthz", rps=1800.0, cpu_ms=1.0, x_cpu=1.0, x_rps=1.0),
        "dashboard": summary_row("/", rps=140.0, cpu_ms=8.0, x_cpu=dashboard_x, x_rps=dashboard_x - 1),
        "recommendation": summary_row("/recommendations/1/", rps=130.0, cpu_ms=9.0, x_cpu=9.0, x_rps=8.5),
        "actor": summary_row("/actors/MEX/", rps=98.5, cpu_ms=8.5, x_cpu=8.5, x_rps=8.0),
        "api_actions": summary_row("/api/actions/", rps=300.0, cpu_ms=5.0, x_cpu=5.0, x_rps=5.0),
        "api_actions_deep": summary_row("/api/actions/ deep", rps=290.0, cpu_ms=5.5, x_cpu=5.5, x_rps=5.2),
        "csv_actions": download_row("/export/actions.csv", seconds=2.0)
        if single
        else summary_row("/export/actions.csv", rps=11.9, cpu_ms=150.0, x_cpu=140.0, x_rps=135.0),
        "xlsx_actions": download_row("/export/actions.xlsx", seconds=6.0)
        if single
        else summary_row("/export/actions.xlsx", rps=3.0, cpu_ms=600.0, x_cpu=560.0, x_rps=500.0),
    }
    cached = {
        "healthz": summary_row("/healthz", rps=1750.0, cpu_ms=1.0, x_cpu=1.0, x_rps=1.0),
        "dashboard": summary_row("/", rps=1690.0, cpu_ms=1.1, x_cpu=1.1, x_rps=1.05),
        "recommendation": summary_row("/recommendations/1/", rps=1700.0, cpu_ms=1.1, x_cpu=1.1, x_rps=1.04),
        "actor": summary_row("/actors/MEX/", rps=1720.0, cpu_ms=1.15, x_cpu=1.15, x_rps=1.02),
    }
    return {
        "actions": actions,
        "database": f"followup_bench_{actions // 1000}k",
        "build": {"database": "x", "built": True, "create_demo_data_seconds": 36.6, "load_average": [1.0, 1.0, 1.0]},
        "facts": {
            "actions": actions,
            "published_actions": actions * 9 // 10,
            "status_changes": 540,
            "responsibilities": 400,
            "action_history_rows": actions,
            "bytes": 15 * 2**20,
        },
        "query_counts": {
            path: {"status": 200, "queries": 4, "bytes": 1000}
            | ({} if path in STREAMED else {"best_ms": dashboard_ms if path == "/" else 10.0})
            for path in COUNTED_PAGES
        },
        "cache_hit_queries": {
            path: {"hit_status": 200, "hit_queries": 0, "conditional_status": 304, "conditional_queries": 0}
            for path in CACHED_PAGES
        },
        "modes": {
            "uncached": {
                "cache_url": "dummycache://",
                "endpoints": {},
                "missing": [],
                "freshness": freshness(etag=etag),
                "worker_rss_mb": [105.0, 104.6],
                "summary": uncached,
                "compression": compression(actions),
            },
            "cached": {
                "cache_url": "redis://127.0.0.1:6379/13",
                "endpoints": {},
                "missing": [],
                "freshness": freshness(etag=etag + "c"),
                "worker_rss_mb": [90.0, 87.0],
                "summary": cached,
                "load": {
                    "healthz": load_row("/healthz", rps=1500.0),
                    "dashboard_gzip": load_row("/", rps=1450.0, headers={"Accept-Encoding": "gzip"}),
                    "dashboard": load_row("/", rps=1200.0),
                },
            },
        },
        "locmem_freshness": freshness(etag=etag + "l"),
    }


def report(*sizes):
    """A whole run over these datasets (by default 1,000 and 100,000 actions, every target met)."""
    sizes = sizes or (size_report(1000, etag='"a"'), size_report(100_000, etag='"b"'))
    return {
        "meta": {
            "started": "2026-11-27T10:00:00",
            "cpus": 2,
            "load_average_start": [0.71, 0.5, 0.4],
            "load_average_end": [2.42, 1.0, 0.8],
            "duration": 5,
            "repetitions": 3,
            "seed": 1,
            "wrk": "wrk debian/4.1.0",
            "seconds": 419.2,
        },
        "targets_definition": {},
        "sizes": [copy.deepcopy(size) for size in sizes],
    }
