"""CSRF: every state-changing request from a browser needs a token bound to its login."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts

from app.accounts.models import Role
from tests.factories import api_login, page_csrf

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Unsafe routes without a token: API login, and following an invitation, for clients
# that have no token yet. They take only JSON (no form can send it cross-site without
# a preflight) and check Origin; the test below proves both.
EXEMPT = {
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/login/second-factor"),
    ("POST", "/api/auth/login/password"),
    ("POST", "/api/auth/login/enrolment/confirm"),
    ("POST", "/api/join"),
    ("POST", "/api/join/language"),
    ("POST", "/api/join/consent"),
    ("POST", "/api/join/claim"),
}


def unsafe_routes(app) -> list[tuple[str, str]]:
    found = []
    for route in iter_route_contexts(app.routes):
        for method in (route.methods or set()) & UNSAFE:
            assert route.path_format is not None
            found.append((method, route.path_format))
    return sorted(found)


def concrete(path: str) -> str:
    return re.sub(r"\{\w+\}", "1", path)


async def test_every_unsafe_route_refuses_a_request_without_a_token(app, client, make_account):
    admin = await make_account(Role.admin)
    await api_login(client, admin)
    routes = unsafe_routes(app)
    assert len(routes) >= 8, routes
    for method, path in routes:
        if (method, path) in EXEMPT:
            continue
        response = await client.request(method, concrete(path), data={"password": "x" * 20})
        assert response.status_code == 403, (method, path, response.status_code)
        body = response.json() if "json" in response.headers["content-type"] else None
        if body:
            assert body["error"]["code"] == "csrf_failed"


async def test_a_wrong_token_is_refused_and_changes_nothing(app, client, make_account):
    admin = await make_account(Role.admin)
    await api_login(client, admin)
    before = (await client.get("/api/admin/users")).json()
    response = await client.post(
        "/api/admin/users",
        json={
            "username": "someone",
            "full_name": "Some One",
            "role": "facilitator",
            "password": "long enough password",
        },
        headers={"X-CSRF-Token": "0" * 64},
    )
    assert response.status_code == 403
    assert (await client.get("/api/admin/users")).json() == before


async def test_a_token_from_another_login_does_not_work(client, new_client, make_account):
    admin = await make_account(Role.admin)
    other_token = await api_login(new_client(), admin)
    await api_login(client, admin)
    response = await client.post("/api/auth/logout", headers={"X-CSRF-Token": other_token})
    assert response.status_code == 403


async def test_the_login_form_needs_its_token(client, make_account):
    account = await make_account()
    response = await client.post("/login", data={"username": account.username, "password": account.password})
    assert response.status_code == 403
    assert "rt_login" not in client.cookies
    assert "This form has expired" in response.text


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
async def test_cross_site_requests_are_refused_even_with_a_token(client, make_account, headers):
    admin = await make_account(Role.admin)
    csrf = await api_login(client, admin)
    response = await client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf, **headers})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "cross_site_request"
    assert (await client.get("/api/auth/me")).status_code == 200


async def test_a_blank_origin_passes_only_when_the_browser_says_same_origin(client, make_account):
    admin = await make_account(Role.admin)
    csrf = await api_login(client, admin)
    ok = await client.get("/api/auth/me", headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"})
    assert ok.status_code == 200
    response = await client.post(
        "/api/auth/logout", headers={"X-CSRF-Token": csrf, "Origin": "null", "Sec-Fetch-Site": "same-origin"}
    )
    assert response.status_code == 204


async def test_api_login_from_another_site_is_refused(client, make_account):
    account = await make_account()
    response = await client.post(
        "/api/auth/login",
        json={"username": account.username, "password": account.password},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert "rt_login" not in client.cookies


async def test_allowed_origins_and_own_origin_pass(client, make_account):
    account = await make_account()
    for origin in ("http://testserver", "http://127.0.0.1:8000"):
        response = await client.post(
            "/api/auth/login",
            json={"username": account.username, "password": account.password},
            headers={"Origin": origin},
        )
        assert response.status_code == 200, origin


async def test_login_gives_the_browser_a_new_nonce(client, make_account):
    account = await make_account()
    csrf = await page_csrf(client, "/login")
    planted = client.cookies["rt_csrf"]
    await client.post("/login", data={"username": account.username, "password": account.password, "csrf_token": csrf})
    assert client.cookies["rt_csrf"] != planted


async def test_the_token_is_bound_to_the_login_not_just_to_the_browser(client, make_account):
    first = await make_account(Role.admin)
    second = await make_account(Role.admin)
    old_token = await api_login(client, first)
    await api_login(client, second)  # same browser, same nonce cookie family
    response = await client.post("/api/auth/logout", headers={"X-CSRF-Token": old_token})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"


@pytest.mark.parametrize(("method", "path"), sorted(EXEMPT))
async def test_the_token_free_routes_take_only_same_origin_json(client, method, path):
    as_form = await client.request(method, path, data={"token": "x" * 43, "username": "a", "password": "b"})
    assert as_form.status_code == 422  # a form body is not JSON: nothing happens
    foreign = await client.request(method, path, json={"token": "x" * 43}, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403 and foreign.json()["error"]["code"] == "cross_site_request"
