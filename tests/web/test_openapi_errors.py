"""The OpenAPI document lists every route's error answers in our error shape, describes only
the JSON API, and a wrong method on any API path is a 405 (app/web/openapi_errors.py)."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from app.accounts.models import Role
from app.main import create_app
from app.web.openapi_errors import is_documented, possible_errors
from tests.backends import make_settings
from tests.factories import api_login, make_programme, make_session

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def spec() -> dict:
    return create_app(make_settings("sqlite+aiosqlite://", None)).openapi()


@pytest.fixture
def settings(database_url, redis_available):
    # An admin here logs in with a password alone (the second factor has its own tests).
    return make_settings(database_url, redis_available, require_totp_for=[])


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def test_every_error_answer_has_our_error_shape_and_fastapis_own_422_is_gone(spec):
    assert "HTTPValidationError" not in str(spec) and "ValidationError" not in spec["components"]["schemas"]
    assert spec["components"]["schemas"]["ErrorResponse"]["required"] == ["error"]
    for method, path, operation in operations(spec):
        for status, answer in operation["responses"].items():
            if status.startswith(("4", "5")) and not (path == "/readyz" and status == "503"):
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (method, path, status)


@pytest.mark.parametrize(
    ("method", "path", "present", "absent"),
    [
        ("get", "/healthz", set(), {"401", "403", "422", "503"}),
        ("get", "/api/admin/users", {"401", "403", "503"}, {"400", "404", "413", "429"}),
        ("post", "/api/admin/users", {"400", "401", "403", "409", "413", "422", "503"}, {"429"}),
        ("post", "/api/auth/login", {"400", "401", "403", "413", "422", "429", "503"}, set()),
        ("get", "/api/sessions/{session_id}", {"401", "403", "404", "422", "503"}, {"413", "429"}),
        ("patch", "/api/sessions/{session_id}/agenda/{item_id}", {"400", "404", "409", "413", "422"}, {"429"}),
        ("post", "/api/join", {"400", "403", "404", "422", "503"}, {"429"}),
    ],
)
def test_the_errors_follow_from_what_a_route_depends_on(spec, method, path, present, absent):
    statuses = set(spec["paths"][path][method]["responses"])
    assert present <= statuses, present - statuses
    assert not absent & statuses, absent & statuses


def test_every_api_route_lists_some_error_and_only_the_api_is_documented(spec):
    app = create_app(make_settings("sqlite+aiosqlite://", None))
    documented = set(spec["paths"])
    assert all(is_documented(path) for path in documented)
    assert "/sessions/{session_id}/room" not in documented and "/login" not in documented
    for context in iter_route_contexts(app.routes):
        path = context.path_format or ""
        if isinstance(context.original_route, APIRoute) and path.startswith("/api/"):
            if path != "/api/docs":
                assert path in documented, path
                assert possible_errors(context), path


def test_the_calendar_entry_is_documented_as_a_calendar(spec):
    answer = spec["paths"]["/api/sessions/{session_id}/calendar.ics"]["get"]["responses"]["200"]
    assert "text/calendar" in answer["content"]


async def test_a_wrong_method_on_any_api_path_is_a_405(app, client, make_account):
    admin = await make_account(Role.admin)
    csrf = await api_login(client, admin)
    spec = app.openapi()
    checked = 0
    for path, item in spec["paths"].items():
        concrete = re.sub(r"\{\w+\}", "1", path)
        for method in set(METHODS) - set(item):
            response = await client.request(method.upper(), concrete, headers={"X-CSRF-Token": csrf})
            assert response.status_code == 405, (method, path, response.status_code, response.text)
            assert response.json()["error"]["code"] == "method_not_allowed"
            checked += 1
    assert checked > 100


async def test_a_literal_segment_is_not_taken_for_an_id(app, client, make_account):
    organiser = await make_account(Role.organiser)
    facilitator = await make_account(Role.facilitator)
    programme = await make_programme(app, organiser=organiser.user, facilitators=[facilitator.user])
    session = await make_session(app, facilitator=facilitator.user, programme=programme)
    other = await make_session(app, facilitator=facilitator.user, programme=programme, agenda_template=None)
    csrf = await api_login(client, facilitator)
    headers = {"X-CSRF-Token": csrf}
    wrong = await client.patch(f"/api/sessions/{session.id}/agenda/copy", json={}, headers=headers)
    assert wrong.status_code == 405
    copied = await client.post(
        f"/api/sessions/{other.id}/agenda/copy", json={"from_session_id": session.id}, headers=headers
    )
    assert copied.status_code == 200 and copied.json()
    assert (await client.delete(f"/api/programmes/{programme.id}/members/me", headers=headers)).status_code == 405
    assert (await client.patch(f"/api/sessions/{session.id}/agenda/abc", json={}, headers=headers)).status_code == 404


async def test_the_api_docs_page_still_renders(client):
    response = await client.get("/api/docs")
    assert response.status_code == 200 and "/api/sessions/{session_id}/agenda/copy" in response.text
