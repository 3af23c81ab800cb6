"""Property-based check of the API against its own OpenAPI schema (schemathesis).

For every GET operation, schemathesis generates requests from the schema, valid and invalid, sends
them to the Django application in-process (WSGI, no server) and runs its stateless checks on each
response: no server error, a documented status code and content type, a body that matches the
schema, valid data accepted and invalid data refused. The record holds a little of everything, so
the lists and the detail pages answer with rows, not only 404s.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from forum.models import Recommendation
from tests.tracker.test_api import build_record
from tracker.filters import TERMS
from tracker.models import Actor

# Kept modest so the whole run stays well under a minute on CI's two cores, and derandomised so that CI
# gives the same verdict on the same code. (Raise EXAMPLES and drop derandomize to search harder.)
EXAMPLES = 25


@pytest.fixture
def record(db):
    build_record(recommendations=3, states=3, actions=4)


@pytest.fixture
def open_connection():
    """Keep the test's database connection across the in-process requests, as Django's test client does:
    otherwise the end of each request closes it, and with it the test's transaction (on PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Loaded once, from the application itself, before any database exists. Its actor filters then list
# no codes: the served schema lists the codes on record, and any other is refused with a 400.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler()).include(method="GET")
# Django refuses NUL characters in form input (as PostgreSQL does in text); the schema cannot say so.
schema.config.generation.update(allow_x00=False)


def filter_query(ctx, query):
    """Send only the actor codes, recommendation numbers and terms of the classification on record (as
    the served schema's enums say), and no cursor (a cursor is only ever one the API gave in a link);
    others are refused with a 400, as `test_api.py` and `test_classification_filters.py` check."""
    query = query or {}
    if query.get("cursor") not in (None, ""):
        return False
    code, number = query.get("actor"), query.get("recommendation")
    known_actor = not isinstance(code, str) or Actor.objects.filter(code=code.strip().upper()).exists()
    known_number = (
        not isinstance(number, int | str)
        or str(number).strip() == ""
        or (str(number).strip().isdigit() and Recommendation.objects.filter(number=int(str(number).strip())).exists())
    )
    known_terms = all(
        not isinstance(query.get(parameter), str)
        or query[parameter] == ""
        or model.objects.filter(**{key: query[parameter]}).exists()
        for parameter, (model, key, _label, _link) in TERMS.items()
    )
    return known_actor and known_number and known_terms


@schema.hooks.apply(filter_query)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
def test_the_api_conforms_to_its_schema(case, record, open_connection):
    # Uncompressed: the in-process transport reads the body as it comes, and does not undo gzip.
    # Compression has its own tests (test_cors_and_compression.py).
    case.call_and_validate(headers={"Accept-Encoding": "identity"})
