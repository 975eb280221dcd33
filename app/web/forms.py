"""Reading HTML forms: values kept for redisplay, errors keyed by field.

The messages are `Msg` where they can be (app/messages.py): the page shows them in its language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from pydantic import BaseModel, ValidationError

from app.errors import AppError, describe_validation_errors
from app.messages import Msg


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


def errors_into(form: FormState, exc: ValidationError | AppError) -> None:
    """Place a failed validation's or an application error's messages next to their fields."""
    if isinstance(exc, ValidationError):
        _, message, details = describe_validation_errors(list(exc.errors()))
    else:
        message, details = exc.message, exc.details or []
    for detail in details:
        name = str(detail.get("field", "")).split(".")[0]
        if name in form.fields:
            form.errors.setdefault(name, detail["message"])
    if not form.errors:
        form.message = message


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
        _, _, details = describe_validation_errors(list(exc.errors()))
        for detail in details:
            name = detail["field"]
            if name in state.fields:
                state.errors.setdefault(name, _friendly(detail))
            else:
                state.message = detail["message"]
        return None, state


def _friendly(detail: dict[str, Any]) -> str:
    kind = detail.get("type", "")
    if kind == "missing" or kind == "string_too_short":
        return Msg("Please fill this in.")
    if kind == "string_pattern_mismatch":
        return Msg("Use 3–64 lower-case letters, digits, dots, dashes or underscores.")
    if kind == "string_too_long":
        return Msg("This is too long.")
    if kind == "literal_error" or kind == "enum":
        return Msg("Choose one of the options.")
    return detail.get("message") or Msg("This is not valid.")
