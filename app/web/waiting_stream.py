"""The lobby page's live line: a server-sent event stream that tells a waiting participant's
page, at once, that what it shows has changed (admitted, turned away, the room opened, the
session ended, a new message from the facilitators), so that it reloads.

The stream carries no content, only an opaque fingerprint of the page's state
(facilitation/lobby.waiting_fingerprint): the page compares it with the one it was drawn
with. It listens to the session's room channel on the broker, so a change made on any
instance reaches it; it re-reads the state on every room event and, as a net for a broker
outage, every HEARTBEAT seconds. A revocation of the seat (the place moved to another
device) ends it at once (Hub.watch_seat). A stream lasts at most MAX_SECONDS; the browser's
EventSource then opens a new one, which starts with the current fingerprint, so nothing is
missed in between.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from app.deps import PathId
from app.dialogues.invitations import InvalidInvitation
from app.dialogues.seat_cookie import seat_cookie_name
from app.events.log import decode_message, frame_type
from app.facilitation import lobby
from app.live.hub import Hub

router = APIRouter(tags=["pages"])
log = structlog.get_logger(__name__)

HEARTBEAT = 20.0  # seconds between checks (and keep-alive comments) when nothing happens
MAX_SECONDS = 300.0
RETRY_MS = 3000  # how long the browser waits before opening a new stream


# The room events that can change what a waiting page shows; the others (statements,
# reactions, the floor) do not make every waiting page read the database again.
LOBBY_EVENTS = frozenset({"seat_changed", "session_status", "lobby_message"})


def _concerns_the_lobby(raw: bytes) -> bool:
    try:
        return frame_type(decode_message(raw)[1]) in LOBBY_EVENTS
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return True  # unreadable: look again rather than miss a change


def _frame(event: str, data: str) -> str:
    return f"event: {event}\ndata: {data}\n\n"


async def _current(request: Request, session_id: int, token: str | None) -> tuple[int, str, bool] | None:
    async with request.app.state.db.reading() as db:
        return await lobby.waiting_state(db, session_id=session_id, token=token)


async def _stream(
    request: Request, hub: Hub, session_id: int, token: str | None, seat_id: int, shown: str, waiting: bool
) -> AsyncIterator[str]:
    if not waiting:  # nothing to wait for (turned away, the room is open, the session ended)
        yield f"retry: {RETRY_MS}\n" + _frame("state", shown) + _frame("ended", "")
        return
    subscription = await hub.broker.subscribe(str(session_id))
    loop = asyncio.get_running_loop()
    ends_at = loop.time() + MAX_SECONDS
    try:
        with hub.watch_seat(seat_id) as ended:
            yield f"retry: {RETRY_MS}\n" + _frame("state", shown)
            while loop.time() < ends_at:
                waits = [asyncio.ensure_future(subscription.wake.wait()), asyncio.ensure_future(ended.wait())]
                try:
                    await asyncio.wait(
                        waits, timeout=min(HEARTBEAT, ends_at - loop.time()), return_when="FIRST_COMPLETED"
                    )
                finally:
                    for task in waits:
                        task.cancel()
                if ended.is_set():
                    yield _frame("ended", "")
                    return
                items = subscription.drain()
                stale, subscription.stale = subscription.stale, False
                if not (stale or ended.is_set() or any(_concerns_the_lobby(raw) for raw in items) or not items):
                    continue  # statements and the like: nothing on the waiting page changes
                try:
                    state = await _current(request, session_id, token)
                except Exception as exc:  # the database is away: the next wake or heartbeat tries again
                    log.warning("waiting_state_unavailable", error_type=type(exc).__name__)
                    yield ": waiting\n\n"
                    continue
                if state is None:
                    yield _frame("ended", "")
                    return
                _seat, now_shown, still = state
                if now_shown != shown:
                    shown = now_shown
                    yield _frame("state", shown)
                elif still:
                    yield ": waiting\n\n"
                if not still:
                    yield _frame("ended", "")
                    return
    finally:
        with contextlib.suppress(Exception):
            await hub.broker.unsubscribe(subscription)


@router.get("/sessions/{session_id}/waiting/events")
async def waiting_events(session_id: PathId, request: Request) -> StreamingResponse:
    """For the participant's own waiting page (its seat cookie): `state` events with the page's
    fingerprint whenever it changes, `ended` when there is nothing more to wait for (the
    stream then closes; a page that reloads because of it does not open another)."""
    token = request.cookies.get(seat_cookie_name(session_id))
    state = await _current(request, session_id, token)
    if state is None:
        raise InvalidInvitation()
    return StreamingResponse(
        _stream(request, request.app.state.hub, session_id, token, *state),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
