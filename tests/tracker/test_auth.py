"""Signing in: the site's own pages, the lockout against guessing, password reset by e-mail."""

import re

import pytest
from django.core import mail
from django.urls import reverse

PASSWORD = "correct-horse-battery"


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_the_login_page_is_in_the_sites_design(client, db):
    body = client.get(reverse("login")).content.decode()
    assert 'class="site-header"' in body and "Skip to main content" in body
    assert 'autocomplete="current-password"' in body


@pytest.mark.parametrize("persona, destination", [("liaison_mexico", "/liaison/"), ("staff", "/review/")])
def test_each_role_lands_where_its_work_is(client, db, request, persona, destination):
    user = request.getfixturevalue(persona)
    response = sign_in(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == destination


def test_a_wrong_password_says_so_without_saying_which_part(client, liaison_mexico):
    response = sign_in(client, "liaison-mex", "wrong")
    assert response.status_code == 200
    assert "did not match" in response.content.decode()


def test_five_failures_lock_the_account_with_a_clear_page(client, liaison_mexico):
    for _ in range(4):
        assert sign_in(client, "liaison-mex", "wrong").status_code == 200
    response = sign_in(client, "liaison-mex", "wrong")
    assert response.status_code == 429
    body = response.content.decode()
    assert "Signing in is blocked for now" in body and "30 minutes" in body
    # Even the right password is refused while the lock holds.
    assert sign_in(client, "liaison-mex", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_username_and_address(client, liaison_mexico, liaison_canada):
    for _ in range(5):
        sign_in(client, "liaison-mex", "wrong")
    assert sign_in(client, "liaison-can", PASSWORD).status_code == 302


def test_signing_out_needs_a_post(client, liaison_mexico):
    client.force_login(liaison_mexico)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_by_e_mail(client, liaison_mexico):
    liaison_mexico.email = "ana@example.org"
    liaison_mexico.save()
    response = client.post(reverse("password_reset"), {"email": "ana@example.org"})
    assert response.status_code == 302
    assert mail.outbox[0].to == ["ana@example.org"]
    link = re.search(r"https?://\S+/accounts/reset/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert "Set a new password" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "another-long-passphrase", "new_password2": "another-long-passphrase"},
    )
    assert response.status_code == 302
    liaison_mexico.refresh_from_db()
    assert liaison_mexico.check_password("another-long-passphrase")


def test_password_reset_for_an_unknown_address_reveals_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_an_over_long_user_name_is_refused_and_still_counted(client, db):
    from axes.models import AccessAttempt

    response = sign_in(client, "x" * 5000, "wrong")
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "x" * 150


@pytest.mark.parametrize("url", ["/admin/tracker/action/?state__exact=a%00b", "/admin/tracker/responsibility/?q=%00"])
def test_a_nul_character_in_an_admin_address_is_refused(admin_client, url):
    assert admin_client.get(url).status_code == 400


def test_a_nul_character_in_a_public_filter_gets_a_clear_message(client, db):
    response = client.get("/actions/?q=a%00b")
    assert response.status_code == 200 and "could not be understood" in response.content.decode()
