"""Security headers on every answer; health and readiness probes."""

from __future__ import annotations

import pytest

from app.db import Database
from app.live.broker import RedisBroker


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/login", "text/html"),
        ("/api/auth/me", "application/json"),
        ("/nowhere", "text/html"),
        ("/healthz", "*/*"),
        ("/static/css/app.css", "text/css"),
    ],
)
async def test_every_answer_carries_the_security_headers(client, path, accept):
    response = await client.get(path, headers={"Accept": accept})
    csp = response.headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"


async def test_pages_are_not_stored_by_caches_but_static_files_may_be(client):
    assert (await client.get("/login")).headers["cache-control"] == "no-store"
    assert "no-store" not in (await client.get("/static/css/app.css")).headers.get("cache-control", "")


async def test_pages_have_no_inline_script_or_style(client):
    html = (await client.get("/login")).text
    assert "<script>" not in html and "style=" not in html and "<style" not in html


async def test_healthz_says_the_process_is_up(client):
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_readyz_checks_the_database_and_the_broker(client, app):
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["checks"] == {"database": "ok", "broker": "ok", "rate_limits": "ok"}
    assert response.json()["broker"] == ("redis" if app.state.settings.redis_url else "memory")


async def test_readyz_is_503_when_the_database_is_unreachable(client, app):
    real = app.state.db
    app.state.db = Database("postgresql+asyncpg://nobody@127.0.0.1:9/none")
    try:
        response = await client.get("/readyz")
    finally:
        await app.state.db.dispose()
        app.state.db = real
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unreachable"


async def test_readyz_is_degraded_but_200_when_redis_is_unreachable(client, app):
    """Without Redis the rooms go on (docs/deployment.md, "Faults"): still in the load balancer."""
    real = app.state.broker
    dead = RedisBroker("redis://127.0.0.1:9/0")
    app.state.broker = dead
    try:
        response = await client.get("/readyz")
    finally:
        app.state.broker = real
        await dead.close()
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["broker"] == "unreachable"


async def test_the_api_is_described_in_openapi_and_on_a_readable_page(client):
    spec = (await client.get("/api/openapi.json")).json()
    assert "/api/programmes/{programme_id}/sessions" in spec["paths"]
    assert "/api/join/claim" in spec["paths"]
    page = await client.get("/api/docs", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "/api/sessions/{session_id}/invitations" in page.text
    assert "<script>" not in page.text
