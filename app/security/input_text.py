"""Text no field may hold, refused where a request enters (app/middleware.py: InputTextMiddleware).

C0 control characters other than tab, line feed and carriage return (NUL above all: PostgreSQL
cannot store it, SQLite can, so without this the two backends would disagree), and lone
surrogates (which a JSON escape can produce, but no UTF-8 text can hold). Refusing them at the
boundary gives every field the same answer on both backends, before anything reaches a service.
Stricter rules for names and statements are in app/security/text.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from app.messages import Msg

MAX_JSON_DEPTH = 64
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


@dataclass(frozen=True)
class RefusedText:
    field: str
    character: str  # as U+XXXX

    @property
    def message(self) -> str:
        if not self.field:
            return Msg(
                "The request contains a control character ({character}), which is not allowed.",
                character=self.character,
            )
        if self.field.isidentifier():
            return Msg(
                "The {field} contains a control character ({character}), which is not allowed.",
                field=self.field.replace("_", " "),
                character=self.character,
            )
        return Msg(
            "The field '{field}' contains a control character ({character}), which is not allowed.",
            field=self.field,
            character=self.character,
        )


class TooDeep(ValueError):
    """A JSON document nested deeper than MAX_JSON_DEPTH."""


def refused_character(text: str) -> str | None:
    """The first refused character of a text, as U+XXXX, or None."""
    found = _REFUSED.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def _check(field: str, text: str) -> RefusedText | None:
    character = refused_character(text)
    return RefusedText(field, character) if character else None


def _json_strings(document: Any) -> Iterator[tuple[str, str]]:
    """Every string of a parsed JSON document (keys too) with its dotted place; iterative."""
    stack: list[tuple[str, Any, int]] = [("", document, 0)]
    while stack:
        place, value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise TooDeep(place)
        if isinstance(value, str):
            yield place, value
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{place}.{key}" if place else str(key)
                yield child, key
                stack.append((child, item, depth + 1))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                stack.append((f"{place}.{index}" if place else str(index), item, depth + 1))


def refused_in_json(document: Any) -> list[RefusedText]:
    """Raises TooDeep for a document nested deeper than MAX_JSON_DEPTH."""
    return [found for place, text in _json_strings(document) if (found := _check(place, text))]


def refused_in_pairs(pairs: list[tuple[str, str]]) -> list[RefusedText]:
    """Form fields or query parameters: a bad name is named as it was sent."""
    refused = []
    for name, value in pairs:
        found = _check(name, name) or _check(name, value)
        if found:
            refused.append(found)
    return refused


def refused_in_query(query_string: bytes) -> list[RefusedText]:
    # Decoded as Starlette decodes it, so what is checked is what the route reads.
    return refused_in_pairs(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
