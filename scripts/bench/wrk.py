"""wrk's command line and its output, read into figures. No I/O: the caller runs the command."""

import re

from scripts.bench.errors import BenchError

THREADS = 2
CONNECTIONS = 4
# The load test: many clients at once (`--load-clients`), on wrk's two threads.
LOAD_THREADS = 2
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk_command(
    url, *, seconds, latency=False, timeout="60s", threads=THREADS, connections=CONNECTIONS, script=None, headers=None
):
    """`wrk -t2 -c4 -dNs` on one URL; with the latency distribution (p50, p90, p99) when asked, a Lua
    script (the load test's percentiles) when given, and the request headers given."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
    for name, value in (headers or {}).items():
        command += ["--header", f"{name}: {value}"]
    if latency:
        command.append("--latency")
    if timeout:
        command += ["--timeout", timeout]
    if script:
        command += ["--script", str(script)]
    return [*command, url]


def wrk_label(seconds, threads=THREADS, connections=CONNECTIONS):
    """How a load run is described in the results (the `tool` of each run)."""
    return f"wrk -t{threads} -c{connections} -d{seconds}s"


def parse_percentiles(output):
    """The lines `percentile P MICROSECONDS` that percentiles.lua prints: {"pP_ms": milliseconds}."""
    return {
        f"p{percent}_ms": round(int(micros) / 1000, 2)
        for percent, micros in re.findall(r"^percentile (\d+) (\d+)$", output, re.MULTILINE)
    }


def parse_wrk(output):
    """Requests, requests per second, errors (non-2xx/3xx answers and socket errors) and latency percentiles."""
    requests = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not requests or not rps:
        raise BenchError(f"could not read wrk's output:\n{output}")
    latency = {}
    for percent, value, unit in re.findall(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE):
        latency[f"p{percent}_ms"] = round(float(value) * _UNITS[unit], 2)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests": int(requests.group(1)),
        "rps": float(rps.group(1)),
        "errors": (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket.groups())) if socket else 0),
        **latency,
    }
