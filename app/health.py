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
    """What this instance can reach. 503 without the database (nothing can be served); with
    the database but not Redis it is "degraded" and still 200: rooms go on (this instance's
    rooms hear each other at once, the others catch up from the database when the broker is
    back) and rate limits count per instance, so taking every instance out of the load
    balancer would only turn an outage of speed into an outage of the service."""
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
    per_instance = state.throttle.per_instance or state.room_limits.per_instance
    if state.settings.redis_url is None:
        checks["rate_limits"] = "ok"  # one process: its own counters are the only ones
    elif per_instance or not await state.throttle.ping():
        checks["rate_limits"] = "per_instance"
    else:
        checks["rate_limits"] = "ok"
    if checks["database"] != "ok":
        status, code = "not_ready", 503
    elif all(value == "ok" for value in checks.values()):
        status, code = "ready", 200
    else:
        status, code = "degraded", 200
    return JSONResponse({"status": status, "checks": checks, "broker": broker.name}, status_code=code)
