"""The order of a repetition's load runs: each page between two runs of /healthz."""

from scripts.bench.measure import BESIDE_SECONDS, one_repetition
from tests.bench.reports import run_figures

AVAILABLE = [("healthz", "/healthz"), ("dashboard", "/"), ("csv_actions", "/export/actions.csv"), ("map", "/map/")]


def _recorded(actions):
    """The runs a repetition asks for, in order, and what it gives for each page; each run's CPU is its
    place in the order, so that which run a page is given can be read."""
    asked = []

    def load_path(path, seconds, single):
        asked.append((path, seconds, single))
        return run_figures(rps=1000.0, cpu_ms=float(len(asked)))

    given = {
        endpoint: result
        for endpoint, _path, result in one_repetition(AVAILABLE, load_path, actions=actions, duration=5)
    }
    return asked, given


def test_each_page_is_loaded_between_two_runs_of_healthz():
    asked, given = _recorded(actions=1_000)
    assert asked == [
        ("/healthz", 5, False),
        ("/", 5, False),
        ("/healthz", BESIDE_SECONDS, False),
        ("/export/actions.csv", 5, False),
        ("/healthz", BESIDE_SECONDS, False),
        ("/map/", 5, False),
        ("/healthz", BESIDE_SECONDS, False),
    ]
    assert (given["dashboard"]["healthz_before"]["cpu_ms"], given["dashboard"]["healthz_after"]["cpu_ms"]) == (1, 3)
    assert (given["map"]["healthz_before"]["cpu_ms"], given["map"]["healthz_after"]["cpu_ms"]) == (5, 7)
    assert "healthz_before" not in given["healthz"]


def test_a_download_asked_once_has_no_healthz_beside_it_and_the_next_page_only_the_one_after():
    asked, given = _recorded(actions=100_000)
    assert [path for path, _seconds, _single in asked] == [
        "/healthz",
        "/",
        "/healthz",
        "/export/actions.csv",
        "/map/",
        "/healthz",
    ]
    assert ("/export/actions.csv", 5, True) in asked
    assert "healthz_before" not in given["csv_actions"]
    assert given["map"]["healthz_before"] is None and given["map"]["healthz_after"]["cpu_ms"] == 6
