"""The WebSocket endpoint /ws/sessions/{id}: handshake checks, then commands in, frames out.

This module only turns frames into calls of the facilitation services and delivers
what they produce; it never writes tables itself.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import structlog
from fastapi import APIRouter, WebSocket
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.websockets import WebSocketDisconnect

from app.db import MAX_ID
from app.deps import session_policy
from app.dialogues.seat_cookie import seat_cookie_name
from app.dialogues.seats import seat_by_cookie
from app.errors import AppError, NotAuthenticated, ServiceUnavailable, SlowDown, error_body
from app.facilitation import presence
from app.facilitation.breakout_rooms import entering_seat
from app.facilitation.entry import check_can_enter, facilitator_seat, room_session
from app.facilitation.room import Actor
from app.facilitation.room_state import room_state
from app.live.commands import COMMANDS, ClientCommand, FetchRange, Ping, too_deep
from app.live.dispatch import RATE_LIMITED, answer, asked, ids_of, run_command
from app.live.hub import Connection, Fetch, Grant, encode
from app.live.protocol import CLOSE_POLICY, CLOSE_RELOAD, CLOSE_SERVER_ERROR, CLOSE_TOO_SLOW, CLOSE_TRY_AGAIN
from app.messages import Msg, translate
from app.security.cookies import LOGIN_COOKIE
from app.security.login_sessions import resolve_login_session
from app.web.error_pages import in_language, reader_language
from app.web.i18n import translations_for

log = structlog.get_logger(__name__)
router = APIRouter()

TEXT_PROBLEMS = frozenset({"control_characters", "hidden_direction_controls", "invisible_text"})
MAX_BAD_FRAMES = 20  # invalid frames tolerated before the connection counts as abusive


async def _refuse(websocket: WebSocket, status: int, code: str, message: str) -> None:
    # Before accept: an HTTP answer the client can read (WebSocket denial response).
    # In the reader's language: the seat's once the handshake has found it, else the request's.
    text = in_language(message, reader_language(websocket))
    await websocket.send_denial_response(JSONResponse(error_body(code, text), status_code=status))


def _origin_allowed(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser: it cannot carry a victim's cookies across sites
    settings = websocket.app.state.settings
    host = websocket.headers.get("host", "")
    own = {f"http://{host}", f"https://{host}"}
    return origin.rstrip("/") in set(settings.allowed_origins) | own


def _number(raw: str) -> int | None:
    """A whole number written in ASCII digits that an id or a sequence number can be, else None
    (so "²" or "①", digits to str.isdigit(), are refused, not passed to int())."""
    if not re.fullmatch(r"[0-9]{1,10}", raw):
        return None
    value = int(raw)
    return value if value <= MAX_ID else None


def _position(websocket: WebSocket) -> int | None:
    return _number(websocket.query_params.get("after", "0"))


def _connection_id() -> str:
    """Unique, and in the order connections were made (milliseconds first), so that the
    oldest of a seat's connections is the first in the presence table whatever the clock."""
    return f"{time.time_ns() // 1_000_000:013d}-{uuid.uuid4().hex[:26]}"


@router.websocket("/ws/sessions/{session_id}")
async def room_socket(websocket: WebSocket, session_id: str) -> None:
    app = websocket.app
    state = app.state
    if not _origin_allowed(websocket):
        await _refuse(websocket, 403, "cross_site_request", Msg("Connections from other sites are refused."))
        return
    number = _number(session_id)
    if number is None or number < 1:
        await _refuse(websocket, 404, "not_found", Msg("There is no such session."))
        return
    after = _position(websocket)
    if after is None:
        await _refuse(websocket, 400, "bad_position", Msg("'after' must be a sequence number (0 or more)."))
        return
    now = state.clock.now()
    connection_id = _connection_id()
    checked_at = time.monotonic()  # revocations from now on may not be in what the handshake reads
    try:
        # A participant's seat cookie: only reads (no write lock on SQLite). Staff without a
        # seat cookie may get their seat made now, so theirs is a unit of work that writes.
        async with state.db.reading() as db:
            entered = await _let_in(websocket, db, number, now=now, connection_id=connection_id, checked_at=checked_at)
        if entered is None:
            async with state.db.unit_of_work() as db:
                entered = await _let_in(
                    websocket, db, number, now=now, connection_id=connection_id, checked_at=checked_at, staff=True
                )
        assert entered is not None
        welcome, seat_id, is_facilitator, grant = entered
        current = welcome["last_seq"]
    except AppError as exc:
        status = exc.status_code if exc.status_code in (401, 404, 503) else 403
        await _refuse(websocket, status, exc.code, exc.message)
        return
    except Exception as exc:  # not a refusal the rules made: say so, as a 503 to retry
        log.error("handshake_failed", error_type=type(exc).__name__)
        await _refuse(websocket, 503, "try_again", Msg("The room cannot be opened just now; try again shortly."))
        return

    catalog = translations_for(reader_language(websocket))
    await websocket.accept()
    if after > current:
        # A position from the future (another database, a restored backup): the client
        # must drop what it has and load the room again. Never a partial replay.
        await websocket.send_text(
            encode(
                {
                    "type": "range_unavailable",
                    "from_seq": current + 1,
                    "to_seq": after,
                    "message": Msg("Your position is ahead of this room; reload it.").localized(catalog),
                }
            )
        )
        await websocket.close(CLOSE_RELOAD, "reload the room")
        return

    connection = Connection(
        session_id=number,
        seat_id=seat_id,
        is_facilitator=is_facilitator,
        send=websocket.send_text,
        close=websocket.close,
        db=state.db,
        after=after,
        admitted_as_of=current,
        grant=grant,
        catalog=catalog,
    )
    connection.offer(encode(welcome))
    hub = state.hub
    await hub.join(connection)
    try:
        if connection.closed.is_set():
            return  # a revocation came while it was let in; it was closed with its code
        try:  # recorded in the writer's next batch, with the room's commands
            await state.writer.run(
                number,
                lambda db: presence.arrive(
                    db,
                    connection_id=connection_id,
                    seat_id=seat_id,
                    instance_id=state.instance_id,
                    now=now,
                    per_seat=state.settings.connections_per_seat,
                    per_account=state.settings.connections_per_login,
                ),
                main_session_id=grant.main_session_id,
            )
        except Exception as exc:  # the database went away between the handshake and now
            log.warning("presence_arrive_failed", error_type=type(exc).__name__)
            await connection.stop(CLOSE_TRY_AGAIN, "try again: reconnect")
            return
        await _serve(websocket, connection, seat_id)
    except Exception as exc:
        # Whatever went wrong, the client hears a close code, never a dropped socket.
        log.error("connection_failed", error_type=type(exc).__name__)
        await connection.stop(CLOSE_SERVER_ERROR, "server error: reconnect")
    finally:
        await hub.leave(connection)
        await connection.stop()
        try:
            left = state.clock.now()
            await state.writer.run(
                number,
                lambda db: presence.depart(db, connection_id=connection_id, now=left),
                main_session_id=grant.main_session_id,
            )
        except Exception as exc:  # the sweeper of another instance will clean up
            log.warning("presence_depart_failed", error_type=type(exc).__name__)


async def _let_in(
    websocket: WebSocket,
    db: AsyncSession,
    number: int,
    *,
    now: datetime,
    connection_id: str,
    checked_at: float,
    staff: bool = False,
) -> tuple[dict[str, Any], int, bool, Grant] | None:
    """Who may enter, and what they see first: (welcome, seat id, facilitator?, grant).
    None when there is no seat cookie and `staff` is False (ask again with a login)."""
    state = websocket.app.state
    session = await room_session(db, session_id=number)
    # A breakout group's room is entered with the main session's seat cookie or a login.
    main_id = session.parent_id or session.id
    login = None
    seat = await seat_by_cookie(db, session_id=main_id, token=websocket.cookies.get(seat_cookie_name(main_id)))
    if seat is None:
        if not staff:
            return None
        login = await resolve_login_session(
            db, token=websocket.cookies.get(LOGIN_COOKIE), now=now, policy=session_policy(state.settings)
        )
        if login is None:
            raise NotAuthenticated(Msg("Open your invitation link or log in first."))
        main = session if session.parent_id is None else await room_session(db, session_id=main_id)
        seat = await facilitator_seat(db, session=main, user=login.user, now=now)
    else:
        websocket.state.seat_language = seat.language  # a participant's; staff read the request's
    main_seat = seat
    if session.parent_id is not None:
        group_seat = await entering_seat(db, room=session, main_seat=main_seat, now=now, write=staff)
        if group_seat is None:
            return None  # their seat in the group is made in a unit of work that writes
        seat = group_seat
    check_can_enter(session, seat)
    welcome = await room_state(db, session=session, seat=seat, now=now)
    grant = Grant(
        connection_id=connection_id,
        programme_id=session.programme_id,
        login_id=login.login.id if login else None,
        user_id=login.user.id if login else None,
        login_expires_at=login.login.expires_at if login else None,
        cookie_hash=None if login else main_seat.cookie_hash,
        checked_at=checked_at,
        main_seat_id=main_seat.id if main_seat is not seat else None,
        main_session_id=session.parent_id,
    )
    return welcome, seat.id, seat.role.value in ("facilitator", "co_facilitator"), grant


async def _serve(websocket: WebSocket, connection: Connection, seat_id: int) -> None:
    bad_frames = 0
    actor = Actor(session_id=connection.session_id, seat_id=seat_id, login_id=connection.grant.login_id)
    while not connection.closed.is_set():
        try:
            message = await websocket.receive()
        except (WebSocketDisconnect, RuntimeError):
            return
        if message["type"] == "websocket.disconnect" or connection.closed.is_set():
            return  # closed while it waited: a right that ended runs nothing more
        text = message.get("text")
        if text is None:
            await connection.stop(CLOSE_POLICY, "text frames only")
            return
        if too_deep(text):
            bad_frames += 1
            if bad_frames > MAX_BAD_FRAMES:
                await connection.stop(CLOSE_POLICY, "too many invalid frames")
                return
            connection.offer(
                _encode_error(
                    connection,
                    {
                        "type": "error",
                        "code": "too_deep",
                        "message": Msg("The frame nests too deeply to be a command."),
                    },
                )
            )
            continue
        try:
            command = COMMANDS.validate_json(text)
        except ValidationError as exc:
            bad_frames += 1
            if bad_frames > MAX_BAD_FRAMES:
                await connection.stop(CLOSE_POLICY, "too many invalid frames")
                return
            connection.offer(_encode_error(connection, {**_invalid(exc, text), **_ids(text)}))
            continue
        if isinstance(command, Ping):
            connection.offer(encode({"type": "pong"}))
        elif isinstance(command, FetchRange):
            # The writer sends the range whole (from the log, page by page) or says it can't.
            if not connection.offer(Fetch(command.from_seq, command.to_seq)):
                await connection.stop(CLOSE_TOO_SLOW, "too slow: reconnect to catch up")
                return
        else:
            await _command(websocket, connection, actor, command)


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
        return {"type": "error", "code": "malformed_json", "message": Msg("The frame is not valid JSON.")}
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return {"type": "error", "code": "unknown_command", "message": Msg("Unknown command type.")}
    field = ".".join(str(p) for p in errors[0].get("loc", ())[1:]) if errors else ""
    problem = _problem(errors[0]) if errors else None
    message = Msg("'{field}': {problem}", field=field, problem=problem) if field else Msg("The command is not valid.")
    if kind == "string_too_long" and field == "text":
        return {"type": "error", "code": "statement_too_long", "message": message}
    if kind in TEXT_PROBLEMS:  # the checks of room text (app/security/text.py) and of every command's texts
        return {"type": "error", "code": kind, "message": problem}
    return {"type": "error", "code": "invalid_command", "message": message}


def _problem(error: Mapping[str, Any]) -> str:
    """Pydantic's words for a frame's problem, or ours (a `Msg`, to be translated) where our
    own check found it: commands.py hands its reason over in the error's context."""
    ctx = error.get("ctx") or {}
    reason = ctx.get("reason")
    if isinstance(reason, Msg):
        return reason
    field = ctx.get("field")
    if error.get("type") == "control_characters" and isinstance(field, str):
        return Msg("'{field}' contains control characters; remove them.", field=field)
    return str(error.get("msg"))


async def _rate_limited(websocket: WebSocket, connection: Connection, seat_id: int, **ids: str | None) -> bool:
    """Statements and the other things a seat puts before the room share one rate limit."""
    wait = await websocket.app.state.room_limits.statement_wait(seat_id)
    if wait:
        connection.offer(
            _encode_error(
                connection,
                {
                    "type": "error",
                    "code": "rate_limited",
                    **ids,
                    "retry_after": wait,
                    "message": Msg("You are sending too quickly; please wait a moment."),
                },
            )
        )
    return bool(wait)


def _encode_error(connection: Connection, frame: dict[str, Any]) -> str:
    """An error frame with its words in the connection's language; `code` stays as it is."""
    return encode({**frame, "message": translate(frame["message"], connection.catalog)})


def _error(exc: AppError, **extra: str | None) -> dict[str, Any]:
    """An error frame; `try_again` (the database is away: nothing was stored; resend, the
    same client_id) and `slow_down` say after how many seconds."""
    frame: dict[str, Any] = {"type": "error", "code": exc.code, "message": exc.message, **extra}
    if isinstance(exc, (SlowDown, ServiceUnavailable)):
        frame["retry_after"] = exc.retry_after
    if isinstance(exc, ServiceUnavailable) and "client_id" in extra:
        frame["message"] = Msg("The statement was not stored; send it again (same client_id).")
    return frame


def _server_error(**ids: str | None) -> dict[str, Any]:
    """A fault of the server's own, not of the command and not passing: sending it again would
    fail again, so there is no retry_after."""
    return {
        "type": "error",
        "code": "server_error",
        "message": Msg("That could not be done; nothing was stored."),
        **ids,
    }


async def _command(websocket: WebSocket, connection: Connection, actor: Actor, command: ClientCommand) -> None:
    """Every command but ping and fetch, statements included: rate-limited where it puts
    something before the room, carried out by the writer in its next batch's transaction
    (app/live/writer.py), answered (`ack` or `ok`) only after that committed."""
    state = websocket.app.state
    kind = command.type
    ids = ids_of(command)
    if kind in RATE_LIMITED and await _rate_limited(websocket, connection, actor.seat_id, **ids):
        return
    now = state.clock.now()
    try:
        result = await state.writer.run(
            actor.session_id,
            lambda db: run_command(db, actor=actor, command=command, now=now),
            statement=asked(actor, command, now),
            main_session_id=connection.grant.main_session_id,
        )
    except AppError as exc:
        connection.offer(_encode_error(connection, _error(exc, **ids)))
        return
    except Exception as exc:  # not the database being away (that is an AppError): a fault of ours
        log.error("command_failed", command=kind, error_type=type(exc).__name__)
        connection.offer(_encode_error(connection, _server_error(**ids)))
        return
    connection.offer(encode(answer(command, result)))
