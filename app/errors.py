"""One error hierarchy: what went wrong, in words a person understands, with a stable code.
app/web/error_pages.py answers each as JSON for the API and as a readable page for browsers,
and the room sends it as an `error` frame, each in its reader's language: a message written
as `Msg("...{name}...", name=x)` (app/messages.py) is translated there; a plain str stays as it is."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.messages import Msg, joined


class AppError(Exception):
    """An error a user can understand. `code` is stable; `message` is for people: a `Msg`
    (English as a str, translated when answered) or a plain str; so may be details' "message"."""

    status_code = 400
    code = "bad_request"
    default_message: str = Msg("The request could not be processed.")

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
    default_message: str = Msg("Please log in first.")


class PermissionDenied(AppError):
    status_code = 403
    code = "permission_denied"
    default_message: str = Msg("You do not have permission to do this.")


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"
    default_message: str = Msg("This form has expired or did not come from Roundtable. Reload the page and try again.")


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    default_message: str = Msg("There is nothing here.")


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    default_message: str = Msg("This conflicts with the current state.")


class SlowDown(Conflict):
    """Refused for now; `retry_after` seconds later it will be accepted."""

    code = "slow_down"

    def __init__(self, message: str, *, code: str | None = None, retry_after: float) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"
    default_message: str = Msg("The request body is too large.")


class ValidationFailed(AppError):
    status_code = 422
    code = "validation_failed"
    default_message: str = Msg("Some fields are not valid.")


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"
    default_message: str = Msg("Too many attempts. Please wait and try again.")

    def __init__(self, message: str | None = None, *, retry_after: int, **kwargs: Any) -> None:
        self.retry_after = max(1, retry_after)
        headers = {"Retry-After": str(self.retry_after)}
        super().__init__(message, headers=headers, **kwargs)


class ServiceUnavailable(AppError):
    """A part Roundtable needs (the database) cannot be reached just now; nothing was changed."""

    status_code = 503
    code = "try_again"
    default_message: str = Msg(
        "Roundtable cannot reach its database just now. Nothing was changed; please try again shortly."
    )

    def __init__(self, message: str | None = None, *, retry_after: int = 5, **kwargs: Any) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(message, headers={"Retry-After": str(self.retry_after)}, **kwargs)


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return {"error": error}


def describe_validation_errors(errors: Sequence[Mapping[str, Any]]) -> tuple[str, str, list[dict[str, Any]]]:
    """Turn pydantic's error list into a status code, a summary and per-field details."""
    details: list[dict[str, Any]] = []
    for error in errors:
        kind = error.get("type", "")
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        field = ".".join(loc)
        if kind == "json_invalid":
            return "malformed_json", Msg("The request body is not valid JSON."), []
        message: str
        if kind == "extra_forbidden":
            message = Msg("Unknown field '{field}'.", field=field)
        elif kind == "missing":
            message = Msg("'{field}' is required.", field=field)
        else:
            problem = _problem(error)
            if field:
                message = Msg("'{field}': {problem}.", field=field, problem=problem or Msg("is not valid"))
            else:
                message = problem or Msg("Not valid.")
        details.append({"field": field, "type": kind, "message": message})
    summary: str = joined((d["message"] for d in details[:3]), " ") if details else Msg("Some fields are not valid.")
    return "validation_failed", summary, details


def _problem(error: Mapping[str, Any]) -> str | None:
    """Pydantic's words for one field's problem; translatable where our own validator raised a `Msg`.
    (Pydantic's own sentences, such as "String should have at most 200 characters", stay English.)"""
    msg = error.get("msg")
    if not isinstance(msg, str):
        return None
    cause = (error.get("ctx") or {}).get("error")
    reason = cause.args[0] if isinstance(cause, Exception) and cause.args else None
    if isinstance(reason, Msg) and msg == f"Value error, {reason}":
        return Msg("Value error, {reason}", reason=reason)
    if isinstance(reason, Msg) and msg == str(reason):
        return reason
    return msg
