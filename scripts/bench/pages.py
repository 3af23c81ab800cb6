"""What is measured: the endpoints loaded with wrk, and the pages whose queries are counted. No I/O."""

from typing import NamedTuple


class Endpoint(NamedTuple):
    name: str
    path: str
    # Served from the page cache when it is on: only these (and healthz, the yardstick) are loaded again
    # with the cache on.
    page_cached: bool


# The API's actions far down the list: the cursor reached by following `next` from the first page (see
# `measure.deep_cursor`), at about row DEEP_ROW (page 1,000 of 50 rows), or the last page of a smaller list.
DEEP_API_PAGE = "api_actions_deep"
DEEP_ROW = 50_000

ENDPOINTS = (
    Endpoint("healthz", "/healthz", False),
    Endpoint("dashboard", "/", True),
    Endpoint("recommendations", "/recommendations/", True),
    Endpoint("recommendation", "/recommendations/1/", True),
    Endpoint("actors", "/actors/", True),
    Endpoint("actor", "/actors/MEX/", True),
    Endpoint("actions", "/actions/", True),
    Endpoint("map", "/map/", True),
    Endpoint("themes", "/themes/", True),
    Endpoint("theme", "/themes/human-rights/", True),
    Endpoint("api_recommendations", "/api/recommendations/", False),
    Endpoint("api_recommendation", "/api/recommendations/1/", False),
    Endpoint("api_actor", "/api/actors/MEX/", False),
    Endpoint("api_actions", "/api/actions/", False),
    Endpoint(DEEP_API_PAGE, "/api/actions/?cursor=", False),
    Endpoint("csv_actions", "/export/actions.csv", False),
    Endpoint("xlsx_actions", "/export/actions.xlsx", False),
)

# The growth targets time the two sizes they compare in turn, this many rounds (`paired`).
PAIRED_ROUNDS = 100

# The downloads: held to their own targets (seconds, first byte, memory), not to a multiple of healthz.
DOWNLOADS = frozenset({"csv_actions", "xlsx_actions"})

# Every public page whose queries are counted at every size.
COUNTED_PAGES = (
    "/healthz",
    "/",
    "/recommendations/",
    "/recommendations/1/",
    "/actors/",
    "/actors/MEX/",
    "/actions/",
    "/actions/?recommendation=1",
    "/actions/?recommendation=1&q=plan",
    "/map/",
    "/themes/",
    "/themes/human-rights/",
    "/forum/",
    "/report/",
    "/feed/",
    "/recommendations/1/feed/",
    "/actors/MEX/feed/",
    "/api/recommendations/",
    "/api/recommendations/1/",
    "/api/actors/",
    "/api/actors/MEX/",
    "/api/responsibilities/",
    "/api/actions/",
    "/api/status-changes/",
    "/export/actions.csv",
    "/export/actions.xlsx",
    "/export/matrix.csv",
    "/export/recommendations.csv",
)

# Asked once as wrk asks (no Accept-Encoding) and once with `Accept-Encoding: gzip`, one request at a
# time, with the cache off: what compression saves on the wire and costs the server, for a page, the
# API and the full download. Each is named by its endpoint, with the kind of answer it stands for.
COMPRESSED = {"dashboard": "HTML", "api_actions": "JSON", "csv_actions": "CSV"}

# Downloads stream every row, so their queries grow by design with the rows (a few per chunk of 2,000).
STREAMED = frozenset(
    {"/export/actions.csv", "/export/actions.xlsx", "/export/matrix.csv", "/export/recommendations.csv"}
)

# The pages served from the page cache, asked twice with the shared cache on: the second answer must
# come without a query, and so must a conditional GET that matches (`query_counts --cached`).
CACHED_PAGES = tuple(e.path for e in ENDPOINTS if e.page_cached)

# Above this many actions, a full download takes seconds per request: it is measured with one request
# per repetition instead of wrk, and only without the page cache (which it does not use).
CSV_WRK_LIMIT = 10_000


def endpoints_for(mode):
    """The endpoints loaded in a mode: all of them uncached; with the cache on, the cached pages and healthz."""
    return [e for e in ENDPOINTS if mode == "uncached" or e.page_cached or e.name == "healthz"]


def one_request_at_a_time(endpoint_name, actions):
    """Whether this endpoint, at this size, is measured with single requests instead of wrk."""
    return endpoint_name in DOWNLOADS and actions > CSV_WRK_LIMIT


def compressed_endpoints():
    """(name, path, kind) of each endpoint whose compression is measured, in the order of ENDPOINTS."""
    return [(e.name, e.path, COMPRESSED[e.name]) for e in ENDPOINTS if e.name in COMPRESSED]
