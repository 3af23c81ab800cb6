"""The growth targets' timing: two processes, one per database, asked in turn (run for real here)."""

import pytest

from scripts.bench.errors import BenchError
from scripts.bench.paired import paired_best


class Databases:
    """Stands for the benchmark's PostgreSQL: each name is an SQLite file, which /healthz can answer from."""

    def __init__(self, folder):
        self.folder = folder

    def url(self, name):
        return f"sqlite:///{self.folder / name}"


ENV = {"PATH": "/usr/bin:/bin"}


def test_each_path_gets_its_best_time_at_each_size(tmp_path):
    best = paired_best(Databases(tmp_path), ENV, "small.sqlite3", "large.sqlite3", ["/healthz"], rounds=3)
    assert list(best) == ["/healthz"]
    small, large = best["/healthz"]
    assert 0 < small < 1000 and 0 < large < 1000


def test_a_page_that_does_not_answer_200_stops_the_timing(tmp_path):
    # No such folder, so no database: /healthz answers 503 (plain text, nothing else needed to say so).
    with pytest.raises(BenchError, match="/healthz on small.sqlite3 answered 503"):
        paired_best(Databases(tmp_path / "missing"), ENV, "small.sqlite3", "large.sqlite3", ["/healthz"])


def test_a_process_that_stops_stops_the_timing(tmp_path):
    # A page that raises ends the process serving it (its traceback on stderr), and the timing with it.
    with pytest.raises(BenchError, match="stopped while asked for /recommendations/"):
        paired_best(Databases(tmp_path), ENV, "small.sqlite3", "large.sqlite3", ["/recommendations/"])
