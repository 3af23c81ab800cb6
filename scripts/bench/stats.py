"""Medians, ratios to healthz, CPU time per request, the summary of the repetitions, and what gzip
did to an answer. No I/O."""

import statistics


def median(values):
    """The median of the values that were measured (None is left out), to 3 decimals; None if there are none."""
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


def ratio(numerator, denominator):
    """numerator / denominator, or None when either is missing or the denominator is zero."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def cpu_delta(before, after):
    """CPU seconds spent between two readings {pid: seconds} of a set of processes.

    A process that has exited since (None) is left out; one that appeared since counts from zero.
    """
    total = 0.0
    for pid, value in after.items():
        if value is not None:
            total += value - (before.get(pid) or 0.0)
    return total


def per_request_costs(load, before, after):
    """A load run's figures: what the load tool reported, and the CPU time per request of each party.

    `before` and `after` are readings {"workers": {pid: s}, "db": {...}, "redis": {...}} around the run.
    """
    requests = max(load["requests"], 1)
    worker_ms = cpu_delta(before["workers"], after["workers"]) * 1000 / requests
    db_ms = cpu_delta(before["db"], after["db"]) * 1000 / requests
    redis_ms = cpu_delta(before["redis"], after["redis"]) * 1000 / requests
    return {
        **load,
        "rps": round(load["rps"], 2),
        "worker_cpu_ms": round(worker_ms, 3),
        "db_cpu_ms": round(db_ms, 3),
        "redis_cpu_ms": round(redis_ms, 3),
        "cpu_ms": round(worker_ms + db_ms, 3),
        "workers_restarted": sorted(before["workers"]) != sorted(after["workers"]),
    }


# How a run of single requests is described: its p50 is one request's time.
ONE_AT_A_TIME = "one request at a time"


def single_request_load(status, size, first_byte, total, rss_growth_mb):
    """The figures of one request: its status, bytes, seconds to the first byte and to the last, and how
    much the resident memory of the workers grew while it was served, in MB."""
    return {
        "requests": 1,
        "rps": 1 / total if total else 0.0,
        "errors": int(status != 200),
        "p50_ms": round(total * 1000, 1),
        "first_byte_ms": round(first_byte * 1000, 1),
        "rss_growth_mb": round(rss_growth_mb, 1),
        "bytes_per_request": size,
        "tool": ONE_AT_A_TIME,
    }


def compression_figures(path, kind, *, raw, gzip):
    """What gzip did to one answer. `raw` and `gzip` are single requests (as `measure` records them),
    the first without Accept-Encoding, the second with `gzip`.

    The answer counts as served compressed when both requests succeeded, the compressed one said
    `Content-Encoding: gzip` and `Vary: Accept-Encoding` (so that no cache hands it to a client that
    did not ask), and the raw one came as it is.
    """
    varies_on = {name.strip().lower() for name in (gzip.get("vary") or "").split(",")}
    compressed = (
        not raw["errors"]
        and not gzip["errors"]
        and (gzip.get("content_encoding") or "").lower() == "gzip"
        and "accept-encoding" in varies_on
        and not raw.get("content_encoding")
    )
    return {
        "path": path,
        "kind": kind,
        "raw_bytes": raw["bytes_per_request"],
        "wire_bytes": gzip["bytes_per_request"],
        "size_ratio": ratio(gzip["bytes_per_request"], raw["bytes_per_request"]),
        "time_ratio": ratio(gzip["p50_ms"], raw["p50_ms"]),
        "cpu_ratio": ratio(gzip["cpu_ms"], raw["cpu_ms"]),
        "content_encoding": gzip.get("content_encoding"),
        "vary": gzip.get("vary"),
        "served_compressed": compressed,
        "raw": raw,
        "gzip": gzip,
    }


def healthz_beside(result, repetition_healthz):
    """What a run is divided by: the mean of the /healthz runs taken just before and just after it,
    when it has them, so that what the machine's speed did within a repetition cancels; else its
    repetition's /healthz."""
    beside = [run for run in (result.get("healthz_before"), result.get("healthz_after")) if run]
    if not beside:
        return repetition_healthz
    return {key: statistics.mean(run[key] for run in beside) for key in ("rps", "cpu_ms")}


def beside_figures(result):
    """What a /healthz run taken beside another keeps for it: its throughput, CPU and requests."""
    return {key: result[key] for key in ("rps", "cpu_ms", "requests")}


def summarise(mode_results):
    """Medians per endpoint, and each repetition's ratio to the healthz beside it (`healthz_beside`),
    then the median."""
    healthz = mode_results["endpoints"].get("healthz", {}).get("runs", [])
    summary = {}
    for endpoint, data in mode_results["endpoints"].items():
        runs = data["runs"]
        ratios_rps, ratios_cpu = [], []
        for index, result in enumerate(runs):
            base = healthz_beside(result, healthz[index] if index < len(healthz) else None)
            if not base:
                continue
            # Requests per second compare only between runs of the same load (wrk, 4 connections).
            if "wrk" in result["tool"]:
                ratios_rps.append(ratio(base["rps"], result["rps"]))
            ratios_cpu.append(ratio(result["cpu_ms"], base["cpu_ms"]))
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
        if any("first_byte_ms" in r for r in runs):
            summary[endpoint]["first_byte_ms"] = median([r.get("first_byte_ms") for r in runs])
            summary[endpoint]["rss_growth_mb"] = max(r.get("rss_growth_mb") or 0.0 for r in runs)
    return summary
