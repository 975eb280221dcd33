"""Logging in and out, login sessions and their expiry, throttling."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import select

from app.accounts.models import Role
from app.security.models import LoginSession
from app.security.tokens import hash_token
from tests.factories import api_login, page_csrf


async def test_a_facilitator_logs_in_through_the_api_and_sees_their_account(client, make_account):
    facilitator = await make_account(Role.facilitator)
    response = await client.post(
        "/api/auth/login", json={"username": facilitator.username, "password": facilitator.password}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == facilitator.username
    assert body["user"]["role"] == "facilitator"
    assert "password_hash" not in body["user"]
    me = await client.get("/api/auth/me")
    assert me.status_code == 200 and me.json()["user"]["id"] == facilitator.user.id


async def test_the_login_cookie_is_httponly_lax_and_its_token_is_stored_only_as_a_hash(app, client, make_account):
    account = await make_account()
    response = await client.post("/api/auth/login", json={"username": account.username, "password": account.password})
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("rt_login=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie  # plain http in this test
    token = client.cookies["rt_login"]
    async with app.state.db.unit_of_work() as db:
        rows = (await db.exec(select(LoginSession))).all()
    assert [row.token_hash for row in rows] == [hash_token(token)]
    assert all(token not in row.token_hash for row in rows)


async def test_cookies_are_secure_over_https(app, new_client, make_account):
    account = await make_account()
    browser = new_client(base_url="https://testserver")
    response = await browser.post("/api/auth/login", json={"username": account.username, "password": account.password})
    assert response.status_code == 200
    assert "Secure" in response.headers["set-cookie"]


async def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client, make_account):
    account = await make_account()
    wrong = await client.post("/api/auth/login", json={"username": account.username, "password": "nope-nope-nope"})
    unknown = await client.post("/api/auth/login", json={"username": "nobody-here", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "login_failed"
    assert "rt_login" not in client.cookies


async def test_logout_ends_the_login_session_for_good(client, make_account):
    account = await make_account()
    csrf = await api_login(client, account)
    token = client.cookies["rt_login"]
    response = await client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 204
    client.cookies.set("rt_login", token)  # a copied cookie must not come back to life
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_login_and_logout_through_the_pages(client, make_account):
    account = await make_account(Role.organiser)
    csrf = await page_csrf(client, "/login")
    response = await client.post(
        "/login",
        data={"username": account.username, "password": account.password, "csrf_token": csrf, "next": "/"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    home = await client.get("/", follow_redirects=True)
    assert home.status_code == 200 and "Test Organiser" in home.text
    csrf = await page_csrf(client, "/")
    out = await client.post("/logout", data={"csrf_token": csrf})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    again = await client.get("/")
    assert again.status_code == 303 and again.headers["location"].startswith("/login")


async def test_a_failed_page_login_keeps_the_username_and_says_why(client, make_account):
    account = await make_account()
    csrf = await page_csrf(client, "/login")
    response = await client.post(
        "/login", data={"username": account.username, "password": "wrong-password!", "csrf_token": csrf}
    )
    assert response.status_code == 401
    assert "The username or password is not correct." in response.text
    assert f'value="{account.username}"' in response.text
    assert "wrong-password!" not in response.text


async def test_login_redirects_only_to_this_site(client, make_account):
    account = await make_account()
    csrf = await page_csrf(client, "/login")
    response = await client.post(
        "/login",
        data={
            "username": account.username,
            "password": account.password,
            "csrf_token": csrf,
            "next": "//evil.example/steal",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/"


async def test_an_idle_login_expires(client, clock, make_account, settings):
    account = await make_account()
    await api_login(client, account)
    clock.advance(minutes=settings.login_idle_minutes - 1)
    assert (await client.get("/api/auth/me")).status_code == 200
    clock.advance(minutes=settings.login_idle_minutes + 1)
    response = await client.get("/api/auth/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


async def test_an_active_login_still_ends_at_the_absolute_limit(client, clock, make_account, settings):
    account = await make_account()
    await api_login(client, account)
    step = timedelta(minutes=settings.login_idle_minutes // 2)
    elapsed = timedelta()
    while elapsed + step < timedelta(hours=settings.login_absolute_hours):
        clock.advance(step)
        elapsed += step
        assert (await client.get("/api/auth/me")).status_code == 200
    clock.advance(step)
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_five_failures_lock_the_account_even_for_the_right_password(client, new_client, make_account):
    account = await make_account()
    for _ in range(5):
        r = await client.post("/api/auth/login", json={"username": account.username, "password": "wrong-wrong-1"})
        assert r.status_code == 401
    # From another address too: the account itself is throttled.
    other = new_client(address="192.0.2.55")
    locked = await other.post("/api/auth/login", json={"username": account.username, "password": account.password})
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "login_throttled"
    assert "minute" in locked.json()["error"]["message"]
    assert int(locked.headers["retry-after"]) > 0


async def test_one_client_guessing_many_accounts_is_throttled(client, new_client, make_account):
    victim = await make_account()
    for i in range(12):
        r = await client.post("/api/auth/login", json={"username": f"guess-{i}", "password": "wrong-wrong-1"})
        assert r.status_code == 401
    blocked = await client.post("/api/auth/login", json={"username": victim.username, "password": victim.password})
    assert blocked.status_code == 429
    # Somebody else, elsewhere, can still log in to that account.
    fine = await new_client(address="192.0.2.99").post(
        "/api/auth/login", json={"username": victim.username, "password": victim.password}
    )
    assert fine.status_code == 200


async def test_a_throttled_page_login_answers_429_with_a_readable_page(client, make_account):
    account = await make_account()
    csrf = await page_csrf(client, "/login")
    for _ in range(5):
        await client.post(
            "/login", data={"username": account.username, "password": "bad-bad-bad-1", "csrf_token": csrf}
        )
    response = await client.post(
        "/login", data={"username": account.username, "password": account.password, "csrf_token": csrf}
    )
    assert response.status_code == 429
    assert "Too many failed logins" in response.text


async def test_parallel_guesses_cannot_slip_past_the_throttle(client, make_account):
    account = await make_account()
    answers = await asyncio.gather(
        *(
            client.post("/api/auth/login", json={"username": account.username, "password": f"wrong-guess-{i}"})
            for i in range(20)
        )
    )
    codes = [a.status_code for a in answers]
    assert codes.count(401) == 5, codes  # the account's budget, and not one more
    assert codes.count(429) == 15


async def test_logging_in_again_ends_the_previous_login_of_that_browser(client, make_account):
    account = await make_account()
    await api_login(client, account)
    first = client.cookies["rt_login"]
    await api_login(client, account)
    second = client.cookies["rt_login"]
    assert first != second
    client.cookies.set("rt_login", first)
    assert (await client.get("/api/auth/me")).status_code == 401
    client.cookies.set("rt_login", second)
    assert (await client.get("/api/auth/me")).status_code == 200
