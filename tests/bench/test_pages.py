"""What is loaded in each mode, and how."""

from scripts.bench.datasets import build_mark, database_name
from scripts.bench.pages import (
    CACHED_PAGES,
    COUNTED_PAGES,
    DEEP_API_PAGE,
    ENDPOINTS,
    STREAMED,
    compressed_endpoints,
    endpoints_for,
    one_request_at_a_time,
)


def test_every_endpoint_is_loaded_uncached():
    assert endpoints_for("uncached") == list(ENDPOINTS)


def test_with_the_cache_on_only_cached_pages_and_the_yardstick_are_loaded():
    assert [endpoint.name for endpoint in endpoints_for("cached")] == [
        "healthz",
        "dashboard",
        "recommendations",
        "recommendation",
        "actors",
        "actor",
        "actions",
        "map",
        "themes",
        "theme",
    ]
    # Their cache hits and conditional GETs are counted too.
    assert tuple(e.path for e in endpoints_for("cached") if e.name != "healthz") == CACHED_PAGES


def test_every_loaded_endpoint_and_every_download_has_its_queries_counted():
    # The deep page's cursor is found when the site is served; its first page is counted.
    assert {endpoint.path for endpoint in ENDPOINTS if endpoint.name != DEEP_API_PAGE} <= set(COUNTED_PAGES)
    assert set(STREAMED) <= set(COUNTED_PAGES)


def test_html_json_and_csv_are_each_asked_with_and_without_gzip_on_an_uncached_endpoint():
    assert compressed_endpoints() == [
        ("dashboard", "/", "HTML"),
        ("api_actions", "/api/actions/", "JSON"),
        ("csv_actions", "/export/actions.csv", "CSV"),
    ]
    assert {path for _name, path, _kind in compressed_endpoints()} <= {e.path for e in endpoints_for("uncached")}


def test_the_full_csv_is_downloaded_one_at_a_time_only_when_large():
    assert not one_request_at_a_time("csv_actions", 10_000)
    assert one_request_at_a_time("csv_actions", 10_001)
    assert one_request_at_a_time("xlsx_actions", 100_000)
    assert not one_request_at_a_time("dashboard", 100_000)


def test_database_names():
    assert database_name(1000) == "followup_bench_1k"
    assert database_name(100_000) == "followup_bench_100k"
    assert database_name(2500) == "followup_bench_2500"


def test_a_database_is_reused_only_when_built_with_the_same_size_and_seed():
    mark = build_mark(1000, 1)
    assert mark == "followup bench: actions=1000 seed=1 schema=1 complete"
    assert build_mark(1000, 2) != mark
    assert not build_mark(10000, 1).startswith(mark)
