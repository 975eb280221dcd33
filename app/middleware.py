"""HTTP plumbing around every request: body size limit, refused control characters and the access log."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import structlog
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.messages import Msg
from app.security.input_text import (
    RefusedText,
    TooDeep,
    refused_character,
    refused_in_json,
    refused_in_pairs,
    refused_in_query,
)
from app.web.error_pages import render_error, unexpected_error_response

log = structlog.get_logger("roundtable.access")


class BodySizeLimitMiddleware:
    """Refuse request bodies over the limit with 413 before any handler reads them."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _first_header(scope, b"content-length") or None
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                await _refuse(scope, send, 400, "bad_request", Msg("Content-Length is not a number."))
                return
            if too_big:
                await _refuse(scope, send, 413, "payload_too_large", self._message())
                return

        # Bodies sent in chunks without a length are counted as they arrive.
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                await _refuse(scope, send, 413, "payload_too_large", self._message())
                return

        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _message(self) -> str:
        return Msg("The request body is larger than {kib} KiB.", kib=self.max_bytes // 1024)


async def _refuse(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    async def no_body() -> Message:
        return {"type": "http.disconnect"}

    # The same JSON-or-page answer as every other error, decided the same way.
    response = render_error(Request(scope), status_code=status, code=code, message=message)
    response.headers["connection"] = "close"
    await response(scope, no_body, send)


class InputTextMiddleware:
    """Refuse control characters (app/security/input_text.py) in the path, the query string,
    JSON bodies and form fields with 422, naming the field, before any handler reads them.

    Runs inside BodySizeLimitMiddleware, so the body it reads is already bounded; the handler
    gets the same bytes again. A body that does not parse is left to the handler's own answer.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        character = refused_character(scope.get("path", ""))
        if character:
            message = Msg(
                "The address contains a control character ({character}), which is not allowed.", character=character
            )
            await _refuse(scope, send, 422, "control_character", message)
            return
        refused = refused_in_query(scope.get("query_string", b""))
        if refused:
            await _refuse_text(scope, send, refused)
            return
        kind = _body_kind(_first_header(scope, b"content-type"))
        if kind is None:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            return
        replay = _replay(body, receive)
        try:
            refused = await _refused_in_body(kind, scope, body)
        except TooDeep:
            await _refuse(scope, send, 400, "json_too_deep", Msg("The request body is nested too deeply."))
            return
        refused = [r for r in refused if (scope.get("path", ""), r.field) not in _checked_by_their_handler(scope)]
        if refused:
            await _refuse_text(scope, send, refused)
            return
        await self.app(scope, replay, send)


# Fields whose handler checks their text itself and answers better than a refusal here: the
# bulk invitation list names every bad line ("line 3: …") next to the form
# (app/dialogues/bulk_invitations.py refuses control characters and lone surrogates per line).
_SELF_CHECKED = (re.compile(r"^(/api)?/sessions/[0-9]+/invitations/bulk$"), "csv")


def _checked_by_their_handler(scope: Scope) -> set[tuple[str, str]]:
    path = scope.get("path", "")
    pattern, field = _SELF_CHECKED
    return {(path, field)} if pattern.match(path) else set()


def _first_header(scope: Scope, name: bytes) -> bytes:
    """A header's first value, the one Starlette (and so every handler) reads: a request that
    repeats Content-Type must not be checked as one kind and parsed as another."""
    return next((value for key, value in scope.get("headers", []) if key.lower() == name), b"")


def _body_kind(content_type: bytes) -> str | None:
    media_type = content_type.split(b";", 1)[0].strip().lower()
    if media_type == b"application/json" or media_type.endswith(b"+json"):
        return "json"
    if media_type in (b"application/x-www-form-urlencoded", b"multipart/form-data"):
        return "form"
    return None


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body, or None when the client went away."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        body.extend(message.get("body", b""))
        if not message.get("more_body", False):
            return bytes(body)


def _replay(body: bytes, receive: Receive) -> Receive:
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refused_in_body(kind: str, scope: Scope, body: bytes) -> list[RefusedText]:
    if kind == "json":
        try:
            document: Any = json.loads(body)
        except RecursionError as exc:
            raise TooDeep() from exc
        except ValueError:
            return []  # not JSON (or not UTF-8): the handler says so
        return refused_in_json(document)
    request = Request(scope, _replay(body, _no_more))
    try:
        form = await request.form()
    except (HTTPException, MultiPartException):
        return []  # a broken form: the handler says so
    try:
        # Uploaded files are not text fields; none of Roundtable's forms take one.
        return refused_in_pairs([(name, value) for name, value in form.multi_items() if isinstance(value, str)])
    finally:
        await form.close()


async def _no_more() -> Message:
    return {"type": "http.disconnect"}


async def _refuse_text(scope: Scope, send: Send, refused: list[RefusedText]) -> None:
    details = [{"field": r.field, "type": "control_character", "message": r.message} for r in refused]
    message = " ".join(d["message"] for d in details[:3])
    response = render_error(Request(scope), status_code=422, code="control_character", message=message, details=details)
    await response(scope, _no_more, send)


class UnexpectedErrorMiddleware:
    """Turns an unhandled exception into a 500 answer inside the other middleware.

    Starlette answers unhandled errors in its outermost layer, where the security
    headers are not added; catching them here keeps every answer alike.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:
            if started:
                raise
            response = await unexpected_error_response(Request(scope), exc)
            await response(scope, receive, send)


class AccessLogMiddleware:
    """One line per request: method, route template (never the raw path), status, time.

    The raw path can hold an invitation token, and the client address is personal
    data, so neither is logged.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or (
                "/static/*" if scope.get("path", "").startswith("/static/") else "<unmatched>"
            )
            log.info(
                "request",
                method=scope.get("method"),
                route=template,
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
