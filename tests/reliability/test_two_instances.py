"""Two machines, one database and one Redis: what one serves, the other agrees with at once.

Two gunicorn instances with ports of their own stand for two machines behind a load balancer. They
share the PostgreSQL test database, a Redis database and a documents folder (as a network mount
would be shared). A staff member works through the admin of one; a visitor reads through the other.
"""

import http.cookiejar
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group

from tests.factories import ActionFactory, ActorFactory, RecommendationFactory, ResponsibilityFactory, UserFactory
from tests.reliability.conftest import Gunicorn, skip_or_fail
from tests.reliability.test_database_restart import _database_url
from tracker.models import STAFF_GROUP, Action, Evidence, Responsibility, Status

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REDIS_URL = "redis://127.0.0.1:6379/13"
PASSWORD = "Two-machines-1"  # noqa: S105 - a test account's password
# The smallest PDF that a content check takes for one.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class _Form(HTMLParser):
    """The fields of the form with the given id, as a browser would submit them unchanged."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "file", "button", "image"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.fields.append((name, attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.append((name, ""))

    def handle_data(self, data):
        if self._textarea and self.fields and self.fields[-1][0] == self._textarea:
            self.fields[-1] = (self._textarea, self.fields[-1][1] + data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_fields(html, form_id):
    parser = _Form(form_id)
    parser.feed(html)
    # A textarea's first line break belongs to the markup, not to the value.
    return [(name, value[1:] if value.startswith("\n") else value) for name, value in parser.fields]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A visitor with cookies, who can be sent to either machine."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)

    def request(self, url, data=None, headers=None):
        request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 - 127.0.0.1 only
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def get(self, url, **headers):
        return self.request(url, headers=headers)

    def post(self, url, fields, files=()):
        token = next(c.value for c in self.cookies if c.name == "csrftoken")
        fields = [*(f for f in fields if f[0] != "csrfmiddlewaretoken"), ("csrfmiddlewaretoken", token)]
        if not files:
            body = urllib.parse.urlencode(fields).encode()
            return self.request(url, body, {"Content-Type": "application/x-www-form-urlencoded", "Referer": url})
        boundary = secrets.token_hex(16)
        parts = []
        for name, value in fields:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, filename, content in files:
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            parts.append(head.encode() + b"Content-Type: application/pdf\r\n\r\n" + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": url}
        return self.request(url, body, headers)

    def log_in(self, base, username, password):
        self.get(base + "/accounts/login/")
        return self.post(base + "/accounts/login/", [("username", username), ("password", password)])


@pytest.fixture
def redis_url():
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL)
        client.flushdb()
    except redis.ConnectionError:
        skip_or_fail("needs Redis at 127.0.0.1:6379")
    yield REDIS_URL
    client.flushdb()


@pytest.fixture
def machines(postgresql, redis_url, tmp_path):
    recommendation = RecommendationFactory(number=1)
    for code in ("MEX", "CAN"):
        ResponsibilityFactory(recommendation=recommendation, actor=ActorFactory(code=code, name=code))
    ActionFactory(actor=ActorFactory(code="MEX"), recommendations=[recommendation], state=Action.State.PUBLISHED)
    staff = UserFactory(username="staff-member", is_staff=True)
    staff.set_password(PASSWORD)
    staff.save()
    staff.groups.add(Group.objects.get(name=STAFF_GROUP))
    shared = {
        "CACHE_URL": redis_url,
        "MEDIA_ROOT": str(tmp_path / "documents"),
        "SECURE_COOKIES": "false",
        "AXES_FAILURE_LIMIT": "4",
    }
    with (
        Gunicorn(database_url=_database_url(), workers=1, extra_env=shared) as one,
        Gunicorn(database_url=_database_url(), workers=1, extra_env=shared) as two,
    ):
        yield one.url, two.url


def _etag(base, path="/"):
    status, headers, _body = Browser().get(base + path)
    assert status == 200, path
    return headers["ETag"]


def test_a_change_through_one_machine_shows_through_the_other_at_once(machines):
    one, two = machines
    responsibility = Responsibility.objects.get(actor__code="CAN")
    # Both machines serve, and keep, the same page under the same validator.
    page = "/recommendations/1/"
    assert _etag(one, page) == _etag(two, page)
    etag = _etag(two, page)
    status, _headers, _body = Browser().get(two + page, **{"If-None-Match": etag})
    assert status == 304

    staff = Browser()
    status, headers, _body = staff.log_in(one, "staff-member", PASSWORD)
    assert status == 302, "the staff member could not sign in"
    change = f"{one}/admin/tracker/responsibility/{responsibility.pk}/change/"
    _status, _headers, body = staff.get(change)
    fields = dict(form_fields(body.decode(), "responsibility_form"))
    fields.update({"new_status": Status.PARTIAL, "reason": "A law was passed.", "_save": "Save"})
    status, _headers, body = staff.post(change, list(fields.items()))
    assert status == 302, body.decode()[:2000]

    # The other machine answers the old validator with the new page, at once.
    status, headers, body = Browser().get(two + page, **{"If-None-Match": etag})
    assert status == 200 and headers["ETag"] != etag
    assert "Partial compliance" in body.decode()
    assert _etag(one, page) == _etag(two, page) == headers["ETag"]


def test_a_session_and_a_lockout_hold_on_both_machines(machines):
    one, two = machines
    staff = Browser()
    assert staff.log_in(one, "staff-member", PASSWORD)[0] == 302
    # Signed in through one machine, the staff member is signed in on the other too.
    assert staff.get(two + "/review/")[0] == 200
    assert Browser().get(two + "/review/")[0] == 302

    # Wrong passwords counted on both machines together lock the account out on both.
    guesser = Browser()
    for base in (one, two, one):
        assert guesser.log_in(base, "staff-member", "wrong")[0] == 200
    # The fourth (AXES_FAILURE_LIMIT) locks the account, wherever it comes in.
    assert guesser.log_in(two, "staff-member", "wrong")[0] == 429
    for base in (one, two):
        assert Browser().log_in(base, "staff-member", PASSWORD)[0] == 429


def test_a_document_uploaded_through_one_machine_is_served_by_the_other(machines):
    one, two = machines
    action = Action.objects.get()
    staff = Browser()
    assert staff.log_in(one, "staff-member", PASSWORD)[0] == 302
    change = f"{one}/admin/tracker/action/{action.pk}/change/"
    _status, _headers, body = staff.get(change)
    # The form as the browser sends it, without the inline's empty template (`__prefix__`).
    fields = [(n, v) for n, v in form_fields(body.decode(), "action_form") if "__prefix__" not in n]
    prefix = next(n for n, _v in fields if n.endswith("-TOTAL_FORMS")).removesuffix("-TOTAL_FORMS")
    fields = [(n, "1" if n == f"{prefix}-TOTAL_FORMS" else v) for n, v in fields]
    fields += [(f"{prefix}-0-title", "The law as published"), (f"{prefix}-0-action", str(action.pk)), ("_save", "Save")]
    status, _headers, body = staff.post(change, fields, files=[(f"{prefix}-0-document", "law.pdf", PDF)])
    assert status == 302, re.sub(r"\s+", " ", body.decode())[:3000]

    evidence = Evidence.objects.get(action=action)
    status, headers, body = Browser().get(f"{two}/documents/{evidence.pk}/")
    assert status == 200 and body == PDF
    assert headers["Content-Type"] == "application/pdf"
