"""The report as text (the table printed and written to bench.txt) and as JSON (bench.json). No I/O."""

import json

from scripts.bench.pages import COUNTED_PAGES, PAIRED_ROUNDS
from scripts.bench.stats import ONE_AT_A_TIME

COLUMNS = (
    f"{'endpoint':<22}{'req/s':>9}{'p50 ms':>9}{'worker ms':>11}{'db ms':>8}{'CPU ms':>9}"
    f"{'×hz CPU':>9}{'×hz rps':>9}{'queries':>9}  notes"
)

COMPRESSION_COLUMNS = (
    f"  {'endpoint':<26}{'raw bytes':>13}{'gzip bytes':>13}{'share':>8}{'raw ms':>10}{'gzip ms':>10}{'×time':>7}"
    f"{'raw CPU':>9}{'gzip CPU':>10}  the compressed answer"
)


def format_rps(rps):
    """Three significant figures or so: 1785, 71.3, 0.060."""
    return f"{rps:.0f}" if rps >= 100 else f"{rps:.1f}" if rps >= 1 else f"{rps:.3f}"


def row_notes(row):
    notes = []
    if row["errors"]:
        notes.append(f"{row['errors']} errors")
    if row["tool"] == ONE_AT_A_TIME:
        notes.append(f"{row['requests']} requests in all, one at a time; p50 = one download")
        if row.get("first_byte_ms") is not None:
            notes.append(f"first byte {row['first_byte_ms']:.0f} ms, memory +{row.get('rss_growth_mb', 0):.0f} MB")
    if row["workers_restarted"]:
        notes.append("a worker restarted")
    return notes


def endpoint_line(row, queries):
    by_rps = "–" if row["x_healthz_rps"] is None else f"{row['x_healthz_rps']:.2f}"
    return (
        f"{row['path']:<22}{format_rps(row['rps']):>9}{(row['p50_ms'] or 0):>9.1f}{row['worker_cpu_ms']:>11.2f}"
        f"{row['db_cpu_ms']:>8.2f}{row['cpu_ms']:>9.2f}{(row['x_healthz_cpu'] or 0):>9.2f}"
        f"{by_rps:>9}{queries!s:>9}  {', '.join(row_notes(row))}"
    )


def compression_line(row):
    """One answer asked without and with gzip: its bytes, the share left on the wire, each request's
    milliseconds to the last byte and CPU milliseconds (workers and database), and what the compressed
    answer said of itself."""
    raw, gzip = row["raw"], row["gzip"]
    share = "–" if row["size_ratio"] is None else f"{row['size_ratio']:.1%}"
    times = "–" if row["time_ratio"] is None else f"{row['time_ratio']:.2f}"
    if raw["errors"] or gzip["errors"]:
        said = f"answered {raw.get('status')} without gzip, {gzip.get('status')} with it"
    else:
        said = f"Content-Encoding: {row['content_encoding'] or 'none'}; Vary: {row['vary'] or 'none'}"
    return (
        f"  {row['path'] + ' (' + row['kind'] + ')':<26}{row['raw_bytes']:>13,}{row['wire_bytes']:>13,}{share:>8}"
        f"{raw['p50_ms']:>10.1f}{gzip['p50_ms']:>10.1f}{times:>7}{raw['cpu_ms']:>9.2f}{gzip['cpu_ms']:>10.2f}  {said}"
    )


def _compression_lines(compression):
    if not compression:
        return
    yield "compression (one request each, without and with Accept-Encoding: gzip; ms to the last byte, CPU ms):"
    yield COMPRESSION_COLUMNS
    for row in compression.values():
        yield compression_line(row)


def _size_lines(size):
    facts = size["facts"]
    yield ""
    yield (
        f"== {size['actions']:,} actions ({size['database']}: {facts['published_actions']:,} published, "
        f"{facts['status_changes']:,} status changes, {facts['bytes'] / 2**20:.0f} MB) =="
    )
    for mode, data in size["modes"].items():
        yield f"-- {mode} ({data['cache_url']}) --"
        yield COLUMNS
        for row in data["summary"].values():
            yield endpoint_line(row, size["query_counts"].get(row["path"], {}).get("queries", ""))
        for missing in data["missing"]:
            yield f"{missing['path']:<22} missing (answered {missing['status']})"
        yield f"worker memory (VmRSS at the end): {', '.join(f'{mb:.0f} MB' for mb in data['worker_rss_mb'])}"
        yield from _compression_lines(data.get("compression"))
        yield from _load_lines(data.get("load"))
    hits = size.get("cache_hit_queries")
    if hits:
        answered = {path: entry for path, entry in hits.items() if entry.get("hit_status") == 200}
        yield (
            f"shared cache: queries of a hit {sorted({e['hit_queries'] for e in answered.values()})}, "
            f"of a matching conditional GET {sorted({e['conditional_queries'] for e in answered.values()})} "
            f"(answers {sorted({e['conditional_status'] for e in answered.values()})}), on {len(answered)} pages"
        )


def _load_lines(load):
    if not load:
        return
    first = next(iter(load.values()))
    yield f"load test ({first['tool']}, 127.0.0.1):"
    yield f"  {'endpoint':<20}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
    for row in load.values():
        asked = " (gzip)" if "gzip" in row.get("headers", {}).get("Accept-Encoding", "") else ""
        endpoint = row["path"] + asked
        yield (
            f"  {endpoint:<20}{format_rps(row['rps']):>9}{row.get('p50_ms', 0):>9.1f}{row.get('p95_ms', 0):>9.1f}"
            f"{row.get('p99_ms', 0):>9.1f}{row['errors']:>8}"
        )


def _query_count_lines(sizes):
    yield "Query counts (anonymous, cache off, rendered in-process):"
    yield f"{'page':<38}" + "".join(f"{size['actions']:>12,}" for size in sizes)
    for path in COUNTED_PAGES:
        cells = []
        for size in sizes:
            entry = size["query_counts"].get(path, {})
            cells.append(str(entry.get("queries")) if entry.get("status") == 200 else f"({entry.get('status')})")
        yield f"{path:<38}" + "".join(f"{cell:>12}" for cell in cells)
    yield ""
    yield "Best time per request in-process, ms (each size in its own process; downloads apart):"
    yield f"{'page':<38}" + "".join(f"{size['actions']:>12,}" for size in sizes)
    for path in COUNTED_PAGES:
        times = [size["query_counts"].get(path, {}).get("best_ms") for size in sizes]
        if any(times):
            yield f"{path:<38}" + "".join(f"{'–' if ms is None else f'{ms:.1f}':>12}" for ms in times)


def _paired_lines(pairs):
    """The best times of the sizes the growth targets compare, timed in turn (`paired`), and their ratio."""
    for pair in pairs:
        yield ""
        yield f"Growth, the two sizes timed in turn in-process (best of {PAIRED_ROUNDS} rounds, ms):"
        yield f"{'page':<38}{pair['small']:>12,}{pair['large']:>12,}{'ratio':>8}"
        for path, (small, large) in pair["best_ms"].items():
            yield f"{path:<38}{small:>12.2f}{large:>12.2f}{large / small:>7.2f}×"


def render(report):
    """The whole report as printed: the run, each dataset's table per cache setting, query counts, targets."""
    meta = report["meta"]
    lines = [
        f"Benchmark, {meta['started']} ({meta['cpus']} CPUs; load average at start {meta['load_average_start']}, "
        f"at end {meta['load_average_end']})",
        f"gunicorn: 2 sync workers, config/gunicorn.conf.py, DEBUG off; load: wrk -t2 -c4 -d{meta['duration']}s "
        f"on 127.0.0.1; {meta['repetitions']} interleaved repetitions, medians; "
        "CPU = gunicorn workers + PostgreSQL backends of the database; ×hz = multiple of /healthz "
        "(the two runs of it just before and after the endpoint's)",
    ]
    for size in report["sizes"]:
        lines += _size_lines(size)
    lines.append("")
    lines += _query_count_lines(report["sizes"])
    lines += _paired_lines(report.get("paired", []))
    lines.append("")
    lines.append("Targets:")
    lines += [f"  [{check['result']}] {check['target']}: {check['detail']}" for check in report["targets"]]
    lines.append("")
    lines.append(f"Whole run: {meta['seconds']:.0f} s.")
    return "\n".join(lines)


def to_json(report):
    return json.dumps(report, indent=2, default=str)
