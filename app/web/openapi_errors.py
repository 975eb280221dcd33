"""The error answers of every JSON route, added to the OpenAPI document in one place.

Which errors a route can give is read from what it depends on, not listed by hand:
a route that needs a login (or a step of logging in) can answer 401 and 403, one that opens a unit of work 503
(and 409 when it changes something), one with a body 400, 413 and 422, one with an id
in its path 404, one behind the login throttle 429. Every one of them has our error
shape (app/errors.py `error_body`), FastAPI's own 422 schema included, since our handler
answers validation errors in that shape too (app/web/error_pages.py).

The document describes the JSON API (`/api/…`) and the health probes. Every other route
is a page (HTML for browsers, forms posted with a CSRF token) and is left out of it.
"""

from __future__ import annotations

import http
from collections.abc import Callable, Iterator
from typing import Any, get_args

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.params import Depends
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field

from app.deps import DbDep, ThrottleDep, get_current_login, require_csrf, require_same_origin
from app.dialogues.seat_cookie import current_seat

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HEALTH_PATHS = frozenset({"/healthz", "/readyz"})
ERROR_SCHEMA = "ErrorResponse"
FASTAPI_422_SCHEMAS = ("HTTPValidationError", "ValidationError")

WHY = {
    400: "The request could not be processed (for example, its body is not valid JSON).",
    401: "Not logged in (or, for a participant, no seat in this session).",
    403: "Not allowed: missing right, or the CSRF token or Origin was refused.",
    404: "Nothing here, or nothing the caller may see.",
    409: "Conflicts with the current state (for example, the session is not open yet).",
    413: "The request body is too large.",
    422: "A field, parameter or path id is not valid; `details` names each one.",
    429: "Too many attempts; wait for `Retry-After` seconds.",
    503: "The database cannot be reached just now; nothing was changed. Try again after `Retry-After`.",
}


class ErrorDetail(BaseModel):
    """One field's problem: where (`field`, dotted), what kind (`type`) and in words (`message`)."""

    model_config = ConfigDict(extra="allow")
    field: str
    type: str
    message: str


class ErrorBody(BaseModel):
    """`code` is stable and for programs; `message` is for people."""

    code: str
    message: str
    details: list[ErrorDetail] = Field(default_factory=list, description="Present when there is something to add.")


class ErrorResponse(BaseModel):
    """Every error Roundtable answers, whatever its status."""

    error: ErrorBody


def _dependency(annotated: Any) -> Callable[..., Any]:
    """The callable behind an `Annotated[..., Depends(f)]` alias."""
    for extra in get_args(annotated)[1:]:
        if isinstance(extra, Depends) and extra.dependency is not None:
            return extra.dependency
    raise TypeError(f"{annotated!r} has no dependency")


_OPENS_UNIT_OF_WORK = _dependency(DbDep)
_THROTTLED = _dependency(ThrottleDep)
_NEEDS_SOMEONE = (get_current_login, current_seat)
_CHECKS_ORIGIN = (require_csrf, require_same_origin)


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    """The route's own dependant and every one it depends on, however deep."""
    stack = [dependant]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.dependencies)


def possible_errors(route: Any) -> set[int]:
    """The error statuses a route (an APIRoute or FastAPI's view of an included one) can answer."""
    everything = list(_dependants(route.dependant))
    calls = {d.call for d in everything if d.call is not None}
    path_params = any(d.path_params for d in everything)
    other_params = any(d.query_params or d.header_params or d.cookie_params for d in everything)
    unsafe = bool(set(route.methods or ()) & UNSAFE_METHODS)
    has_body = route.body_field is not None
    errors: set[int] = set()
    if unsafe or has_body:
        # Any body is read at the boundary: its size, its JSON, its control characters.
        errors |= {400, 413, 422}
    if path_params or other_params:
        errors.add(422)
    if path_params:
        errors.add(404)
    if calls & set(_NEEDS_SOMEONE):
        errors |= {401, 403}
    if unsafe and calls & set(_CHECKS_ORIGIN):
        errors.add(403)
    if require_same_origin in calls and _OPENS_UNIT_OF_WORK in calls:
        # Open to anyone (the login and join steps): a step whose attempt has expired is a 401.
        errors.add(401)
    if _OPENS_UNIT_OF_WORK in calls:
        errors.add(503)
        if unsafe:
            errors.add(409)
        if has_body:
            # A body can name something to find (an invitation's token, another session).
            errors.add(404)
    if _THROTTLED in calls:
        # The routes that check a password: a wrong one is a 401, too many a 429.
        errors |= {401, 429}
    return errors


def is_documented(path: str) -> bool:
    """The JSON API and the health probes; every other route is a page."""
    return path.startswith("/api/") or path in HEALTH_PATHS


def _error_schemas() -> dict[str, Any]:
    schema = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions: dict[str, Any] = schema.pop("$defs", {})
    return {**definitions, ERROR_SCHEMA: schema}


def _add_errors(schema: dict[str, Any], app: FastAPI) -> None:
    paths: dict[str, Any] = schema.get("paths", {})
    for path in [p for p in paths if not is_documented(p)]:
        del paths[path]
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}}
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute) or context.path_format not in paths:
            continue
        operations = paths[context.path_format]
        for method in context.methods or ():
            operation = operations.get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status in sorted(possible_errors(context)):
                key = str(status)
                # A route's own description of an error (e.g. /readyz's 503) is kept.
                if key in responses and key != "422":
                    continue
                responses[key] = {
                    "description": WHY.get(status) or http.HTTPStatus(status).phrase,
                    "content": content,
                }
        for operation in operations.values():
            # FastAPI's own 422 shape is never what we answer.
            answer = operation.get("responses", {}).get("422")
            if answer and "HTTPValidationError" in str(answer.get("content")):
                answer.update({"description": WHY[422], "content": content})
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in FASTAPI_422_SCHEMAS:
        components.pop(name, None)
    components.update(_error_schemas())


def describe_errors(app: FastAPI) -> None:
    """Make app.openapi() list every route's error answers; call after the routers are included."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            _add_errors(schema, app)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
