"""Reading a pasted list of people (one a line) into invitations: every bad line answered by its number.

What facilitators paste comes from anywhere: a CSV file saved by a spreadsheet (with a
byte-order mark, CRLF line ends, semicolons where the decimal separator is a comma), cells
copied out of a spreadsheet (tab-separated), a text editor on an old Mac (bare CR). So one
delimiter is chosen per paste (comma, semicolon or tab, whichever puts a role in the second
column of most lines), each physical line is one person (a quoted field may hold the
delimiter but not a line break, so "line N" is the line the person sees), and every problem
of every line is collected before anything is refused. A fifth column may name the language
the link opens in (a code such as `hy`, or the language's name); empty, the person chooses.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from app.dialogues.models import SeatRole
from app.dialogues.schemas import InvitationCreate
from app.errors import ValidationFailed
from app.messages import Msg, joined, sentence

MAX_BULK_LINES = 200
MAX_BULK_CHARS = 50_000
MAX_LINE_CHARS = 1_000
# The columns' limits are those of InvitationCreate and of the invitations table.
FIELD_LIMITS = {"community": 40, "real_name": 200, "contact": 200}
FIELD_WORDS = {"community": Msg("community key"), "real_name": Msg("real name"), "contact": Msg("contact")}
MAX_COLUMNS = 5  # community, role, real name, contact, language
# A paste with thousands of bad lines gets a readable answer, not megabytes of it.
MAX_REPORTED = 250
DELIMITERS = (",", ";", "\t")  # a tie goes to the earlier one: comma is the documented form
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _word(text: str) -> str:
    """A role or heading as typed in any of the interface languages: case, spaces, hyphens, the
    Turkic dotted capital I's combining dot, and a BOM are all ignored."""
    return re.sub(r"[\s_\-\u0307]", "", text.casefold())


ROLE_WORDS: dict[str, SeatRole] = {
    _word(word): role
    for role, words in {
        SeatRole.participant: ("participant", "участник", "iştirakçı", "մասնակից"),
        SeatRole.co_facilitator: ("co-facilitator", "со-фасилитатор", "ortaq fasilitator", "համաֆասիլիտատոր"),
        SeatRole.observer: ("observer", "наблюдатель", "müşahidəçi", "դիտորդ"),
        SeatRole.interpreter: ("interpreter", "переводчик", "переводчица", "tərcüməçi", "թարգմանիչ"),
    }.items()
    for word in words
}
# A first line whose first cell says "community" or whose second says "role", in any of the
# four interface languages, is a heading (no community key or role is spelt like that).
HEADING_COMMUNITY = frozenset(_word(w) for w in ("community", "сообщество", "icma", "համայնք"))
HEADING_ROLE = frozenset(_word(w) for w in ("role", "роль", "rol", "դեր"))
SECOND_COLUMN_WORDS = frozenset(ROLE_WORDS) | HEADING_ROLE
# The language column: a code, or the language's name in itself or in English.
LANGUAGE_WORDS: dict[str, str] = {
    _word(word): code
    for code, words in {
        "en": ("en", "English"),
        "ru": ("ru", "Русский", "Russian"),
        "az": ("az", "Azərbaycan dili", "Azərbaycanca", "Azerbaijani"),
        "hy": ("hy", "Հայերեն", "Armenian"),
    }.items()
    for word in words
}


@dataclass(frozen=True)
class BulkLine:
    """One person read from the paste, with the line they were on."""

    number: int
    entry: InvitationCreate  # with the language the link opens in (None: the person chooses)


def problem(number: int | None, kind: str, message: str, **params: Any) -> dict[str, Any]:
    """One detail of the answer: the API's `details` entry and what the page lists under the field.
    `params` let the page say the same thing in the reader's language."""
    detail: dict[str, Any] = {"field": "csv", "type": kind, "message": message}
    if number is not None:
        detail["line"] = number
        detail["message"] = Msg("line {number}: {message}", number=number, message=message)
    if params:
        detail["params"] = params
    return detail


def refuse(problems: list[dict[str, Any]]) -> ValidationFailed:
    """The answer for a paste with problems: all of them (up to MAX_REPORTED), nothing created."""
    shown = problems[:MAX_REPORTED]
    if len(problems) > MAX_REPORTED:
        more = len(problems) - MAX_REPORTED
        shown.append(problem(None, "more_problems", Msg("{more} more problems are not listed.", more=more), count=more))
    lines = {p["line"] for p in problems if "line" in p}
    first = joined((sentence(p["message"]) for p in problems[:3]), " ")
    summary = (
        Msg("Nothing was created: {lines} line(s) have problems. {problems}", lines=len(lines), problems=first)
        if lines
        else Msg("Nothing was created. {problems}", problems=first)
    )
    return ValidationFailed(summary, code="bad_bulk_lines", details=shown)


def _split_lines(text: str) -> list[str]:
    return LINE_BREAK.split(text.removeprefix("\ufeff"))


def _cells(line: str, delimiter: str) -> list[str] | None:
    """The line's cells, or None where its quotation marks do not pair up."""
    try:
        return next(csv.reader([line], delimiter=delimiter, skipinitialspace=True, strict=True), [])
    except csv.Error:
        return None


def _choose_delimiter(lines: list[str]) -> str:
    """The delimiter under which most lines have a role (or nothing) in the second column,
    then under which most lines have two to four columns."""

    def score(delimiter: str) -> tuple[int, int]:
        roles = columns = 0
        for line in lines:
            cells = _cells(line, delimiter)
            if cells is None:
                continue
            if len(cells) >= 2 and (not cells[1].strip() or _word(cells[1]) in SECOND_COLUMN_WORDS):
                roles += 1
            if 2 <= len(cells) <= MAX_COLUMNS:
                columns += 1
        return roles, columns

    best = max(score(d) for d in DELIMITERS)
    return next(d for d in DELIMITERS if score(d) == best)


def _control_characters(line: str, delimiter: str) -> list[str]:
    # A tab is a delimiter in a tab-separated paste; anywhere else it would hide inside a name.
    # Lone surrogates (a JSON escape can make one) are no text a database can store.
    found = [ch for ch in line if unicodedata.category(ch) in ("Cc", "Cs") and not (ch == "\t" and delimiter == "\t")]
    return [f"U+{ord(ch):04X}" for ch in dict.fromkeys(found)]


def _is_heading(cells: list[str]) -> bool:
    first = _word(cells[0]) if cells else ""
    second = _word(cells[1]) if len(cells) > 1 else ""
    return first in HEADING_COMMUNITY or second in HEADING_ROLE


def _read_line(number: int, line: str, delimiter: str) -> tuple[InvitationCreate | None, list[dict[str, Any]]]:
    """One person, or the problems of their line (every one that can be told apart)."""
    if len(line) > MAX_LINE_CHARS:
        return None, [
            problem(
                number,
                "line_too_long",
                Msg(
                    "the line is {length} characters long; at most {max_line_chars} are read.",
                    length=len(line),
                    max_line_chars=MAX_LINE_CHARS,
                ),
                length=len(line),
                max=MAX_LINE_CHARS,
            )
        ]
    hidden = _control_characters(line, delimiter)
    if hidden:
        return None, [
            problem(
                number,
                "control_characters",
                Msg("it contains control characters ({characters}); remove them.", characters=", ".join(hidden[:3])),
                characters=", ".join(hidden[:3]),
            )
        ]
    cells = _cells(line, delimiter)
    if cells is None:
        return None, [problem(number, "unbalanced_quotes", Msg("its quotation marks do not pair up."))]
    cells = [cell.strip() for cell in cells]
    if not any(cells):
        return None, [problem(number, "empty_line", Msg("it has separators but no values; fill it in or delete it."))]
    if len(cells) > MAX_COLUMNS:
        return None, [
            problem(
                number,
                "too_many_columns",
                Msg(
                    "it has {columns} columns; use at most {max_columns} (community, role, real name, contact, language).",
                    columns=len(cells),
                    max_columns=MAX_COLUMNS,
                ),
                count=len(cells),
                max=MAX_COLUMNS,
            )
        ]
    community, role_word, real_name, contact, language_word = (cells + [""] * MAX_COLUMNS)[:MAX_COLUMNS]
    problems: list[dict[str, Any]] = []
    for field, value in (("community", community), ("real_name", real_name), ("contact", contact)):
        limit = FIELD_LIMITS[field]
        if len(value) > limit:
            problems.append(
                problem(
                    number,
                    f"{field}_too_long",
                    Msg(
                        "the {field} is {length} characters long; at most {limit} are allowed.",
                        field=FIELD_WORDS[field],
                        length=len(value),
                        limit=limit,
                    ),
                    length=len(value),
                    max=limit,
                )
            )
    role = ROLE_WORDS.get(_word(role_word)) if role_word else SeatRole.participant
    if role is None:
        shown = role_word if len(role_word) <= 40 else role_word[:40] + "…"
        problems.append(
            problem(
                number,
                "unknown_role",
                Msg("'{shown}' is not a role (participant, co-facilitator, observer, interpreter).", shown=shown),
                value=shown,
            )
        )
    language = LANGUAGE_WORDS.get(_word(language_word)) if language_word else None
    if language_word and language is None:
        shown = language_word if len(language_word) <= 40 else language_word[:40] + "…"
        problems.append(
            problem(
                number,
                "unknown_language",
                Msg("'{shown}' is not a language (en, ru, az, hy).", shown=shown),
                value=shown,
            )
        )
    if problems or role is None:
        return None, problems
    entry = InvitationCreate(
        role=role,
        community=community or None,
        real_name=real_name or None,
        contact=contact or None,
        language=language,
    )
    return entry, []


def parse_bulk(text: str) -> list[BulkLine]:
    """Every person in a paste, or ValidationFailed listing every bad line by its number."""
    read, problems = read_bulk(text)
    if problems:
        raise refuse(problems)
    return read


def read_bulk(text: str) -> tuple[list[BulkLine], list[dict[str, Any]]]:
    """The people of the good lines and the problems of the others, both in line order.

    Blank lines are skipped (a paste often ends with one); a first line that is a heading
    is skipped too."""
    if len(text) > MAX_BULK_CHARS:
        return [], [
            problem(
                None,
                "bulk_too_long",
                Msg(
                    "The paste is {length} characters long; at most {max_bulk_chars} are read at once.",
                    length=len(text),
                    max_bulk_chars=MAX_BULK_CHARS,
                ),
                length=len(text),
                max=MAX_BULK_CHARS,
            )
        ]
    numbered = [(n, line) for n, line in enumerate(_split_lines(text), start=1) if line.strip()]
    if not numbered:
        return [], [problem(None, "empty_bulk", Msg("Paste at least one line."))]
    delimiter = _choose_delimiter([line for _, line in numbered])
    first_cells = _cells(numbered[0][1], delimiter)
    if first_cells is not None and len(numbered[0][1]) <= MAX_LINE_CHARS and _is_heading(first_cells):
        numbered = numbered[1:]
    problems: list[dict[str, Any]] = []
    if len(numbered) > MAX_BULK_LINES:
        problems.append(
            problem(
                None,
                "too_many_lines",
                Msg(
                    "The paste has {lines} lines; at most {max_bulk_lines} are taken at once.",
                    lines=len(numbered),
                    max_bulk_lines=MAX_BULK_LINES,
                ),
                count=len(numbered),
                max=MAX_BULK_LINES,
            )
        )
    if not numbered:
        problems.append(problem(None, "empty_bulk", Msg("Paste at least one line under the heading.")))
    read: list[BulkLine] = []
    for number, line in numbered:
        entry, line_problems = _read_line(number, line, delimiter)
        problems.extend(line_problems)
        if entry is not None:
            read.append(BulkLine(number, entry))
    return read, problems
