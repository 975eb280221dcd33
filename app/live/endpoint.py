"""The WebSocket endpoint /ws/sessions/{id}: handshake checks, then commands in, frames out.

This module only turns frames into calls of the facilitation services and delivers
what they produce; it never writes tables itself.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import structlog
from fastapi import APIRouter, WebSocket
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.websockets import WebSocketDisconnect

from app.deps import session_policy
from app.dialogues.models import Seat
from app.dialogues.seat_cookie import seat_cookie_name
from app.dialogues.seats import seat_by_cookie
from app.errors import AppError, SlowDown, error_body
from app.events.log import last_seq, read_events
from app.facilitation import presence
from app.facilitation.entry import check_can_enter, facilitator_seat, room_session
from app.facilitation.room import Actor
from app.facilitation.room_state import room_state
from app.facilitation.statements import post_statement
from app.facilitation.views import hydrate
from app.live.commands import COMMANDS, ClientCommand, FetchRange, Ping, PostStatement
from app.live.dispatch import RATE_LIMITED, run_command
from app.live.hub import Connection, encode
from app.live.protocol import CLOSE_POLICY
from app.security.cookies import LOGIN_COOKIE
from app.security.login_sessions import resolve_login_session

log = structlog.get_logger(__name__)
router = APIRouter()

MAX_BAD_FRAMES = 20  # invalid frames tolerated before the connection counts as abusive


async def _refuse(websocket: WebSocket, status: int, code: str, message: str) -> None:
    # Before accept: an HTTP answer the client can read (WebSocket denial response).
    await websocket.send_denial_response(JSONResponse(error_body(code, message), status_code=status))


def _origin_allowed(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser: it cannot carry a victim's cookies across sites
    settings = websocket.app.state.settings
    host = websocket.headers.get("host", "")
    own = {f"http://{host}", f"https://{host}"}
    return origin.rstrip("/") in set(settings.allowed_origins) | own


def _position(websocket: WebSocket) -> int | None:
    raw = websocket.query_params.get("after", "0")
    if not raw.isdigit() or len(raw) > 12:
        return None
    return int(raw)


@router.websocket("/ws/sessions/{session_id}")
async def room_socket(websocket: WebSocket, session_id: int) -> None:
    app = websocket.app
    state = app.state
    if not _origin_allowed(websocket):
        await _refuse(websocket, 403, "cross_site_request", "Connections from other sites are refused.")
        return
    after = _position(websocket)
    if after is None:
        await _refuse(websocket, 400, "bad_position", "'after' must be a sequence number (0 or more).")
        return
    now = state.clock.now()
    try:
        async with state.db.unit_of_work() as db:
            session = await room_session(db, session_id=session_id)
            seat = await seat_by_cookie(
                db, session_id=session_id, token=websocket.cookies.get(seat_cookie_name(session_id))
            )
            if seat is None:
                login = await resolve_login_session(
                    db, token=websocket.cookies.get(LOGIN_COOKIE), now=now, policy=session_policy(state.settings)
                )
                if login is None:
                    await _refuse(websocket, 401, "not_authenticated", "Open your invitation link or log in first.")
                    return
                seat = await facilitator_seat(db, session=session, user=login.user, now=now)
            check_can_enter(session, seat)
            welcome = await room_state(db, session=session, seat=seat, now=now)
            current = welcome["last_seq"]
            seat_id, is_facilitator = seat.id, seat.role.value in ("facilitator", "co_facilitator")
    except AppError as exc:
        status = 404 if exc.status_code == 404 else 403
        await _refuse(websocket, status, exc.code, exc.message)
        return

    await websocket.accept()
    connection_id = uuid.uuid4().hex
    if after > current:
        # A position from the future (another database, a restored backup): the client
        # must drop what it has and load the room again. Never a partial replay.
        await websocket.send_text(
            encode(
                {
                    "type": "range_unavailable",
                    "from_seq": current + 1,
                    "to_seq": after,
                    "message": "Your position is ahead of this room; reload it.",
                }
            )
        )
        await websocket.close(4409, "reload the room")
        return

    connection = Connection(
        session_id=session_id,
        seat_id=seat_id,
        is_facilitator=is_facilitator,
        send=websocket.send_text,
        close=websocket.close,
        db=state.db,
        after=after,
        admitted_as_of=current,
    )
    connection.offer(encode(welcome))
    hub = state.hub
    await hub.join(connection)
    async with state.db.unit_of_work() as db:
        seat_row = await db.get(Seat, seat_id)
        await presence.arrive(db, connection_id=connection_id, seat=seat_row, instance_id=state.instance_id, now=now)
    try:
        await _serve(websocket, connection, seat_id)
    finally:
        await hub.leave(connection)
        await connection.stop()
        try:
            async with state.db.unit_of_work() as db:
                await presence.depart(db, connection_id=connection_id, now=state.clock.now())
        except Exception as exc:  # the sweeper of another instance will clean up
            log.warning("presence_depart_failed", error_type=type(exc).__name__)


async def _serve(websocket: WebSocket, connection: Connection, seat_id: int) -> None:
    bad_frames = 0
    while not connection.closed.is_set():
        try:
            message = await websocket.receive()
        except (WebSocketDisconnect, RuntimeError):
            return
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is None:
            await connection.stop(CLOSE_POLICY, "text frames only")
            return
        try:
            command = COMMANDS.validate_json(text)
        except ValidationError as exc:
            bad_frames += 1
            if bad_frames > MAX_BAD_FRAMES:
                await connection.stop(CLOSE_POLICY, "too many invalid frames")
                return
            connection.offer(encode({**_invalid(exc, text), **_ids(text)}))
            continue
        if isinstance(command, Ping):
            connection.offer(encode({"type": "pong"}))
        elif isinstance(command, FetchRange):
            await _fetch(websocket, connection, command)
        elif isinstance(command, PostStatement):
            await _statement(websocket, connection, seat_id, command)
        else:
            await _command(websocket, connection, Actor(session_id=connection.session_id, seat_id=seat_id), command)


def _ids(text: str) -> dict:
    """The client's ref and client_id from a refused frame, when it has them, so the client
    can match the error to what it sent."""
    try:
        frame = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(frame, dict):
        return {}
    found = {}
    for key in ("ref", "client_id"):
        value = frame.get(key)
        if isinstance(value, str) and 0 < len(value) <= 64 and re.fullmatch(r"[A-Za-z0-9_-]+", value):
            found[key] = value
    return found


def _invalid(exc: ValidationError, text: str) -> dict:
    errors = exc.errors()
    kind = errors[0].get("type", "") if errors else ""
    if kind == "json_invalid":
        return {"type": "error", "code": "malformed_json", "message": "The frame is not valid JSON."}
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return {"type": "error", "code": "unknown_command", "message": "Unknown command type."}
    field = ".".join(str(p) for p in errors[0].get("loc", ())[1:]) if errors else ""
    message = f"'{field}': {errors[0].get('msg')}" if field else "The command is not valid."
    if kind == "string_too_long" and field == "text":
        return {"type": "error", "code": "statement_too_long", "message": message}
    return {"type": "error", "code": "invalid_command", "message": message}


async def _fetch(websocket: WebSocket, connection: Connection, command: FetchRange) -> None:
    async with websocket.app.state.db.unit_of_work() as db:
        newest = await last_seq(db, session_id=connection.session_id)
        events = (
            []
            if command.to_seq > newest or command.from_seq > command.to_seq
            else await read_events(
                db, session_id=connection.session_id, after=command.from_seq - 1, upto=command.to_seq
            )
        )
        frames = await hydrate(db, events)
    if len(events) != command.to_seq - command.from_seq + 1:
        connection.offer(
            encode(
                {
                    "type": "range_unavailable",
                    "from_seq": command.from_seq,
                    "to_seq": command.to_seq,
                    "message": "That range cannot be served; reload the room.",
                }
            )
        )
        return
    for event, frame in zip(events, frames, strict=True):
        connection.offer(
            encode(frame) if connection.may_see(event.audience) else encode({"type": "noop", "seq": event.seq})
        )


async def _statement(websocket: WebSocket, connection: Connection, seat_id: int, command: PostStatement) -> None:
    state = websocket.app.state
    if await _rate_limited(websocket, connection, seat_id, client_id=command.client_id, ref=command.ref):
        return
    try:
        async with state.db.unit_of_work() as db:
            posted = await post_statement(
                db,
                session_id=connection.session_id,
                seat_id=seat_id,
                client_id=command.client_id,
                text=command.text,
                reply_to=command.reply_to,
                now=state.clock.now(),
            )
    except AppError as exc:
        connection.offer(encode(_error(exc, client_id=command.client_id, ref=command.ref)))
        return
    except Exception as exc:  # the database is busy or away: nothing was stored; say so
        log.warning("statement_failed", error_type=type(exc).__name__)
        connection.offer(
            encode(
                {
                    "type": "error",
                    "code": "try_again",
                    "client_id": command.client_id,
                    "message": "The statement was not stored; send it again (same client_id).",
                    "retry_after": 1.0,
                }
            )
        )
        return
    # Only now, after the commit: the statement is durable.
    connection.offer(
        encode({"type": "ack", "client_id": command.client_id, "seq": posted.seq, "statement_id": posted.statement_id})
    )


async def _rate_limited(websocket: WebSocket, connection: Connection, seat_id: int, **ids: str | None) -> bool:
    """Statements and the other things a seat puts before the room share one rate limit."""
    wait = await websocket.app.state.room_limits.statement_wait(seat_id)
    if wait:
        connection.offer(
            encode(
                {
                    "type": "error",
                    "code": "rate_limited",
                    **ids,
                    "retry_after": wait,
                    "message": "You are sending too quickly; please wait a moment.",
                }
            )
        )
    return bool(wait)


def _error(exc: AppError, **extra: str | None) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": exc.code, "message": exc.message, **extra}
    if isinstance(exc, SlowDown):
        frame["retry_after"] = exc.retry_after
    return frame


async def _command(websocket: WebSocket, connection: Connection, actor: Actor, command: ClientCommand) -> None:
    """Any other command: carried out in one transaction, answered `ok` after the commit."""
    state = websocket.app.state
    kind = command.type
    if kind in RATE_LIMITED and await _rate_limited(websocket, connection, actor.seat_id, ref=command.ref):
        return
    try:
        async with state.db.unit_of_work() as db:
            result = await run_command(db, actor=actor, command=command, now=state.clock.now())
    except AppError as exc:
        connection.offer(encode(_error(exc, ref=command.ref)))
        return
    except Exception as exc:  # the database is busy or away: nothing changed; say so
        log.warning("command_failed", command=kind, error_type=type(exc).__name__)
        connection.offer(
            encode(
                {
                    "type": "error",
                    "code": "try_again",
                    "ref": command.ref,
                    "message": "That did not go through; try again.",
                    "retry_after": 1.0,
                }
            )
        )
        return
    connection.offer(encode({"type": "ok", "ref": command.ref, "command": kind, "result": result}))
