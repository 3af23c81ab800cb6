import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from tests.factories import ActorFactory
from tracker import services
from tracker.models import Liaison, Responsibility, Status, StatusChange

User = get_user_model()


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv("ACCOUNT_PASSWORD", "a-long-enough-passphrase")


def test_create_account_staff_joins_the_committee_group(db, password):
    call_command("create_account", "maria", "--role", "staff", "--email", "maria@example.org")
    user = User.objects.get(username="maria")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Committee staff"]
    assert user.check_password("a-long-enough-passphrase")
    assert user.has_perm("tracker.change_responsibility")
    assert not user.has_perm("tracker.delete_responsibility")


def test_create_account_liaison_is_tied_to_its_actor(db, password, mexico):
    call_command("create_account", "ana", "--role", "liaison", "--actor", "mex")
    user = User.objects.get(username="ana")
    assert not user.is_staff
    assert Liaison.objects.get(user=user).actor == mexico


@pytest.mark.parametrize(
    "args, message",
    [
        (["x", "--role", "liaison"], "needs --actor"),
        (["x", "--role", "liaison", "--actor", "ZZZ"], "No actor"),
        (["x", "--role", "staff", "--actor", "MEX"], "liaison accounts only"),
    ],
)
def test_create_account_refuses_bad_arguments(db, password, mexico, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_account", *args)
    assert not User.objects.filter(username="x").exists()


def test_create_account_refuses_a_weak_password_and_a_taken_name(db, monkeypatch, staff):
    monkeypatch.setenv("ACCOUNT_PASSWORD", "123")
    with pytest.raises(CommandError, match="too short"):
        call_command("create_account", "weak", "--role", "staff")
    monkeypatch.setenv("ACCOUNT_PASSWORD", "a-long-enough-passphrase")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_account", "STAFF", "--role", "staff")
    assert not User.objects.filter(username="weak").exists()


def test_load_record_adds_the_record_once_and_keeps_staff_work(db, staff):
    call_command("load_record", verbosity=0)
    responsibility = Responsibility.objects.get(recommendation__number=1, actor__code="MEX")
    services.responsibility_set_status(
        responsibility=responsibility, status=Status.PARTIAL, by=staff, reason="National plan adopted."
    )
    counts = Responsibility.objects.count()
    call_command("load_record", verbosity=0)
    responsibility.refresh_from_db()
    assert responsibility.status == Status.PARTIAL
    assert Responsibility.objects.count() == counts == 387
    assert StatusChange.objects.count() == 1


def test_demo_accounts_are_created_with_printed_passwords_that_sign_in(db, client):
    """`make demo` prints a staff and a liaison account that work at once (issue 18)."""
    ActorFactory(code="MEX", name="Mexico")
    out = io.StringIO()
    call_command("create_demo_accounts", "--any-database", stdout=out)
    accounts = dict(re.findall(r"^\s+(demo-\w+)\s+(\S+)", out.getvalue(), re.M))
    assert set(accounts) == {"demo-reviewer", "demo-liaison"}
    for username, password in accounts.items():
        assert get_user_model().objects.get(username=username).check_password(password)
    out = io.StringIO()
    call_command("create_demo_accounts", "--any-database", stdout=out)
    again = dict(re.findall(r"^\s+(demo-\w+)\s+(\S+)", out.getvalue(), re.M))
    assert again["demo-liaison"] != accounts["demo-liaison"]
    assert get_user_model().objects.get(username="demo-liaison").check_password(again["demo-liaison"])
    response = client.post("/accounts/login/", {"username": "demo-reviewer", "password": again["demo-reviewer"]})
    assert response.status_code == 302
