"""A staff member changes their own password (their other logins end, this one goes on), and
after an admin's reset the next login must choose a new password before anything else."""

from __future__ import annotations

import pyotp
import pytest

from app.accounts.models import Role, User
from tests.backends import make_settings
from tests.factories import CSRF_META, Account, api_login, page_csrf

NEW = "a brand new long secret"


def page_token(text: str) -> str:
    match = CSRF_META.search(text)
    assert match
    return match.group(1)


@pytest.fixture
def settings(request, database_url, redis_available):
    return make_settings(
        database_url,
        redis_available,
        require_totp_for=getattr(request, "param", ["admin"]),
        password_memory_kib=8 * 1024,
        password_time_cost=1,
        login_limit_per_client="1000/minute",
    )


async def test_changing_ones_password_ends_the_other_logins_but_not_this_one(client, new_client, make_account):
    facilitator = await make_account(Role.facilitator)
    csrf = await api_login(client, facilitator)
    laptop = new_client()
    await api_login(laptop, facilitator)
    response = await client.post(
        "/api/auth/password",
        json={"current_password": facilitator.password, "new_password": NEW},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 204, response.text
    assert (await client.get("/api/auth/me")).status_code == 200
    assert (await laptop.get("/api/auth/me")).status_code == 401
    old = await new_client().post(
        "/api/auth/login", json={"username": facilitator.username, "password": facilitator.password}
    )
    assert old.status_code == 401
    await api_login(new_client(), Account(user=facilitator.user, password=NEW))


async def test_the_current_password_is_needed_and_the_new_one_must_be_strong(client, make_account):
    organiser = await make_account(Role.organiser)
    csrf = await api_login(client, organiser)
    wrong = await client.post(
        "/api/auth/password",
        json={"current_password": "not my password at all", "new_password": NEW},
        headers={"X-CSRF-Token": csrf},
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "wrong_password"
    weak = await client.post(
        "/api/auth/password",
        json={"current_password": organiser.password, "new_password": "short"},
        headers={"X-CSRF-Token": csrf},
    )
    assert weak.status_code == 422 and weak.json()["error"]["code"] == "weak_password"
    same = await client.post(
        "/api/auth/password",
        json={"current_password": organiser.password, "new_password": organiser.password},
        headers={"X-CSRF-Token": csrf},
    )
    assert same.status_code == 422 and same.json()["error"]["code"] == "same_password"
    without_token = await client.post(
        "/api/auth/password", json={"current_password": organiser.password, "new_password": NEW}
    )
    assert without_token.status_code == 403


async def test_the_password_page_changes_it(client, new_client, make_account):
    facilitator = await make_account(Role.facilitator)
    csrf = await page_csrf(client, "/login")
    await client.post(
        "/login",
        data={"username": facilitator.username, "password": facilitator.password, "csrf_token": csrf, "next": "/"},
    )
    page = await client.get("/account/password")
    assert page.status_code == 200
    assert 'autocomplete="current-password"' in page.text and 'autocomplete="new-password"' in page.text
    csrf = page_token(page.text)
    mismatch = await client.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current_password": facilitator.password,
            "new_password": NEW,
            "new_password_again": NEW + "!",
        },
    )
    assert mismatch.status_code == 422 and "not the same" in mismatch.text
    assert NEW not in mismatch.text  # passwords are never echoed back
    done = await client.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current_password": facilitator.password,
            "new_password": NEW,
            "new_password_again": NEW,
        },
    )
    assert done.status_code == 303 and done.headers["location"] == "/account?done=password"
    assert (await client.get("/account?done=password")).status_code == 200
    await api_login(new_client(), Account(user=facilitator.user, password=NEW))


async def reset_by_admin(client, admin, target, password="set by the admin 123") -> str:
    csrf = await api_login(client, admin)
    response = await client.post(
        f"/api/admin/users/{target.user.id}/password", json={"password": password}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 200 and response.json()["must_change_password"] is True
    return password


@pytest.mark.parametrize("settings", [[]], indirect=True)
async def test_after_an_admins_reset_the_next_login_must_choose_a_new_password_first(app, new_client, make_account):
    admin = await make_account(Role.admin)
    facilitator = await make_account(Role.facilitator)
    their_old_browser = new_client()
    await api_login(their_old_browser, facilitator)
    temporary = await reset_by_admin(new_client(), admin, facilitator)
    assert (await their_old_browser.get("/api/auth/me")).status_code == 401  # the reset ended it

    browser = new_client()
    step = await browser.post("/api/auth/login", json={"username": facilitator.username, "password": temporary})
    assert step.status_code == 202 and step.json()["step"] == "password_change"
    me = await browser.get("/api/auth/me")
    assert me.status_code == 401 and me.json()["error"]["code"] == "password_change_required"
    assert (await browser.get("/api/programmes")).json()["error"]["code"] == "password_change_required"
    assert "rt_login" not in browser.cookies  # nothing but this step until it is done
    page = await browser.get("/programmes", follow_redirects=True)
    assert str(page.url).startswith("http://testserver/login/new-password")

    same = await browser.post("/api/auth/login/password", json={"new_password": temporary})
    assert same.status_code == 422 and same.json()["error"]["code"] == "same_password"
    done = await browser.post("/api/auth/login/password", json={"new_password": NEW})
    assert done.status_code == 200, done.text
    assert done.json()["user"]["must_change_password"] is False
    assert (await browser.get("/api/auth/me")).status_code == 200
    await api_login(new_client(), Account(user=facilitator.user, password=NEW))


@pytest.mark.parametrize("settings", [[]], indirect=True)
async def test_the_forced_change_through_the_pages(app, new_client, make_account):
    admin = await make_account(Role.admin)
    organiser = await make_account(Role.organiser)
    temporary = await reset_by_admin(new_client(), admin, organiser)
    browser = new_client()
    csrf = await page_csrf(browser, "/login")
    response = await browser.post(
        "/login",
        data={"username": organiser.username, "password": temporary, "csrf_token": csrf, "next": "/programmes"},
    )
    assert response.headers["location"] == "/login/new-password?next=/programmes"
    page = await browser.get(response.headers["location"])
    assert page.status_code == 200 and 'autocomplete="new-password"' in page.text
    csrf = page_token(page.text)
    done = await browser.post(
        "/login/new-password",
        data={"csrf_token": csrf, "next": "/programmes", "new_password": NEW, "new_password_again": NEW},
    )
    assert done.status_code == 303 and done.headers["location"] == "/programmes"
    assert (await browser.get("/programmes")).status_code == 200
    async with app.state.db.unit_of_work() as db:
        assert (await db.get(User, organiser.user.id)).must_change_password is False


async def test_with_a_second_factor_the_code_comes_before_the_new_password(app, new_client, make_account):
    """Someone who has only the password an admin set cannot change it: the code is asked first."""
    first_admin = await make_account(Role.admin)
    admin = await make_account(Role.admin)
    browser = new_client()
    await browser.post("/api/auth/login", json={"username": admin.username, "password": admin.password})
    secret = (await browser.get("/api/auth/login/enrolment")).json()["secret"]
    clock = app.state.clock
    confirm = await browser.post("/api/auth/login/enrolment/confirm", json={"code": pyotp.TOTP(secret).at(clock.now())})
    assert confirm.status_code == 200
    other = new_client()
    await other.post("/api/auth/login", json={"username": first_admin.username, "password": first_admin.password})
    first_secret = (await other.get("/api/auth/login/enrolment")).json()["secret"]
    confirmed = await other.post(
        "/api/auth/login/enrolment/confirm", json={"code": pyotp.TOTP(first_secret).at(clock.now())}
    )
    csrf = confirmed.json()["csrf_token"]
    reset = await other.post(
        f"/api/admin/users/{admin.user.id}/password",
        json={"password": "set by the admin 123"},
        headers={"X-CSRF-Token": csrf},
    )
    assert reset.status_code == 200

    clock.advance(seconds=30)
    again = new_client()
    step = await again.post("/api/auth/login", json={"username": admin.username, "password": "set by the admin 123"})
    assert step.json()["step"] == "second_factor"
    early = await again.post("/api/auth/login/password", json={"new_password": NEW})
    assert early.status_code == 409 and early.json()["error"]["code"] == "wrong_login_step"
    coded = await again.post("/api/auth/login/second-factor", json={"code": pyotp.TOTP(secret).at(clock.now())})
    assert coded.status_code == 202 and coded.json()["step"] == "password_change"
    done = await again.post("/api/auth/login/password", json={"new_password": NEW})
    assert done.status_code == 200, done.text
