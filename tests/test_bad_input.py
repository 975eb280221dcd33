"""Every kind of bad input gets a clear 4xx and changes nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlmodel import select

from app.accounts import service
from app.accounts.models import Role, User
from app.deps import DbDep
from tests.backends import backend_name, make_settings
from tests.factories import api_login, make_programme, make_session, schedule

GOOD = {"username": "new.person", "full_name": "New Person", "role": "organiser", "password": "a long enough secret"}


@pytest.fixture
def settings(database_url, redis_available):
    # The admin here logs in with a password alone (the second factor has its own tests).
    return make_settings(database_url, redis_available, require_totp_for=[])


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


# Numbers the database cannot hold, and text it must not store (issue 13, item 5) ------------

BIG_IDS = (2**31, 2**63, 10**30)


def int_path_routes(app) -> list[tuple[str, str, set[str]]]:
    """Every route (API and pages) with an integer in its path: (method, path, int params)."""
    found = []
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        params = {
            field.name: field.field_info.annotation for d in dependants(context.dependant) for field in d.path_params
        }
        ints = {name for name, kind in params.items() if kind is int}
        if ints and context.path_format:
            for method in (context.methods or set()) - {"HEAD"}:
                found.append((method, context.path_format, ints))
    return sorted(found, key=lambda r: (r[1], r[0]))


def dependants(dependant):
    yield dependant
    for sub in dependant.dependencies:
        yield from dependants(sub)


def _filler(ints: set[str], big: str) -> Callable[[re.Match[str]], str]:
    return lambda match: big if match.group(1) in ints else "x"


@pytest.mark.parametrize("big", BIG_IDS)
async def test_an_id_the_database_cannot_hold_is_a_4xx_on_every_route(app, client, admin_csrf, big):
    routes = int_path_routes(app)
    assert len(routes) > 40, routes
    for method, path, ints in routes:
        concrete = re.sub(r"\{(\w+)\}", _filler(ints, str(big)), path)
        response = await client.request(method, concrete, headers={"X-CSRF-Token": admin_csrf}, json={})
        to_login = response.status_code == 303 and response.headers["location"].startswith("/login")
        assert 400 <= response.status_code < 500 or to_login, (method, path, response.status_code, response.text[:300])


@pytest.fixture
def probe(app):
    """A route without PathId's limits, so a number or a text reaches the database as sent."""

    async def by_id(value: int, db: DbDep) -> dict:
        user = await db.get(User, value)
        return {"found": user is not None}

    async def by_name(name: str, db: DbDep) -> dict:
        rows = await db.exec(select(User).where(User.username == name + "\x00"))
        return {"found": rows.first() is not None}

    app.router.add_api_route("/api/probe/id/{value}", by_id, methods=["GET"])
    app.router.add_api_route("/api/probe/name/{name}", by_name, methods=["GET"])
    return app


@pytest.mark.parametrize("big", BIG_IDS)
async def test_the_safety_net_answers_an_overflow_in_the_database_with_a_422(probe, client, big):
    response = await client.get(f"/api/probe/id/{big}")
    if big == 2**31 and backend_name() == "sqlite":
        assert response.status_code == 200  # SQLite's integers have 64 bits
        return
    assert response.status_code == 422, response.text
    assert response.json()["error"] == {
        "code": "out_of_range",
        "message": "A number in the request is larger than Roundtable can store.",
    }
    assert str(big) not in response.text


async def test_the_safety_net_answers_a_value_postgresql_refuses_with_a_422(probe, client):
    response = await client.get("/api/probe/name/someone")
    if backend_name() == "sqlite":
        assert response.status_code == 200
        return
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "bad_value"


def nul_bodies(schema: dict, components: dict, depth: int = 0):
    """(dotted field, a body holding NUL in it) for every string a request schema can hold."""
    if depth > 6:
        return
    if "$ref" in schema:
        yield from nul_bodies(components[schema["$ref"].rsplit("/", 1)[1]], components, depth + 1)
        return
    for option in schema.get("anyOf", []) + schema.get("oneOf", []):
        yield from nul_bodies(option, components, depth + 1)
    kind = schema.get("type")
    if kind == "string" or ("enum" in schema and kind is None):
        yield "", "nul\x00here"
    elif kind == "object":
        children = dict(schema.get("properties", {}))
        if isinstance(schema.get("additionalProperties"), dict):
            children["en"] = schema["additionalProperties"]
        for name, child in children.items():
            for place, value in nul_bodies(child, components, depth + 1):
                yield (f"{name}.{place}" if place else name), {name: value}
    elif kind == "array":
        for place, value in nul_bodies(schema.get("items", {}), components, depth + 1):
            yield (f"0.{place}" if place else "0"), [value]


async def test_nul_in_any_string_field_of_any_json_body_is_refused_and_named(app, client, admin_csrf):
    spec = app.openapi()
    components = spec["components"]["schemas"]
    checked = 0
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if not schema:
                continue
            concrete = re.sub(r"\{\w+\}", "1", path)
            for field, body in dict(nul_bodies(schema, components)).items():
                response = await client.request(
                    method.upper(), concrete, json=body, headers={"X-CSRF-Token": admin_csrf}
                )
                if (path, field) in CHECKED_BY_THEIR_HANDLER:  # names the line itself (test_bulk_invitations)
                    assert 400 <= response.status_code < 500, (method, path, field, response.text)
                    continue
                assert response.status_code == 422, (method, path, field, response.text)
                error = response.json()["error"]
                assert error["code"] == "control_character" and "U+0000" in error["message"]
                assert [d["field"] for d in error["details"]] == [field], (method, path)
                checked += 1
    assert checked > 60, checked


# Fields whose handler refuses control characters itself, with a better answer (app/middleware.py).
CHECKED_BY_THEIR_HANDLER = {("/api/sessions/{session_id}/invitations/bulk", "csv")}


@pytest.fixture
async def facilitator_csrf(app, client, make_account):
    organiser = await make_account(Role.organiser)
    facilitator = await make_account(Role.facilitator)
    programme = await make_programme(app, organiser=organiser.user, facilitators=[facilitator.user])
    session = await make_session(app, facilitator=facilitator.user, programme=programme)
    await schedule(app, session)
    return await api_login(client, facilitator), programme, session


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x1b", "\x7f\x00", "\ud800"])
async def test_valid_requests_with_a_control_character_store_nothing_on_either_backend(
    app, client, facilitator_csrf, bad
):
    csrf, programme, session = facilitator_csrf
    json_headers = {"X-CSRF-Token": csrf, "Content-Type": "application/json"}
    before_agenda = (await client.get(f"/api/sessions/{session.id}/agenda")).json()
    attempts = [
        ("PATCH", f"/api/programmes/{programme.id}", {"name": f"Peace{bad}talks"}, "name"),
        (
            "POST",
            f"/api/programmes/{programme.id}/sessions",
            {"title": f"Second{bad}", "starts_at": "2031-05-01T10:00:00+04:00", "capacity": 6},
            "title",
        ),
        ("PATCH", f"/api/sessions/{session.id}", {"title": f"Renamed{bad}"}, "title"),
        (
            "POST",
            f"/api/sessions/{session.id}/agenda",
            {"kind": "round", "title": f"Round{bad}", "planned_minutes": 5},
            "title",
        ),
        (
            "POST",
            f"/api/sessions/{session.id}/invitations",
            {"role": "participant", "community": "a", "real_name": f"Anna{bad}"},
            "real_name",
        ),
    ]
    for method, path, body, field in attempts:
        # As JSON sends it: a lone surrogate can only travel as an escape.
        content = json.dumps(body).encode()
        response = await client.request(method, path, content=content, headers=json_headers)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["error"]["details"][0]["field"] == field
    assert (await client.get(f"/api/sessions/{session.id}/agenda")).json() == before_agenda
    assert (await client.get(f"/api/sessions/{session.id}")).json()["title"] == session.title
    assert len((await client.get(f"/api/programmes/{programme.id}/sessions")).json()) == 1
    assert (await client.get(f"/api/sessions/{session.id}/invitations")).json() == []


async def test_tab_newline_and_carriage_return_are_still_welcome(client, facilitator_csrf):
    csrf, _programme, session = facilitator_csrf
    response = await client.post(
        f"/api/sessions/{session.id}/agenda",
        json={"kind": "round", "title": "Round one", "planned_minutes": 5, "prompt": "First line\r\n\tsecond line"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 201, response.text


async def test_a_form_field_or_a_query_parameter_with_nul_gets_the_error_page_or_json(client, facilitator_csrf):
    csrf, _programme, session = facilitator_csrf
    page = await client.post(
        f"/sessions/{session.id}/edit",
        data={"csrf_token": csrf, "title": "Evening\x00"},
        headers={"Accept": "text/html"},
    )
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "control_character" in page.text and "The title contains a control character (U+0000)" in page.text
    multipart = await client.post(
        f"/sessions/{session.id}/edit",
        data={"csrf_token": csrf},
        files={"title": (None, "Evening\x00")},
        headers={"Accept": "text/html"},
    )
    assert multipart.status_code == 422 and "The title" in multipart.text
    query = await client.get(f"/api/sessions/{session.id}/agenda", params={"after": "1\x00"})
    assert query.status_code == 422
    assert query.json()["error"]["details"][0]["field"] == "after"
    path = await client.get("/join/abc%00def")
    assert path.status_code == 422
    assert (await client.get(f"/api/sessions/{session.id}")).json()["title"] == session.title


async def test_a_json_key_or_a_lone_surrogate_is_refused_and_deep_nesting_too(client, admin_csrf):
    headers = {"X-CSRF-Token": admin_csrf, "Content-Type": "application/json"}
    key = await client.post("/api/admin/users", content=b'{"user\\u0000name": "x"}', headers=headers)
    assert key.status_code == 422 and key.json()["error"]["details"][0]["field"] == "user\x00name"
    surrogate = await client.post("/api/admin/users", content=b'{"full_name": "\\ud800"}', headers=headers)
    assert surrogate.status_code == 422 and "U+D800" in surrogate.json()["error"]["message"]
    deep = await client.post("/api/admin/users", content=b"[" * 5000 + b"]" * 5000, headers=headers)
    assert deep.status_code == 400 and deep.json()["error"]["code"] == "json_too_deep"
    assert await user_count(client) == 1


async def test_a_second_content_type_does_not_slip_a_nul_past_the_check(client, facilitator_csrf):
    """Starlette parses by the first Content-Type: the check must read the same one."""
    csrf, programme, _session = facilitator_csrf
    response = await client.patch(
        f"/api/programmes/{programme.id}",
        content=json.dumps({"name": "Peace\u0000talks"}).encode(),
        headers=[("X-CSRF-Token", csrf), ("Content-Type", "application/json"), ("Content-Type", "text/plain")],
    )
    assert response.status_code == 422, response.text
    assert (await client.get(f"/api/programmes/{programme.id}")).json()["name"] != "Peace\u0000talks"
