"""The benchmark's two commands, run as a person runs them (neither needs a database for this)."""

import json
import subprocess
import sys
from pathlib import Path

from scripts.bench.__main__ import main
from scripts.bench.targets import check_targets
from tests.bench import reports

ROOT = Path(__file__).resolve().parents[2]


def _module_help(module):
    return subprocess.run(
        [sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout


def test_the_benchmark_runs_as_a_module_with_its_options():
    text = _module_help("scripts.bench")
    for option in ("--sizes", "--seed", "--rebuild", "--duration", "--repetitions", "--port", "--redis-db"):
        assert option in text
    for option in ("--pg-host", "--pg-port", "--pg-user", "--out", "--from-json"):
        assert option in text
    assert "--query-counts" not in text


def test_the_query_counts_have_an_entry_point_of_their_own():
    assert "The queries of every public page, counted in-process" in _module_help("scripts.bench.query_counts")


def test_from_json_prints_the_table_and_verdicts_of_an_earlier_run(tmp_path, capsys):
    report = reports.report()
    report["targets"] = [{"target": "an old verdict", "result": "FAIL", "detail": "stale"}]
    report["sizes"][1]["modes"]["uncached"]["worker_rss_mb"] = [151.0]
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(report))
    assert main(["--from-json", str(path)]) == 0
    printed = capsys.readouterr().out
    # The targets are checked again, as they stand now.
    assert "an old verdict" not in printed
    assert "  [FAIL] worker memory under 150 MB: max 151 MB" in printed
    assert len([line for line in printed.splitlines() if line.startswith("  [")]) == len(check_targets(report))
    assert printed.endswith("Whole run: 419 s.\n")


def test_the_paired_timing_has_an_entry_point_of_its_own():
    assert "Two sizes timed side by side" in _module_help("scripts.bench.paired")
