"""wrk's command line, and its output read into figures (the samples are wrk 4.1's own output)."""

import pytest

from scripts.bench.errors import BenchError
from scripts.bench.wrk import parse_percentiles, parse_wrk, wrk_command, wrk_label

HEALTHY = """\
Running 5s test @ http://127.0.0.1:8765/healthz
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.14ms    1.44ms   9.47ms   70.37%
    Req/Sec   478.25     59.66   656.00     80.00%
  Latency Distribution
     50%    2.17ms
     75%    5.06ms
     90%  850.00us
     99%    1.62s
  8925 requests in 5.00s, 1.82MB read
Requests/sec:   1785.02
Transfer/sec:      1.82MB
"""

WITH_ERRORS = """\
Running 1s test @ http://127.0.0.1:8765/nothing-here
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.91ms  659.00us  11.16ms   86.70%
    Req/Sec     1.04k    36.11     1.10k    77.27%
  2286 requests in 1.10s, 1.13MB read
  Socket errors: connect 1, read 2, write 3, timeout 4
  Non-2xx or 3xx responses: 2286
Requests/sec:   2078.24
Transfer/sec:      1.03MB
"""


def test_requests_and_throughput_are_read():
    figures = parse_wrk(HEALTHY)
    assert figures["requests"] == 8925
    assert figures["rps"] == 1785.02
    assert figures["errors"] == 0


def test_latency_percentiles_are_converted_to_milliseconds_whatever_the_unit():
    figures = parse_wrk(HEALTHY)
    assert figures["p50_ms"] == 2.17
    assert figures["p90_ms"] == 0.85
    assert figures["p99_ms"] == 1620.0
    # Only 50, 90 and 99 are kept; the summary's Latency line is not a percentile.
    assert "p75_ms" not in figures


def test_minutes_are_converted_too():
    output = HEALTHY.replace("     99%    1.62s", "     99%    1.50m")
    assert parse_wrk(output)["p99_ms"] == 90000.0


def test_non_2xx_answers_and_socket_errors_are_all_errors():
    figures = parse_wrk(WITH_ERRORS)
    assert figures["errors"] == 2286 + 1 + 2 + 3 + 4
    assert figures["requests"] == 2286


def test_without_the_latency_distribution_there_are_no_percentiles():
    assert not any(key.startswith("p") and key.endswith("_ms") for key in parse_wrk(WITH_ERRORS))


@pytest.mark.parametrize("output", ["", "unable to connect to 127.0.0.1:8765 Connection refused\n"])
def test_output_without_figures_is_an_error_of_the_benchmark(output):
    with pytest.raises(BenchError, match="could not read wrk's output"):
        parse_wrk(output)


def test_a_measuring_run_asks_for_the_latency_distribution_and_a_long_timeout():
    assert wrk_command("http://127.0.0.1:8765/", seconds=5, latency=True) == [
        "wrk",
        "-t2",
        "-c4",
        "-d5s",
        "--latency",
        "--timeout",
        "60s",
        "http://127.0.0.1:8765/",
    ]


def test_a_warm_up_run_can_keep_wrks_default_timeout():
    assert wrk_command("http://x/", seconds=1, timeout=None) == ["wrk", "-t2", "-c4", "-d1s", "http://x/"]


def test_the_label_says_how_the_load_was_made():
    assert wrk_label(3) == "wrk -t2 -c4 -d3s"


def test_the_load_tests_percentiles_are_read_from_the_scripts_lines():
    output = HEALTHY + "percentile 50 2170\npercentile 95 41250\npercentile 99 1620000\n"
    assert parse_percentiles(output) == {"p50_ms": 2.17, "p95_ms": 41.25, "p99_ms": 1620.0}
    assert parse_percentiles(HEALTHY) == {}


def test_the_load_test_runs_many_connections_with_the_percentiles_script():
    command = wrk_command("http://127.0.0.1:1/", seconds=60, threads=2, connections=32, script="p.lua")
    assert command == ["wrk", "-t2", "-c32", "-d60s", "--timeout", "60s", "--script", "p.lua", "http://127.0.0.1:1/"]
    assert wrk_label(60, 2, 32) == "wrk -t2 -c32 -d60s"
