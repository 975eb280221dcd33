"""The admin creates, disables and re-enables accounts and resets passwords; nobody else can."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from tests.factories import api_login, page_csrf

NEW_USER = {"username": "amina.f", "full_name": "Amina F.", "role": "facilitator", "password": "a long enough secret"}


async def test_the_admin_creates_a_facilitator_who_can_then_log_in(client, new_client, make_account):
    admin = await make_account(Role.admin)
    csrf = await api_login(client, admin)
    response = await client.post("/api/admin/users", json=NEW_USER, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 201
    assert response.json()["role"] == "facilitator" and response.json()["is_active"]
    login = await new_client().post("/api/auth/login", json={"username": "amina.f", "password": NEW_USER["password"]})
    assert login.status_code == 200


async def test_usernames_are_unique_whatever_their_case(client, make_account):
    admin = await make_account(Role.admin)
    csrf = await api_login(client, admin)
    await client.post("/api/admin/users", json=NEW_USER, headers={"X-CSRF-Token": csrf})
    again = await client.post(
        "/api/admin/users", json={**NEW_USER, "username": "AMINA.F"}, headers={"X-CSRF-Token": csrf}
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "username_taken"


async def test_the_admin_cannot_create_another_admin_through_the_api(client, make_account):
    admin = await make_account(Role.admin)
    csrf = await api_login(client, admin)
    response = await client.post("/api/admin/users", json={**NEW_USER, "role": "admin"}, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 422


async def test_a_weak_password_is_refused_with_a_reason(client, make_account):
    admin = await make_account(Role.admin)
    csrf = await api_login(client, admin)
    response = await client.post(
        "/api/admin/users", json={**NEW_USER, "password": "short"}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "weak_password"
    assert "12 characters" in response.json()["error"]["message"]
    users = (await client.get("/api/admin/users")).json()
    assert [u["username"] for u in users] == [admin.username]


async def test_disabling_an_account_ends_its_logins_at_once(client, new_client, make_account):
    admin = await make_account(Role.admin)
    facilitator = await make_account(Role.facilitator)
    their_browser = new_client()
    await api_login(their_browser, facilitator)
    assert (await their_browser.get("/api/auth/me")).status_code == 200

    csrf = await api_login(client, admin)
    response = await client.post(f"/api/admin/users/{facilitator.user.id}/disable", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert (await their_browser.get("/api/auth/me")).status_code == 401
    relogin = await new_client().post(
        "/api/auth/login", json={"username": facilitator.username, "password": facilitator.password}
    )
    assert relogin.status_code == 401

    await client.post(f"/api/admin/users/{facilitator.user.id}/enable", headers={"X-CSRF-Token": csrf})
    relogin = await new_client().post(
        "/api/auth/login", json={"username": facilitator.username, "password": facilitator.password}
    )
    assert relogin.status_code == 200


async def test_the_admin_cannot_disable_themself(client, make_account):
    admin = await make_account(Role.admin)
    csrf = await api_login(client, admin)
    response = await client.post(f"/api/admin/users/{admin.user.id}/disable", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "cannot_disable_self"


async def test_a_password_reset_ends_old_logins_and_the_new_password_works(client, new_client, make_account):
    admin = await make_account(Role.admin)
    organiser = await make_account(Role.organiser)
    their_browser = new_client()
    await api_login(their_browser, organiser)
    csrf = await api_login(client, admin)
    response = await client.post(
        f"/api/admin/users/{organiser.user.id}/password",
        json={"password": "a brand new passphrase"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200
    assert (await their_browser.get("/api/auth/me")).status_code == 401
    old = await new_client().post(
        "/api/auth/login", json={"username": organiser.username, "password": organiser.password}
    )
    new = await new_client().post(
        "/api/auth/login", json={"username": organiser.username, "password": "a brand new passphrase"}
    )
    assert old.status_code == 401
    # The admin knows the new password, so the person must choose their own before anything else.
    assert new.status_code == 202 and new.json()["step"] == "password_change"


async def test_actions_on_an_unknown_account_are_404(client, make_account):
    admin = await make_account(Role.admin)
    csrf = await api_login(client, admin)
    response = await client.post("/api/admin/users/9999/disable", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("role", [Role.facilitator, Role.organiser])
async def test_facilitators_and_organisers_cannot_reach_admin_pages_or_api(client, make_account, role):
    account = await make_account(role)
    csrf = await api_login(client, account)
    assert (await client.get("/api/admin/users")).status_code == 403
    created = await client.post("/api/admin/users", json=NEW_USER, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 403
    page = await client.get("/admin/users", headers={"Accept": "text/html"})
    assert page.status_code == 403 and "Not allowed" in page.text
    form = await client.post("/admin/users", data={**NEW_USER, "csrf_token": await page_csrf(client, "/")})
    assert form.status_code == 403


async def test_anonymous_visitors_are_sent_to_log_in(client):
    assert (await client.get("/api/admin/users")).status_code == 401
    page = await client.get("/admin/users")
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/admin/users"


async def test_the_admin_page_creates_an_account_and_shows_errors_next_to_fields(client, make_account):
    admin = await make_account(Role.admin)
    await api_login(client, admin)
    csrf = await page_csrf(client, "/admin/users")
    bad = await client.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "Not Valid!",
            "full_name": "Keep Me",
            "role": "facilitator",
            "password": "x",
        },
    )
    assert bad.status_code == 422
    assert 'id="new-username-error"' in bad.text
    assert 'value="Keep Me"' in bad.text  # what was typed is kept
    good = await client.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "lusine.k",
            "full_name": "Lusine K.",
            "role": "facilitator",
            "password": "a long enough secret",
        },
    )
    assert good.status_code == 303
    listing = await client.get(good.headers["location"])
    assert "lusine.k" in listing.text and "The account was created." in listing.text
    weak = await client.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "other.user",
            "full_name": "Other",
            "role": "organiser",
            "password": "tooshort",
        },
    )
    assert weak.status_code == 422 and 'id="new-password-error"' in weak.text


async def test_the_admin_page_disables_and_resets(client, new_client, make_account):
    admin = await make_account(Role.admin)
    facilitator = await make_account(Role.facilitator)
    await api_login(client, admin)
    csrf = await page_csrf(client, "/admin/users")
    r = await client.post(
        f"/admin/users/{facilitator.user.id}/password", data={"csrf_token": csrf, "password": "short"}
    )
    assert r.status_code == 422 and "12 characters" in r.text
    r = await client.post(
        f"/admin/users/{facilitator.user.id}/password", data={"csrf_token": csrf, "password": "another long secret"}
    )
    assert r.status_code == 303
    r = await client.post(f"/admin/users/{facilitator.user.id}/disable", data={"csrf_token": csrf})
    assert r.status_code == 303
    login = await new_client().post(
        "/api/auth/login", json={"username": facilitator.username, "password": "another long secret"}
    )
    assert login.status_code == 401
