"""Medians, ratios to healthz, CPU per request and the summary of the repetitions."""

import pytest

from scripts.bench.stats import (
    ONE_AT_A_TIME,
    compression_figures,
    cpu_delta,
    median,
    per_request_costs,
    ratio,
    single_request_load,
    summarise,
)
from tests.bench.reports import run_figures, single_request


def test_median_leaves_out_what_was_not_measured():
    assert median([3.0, None, 1.0, 2.0]) == 2.0
    assert median([1.0, 2.0]) == 1.5


def test_median_is_rounded_to_three_decimals():
    assert median([1.23456]) == 1.235


@pytest.mark.parametrize("values", [[], [None, None]])
def test_median_of_nothing_is_none(values):
    assert median(values) is None


def test_ratio():
    assert ratio(3.0, 2.0) == 1.5
    assert ratio(None, 2.0) is None
    assert ratio(3.0, 0) is None
    assert ratio(3.0, None) is None


def test_cpu_delta_counts_the_time_spent_between_two_readings():
    assert cpu_delta({1: 1.0, 2: 5.0}, {1: 1.5, 2: 6.0}) == pytest.approx(1.5)


def test_cpu_delta_counts_a_new_process_from_zero_and_leaves_out_one_that_exited():
    assert cpu_delta({1: 1.0}, {1: None, 2: 0.25}) == pytest.approx(0.25)


def test_cpu_per_request_of_workers_database_and_redis():
    before = {"workers": {10: 1.0, 11: 1.0}, "db": {20: 0.5}, "redis": {30: 0.0}}
    after = {"workers": {10: 2.0, 11: 2.0}, "db": {20: 0.7}, "redis": {30: 0.1}}
    load = {"requests": 1000, "rps": 123.456, "errors": 0, "tool": "wrk -t2 -c4 -d5s"}
    costs = per_request_costs(load, before, after)
    assert costs["worker_cpu_ms"] == 2.0
    assert costs["db_cpu_ms"] == 0.2
    assert costs["redis_cpu_ms"] == 0.1
    # The site's cost is the workers' and the database's; Redis is reported apart.
    assert costs["cpu_ms"] == 2.2
    assert costs["rps"] == 123.46
    assert costs["tool"] == "wrk -t2 -c4 -d5s"
    assert costs["workers_restarted"] is False


def test_a_worker_replaced_during_a_run_is_reported():
    before = {"workers": {10: 1.0, 11: 1.0}, "db": {}, "redis": {}}
    after = {"workers": {10: 1.0, 12: 0.1}, "db": {}, "redis": {}}
    costs = per_request_costs({"requests": 0, "rps": 0.0, "errors": 0}, before, after)
    assert costs["workers_restarted"] is True
    # No request: the costs are divided by one, not by zero.
    assert costs["worker_cpu_ms"] == 100.0


def test_a_single_request_reports_one_downloads_time_as_p50_with_its_first_byte_and_memory():
    load = single_request_load(200, 41_000_000, 0.41234, 2.8222, 3.04)
    assert load == {
        "requests": 1,
        "rps": pytest.approx(1 / 2.8222),
        "errors": 0,
        "p50_ms": 2822.2,
        "first_byte_ms": 412.3,
        "rss_growth_mb": 3.0,
        "bytes_per_request": 41_000_000,
        "tool": ONE_AT_A_TIME,
    }


@pytest.mark.parametrize(("status", "errors"), [(200, 0), (500, 1), (None, 1)])
def test_a_single_request_counts_a_failed_answer(status, errors):
    assert single_request_load(status, 10, 0.1, 1.0, 0.0)["errors"] == errors


def test_downloads_summarise_their_first_byte_as_a_median_and_their_memory_growth_as_the_largest():
    runs = [
        {
            **run_figures(rps=0.5, cpu_ms=2000.0, tool=ONE_AT_A_TIME, requests=1),
            "first_byte_ms": fb,
            "rss_growth_mb": mb,
        }
        for fb, mb in ((300.0, 2.0), (500.0, 9.0), (400.0, 1.0))
    ]
    summary = summarise(_mode(healthz=[run_figures(rps=2000.0, cpu_ms=1.0)] * 3, csv_actions=runs))
    assert (summary["csv_actions"]["first_byte_ms"], summary["csv_actions"]["rss_growth_mb"]) == (400.0, 9.0)
    assert "first_byte_ms" not in summary["healthz"]


def _mode(**runs):
    return {"endpoints": {name: {"path": f"/{name}", "runs": value} for name, value in runs.items()}}


def test_each_repetition_is_divided_by_the_healthz_of_the_same_repetition():
    # The machine is twice as busy in the second repetition: both runs are slower, the ratios are the same.
    mode = _mode(
        healthz=[run_figures(rps=2000.0, cpu_ms=1.0), run_figures(rps=1000.0, cpu_ms=2.0)],
        dashboard=[run_figures(rps=200.0, cpu_ms=10.0), run_figures(rps=100.0, cpu_ms=20.0)],
    )
    dashboard = summarise(mode)["dashboard"]
    assert dashboard["x_healthz_cpu"] == 10.0
    assert dashboard["x_healthz_rps"] == 10.0
    assert dashboard["rps"] == 150.0
    assert dashboard["cpu_ms"] == 15.0


def _beside(run, before, after):
    """A page's run with the /healthz runs taken just before and after it (figures as measure keeps them)."""
    figures = [
        None if cpu is None else {"rps": 1000.0 / cpu, "cpu_ms": cpu, "requests": 2000} for cpu in (before, after)
    ]
    return {**run, "healthz_before": figures[0], "healthz_after": figures[1]}


def test_a_run_is_divided_by_the_healthz_runs_beside_it_rather_than_the_repetitions():
    # The machine slowed by half between the repetition's /healthz and the page's run: the /healthz runs
    # taken beside the page (1.4 and 1.6 ms) show it, and the page's multiple is 15 / 1.5, not 15 / 1.
    mode = _mode(
        healthz=[run_figures(rps=1000.0, cpu_ms=1.0)],
        dashboard=[_beside(run_figures(rps=100.0, cpu_ms=15.0), 1.4, 1.6)],
    )
    dashboard = summarise(mode)["dashboard"]
    assert dashboard["x_healthz_cpu"] == 10.0
    assert dashboard["x_healthz_rps"] == pytest.approx((1000 / 1.4 + 1000 / 1.6) / 2 / 100, abs=1e-3)


def test_a_run_with_healthz_on_one_side_only_is_divided_by_that_one():
    mode = _mode(
        healthz=[run_figures(rps=1000.0, cpu_ms=1.0)],
        dashboard=[_beside(run_figures(rps=100.0, cpu_ms=15.0), None, 2.0)],
    )
    assert summarise(mode)["dashboard"]["x_healthz_cpu"] == 7.5


def test_the_median_of_the_ratios_is_reported_not_the_ratio_of_the_medians():
    healthz = [run_figures(rps=1000.0, cpu_ms=cpu) for cpu in (1.0, 2.0, 4.0)]
    dashboard = [run_figures(rps=100.0, cpu_ms=cpu) for cpu in (10.0, 12.0, 10.0)]
    # Ratios 10, 6 and 2.5: the median is 6; the ratio of the medians would be 10 / 2 = 5.
    assert summarise(_mode(healthz=healthz, dashboard=dashboard))["dashboard"]["x_healthz_cpu"] == 6.0


def test_throughput_ratios_only_compare_wrk_runs():
    mode = _mode(
        healthz=[run_figures(rps=2000.0, cpu_ms=1.0)],
        csv_actions=[run_figures(rps=0.06, cpu_ms=16000.0, tool=ONE_AT_A_TIME, requests=1)],
    )
    csv = summarise(mode)["csv_actions"]
    assert csv["x_healthz_rps"] is None
    assert csv["x_healthz_cpu"] == 16000.0


def test_a_repetition_without_healthz_has_no_ratio():
    mode = _mode(
        healthz=[run_figures(rps=2000.0, cpu_ms=1.0)],
        dashboard=[run_figures(rps=200.0, cpu_ms=10.0), run_figures(rps=100.0, cpu_ms=30.0)],
    )
    assert summarise(mode)["dashboard"]["x_healthz_cpu"] == 10.0


def test_a_healthz_without_cpu_time_gives_no_cpu_ratio():
    mode = _mode(healthz=[run_figures(rps=2000.0, cpu_ms=0.0)], dashboard=[run_figures(rps=200.0, cpu_ms=10.0)])
    summary = summarise(mode)["dashboard"]
    assert summary["x_healthz_cpu"] is None
    assert summary["x_healthz_rps"] == 10.0


def test_requests_and_errors_are_added_up_over_the_repetitions():
    mode = _mode(
        healthz=[run_figures(rps=1.0, cpu_ms=1.0)],
        dashboard=[
            run_figures(rps=1.0, cpu_ms=1.0, requests=10, errors=1),
            run_figures(rps=1.0, cpu_ms=1.0, requests=5),
        ],
    )
    summary = summarise(mode)["dashboard"]
    assert (summary["requests"], summary["errors"]) == (15, 1)
    assert summary["workers_restarted"] is False


def test_a_restart_in_any_repetition_is_reported():
    mode = _mode(healthz=[run_figures(rps=1.0, cpu_ms=1.0), run_figures(rps=1.0, cpu_ms=1.0, restarted=True)])
    assert summarise(mode)["healthz"]["workers_restarted"] is True


def _compressed(**gzip_changes):
    raw = single_request(size=41_000_000, ms=3600.0)
    gzip = single_request(size=5_125_000, ms=4500.0, content_encoding="gzip") | gzip_changes
    return raw, gzip


def test_compression_figures_say_what_gzip_saved_and_what_it_cost():
    raw, gzip = _compressed()
    figures = compression_figures("/export/actions.csv", "CSV", raw=raw, gzip=gzip)
    assert figures == {
        "path": "/export/actions.csv",
        "kind": "CSV",
        "raw_bytes": 41_000_000,
        "wire_bytes": 5_125_000,
        "size_ratio": 0.125,
        "time_ratio": 1.25,
        "cpu_ratio": 1.25,
        "content_encoding": "gzip",
        "vary": "Accept-Encoding, Cookie",
        "served_compressed": True,
        # Both requests are kept whole, for bench.json.
        "raw": raw,
        "gzip": gzip,
    }


@pytest.mark.parametrize(
    "gzip_changes",
    [
        {"content_encoding": None},
        {"content_encoding": "br"},
        # Without Vary, a shared cache could hand the compressed answer to a client that cannot read it.
        {"vary": "Cookie"},
        {"vary": None},
        {"status": 500, "errors": 1},
    ],
)
def test_an_answer_is_served_compressed_only_with_its_encoding_and_vary_said(gzip_changes):
    raw, gzip = _compressed(**gzip_changes)
    assert compression_figures("/", "HTML", raw=raw, gzip=gzip)["served_compressed"] is False


def test_an_answer_compressed_for_a_client_that_did_not_ask_is_not_served_as_it_should_be():
    raw, gzip = _compressed()
    raw["content_encoding"] = "gzip"
    assert compression_figures("/", "HTML", raw=raw, gzip=gzip)["served_compressed"] is False


def test_vary_is_read_whatever_its_case_and_spacing():
    raw, gzip = _compressed(vary="cookie,accept-encoding", content_encoding="GZIP")
    assert compression_figures("/", "HTML", raw=raw, gzip=gzip)["served_compressed"] is True


def test_an_empty_raw_answer_has_no_share():
    raw, gzip = _compressed()
    raw["bytes_per_request"] = 0
    assert compression_figures("/", "HTML", raw=raw, gzip=gzip)["size_ratio"] is None
