"""Reading HTML forms: values kept for redisplay, errors keyed by field.

Every problem of a submitted form is collected at once and placed next to its field as a
readable sentence (`Msg`, shown in the page's language: app/messages.py); pydantic's own
English ("Value error, …", "Input should be …") never reaches a page. A form's page
re-renders with what was typed (and ticked). An action URL that only takes POST answers a
GET with a redirect to its form's page (`form_page`), so a reload or Back after an error
never meets a 405."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from app.errors import AppError, describe_validation_errors
from app.messages import Msg
from app.web.redirects import see_other

TIME_ZONES = sorted(available_timezones())
_ZONES = frozenset(TIME_ZONES)


@dataclass
class FormState:
    values: dict[str, str] = field(default_factory=dict)
    fields: frozenset[str] = frozenset()
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None

    def fail(self, exc: AppError) -> None:
        """Place an application error next to its field, or above the form."""
        placed = False
        for detail in exc.details or []:
            name = detail.get("field")
            if name and name in self.fields:
                self.errors[name] = detail["message"]
                placed = True
        if not placed:
            self.message = exc.message


def is_time_zone(value: str) -> bool:
    """An IANA zone name, as the list in the form offers them (every one of them loads)."""
    return value in _ZONES


def check_zone_field(form: FormState, name: str = "time_zone") -> None:
    """The zone field must be a name from the IANA list (the list the form offers)."""
    value = form.values.get(name, "").strip()
    if value and not is_time_zone(value):
        form.errors.setdefault(name, zone_error(value))


def zone_error(value: str) -> str:
    return Msg(
        "There is no time zone called “{value}”. Choose one from the list, such as UTC, Asia/Baku or Asia/Yerevan.",
        value=value[:64],
    )


def errors_into(form: FormState, exc: ValidationError | AppError) -> None:
    """Place every problem of a failed validation, or an application error, next to its field;
    what belongs to no field goes above the form."""
    if isinstance(exc, ValidationError):
        _, _, details = describe_validation_errors(list(exc.errors()))
        details = [{**d, "message": field_message(d, error)} for d, error in zip(details, exc.errors(), strict=True)]
    else:
        details = list(exc.details or [])
    unplaced: list[str] = []
    for detail in details:
        name = _field_of(str(detail.get("field", "")), form.fields)
        if name:
            form.errors.setdefault(name, detail["message"])
        else:
            unplaced.append(detail["message"])
    if isinstance(exc, AppError):
        if not form.errors:
            form.message = exc.message
    elif unplaced:
        form.message = unplaced[0]
    elif not form.errors:
        form.message = Msg("Some fields are not valid.")


def _field_of(path: str, fields: frozenset[str]) -> str | None:
    """`quotas.a` → `quotas`, `title.en` → `title`, `title__en` → `title`."""
    for candidate in (path, path.split(".")[0], path.split("__")[0]):
        if candidate and candidate in fields:
            return candidate
    return None


def field_message(detail: dict[str, Any], error: Any = None) -> str:
    """One field's problem as a sentence for a person, in the page's language."""
    kind = str(detail.get("type", ""))
    ctx = dict((error or {}).get("ctx") or {})
    name = str(detail.get("field", "")).split(".")[0]
    if name == "time_zone" and kind != "missing":
        return zone_error(str((error or {}).get("input", "")))
    if kind in ("missing", "string_too_short", "too_short"):
        return Msg("Please fill this in.")
    if kind in ("string_too_long", "too_long"):
        if "max_length" in ctx:
            return Msg("This is too long: at most {n} characters.", n=ctx["max_length"])
        return Msg("This is too long.")
    if kind in ("int_parsing", "int_type", "int_from_float", "float_parsing", "float_type"):
        return Msg("Enter a whole number.")
    if kind in ("greater_than_equal", "greater_than"):
        return Msg("Enter a number of at least {n}.", n=ctx.get("ge", ctx.get("gt", "")))
    if kind in ("less_than_equal", "less_than"):
        return Msg("Enter a number of at most {n}.", n=ctx.get("le", ctx.get("lt", "")))
    if kind.startswith("datetime") or kind.startswith("date_"):
        return Msg("Enter a date and time.")
    if kind in ("literal_error", "enum"):
        return Msg("Choose one of the options.")
    if kind == "string_pattern_mismatch":
        return Msg("Use 3–64 lower-case letters, digits, dots, dashes or underscores.")
    if kind == "value_error":
        cause = ctx.get("error")
        reason = cause.args[0] if isinstance(cause, Exception) and cause.args else None
        if isinstance(reason, Msg):
            return Msg("This is not valid: {reason}.", reason=reason)
    return Msg("This is not valid.")


async def read_form(
    request: Request, model: type[BaseModel], *, secret_fields: tuple[str, ...] = ("password",)
) -> tuple[Any | None, FormState]:
    """Validate a submitted form against a model; never echo secret fields back."""
    form = await request.form()
    raw = {
        key: value
        for key, value in form.items()
        if isinstance(value, str) and key != "csrf_token" and key in model.model_fields
    }
    state = FormState(
        values={k: v for k, v in raw.items() if k not in secret_fields},
        fields=frozenset(model.model_fields),
    )
    try:
        return model.model_validate(raw), state
    except ValidationError as exc:
        errors_into(state, exc)
        return None, state


def form_page(router: APIRouter, action: str, page: Callable[[dict[str, Any]], str]) -> None:
    """Let a POST-only action URL answer a GET with its form's page (a reload or Back after an
    error re-renders there): `page` builds that page's address from the path's parameters."""

    async def go_to_form(request: Request) -> Response:
        return see_other(page(dict(request.path_params)))

    router.add_api_route(action, go_to_form, methods=["GET"], include_in_schema=False)
