"""Cross-origin reads of the API (CORS), and compressed responses for clients that ask."""

import gzip
import json

import pytest
from django.conf import settings

from tests.tracker.test_api import build_record

ORIGIN = "https://data-portal.example.net"


@pytest.mark.parametrize("url", ["/api/recommendations/", "/api/actions/", "/api/actors/S00/", "/api/schema/"])
def test_any_site_may_read_the_api_without_credentials(client, db, url):
    build_record(recommendations=1, states=1, actions=1)
    response = client.get(url, HTTP_ORIGIN=ORIGIN)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert {"etag", "retry-after"} <= {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}


def test_a_preflight_allows_reading_only(client, db):
    response = client.options("/api/actions/", HTTP_ORIGIN=ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert methods == {"GET", "HEAD", "OPTIONS"}
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("url", ["/", "/actions/", "/export/actions.csv", "/feed/", "/accounts/login/"])
def test_the_pages_downloads_and_feeds_stay_same_origin(client, db, url):
    response = client.get(url, HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("url", ["/export/actions.csv", "/", "/actions/", "/api/actions/", "/feed/"])
def test_responses_come_compressed_when_asked_and_say_they_vary_on_it(client, db, url):
    build_record(recommendations=3, states=4, actions=30)
    plain = client.get(url)
    assert "Content-Encoding" not in plain
    compressed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert compressed.status_code == 200 and compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    raw, packed = _body(plain), _body(compressed)
    assert gzip.decompress(packed) == raw
    assert len(packed) < len(raw) / 2


@pytest.mark.parametrize("url", ["/export/actions.xlsx", "/export/all.zip"])
def test_files_compressed_already_are_sent_as_they_are(client, db, url):
    build_record(recommendations=2, states=2, actions=5)
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert _body(response).startswith(b"PK")


def test_a_compressed_page_still_answers_conditional_get(client, db):
    """GZip weakens the ETag (W/"..."); a client that sends it back still gets a 304."""
    build_record(recommendations=1, states=1, actions=1)
    first = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip" and first["ETag"].startswith('W/"')
    again = client.get("/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_the_api_json_is_the_same_compressed_or_not(client, db):
    build_record(recommendations=2, states=2, actions=3)
    compressed = client.get("/api/recommendations/", HTTP_ACCEPT_ENCODING="gzip")
    assert json.loads(gzip.decompress(compressed.content)) == json.loads(client.get("/api/recommendations/").content)


def test_compression_comes_after_whitenoise_and_cors_comes_first():
    middleware = settings.MIDDLEWARE
    assert middleware[0] == "corsheaders.middleware.CorsMiddleware"
    gzip_at = middleware.index("tracker.middleware.CompressionMiddleware")
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") < gzip_at
    # Every middleware that writes a body runs inside it, so what it writes is compressed.
    for name in ("django.middleware.common.CommonMiddleware", "csp.middleware.CSPMiddleware"):
        assert middleware.index(name) > gzip_at
