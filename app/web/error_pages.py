"""Every error answered alike: JSON (`{"error": {"code", "message", "details"}}`) for the API
and for clients that ask for it, a readable page for browsers, a login redirect for a page
that needs one; the message and the details' messages in the reader's language (a `Msg` from
app/messages.py is translated, a plain str is shown as it is). The errors are in app/errors.py."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection

from app.db import sqlstate_of
from app.errors import (
    AppError,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    describe_validation_errors,
    error_body,
)
from app.messages import Msg, translate
from app.programmes.models import UI_LANGUAGES
from app.web import i18n
from app.web.templating import render_page

log = structlog.get_logger(__name__)


_HTTP_CODES = {
    400: ("bad_request", Msg("The request could not be processed.")),
    401: ("not_authenticated", NotAuthenticated.default_message),
    403: ("permission_denied", PermissionDenied.default_message),
    404: ("not_found", NotFound.default_message),
    405: ("method_not_allowed", Msg("This address does not accept that method.")),
    413: ("payload_too_large", PayloadTooLarge.default_message),
    415: ("unsupported_media_type", Msg("This content type is not accepted here.")),
}


def reader_language(connection: HTTPConnection) -> str:
    """The language to answer an error in, by the pages' rules (app/web/i18n.py): the visitor's
    choice (rt_lang cookie), the seat's language when the request holds a seat, the browser's
    Accept-Language, then English. Also for a room connection's handshake."""
    chosen = connection.cookies.get(i18n.LANGUAGE_COOKIE)
    if chosen in UI_LANGUAGES:
        return str(chosen)
    seat_language = getattr(connection.state, "seat_language", None)
    if seat_language in UI_LANGUAGES:
        return str(seat_language)
    return i18n.from_accept_language(connection.headers.get("accept-language")) or i18n.DEFAULT_LANGUAGE


def in_language(value: Any, language: str) -> Any:
    """A message (or details list) in `language`: each `Msg` translated, anything else as it is."""
    return translate(value, i18n.translations_for(language))


def wants_json(request: Request) -> bool:
    """API paths always get JSON; elsewhere follow the Accept header, preferring HTML."""
    path = request.url.path
    if path.startswith("/api/") or path in {"/healthz", "/readyz"}:
        return True
    accept = request.headers.get("accept", "")
    return "text/html" not in accept and "application/json" in accept


def render_error(
    request: Request,
    *,
    status_code: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    language = reader_language(request)
    message = in_language(message, language)
    details = in_language(details, language)
    if wants_json(request):
        return JSONResponse(error_body(code, message, details), status_code=status_code, headers=headers)
    if status_code == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    # An unusable invitation gets its own page, which says what to do and nothing more.
    template = "join/invalid.html" if code == "invalid_invitation" else "errors/error.html"
    return render_page(
        request,
        template,
        {"status_code": status_code, "code": code, "message": message, "details": details, "lang": language},
        status_code=status_code,
        headers=headers,
    )


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
    return render_error(request, status_code=status_code, code=code, message=message, details=details or None)


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    code, message = _HTTP_CODES.get(exc.status_code, ("http_error", Msg("The request failed.")))
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
        message=Msg("Something went wrong on our side. Nothing you sent was saved."),
    )


OUT_OF_RANGE = Msg("A number in the request is larger than Roundtable can store.")
NOT_STORABLE = Msg("A value in the request cannot be stored.")


async def _overflow_error(request: Request, exc: OverflowError) -> Response:
    # A safety net behind the typed limits (app/deps.py PathId, app/db.MAX_ID): SQLite's
    # driver refuses an integer over 64 bits, and date arithmetic can overflow too.
    log.warning("value_out_of_range", error_type=type(exc).__name__)
    return render_error(request, status_code=422, code="out_of_range", message=OUT_OF_RANGE)


def is_data_error(exc: DBAPIError) -> bool:
    """The database refused a value (SQLSTATE class 22, "data exception"), not the connection."""
    return (sqlstate_of(exc) or "").startswith("22")


async def _database_error(request: Request, exc: DBAPIError) -> Response:
    if not is_data_error(exc):
        return await unexpected_error_response(request, exc)
    # asyncpg: "value out of int32 range" (22000), "numeric value out of range" (22003),
    # NUL or bad UTF-8 in a text (22021); the statement and its values stay out of the log.
    sqlstate = sqlstate_of(exc) or ""
    log.warning("value_refused_by_database", sqlstate=sqlstate)
    out_of_range = sqlstate in ("22000", "22003") and "range" in str(exc.orig)
    return render_error(
        request,
        status_code=422,
        code="out_of_range" if out_of_range else "bad_value",
        message=OUT_OF_RANGE if out_of_range else NOT_STORABLE,
    )


def install_error_handlers(app: FastAPI) -> None:
    # FastAPI's decorator form registers the same handlers (add_exception_handler); Starlette
    # types a handler as taking any Exception, which these narrower handlers do not.
    app.exception_handler(AppError)(_app_error)
    app.exception_handler(RequestValidationError)(_validation_error)
    app.exception_handler(StarletteHTTPException)(_http_error)
    app.exception_handler(OverflowError)(_overflow_error)
    app.exception_handler(DBAPIError)(_database_error)
