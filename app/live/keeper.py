"""Background work of an instance that serves rooms: its heartbeat, the sweep that clears
the presence of dead instances, the rooms' clocks, and the check of open connections' rights."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import structlog
from fastapi import FastAPI

from app.facilitation import presence, timers

log = structlog.get_logger(__name__)


async def keep_presence(app: FastAPI) -> None:
    """Every few seconds: say this instance is alive; clear the seats of any that are not."""
    state = app.state
    while True:
        try:
            async with state.db.unit_of_work() as db:
                await presence.heartbeat(db, instance_id=state.instance_id, now=state.clock.now())
            async with state.db.unit_of_work() as db:
                gone = await presence.sweep_dead_instances(
                    db,
                    now=state.clock.now(),
                    stale_after=timedelta(seconds=state.settings.presence_timeout_seconds),
                )
            if gone:
                log.info("presence_swept", connections=gone)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database may be restarting; try again next beat
            log.warning("presence_keeper_failed", error_type=type(exc).__name__)
        beat = min(presence.HEARTBEAT_EVERY.total_seconds(), state.settings.presence_timeout_seconds / 4)
        await asyncio.sleep(beat)


TICK_SECONDS = 1.0


async def keep_time(app: FastAPI) -> None:
    """Every second: run the clocks of the rooms this instance serves (nudges, turn ends,
    mutes that run out). Another instance serving the same room may tick too; the tick is
    idempotent under the session lock."""
    state = app.state
    while True:
        for session_id in list(state.hub.rooms):
            try:
                async with state.db.unit_of_work() as db:
                    await timers.tick(db, session_id=session_id, now=state.clock.now())
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("room_tick_failed", error_type=type(exc).__name__)
        await asyncio.sleep(TICK_SECONDS)


async def keep_rights(app: FastAPI) -> None:
    """Every second: close connections whose login has passed its end. Every
    ROUNDTABLE_REVALIDATE_SECONDS: check every open connection's right in the database, so
    a revocation this instance never heard of (the broker was down) lasts no longer."""
    state = app.state
    every = state.settings.revalidate_seconds
    last = 0.0
    loop = asyncio.get_running_loop()
    while True:
        try:
            state.hub.end_expired_logins()
            if loop.time() - last >= every:
                last = loop.time()
                await state.hub.revalidate()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database may be away; the next round tries again
            log.warning("revalidation_failed", error_type=type(exc).__name__)
        await asyncio.sleep(TICK_SECONDS)


async def forget_instance(app: FastAPI) -> None:
    """On a clean shutdown, leave at once instead of waiting to be swept."""
    state = app.state
    try:
        async with state.db.unit_of_work() as db:
            await presence.forget_instance(db, instance_id=state.instance_id, now=state.clock.now())
    except Exception as exc:
        log.warning("forget_instance_failed", error_type=type(exc).__name__)
