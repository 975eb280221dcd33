"""One error hierarchy, answered as JSON for the API and as a readable page for browsers."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger(__name__)


class AppError(Exception):
    """An error a user can understand. `code` is stable; `message` is for people."""

    status_code = 400
    code = "bad_request"
    default_message = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        self.details = details
        self.headers = headers
        super().__init__(self.message)


class BadRequest(AppError):
    status_code = 400
    code = "bad_request"


class NotAuthenticated(AppError):
    status_code = 401
    code = "not_authenticated"
    default_message = "Please log in first."


class PermissionDenied(AppError):
    status_code = 403
    code = "permission_denied"
    default_message = "You do not have permission to do this."


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"
    default_message = (
        "This form has expired or did not come from Roundtable. Reload the page and try again."
    )


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    default_message = "There is nothing here."


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    default_message = "This conflicts with the current state."


class SlowDown(Conflict):
    """Refused for now; `retry_after` seconds later it will be accepted."""

    code = "slow_down"

    def __init__(self, message: str, *, code: str | None = None, retry_after: float) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"
    default_message = "The request body is too large."


class ValidationFailed(AppError):
    status_code = 422
    code = "validation_failed"
    default_message = "Some fields are not valid."


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"
    default_message = "Too many attempts. Please wait and try again."

    def __init__(self, message: str | None = None, *, retry_after: int, **kwargs: Any) -> None:
        self.retry_after = max(1, retry_after)
        headers = {"Retry-After": str(self.retry_after)}
        super().__init__(message, headers=headers, **kwargs)


_HTTP_CODES = {
    400: ("bad_request", "The request could not be processed."),
    401: ("not_authenticated", NotAuthenticated.default_message),
    403: ("permission_denied", PermissionDenied.default_message),
    404: ("not_found", NotFound.default_message),
    405: ("method_not_allowed", "This address does not accept that method."),
    413: ("payload_too_large", PayloadTooLarge.default_message),
    415: ("unsupported_media_type", "This content type is not accepted here."),
}


def wants_json(request: Request) -> bool:
    """API paths always get JSON; elsewhere follow the Accept header, preferring HTML."""
    path = request.url.path
    if path.startswith("/api/") or path in {"/healthz", "/readyz"}:
        return True
    accept = request.headers.get("accept", "")
    return "text/html" not in accept and "application/json" in accept


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return {"error": error}


def render_error(
    request: Request,
    *,
    status_code: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if wants_json(request):
        return JSONResponse(
            error_body(code, message, details), status_code=status_code, headers=headers
        )
    if status_code == 401:
        from urllib.parse import quote

        from fastapi.responses import RedirectResponse

        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    from app.web.templating import render_page

    # An unusable invitation gets its own page, which says what to do and nothing more.
    template = "join/invalid.html" if code == "invalid_invitation" else "errors/error.html"
    return render_page(
        request,
        template,
        {"status_code": status_code, "code": code, "message": message, "details": details},
        status_code=status_code,
        headers=headers,
    )


def describe_validation_errors(errors: list[dict[str, Any]]) -> tuple[str, str, list[dict]]:
    """Turn pydantic's error list into a status code, a summary and per-field details."""
    details: list[dict[str, Any]] = []
    for error in errors:
        kind = error.get("type", "")
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        field = ".".join(loc)
        if kind == "json_invalid":
            return "malformed_json", "The request body is not valid JSON.", []
        if kind == "extra_forbidden":
            message = f"Unknown field '{field}'."
        elif kind == "missing":
            message = f"'{field}' is required."
        else:
            message = f"'{field}': {error.get('msg', 'is not valid')}." if field else error.get(
                "msg", "Not valid."
            )
        details.append({"field": field, "type": kind, "message": message})
    summary = " ".join(d["message"] for d in details[:3]) or "Some fields are not valid."
    return "validation_failed", summary, details


async def _app_error(request: Request, exc: AppError) -> Response:
    return render_error(
        request,
        status_code=exc.status_code,
        code=exc.code,
        message=exc.message,
        details=exc.details,
        headers=exc.headers,
    )


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    code, message, details = describe_validation_errors(list(exc.errors()))
    status_code = 400 if code == "malformed_json" else 422
    return render_error(
        request, status_code=status_code, code=code, message=message, details=details or None
    )


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    code, message = _HTTP_CODES.get(exc.status_code, ("http_error", "The request failed."))
    if isinstance(exc.detail, str) and exc.status_code not in _HTTP_CODES:
        message = exc.detail
    return render_error(
        request,
        status_code=exc.status_code,
        code=code,
        message=message,
        headers=getattr(exc, "headers", None),
    )


async def unexpected_error_response(request: Request, exc: Exception) -> Response:
    # The message may quote user data, so only the type goes to the log.
    log.error("unhandled_error", error_type=type(exc).__name__, exc_info=exc)
    return render_error(
        request,
        status_code=500,
        code="internal_error",
        message="Something went wrong on our side. Nothing you sent was saved.",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
