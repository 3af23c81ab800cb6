"""What the site is held to: every target of the benchmark as data, and the verdicts. No I/O.

`TARGETS` is the one declaration of every target: its key, what it measures, the statement printed
in the report, its scope, its comparison and its threshold. A target's `measure` reads the figures it
needs from the report (a fresh one, or one read back with --from-json) and yields a `Measurement` per
thing it checks (a page, a metric, a dataset); `check_targets` compares each value with the threshold.

Scopes: RUN targets are checked once; SIZE targets once per dataset; MODE targets once per cache
setting of each dataset (or only the one named by `mode`). Targets are checked in the order of the
table, except that consecutive per-dataset targets are checked one dataset at a time, and consecutive
per-cache-setting targets one cache setting at a time, so the list reads like the table of figures.
"""

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from scripts.bench.pages import COUNTED_PAGES, DEEP_API_PAGE, DOWNLOADS, ENDPOINTS, STREAMED
from scripts.bench.stats import ONE_AT_A_TIME

RUN, SIZE, MODE = "run", "size", "mode"

# The comparisons a target can make: the measured value against the threshold.
AT_MOST, UNDER, AT_LEAST, HOLDS, NONE_FOUND = "<=", "<", ">=", "holds", "none found"
COMPARISONS = {
    AT_MOST: lambda value, limit: value <= limit,
    UNDER: lambda value, limit: value < limit,
    AT_LEAST: lambda value, limit: value >= limit,
    # The value is a fact that must be true (a 304, a fresh page).
    HOLDS: lambda value, _limit: bool(value),
    # The value is a list of offenders (pages, errors) that must be empty.
    NONE_FOUND: lambda value, _limit: not value,
}
THRESHOLD_COMPARISONS = (AT_MOST, UNDER, AT_LEAST)

# Whose cost grows from the smallest dataset to the largest is held to a bound; from 100,000 actions to
# 1,000,000 (`--million`) every page is.
GROWTH_PAGES = ("dashboard", "api_actions")
LARGE, MILLION = 100_000, 1_000_000
ENDPOINT_PATHS = {endpoint.name: endpoint.path for endpoint in ENDPOINTS}
# create_demo_data is held to its time limit from this size up (and to another from a million).
DEMO_DATA_FROM_ACTIONS = LARGE


class Measurement(NamedTuple):
    about: dict  # fills the target's statement: the page, the metric, the sizes compared...
    value: object  # compared with the threshold
    detail: str  # the figures behind the verdict, as the report prints them


@dataclass(frozen=True)
class Target:
    key: str
    measures: str  # what is measured, in words
    statement: str  # as printed; {limit}, {actions}, {mode}, {cache_url} and the measurement's `about`
    scope: str
    comparison: str
    limit: float | None
    measure: Callable[[dict, dict | None, str | None], Iterator[Measurement]]
    mode: str | None = None  # a MODE target that applies to one cache setting only

    def met(self, value):
        return COMPARISONS[self.comparison](value, self.limit)


def verdict(ok):
    return "n/a" if ok is None else "PASS" if ok else "FAIL"


# What each target measures, read from the report (size and mode as the target's scope gives them).


def _summary(size, mode, endpoint):
    return size["modes"].get(mode, {}).get("summary", {}).get(endpoint, {})


def pages_whose_query_count_differs(report, size, mode):
    differing, streamed = [], []
    for path in COUNTED_PAGES:
        entries = [s["query_counts"].get(path, {}) for s in report["sizes"]]
        if any(entry.get("status") != 200 for entry in entries):
            continue
        counts = [entry.get("queries") for entry in entries]
        if len(set(counts)) > 1:
            (streamed if path in STREAMED else differing).append(f"{path} {counts}")
    by_design = f" (downloads, by design per 2,000-row chunk: {'; '.join(streamed)})" if streamed else ""
    yield Measurement({}, differing, "; ".join(differing) or "all equal" + by_design)


def _best_ms(size, page):
    """The page's best in-process time at this size (`query_counts`), if it was timed."""
    path = ENDPOINT_PATHS.get(page)
    return size.get("query_counts", {}).get(path, {}).get("best_ms") if path else None


def _paired_ms(report, small, large, page):
    """The page's best times at the two sizes when they were timed in turn (`paired`), else None."""
    path = ENDPOINT_PATHS.get(page)
    for pair in report.get("paired", []):
        if (pair["small"], pair["large"]) == (small["actions"], large["actions"]) and path in pair["best_ms"]:
            return pair["best_ms"][path]
    return None


def _growth(report, small, large, page):
    """The page's best in-process time (worker and database), one request at a time, largest size over
    smallest. Timed in turn between the two sizes (`paired`) when the report has it, so the machine's
    drift touches both alike; else each size's best from its own process. A page not timed in-process
    (the API's deep page) and a report from before are compared as multiples of healthz in each size's
    own run."""
    about = {"page": page, "small": small["actions"], "large": large["actions"]}
    a = _summary(small, "uncached", page).get("x_healthz_cpu")
    b = _summary(large, "uncached", page).get("x_healthz_cpu")
    under_wrk = f"{a:.1f}× healthz at {small['actions']:,}, {b:.1f}× at {large['actions']:,}" if a and b else None
    paired = _paired_ms(report, small, large, page)
    best_small, best_large = paired or (_best_ms(small, page), _best_ms(large, page))
    if best_small and best_large:
        how = "best of each size timed in turn" if paired else "best in-process"
        detail = (
            f"{best_large / best_small:.2f}× ({best_small:.1f} ms at {small['actions']:,}, "
            f"{best_large:.1f} ms at {large['actions']:,}, {how}"
        )
        detail += f"; under wrk {b / a:.2f}×: {under_wrk})" if under_wrk else ")"
        yield Measurement(about, best_large / best_small, detail)
    elif under_wrk:
        yield Measurement(about, b / a, f"{b / a:.2f}× ({under_wrk})")


def growth_smallest_to_largest(report, size, mode):
    sizes = report["sizes"]
    if len(sizes) > 1:
        for page in GROWTH_PAGES:
            yield from _growth(report, sizes[0], sizes[-1], page)


def growth_to_a_million(report, size, mode):
    sizes = [s for s in report["sizes"] if s["actions"] >= LARGE]
    if len(sizes) < 2 or sizes[-1]["actions"] < MILLION:
        return
    for page in sizes[-1]["modes"]["uncached"].get("summary", {}):
        if page != "healthz" and page not in DOWNLOADS:
            yield from _growth(report, sizes[0], sizes[-1], page)


def pages_vs_healthz(report, size, mode):
    for page, row in size["modes"][mode].get("summary", {}).items():
        ratio = row.get("x_healthz_cpu")
        if page != "healthz" and page not in DOWNLOADS and ratio is not None:
            yield Measurement({"page": page}, ratio, f"{ratio:.2f}× ({row['cpu_ms']:.2f} ms CPU per request)")


def pages_querying_on_a_hit(report, size, mode):
    hits = size.get("cache_hit_queries")
    if hits is not None:
        answered = {path: entry for path, entry in hits.items() if entry.get("hit_status") == 200}
        offenders = [f"{path} {entry['hit_queries']}" for path, entry in answered.items() if entry["hit_queries"]]
        yield Measurement({}, offenders, "; ".join(offenders) or f"no query on any of {len(answered)} pages")


def conditional_gets_not_free(report, size, mode):
    hits = size.get("cache_hit_queries")
    if hits is not None:
        answered = {path: entry for path, entry in hits.items() if entry.get("hit_status") == 200}
        offenders = [
            f"{path} {entry['conditional_status']} with {entry['conditional_queries']} queries"
            for path, entry in answered.items()
            if entry["conditional_status"] != 304 or entry["conditional_queries"]
        ]
        yield Measurement({}, offenders, "; ".join(offenders) or f"304 without a query on {len(answered)} pages")


def deep_page_vs_first(report, size, mode):
    first = _summary(size, mode, "api_actions").get("x_healthz_cpu")
    deep = _summary(size, mode, DEEP_API_PAGE).get("x_healthz_cpu")
    if first and deep:
        yield Measurement({}, deep / first, f"{deep / first:.2f}× ({first:.1f}× healthz on page 1, {deep:.1f}× deep)")


def largest_worker_rss(report, size, mode):
    rss = [mb for s in report["sizes"] for data in s["modes"].values() for mb in data.get("worker_rss_mb", [])]
    if rss:
        yield Measurement({}, max(rss), f"max {max(rss):.0f} MB")


def conditional_get_unchanged(report, size, mode):
    fresh = size["modes"][mode].get("freshness")
    if fresh:
        yield Measurement(
            {}, fresh["etag_304_when_unchanged"], f"ETag {fresh['etag']}, answer {fresh['conditional_get_unchanged']}"
        )


def _fresh_after_a_change(fresh):
    if fresh:
        yield Measurement(
            {}, fresh["fresh_after_a_change"], f"answers after the change: {fresh['conditional_gets_after_a_change']}"
        )


def conditional_gets_after_a_change(report, size, mode):
    yield from _fresh_after_a_change(size["modes"][mode].get("freshness"))


def conditional_gets_after_a_change_locmem(report, size, mode):
    yield from _fresh_after_a_change(size.get("locmem_freshness"))


def _demo_data(size, smallest, below):
    build = size.get("build", {})
    if smallest <= size["actions"] < below and build.get("create_demo_data_seconds"):
        seconds = build["create_demo_data_seconds"]
        when = "in this run" if build.get("built") else f"when it was built, {build.get('built_on')}"
        yield Measurement({}, seconds, f"{seconds:.1f} s {when} (load average {build.get('load_average')})")


def demo_data_seconds(report, size, mode):
    yield from _demo_data(size, DEMO_DATA_FROM_ACTIONS, MILLION)


def demo_data_million_seconds(report, size, mode):
    yield from _demo_data(size, MILLION, float("inf"))


def _one_download(size, endpoint):
    row = _summary(size, "uncached", endpoint)
    # Only a download measured one at a time has a p50 that is one download's time (wrk's is not).
    return row if row.get("p50_ms") and row["tool"] == ONE_AT_A_TIME else None


def full_csv_download_seconds(report, size, mode):
    if csv := _one_download(size, "csv_actions"):
        seconds = csv["p50_ms"] / 1000
        yield Measurement({}, seconds, f"{seconds:.2f} s per download ({csv['cpu_ms'] / 1000:.2f} s of CPU)")


def full_csv_first_byte(report, size, mode):
    if (csv := _one_download(size, "csv_actions")) and csv.get("first_byte_ms") is not None:
        seconds = csv["first_byte_ms"] / 1000
        yield Measurement({}, seconds, f"{seconds:.2f} s")


def download_memory_growth(report, size, mode):
    for endpoint in sorted(DOWNLOADS):
        if (row := _one_download(size, endpoint)) and row.get("rss_growth_mb") is not None:
            yield Measurement({"download": row["path"]}, row["rss_growth_mb"], f"{row['rss_growth_mb']:.1f} MB")


def xlsx_vs_csv(report, size, mode):
    csv, xlsx = _one_download(size, "csv_actions"), _one_download(size, "xlsx_actions")
    if csv and xlsx:
        times = xlsx["p50_ms"] / csv["p50_ms"]
        detail = f"{times:.2f}× ({xlsx['p50_ms'] / 1000:.2f} s against {csv['p50_ms'] / 1000:.2f} s)"
        yield Measurement({}, times, detail)


def _compression(size):
    return size["modes"].get("uncached", {}).get("compression") or {}


def _both_answered(row):
    return not row["raw"]["errors"] and not row["gzip"]["errors"]


def served_compressed(report, size, mode):
    for row in _compression(size).values():
        said = f"Content-Encoding: {row['content_encoding'] or 'none'}, Vary: {row['vary'] or 'none'}"
        if not _both_answered(row):
            detail = f"answered {row['raw'].get('status')} without gzip, {row['gzip'].get('status')} with it"
        elif row["raw"].get("content_encoding"):
            detail = f"{said}; compressed ({row['raw']['content_encoding']}) for a client that did not ask too"
        else:
            shown = "–" if row["size_ratio"] is None else f"{row['size_ratio']:.1%}"
            detail = f"{said}; {row['raw_bytes']:,} bytes raw, {row['wire_bytes']:,} with gzip ({shown})"
        yield Measurement({"kind": row["kind"], "path": row["path"]}, row["served_compressed"], detail)


def compressed_csv_share(report, size, mode):
    row = _compression(size).get("csv_actions")
    if row and _both_answered(row) and row["size_ratio"] is not None:
        detail = f"{row['size_ratio']:.1%} ({row['raw_bytes']:,} bytes raw, {row['wire_bytes']:,} with gzip)"
        yield Measurement({}, row["size_ratio"], detail)


def throughput_under_load(report, size, mode):
    """The dashboard as browsers ask it (gzip), against the mean of the /healthz runs before and after
    it; a run from before that was measured asks it plain, against the one /healthz run. The plain
    figure is named beside it, against the /healthz run just before it."""
    load = size["modes"][mode].get("load")
    if not load or not load.get("healthz", {}).get("rps"):
        return
    compressed = "dashboard_gzip" in load
    before = load["healthz"]["rps"]
    after = (load.get("healthz_after") or {}).get("rps") if compressed else None
    asked = load.get("dashboard_gzip") or load.get("dashboard")
    if asked:
        healthz = (before + after) / 2 if after else before
        share = asked["rps"] / healthz
        clients = asked["tool"].split("-c")[1].split()[0]
        detail = f"{share:.0%} ({asked['rps']:.0f} against {healthz:.0f} req/s"
        if after:
            detail += f", the mean of {before:.0f} before and {after:.0f} after"
        if compressed and "dashboard" in load:
            detail += f"; asked uncompressed: {load['dashboard']['rps'] / (after or before):.0%}"
        yield Measurement({"clients": clients}, share, detail + ")")


def datasets_sharing_an_etag(report, size, mode):
    sizes = report["sizes"]
    small, large = sizes[0], sizes[-1]
    etags = {
        (s["actions"], m): data["freshness"]["etag"]
        for s in sizes
        for m, data in s["modes"].items()
        if data.get("freshness")
    }
    if len(sizes) > 1 and etags:
        same = [
            m for m in ("uncached", "cached") if etags.get((small["actions"], m)) == etags.get((large["actions"], m))
        ]
        detail = (
            f"same ETag for both datasets ({', '.join(same)}): it counts writes since the cache was empty"
            if same
            else "different"
        )
        yield Measurement({}, same, detail)


def failed_requests(report, size, mode):
    runs = [
        (s["actions"], m, endpoint, data["errors"])
        for s in report["sizes"]
        for m, result in s["modes"].items()
        for part in ("summary", "load")
        for endpoint, data in (result.get(part) or {}).items()
        if data["errors"]
    ]
    errors = [f"{actions:,} {m} {endpoint}: {count}" for actions, m, endpoint, count in runs]
    yield Measurement({}, errors, "; ".join(errors) or "none")


GROWTH_STATEMENT = "{page} at {large:,} costs at most {limit:g}× its cost at {small:,} (time per request)"

TARGETS = (
    Target(
        key="same_query_counts",
        measures="the queries of every public page rendered in-process, at each size (downloads apart)",
        statement="every public page's query count is the same at every size",
        scope=RUN,
        comparison=NONE_FOUND,
        limit=None,
        measure=pages_whose_query_count_differs,
    ),
    Target(
        key="growth",
        measures=(
            "the uncached time of the dashboard and the API's actions, largest size over smallest (best of "
            "100 in-process requests, worker and database, the two sizes timed in turn)"
        ),
        statement=GROWTH_STATEMENT,
        scope=RUN,
        comparison=AT_MOST,
        limit=1.2,
        measure=growth_smallest_to_largest,
    ),
    Target(
        key="growth_to_a_million",
        measures="every page's uncached time from 100,000 actions to 1,000,000 (with --million), as above",
        statement=GROWTH_STATEMENT,
        scope=RUN,
        comparison=AT_MOST,
        limit=1.2,
        measure=growth_to_a_million,
    ),
    Target(
        key="uncached_vs_healthz",
        measures="every public page's and API endpoint's cost with the cache off, as the median multiple of healthz",
        statement="{page} {mode} at {actions:,}: at most {limit:g}× healthz (CPU per request)",
        scope=MODE,
        mode="uncached",
        comparison=AT_MOST,
        limit=10.0,
        measure=pages_vs_healthz,
    ),
    Target(
        key="api_deep_page",
        measures="the API's actions far down the list (by cursor) over its first page, as multiples of healthz",
        statement="the API's actions cost the same deep in the list as on page 1 ({actions:,}): at most {limit:g}×",
        scope=MODE,
        mode="uncached",
        comparison=AT_MOST,
        limit=1.2,
        measure=deep_page_vs_first,
    ),
    Target(
        key="cached_vs_healthz",
        measures="a page's cost from the page cache, as the median multiple of healthz",
        statement="{page} {mode} at {actions:,}: at most {limit:g}× healthz (CPU per request)",
        scope=MODE,
        mode="cached",
        comparison=AT_MOST,
        limit=1.2,
        measure=pages_vs_healthz,
    ),
    Target(
        key="throughput_under_load",
        measures=(
            "the cached dashboard's requests per second over healthz's, with many clients at once asking gzip "
            "as browsers do"
        ),
        statement=(
            "under load ({clients} clients) at {actions:,}, the cached dashboard serves at least {limit:.0%} "
            "of healthz's requests"
        ),
        scope=MODE,
        mode="cached",
        comparison=AT_LEAST,
        limit=0.85,
        measure=throughput_under_load,
    ),
    Target(
        key="cache_hit_queries",
        measures="the queries of a second request of each cached page, with the shared cache on",
        statement="a page from the cache makes no query ({actions:,})",
        scope=SIZE,
        comparison=NONE_FOUND,
        limit=None,
        measure=pages_querying_on_a_hit,
    ),
    Target(
        key="conditional_get_queries",
        measures="the answer and the queries of a conditional GET with the page's own ETag, shared cache on",
        statement="a conditional GET that matches answers 304 without a query ({actions:,})",
        scope=SIZE,
        comparison=NONE_FOUND,
        limit=None,
        measure=conditional_gets_not_free,
    ),
    Target(
        key="full_csv_seconds",
        measures="one full actions CSV download, in seconds, where it is too long for wrk",
        statement="full actions CSV at {actions:,} in at most {limit:g} s",
        scope=SIZE,
        comparison=AT_MOST,
        limit=3.0,
        measure=full_csv_download_seconds,
    ),
    Target(
        key="full_csv_first_byte_seconds",
        measures="the seconds to the first byte of that download",
        statement="its first byte within {limit:g} s ({actions:,})",
        scope=SIZE,
        comparison=AT_MOST,
        limit=0.5,
        measure=full_csv_first_byte,
    ),
    Target(
        key="download_memory_growth_mb",
        measures="how much a worker's resident memory grows while it sends one full download, in MB",
        statement="{download} at {actions:,}: the worker's memory grows less than {limit:g} MB while it streams",
        scope=SIZE,
        comparison=UNDER,
        limit=25.0,
        measure=download_memory_growth,
    ),
    Target(
        key="xlsx_vs_csv",
        measures="the full actions XLSX download's time over the CSV's",
        statement="the full XLSX at {actions:,} takes at most {limit:g}× the CSV's time",
        scope=SIZE,
        comparison=AT_MOST,
        limit=4.0,
        measure=xlsx_vs_csv,
    ),
    Target(
        key="served_compressed",
        measures="the dashboard, the API's actions and the full actions CSV, asked once with gzip, once without",
        statement="{kind} ({path}) is served gzip-compressed to a client that asks ({actions:,})",
        scope=SIZE,
        comparison=HOLDS,
        limit=None,
        measure=served_compressed,
    ),
    Target(
        key="csv_gzip_share",
        measures="the bytes of the full actions CSV sent gzip-compressed, as a share of its raw bytes",
        statement="the full actions CSV with gzip is at most {limit:.0%} of its raw size ({actions:,})",
        scope=SIZE,
        comparison=AT_MOST,
        limit=0.25,
        measure=compressed_csv_share,
    ),
    Target(
        key="worker_rss_mb",
        measures="the largest resident memory (VmRSS) of a gunicorn worker after its runs, in MB",
        statement="worker memory under {limit:g} MB",
        scope=RUN,
        comparison=UNDER,
        limit=150.0,
        measure=largest_worker_rss,
    ),
    Target(
        key="etag_304_when_unchanged",
        measures="the answer to a conditional GET of the dashboard with its own ETag",
        statement="ETag / conditional GET answers 304 when nothing changed ({mode}, {actions:,})",
        scope=MODE,
        comparison=HOLDS,
        limit=None,
        measure=conditional_get_unchanged,
    ),
    Target(
        key="fresh_after_a_change",
        measures="the answers to conditional GETs after an assessment committed by another process",
        statement="a change made elsewhere gives a new page, not 304 ({cache_url}, {actions:,})",
        scope=MODE,
        comparison=HOLDS,
        limit=None,
        measure=conditional_gets_after_a_change,
    ),
    Target(
        key="fresh_after_a_change_locmem",
        measures="the same, with the default cache (locmemcache://, one per worker)",
        statement="a change made elsewhere gives a new page, not 304 (locmemcache://, the default, {actions:,})",
        scope=SIZE,
        comparison=HOLDS,
        limit=None,
        measure=conditional_gets_after_a_change_locmem,
    ),
    Target(
        key="demo_data_seconds",
        measures=f"create_demo_data's own time, in seconds, from {DEMO_DATA_FROM_ACTIONS:,} actions up",
        statement="create_demo_data --actions {actions:,} in under {limit:g} s",
        scope=SIZE,
        comparison=UNDER,
        limit=120.0,
        measure=demo_data_seconds,
    ),
    Target(
        key="demo_data_million_seconds",
        measures=f"create_demo_data's own time, in seconds, from {MILLION:,} actions up",
        statement="create_demo_data --actions {actions:,} in under {limit:g} s",
        scope=SIZE,
        comparison=UNDER,
        limit=600.0,
        measure=demo_data_million_seconds,
    ),
    Target(
        key="etag_never_reused",
        measures="the cache settings in which the two datasets' dashboards had the same ETag",
        statement="an ETag is never reused for other content (the dashboard of the two datasets)",
        scope=RUN,
        comparison=NONE_FOUND,
        limit=None,
        measure=datasets_sharing_an_etag,
    ),
    Target(
        key="no_failed_request",
        measures="the failed requests (errors and non-2xx/3xx answers) of every load run and the load test",
        statement="no failed request under load",
        scope=RUN,
        comparison=NONE_FOUND,
        limit=None,
        measure=failed_requests,
    ),
)

# The thresholds, as bench.json records them ("targets_definition").
LIMITS = {target.key: target.limit for target in TARGETS if target.limit is not None}


def _check(target, report, size=None, mode=None):
    where = {"limit": target.limit}
    if size is not None:
        where["actions"] = size["actions"]
    if mode is not None:
        where |= {"mode": mode, "cache_url": size["modes"][mode]["cache_url"]}
    for measurement in target.measure(report, size, mode):
        yield {
            "target": target.statement.format(**where, **measurement.about),
            "result": verdict(target.met(measurement.value)),
            "detail": measurement.detail,
        }


def check_targets(report, targets=TARGETS):
    """Every target's verdicts on this report: a list of {"target", "result", "detail"}, in reading order."""
    checks = []
    for per_dataset, block in itertools.groupby(targets, key=lambda target: target.scope != RUN):
        block = list(block)
        if not per_dataset:
            for target in block:
                checks += _check(target, report)
            continue
        for size in report["sizes"]:
            for per_mode, group in itertools.groupby(block, key=lambda target: target.scope == MODE):
                group = list(group)
                if not per_mode:
                    for target in group:
                        checks += _check(target, report, size)
                    continue
                for mode in size["modes"]:
                    for target in group:
                        if target.mode in (None, mode):
                            checks += _check(target, report, size, mode)
    return checks
