"""The table the benchmark prints and writes to bench.txt, and the JSON of bench.json."""

import json

import pytest

from scripts.bench.pages import COUNTED_PAGES, STREAMED
from scripts.bench.report import (
    COLUMNS,
    COMPRESSION_COLUMNS,
    compression_line,
    endpoint_line,
    format_rps,
    render,
    row_notes,
    to_json,
)
from scripts.bench.stats import ONE_AT_A_TIME
from scripts.bench.targets import check_targets
from tests.bench import reports


def _rendered(report):
    report["targets"] = check_targets(report)
    return render(report)


@pytest.mark.parametrize(
    ("rps", "shown"), [(1785.4, "1785"), (100.0, "100"), (71.34, "71.3"), (1.0, "1.0"), (0.06, "0.060")]
)
def test_requests_per_second_are_shown_to_about_three_figures(rps, shown):
    assert format_rps(rps) == shown


def test_an_endpoint_line_lines_up_with_the_columns():
    row = reports.summary_row("/", rps=132.4, cpu_ms=14.78, x_cpu=13.44, x_rps=12.4, p50_ms=27.66)
    line = endpoint_line(row, 4)
    assert line == ("/                           132     27.7      13.30    1.48    14.78    13.44    12.40        4  ")
    assert len(line.rstrip()) == len(COLUMNS) - len("  notes")


def test_a_download_measured_one_at_a_time_says_so_and_has_no_throughput_ratio():
    row = reports.summary_row(
        "/export/actions.csv",
        rps=0.06,
        cpu_ms=16850.0,
        x_cpu=16689.39,
        x_rps=None,
        tool=ONE_AT_A_TIME,
        requests=3,
        p50_ms=16822.2,
    )
    line = endpoint_line(row, 46)
    assert line.startswith(
        "/export/actions.csv       0.060  16822.2   15165.00 1685.00 16850.00 16689.39        –       46"
    )
    assert line.endswith("3 requests in all, one at a time; p50 = one download")
    row |= {"first_byte_ms": 412.3, "rss_growth_mb": 2.6}
    assert endpoint_line(row, 46).endswith("p50 = one download, first byte 412 ms, memory +3 MB")


def test_the_load_test_has_its_own_lines_with_three_percentiles():
    lines = _rendered(reports.report()).splitlines()
    start = lines.index("load test (wrk -t2 -c32 -d60s, 127.0.0.1):")
    assert lines[start + 1 : start + 4] == [
        f"  {'endpoint':<20}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}",
        f"  {'/healthz':<20}{'1500':>9}{'2.0':>9}{'40.0':>9}{'80.0':>9}{'0':>8}",
        f"  {'/ (gzip)':<20}{'1450':>9}{'2.0':>9}{'40.0':>9}{'80.0':>9}{'0':>8}",
    ]
    assert lines[start + 4] == f"  {'/':<20}{'1200':>9}{'2.0':>9}{'40.0':>9}{'80.0':>9}{'0':>8}"


def test_the_shared_caches_queries_are_summed_up_per_dataset():
    report = reports.report()
    report["sizes"][1]["cache_hit_queries"]["/"] |= {"hit_queries": 1, "conditional_status": 200}
    text = _rendered(report)
    assert "shared cache: queries of a hit [0], of a matching conditional GET [0] (answers [304]), on 9 pages" in text
    assert (
        "shared cache: queries of a hit [0, 1], of a matching conditional GET [0] (answers [200, 304]), on 9 pages"
        in text
    )


def test_notes_report_errors_and_restarted_workers():
    row = reports.summary_row("/", rps=1.0, cpu_ms=1.0, x_cpu=1.0, x_rps=1.0, errors=2)
    row["workers_restarted"] = True
    assert row_notes(row) == ["2 errors", "a worker restarted"]
    assert row_notes(reports.summary_row("/", rps=1.0, cpu_ms=1.0, x_cpu=1.0, x_rps=1.0)) == []


def test_the_report_opens_with_the_run_and_closes_with_its_duration():
    lines = _rendered(reports.report()).splitlines()
    assert lines[0] == (
        "Benchmark, 2026-11-27T10:00:00 (2 CPUs; load average at start [0.71, 0.5, 0.4], at end [2.42, 1.0, 0.8])"
    )
    assert lines[1].startswith("gunicorn: 2 sync workers, config/gunicorn.conf.py, DEBUG off; load: wrk -t2 -c4 -d5s")
    assert "3 interleaved repetitions, medians" in lines[1]
    assert lines[-2:] == ["", "Whole run: 419 s."]


def test_each_dataset_has_a_table_per_cache_setting():
    text = _rendered(reports.report())
    assert "== 1,000 actions (followup_bench_1k: 900 published, 540 status changes, 15 MB) ==" in text
    assert "== 100,000 actions (followup_bench_100k: 90,000 published, 540 status changes, 15 MB) ==" in text
    assert text.count("-- uncached (dummycache://) --") == 2
    assert text.count("-- cached (redis://127.0.0.1:6379/13) --") == 2
    assert text.count(COLUMNS) == 4
    assert "worker memory (VmRSS at the end): 105 MB, 105 MB" in text


def test_the_compression_check_has_its_own_lines_under_the_uncached_table():
    lines = _rendered(reports.report()).splitlines()
    heading = "compression (one request each, without and with Accept-Encoding: gzip; ms to the last byte, CPU ms):"
    assert lines.count(heading) == 2
    start = lines.index(heading)
    assert lines[start - 1].startswith("worker memory (VmRSS at the end)")
    assert lines[start + 1] == COMPRESSION_COLUMNS
    assert lines[start + 2 : start + 5] == [
        "  / (HTML)                        152,000       19,000   12.5%     120.0     125.0   1.04   108.00    112.50"
        "  Content-Encoding: gzip; Vary: Accept-Encoding, Cookie",
        "  /api/actions/ (JSON)             61,000        9,150   15.0%     100.0     110.0   1.10    90.00     99.00"
        "  Content-Encoding: gzip; Vary: Accept-Encoding, Cookie",
        "  /export/actions.csv (CSV)       410,000       50,000   12.2%    3600.0    4500.0   1.25  3240.00   4050.00"
        "  Content-Encoding: gzip; Vary: Accept-Encoding, Cookie",
    ]
    # Its columns line up with their headings.
    assert len(lines[start + 2].split("  Content-Encoding")[0]) == len(COMPRESSION_COLUMNS.split("  the compressed")[0])
    # Only the uncached table has it.
    assert lines[start + 5].startswith("-- cached")


def test_a_compression_request_that_failed_says_so():
    row = reports.compression_row("/", "HTML", raw_bytes=152_000, wire_bytes=300)
    row["gzip"] |= {"status": 500, "errors": 1}
    assert compression_line(row).endswith("  answered 200 without gzip, 500 with it")


def test_a_run_without_the_compression_check_prints_no_compression_lines():
    report = reports.report()
    for size in report["sizes"]:
        del size["modes"]["uncached"]["compression"]
    assert "compression (" not in _rendered(report)


def test_a_missing_endpoint_is_listed_with_its_answer():
    report = reports.report()
    report["sizes"][0]["modes"]["uncached"]["missing"] = [{"endpoint": "actor", "path": "/actors/MEX/", "status": 500}]
    assert "/actors/MEX/           missing (answered 500)" in _rendered(report).splitlines()


def test_query_counts_have_a_row_per_page_and_a_column_per_size():
    report = reports.report()
    report["sizes"][1]["query_counts"]["/forum/"] = {"status": 404, "queries": 2, "bytes": 0}
    lines = _rendered(report).splitlines()
    start = lines.index("Query counts (anonymous, cache off, rendered in-process):")
    assert lines[start + 1] == f"{'page':<38}{'1,000':>12}{'100,000':>12}"
    rows = lines[start + 2 : start + 2 + len(COUNTED_PAGES)]
    assert [row.split()[0] for row in rows] == list(COUNTED_PAGES)
    # A page that did not answer 200 shows its status, not a count.
    assert rows[COUNTED_PAGES.index("/forum/")] == f"{'/forum/':<38}{'4':>12}{'(404)':>12}"


def test_the_best_in_process_times_have_a_row_per_timed_page():
    report = reports.report()
    report["sizes"][1]["query_counts"]["/"]["best_ms"] = 12.34
    del report["sizes"][0]["query_counts"]["/forum/"]["best_ms"]
    lines = _rendered(report).splitlines()
    start = lines.index("Best time per request in-process, ms (each size in its own process; downloads apart):")
    timed = [path for path in COUNTED_PAGES if path not in STREAMED]
    rows = lines[start + 2 : start + 2 + len(timed)]
    assert [row.split()[0] for row in rows] == timed
    assert rows[timed.index("/")] == f"{'/':<38}{'10.0':>12}{'12.3':>12}"
    assert rows[timed.index("/forum/")] == f"{'/forum/':<38}{'–':>12}{'10.0':>12}"


def test_the_sizes_timed_in_turn_have_a_row_per_page_with_their_ratio():
    report = reports.report()
    assert "timed in turn" not in _rendered(report)
    report["paired"] = [{"small": 1000, "large": 100_000, "best_ms": {"/": [8.0, 8.4], "/api/actions/": [5.0, 6.5]}}]
    lines = _rendered(report).splitlines()
    start = lines.index("Growth, the two sizes timed in turn in-process (best of 100 rounds, ms):")
    assert lines[start + 1 : start + 4] == [
        f"{'page':<38}{'1,000':>12}{'100,000':>12}{'ratio':>8}",
        f"{'/':<38}{'8.00':>12}{'8.40':>12}{'1.05':>7}×",
        f"{'/api/actions/':<38}{'5.00':>12}{'6.50':>12}{'1.30':>7}×",
    ]


def test_the_targets_are_listed_with_their_verdicts():
    report = reports.report()
    report["sizes"][0]["modes"]["uncached"]["worker_rss_mb"] = [160.0]
    lines = _rendered(report).splitlines()
    targets = lines[lines.index("Targets:") + 1 : -2]
    assert len(targets) == len(report["targets"])
    assert "  [FAIL] worker memory under 150 MB: max 160 MB" in targets
    assert targets[0] == "  [PASS] every public page's query count is the same at every size: all equal"


def test_the_json_keeps_every_figure_and_reads_back_the_same():
    report = reports.report()
    report["targets"] = check_targets(report)
    assert json.loads(to_json(report)) == report
    assert to_json(report).startswith('{\n  "meta": {\n    "started"')
