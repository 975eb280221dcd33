"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up and answering."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """The database and the broker can be reached; 503 names what cannot."""
    state = request.app.state
    checks: dict[str, str] = {}
    try:
        await asyncio.wait_for(state.db.ping(), timeout=3)
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unreachable"
    broker = state.broker
    if not await broker.ping():
        checks["broker"] = "unreachable"
    elif getattr(broker, "connected", True) is False:
        checks["broker"] = "reconnecting"
    else:
        checks["broker"] = "ok"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks, "broker": broker.name},
        status_code=200 if ready else 503,
    )
