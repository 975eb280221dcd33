"""Security headers on every HTTP response."""

from __future__ import annotations

import base64
import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script or style anywhere: every script and stylesheet is a file under /static.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    # Invitation links carry a token in their path: never send a referrer to another
    # site. (Not no-referrer: with it, browsers send "Origin: null" on same-site form
    # posts, which the CSRF check must then refuse.)
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


def _locked_down(policy: bytes) -> bool:
    """A response's own policy is kept only when it loads nothing by default and allows no
    script at all (the standalone HTML export: its one hashed inline style); any other
    stays replaced by the app's."""
    text = policy.decode("latin-1").lower()
    directives = {d.strip().split(" ", 1)[0] for d in text.split(";") if d.strip()}
    return (
        text.strip().startswith("default-src 'none'")
        and not directives
        & {"script-src", "script-src-elem", "script-src-attr", "object-src", "frame-src", "connect-src"}
        and "unsafe" not in text
    )


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                given = message.get("headers", [])
                # A response may bring a stricter policy of its own (the standalone HTML
                # export: only its own inline style); every other header is ours.
                own_policy = [(k, v) for k, v in given if k.lower() == b"content-security-policy" and _locked_down(v)][
                    :1
                ]
                headers = [(k, v) for k, v in given if k.lower() not in {name for name, _ in SECURITY_HEADERS}]
                headers.extend(h for h in SECURITY_HEADERS if not (own_policy and h[0] == b"content-security-policy"))
                headers.extend(own_policy)
                if not is_static and not any(k.lower() == b"cache-control" for k, _ in headers):
                    # Pages and API answers can hold personal data: no shared caches.
                    headers.append((b"cache-control", b"no-store"))
                if self.hsts and scope.get("scheme") == "https":
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def standalone_policies(style: str) -> tuple[str, str]:
    """The Content-Security-Policy of a standalone document (an export to keep or print):
    its own inline `style` and nothing else. The first goes in the document's <meta> (for
    wherever the file is opened), the second on the response (`frame-ancestors` is not
    allowed in a <meta>)."""
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    document = "; ".join(
        ["default-src 'none'", f"style-src 'sha256-{digest}'", "base-uri 'none'", "form-action 'none'"]
    )
    return document, document + "; frame-ancestors 'none'"
