"""HTTP plumbing around every request: body size limit and the access log."""

from __future__ import annotations

import time

import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                await _refuse(scope, send, 400, "bad_request", "Content-Length is not a number.")
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
        return f"The request body is larger than {self.max_bytes // 1024} KiB."


async def _refuse(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    async def no_body() -> Message:
        return {"type": "http.disconnect"}

    # The same JSON-or-page answer as every other error, decided the same way.
    response = render_error(Request(scope), status_code=status, code=code, message=message)
    response.headers["connection"] = "close"
    await response(scope, no_body, send)


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
