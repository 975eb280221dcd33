"""Every kind of bad input gets a clear 4xx and changes nothing."""

from __future__ import annotations

import pytest

from app.accounts import service
from app.accounts.models import Role
from tests.factories import api_login

GOOD = {"username": "new.person", "full_name": "New Person", "role": "organiser", "password": "a long enough secret"}


@pytest.fixture
async def admin_csrf(client, make_account):
    admin = await make_account(Role.admin)
    return await api_login(client, admin)


async def user_count(client) -> int:
    return len((await client.get("/api/admin/users")).json())


async def test_malformed_json_is_a_400_that_says_so(client, admin_csrf):
    before = await user_count(client)
    response = await client.post(
        "/api/admin/users",
        content=b'{"username": "x", ',
        headers={"X-CSRF-Token": admin_csrf, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "malformed_json", "message": "The request body is not valid JSON."}
    assert await user_count(client) == before


async def test_an_unknown_field_is_named(client, admin_csrf):
    response = await client.post(
        "/api/admin/users", json={**GOOD, "is_admin": True}, headers={"X-CSRF-Token": admin_csrf}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert "Unknown field 'is_admin'" in error["message"]
    assert error["details"][0]["field"] == "is_admin"
    assert await user_count(client) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"username": 12345}, "username"),
        ({"role": "emperor"}, "role"),
        ({"full_name": ["a", "list"]}, "full_name"),
        ({"username": "x" * 100}, "username"),
        ({"username": "has spaces"}, "username"),
    ],
)
async def test_wrong_types_and_shapes_name_the_field(client, admin_csrf, change, field):
    response = await client.post("/api/admin/users", json={**GOOD, **change}, headers={"X-CSRF-Token": admin_csrf})
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["error"]["details"]] == [field]
    assert await user_count(client) == 1


async def test_a_missing_field_is_named(client, admin_csrf):
    body = {k: v for k, v in GOOD.items() if k != "full_name"}
    response = await client.post("/api/admin/users", json=body, headers={"X-CSRF-Token": admin_csrf})
    assert response.status_code == 422
    assert "'full_name' is required." in response.json()["error"]["message"]


async def test_a_json_array_instead_of_an_object_is_refused(client, admin_csrf):
    response = await client.post("/api/admin/users", json=[GOOD], headers={"X-CSRF-Token": admin_csrf})
    assert response.status_code == 422


async def test_an_oversized_body_is_refused_before_it_is_read(client, admin_csrf, settings):
    big = {**GOOD, "full_name": "x" * (settings.max_body_bytes + 10)}
    response = await client.post("/api/admin/users", json=big, headers={"X-CSRF-Token": admin_csrf})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert await user_count(client) == 1


async def test_an_oversized_body_without_a_length_is_refused_too(client, admin_csrf, settings):
    async def chunks():
        for _ in range(settings.max_body_bytes // 1024 + 2):
            yield b"x" * 1024

    response = await client.post(
        "/api/admin/users",
        content=chunks(),
        headers={"X-CSRF-Token": admin_csrf, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert await user_count(client) == 1


async def test_a_non_numeric_path_id_is_a_422_not_a_crash(client, admin_csrf):
    response = await client.post("/api/admin/users/abc/disable", headers={"X-CSRF-Token": admin_csrf})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "user_id"


async def test_unknown_paths_and_methods_get_json_errors_on_the_api(client):
    missing = await client.get("/api/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    wrong_method = await client.delete("/api/auth/me")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"


async def test_browsers_get_a_readable_error_page(client):
    response = await client.get("/no/such/page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Not found" in response.text and "<code>not_found</code>" in response.text


async def test_an_unexpected_error_is_a_500_with_headers_and_nothing_saved(app, client, admin_csrf, monkeypatch):
    real_create = service.create_user

    async def broken(db, *, passwords, now, **kwargs):
        # Write something first: the failure must roll it back.
        await real_create(
            db,
            username="ghost.user",
            full_name="Ghost",
            role=Role.organiser,
            password="a long enough secret",
            passwords=passwords,
            now=now,
        )
        raise RuntimeError("secret statement text must not reach the client or the log")

    monkeypatch.setattr(service, "reset_password", broken)
    response = await client.post(
        "/api/admin/users/1/password", json={"password": "another long secret"}, headers={"X-CSRF-Token": admin_csrf}
    )
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "secret statement" not in response.text
    assert "content-security-policy" in response.headers
    assert "ghost.user" not in [u["username"] for u in (await client.get("/api/admin/users")).json()]
