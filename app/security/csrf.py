"""CSRF protection for every state-changing request from a browser.

Three checks, each enough to stop a forged form on its own in modern browsers:
- `Sec-Fetch-Site: cross-site` is refused;
- an `Origin` header must be one of ROUNDTABLE_ALLOWED_ORIGINS or this server's own;
- a token must come with the request (form field `csrf_token` or header
  `X-CSRF-Token`). The token is an HMAC of a random per-browser nonce (kept in an
  HttpOnly cookie) and of the login session, so a token from one login does not
  work for another, and a nonce planted by someone else is replaced at login.
"""

from __future__ import annotations

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import CsrfFailed
from app.messages import Msg
from app.security.cookies import cookies_are_secure
from app.security.tokens import keyed_digest, new_token, same

CSRF_COOKIE = "rt_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_STATE_NEW_NONCE = "csrf_new_nonce"


def _binding(request: Request) -> str:
    login_id = getattr(request.state, "login_id", None)
    return f"login:{login_id}" if login_id is not None else "anonymous"


def _nonce(request: Request) -> str | None:
    fresh = getattr(request.state, _STATE_NEW_NONCE, None)
    if fresh:
        return fresh
    value = request.cookies.get(CSRF_COOKIE)
    if value and 20 <= len(value) <= 100:
        return value
    return None


def rotate_nonce(request: Request) -> None:
    """Give this browser a new nonce (at login and logout); set on the response."""
    setattr(request.state, _STATE_NEW_NONCE, new_token(24))


def csrf_token(request: Request) -> str:
    """The token to embed in this page's forms, creating the nonce cookie if needed."""
    nonce = _nonce(request)
    if nonce is None:
        rotate_nonce(request)
        nonce = _nonce(request)
    secret = request.app.state.settings.effective_secret
    return keyed_digest(secret, "csrf", nonce or "", _binding(request))


def _own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"


def check_origin(request: Request) -> None:
    """Refuse requests that a browser says came from another site."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise CsrfFailed(Msg("Requests from other sites are refused."), code="cross_site_request")
    origin = request.headers.get("origin")
    if origin is None:
        return
    if origin == "null" and request.headers.get("sec-fetch-site") == "same-origin":
        # Privacy settings can blank the Origin of a same-site form; the browser's own
        # Sec-Fetch-Site (which pages cannot forge) still says where it came from.
        return
    allowed = set(request.app.state.settings.allowed_origins) | {_own_origin(request)}
    if origin.rstrip("/") not in allowed:
        raise CsrfFailed(Msg("Requests from other sites are refused."), code="cross_site_request")


async def verify_csrf(request: Request) -> None:
    """Refuse an unsafe request without a valid token; request.state.login_id must be set."""
    if request.method in SAFE_METHODS:
        return
    check_origin(request)
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    nonce = _nonce(request)
    if not sent or nonce is None or not same(sent, csrf_token(request)):
        raise CsrfFailed()


class CsrfCookieMiddleware:
    """Sets the nonce cookie on the way out when a handler created or rotated it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                nonce = scope.get("state", {}).get(_STATE_NEW_NONCE)
                if nonce:
                    secure = cookies_are_secure(scope["app"].state.settings, scope.get("scheme"))
                    cookie = f"{CSRF_COOKIE}={nonce}; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
                    headers = list(message.get("headers", []))
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)
