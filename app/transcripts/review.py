"""The facilitators' review of a transcript draft: what the automatic pass found (names and
contacts it is sure of, and possible names it is not), their decisions on each, and spans
hidden by hand — always at exactly the characters chosen.

A confident suggestion is applied unless a facilitator rejects it (hiding too much is the
safe side); a possible name is shown for a facilitator to decide and is hidden only when
one does. Every change clears the approvals collected for a release (service._changed).
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.dialogues.models import DialogueSession
from app.errors import NotFound, ValidationFailed
from app.events.models import Statement
from app.transcripts.build import Material, assemble, load, people, speakers
from app.transcripts.models import Redaction
from app.transcripts.redact import Matcher, Suggestion
from app.transcripts.service import _changed, review_of, versions

POSSIBLE = "possible_name"  # the kind of a word close to a known name, below the confidence threshold
REASON_MAX = 200


@dataclass(frozen=True)
class Found:
    """What the automatic pass finds in each statement, by statement id."""

    sure: dict[int, list[Suggestion]]
    possible: dict[int, list[Suggestion]]


def found_in(material: Material) -> Found:
    """One matcher for the whole transcript (it is built once per person, then reused)."""
    matcher = Matcher(people(material, speakers(material.seats.values())))
    found = Found(sure={}, possible={})
    for statement in material.statements:
        if statement.hidden_at is None:
            found.sure[statement.id], found.possible[statement.id] = matcher.review(statement.text)
    return found


def _state(decision: Redaction | None, *, applied_by_default: bool) -> str:
    if decision is None:
        return "pending" if applied_by_default else "possible"
    return "accepted" if decision.accepted else "rejected"


async def draft(db: AsyncSession, *, session: DialogueSession, now: datetime) -> dict[str, Any]:
    """The draft exactly as organisers would see it, every suggestion and possible name with
    its state, and how many statements have none."""
    review = await review_of(db, session_id=session.id, now=now)
    material = await load(db, session=session)
    # CPU work, off the event loop that also serves the live rooms (see docs/performance.md).
    document = await asyncio.to_thread(assemble, material, summary=review.summary, agreed_points=review.agreed_points)
    found = await asyncio.to_thread(found_in, material)
    decided = {(d.statement_id, d.start, d.end): d for rows in material.decisions.values() for d in rows}
    statements: list[dict[str, Any]] = []
    states: list[str] = []  # of every mark, for the counts
    for statement in material.statements:
        if statement.hidden_at is not None:
            continue
        marks: list[dict[str, Any]] = []
        for default, suggestions in ((True, found.sure), (False, found.possible)):
            for s in suggestions.get(statement.id, []):
                decision = decided.get((statement.id, s.start, s.end))
                if not default and decision is not None and decision.kind == "manual":
                    continue  # hidden by a facilitator: shown below as their redaction
                marks.append(
                    {
                        "start": s.start,
                        "end": s.end,
                        "kind": s.kind,
                        "replacement": s.replacement,
                        "state": _state(decision, applied_by_default=default),
                    }
                )
        for d in material.decisions.get(statement.id, []):
            if d.kind == "manual":
                marks.append(
                    {
                        "start": d.start,
                        "end": d.end,
                        "kind": "manual",
                        "replacement": d.replacement,
                        "state": "accepted",
                        "reason": d.reason,
                        "id": d.id,
                    }
                )
        statements.append(
            {"id": statement.id, "text": statement.text, "marks": sorted(marks, key=lambda m: m["start"])}
        )
        states += [m["state"] for m in marks]
    return {
        "document": document,
        "statements": statements,
        "counts": {
            "statements": len(statements),
            "without_suggestion": sum(1 for s in statements if not s["marks"]),
            "pending": states.count("pending"),
            "possible": states.count("possible"),
        },
        "two_to_release": review.two_to_release,
        "approvals": review.approvals,
        "releases": await versions(db, session_id=session.id),
    }


async def _statement(db: AsyncSession, session: DialogueSession, statement_id: int) -> Statement:
    statement = await db.get(Statement, statement_id)
    if statement is None or statement.session_id != session.id or statement.withdrawn_at is not None:
        raise NotFound("There is no such statement in this session's transcript.", code="unknown_statement")
    return statement


async def _decision_row(db: AsyncSession, *, statement_id: int, start: int, end: int) -> Redaction | None:
    return (
        await db.exec(
            select(Redaction).where(
                Redaction.statement_id == statement_id, Redaction.start == start, Redaction.end == end
            )
        )
    ).first()


async def decide(
    db: AsyncSession,
    *,
    session: DialogueSession,
    user: User,
    statement_id: int,
    start: int,
    end: int,
    accept: bool,
    now: datetime,
) -> Redaction:
    """Accept or reject one automatic suggestion, or hide or dismiss one possible name (it
    must be one the draft currently shows). A possible name that is accepted is hidden under
    the pseudonym of the person it resembles, like a facilitator's own redaction."""
    statement = await _statement(db, session, statement_id)
    material = await load(db, session=session)
    found = await asyncio.to_thread(found_in, material)
    sure = next((s for s in found.sure.get(statement.id, []) if (s.start, s.end) == (start, end)), None)
    possible = next((s for s in found.possible.get(statement.id, []) if (s.start, s.end) == (start, end)), None)
    match = sure or possible
    if match is None:
        raise NotFound("There is no such suggestion in that statement.", code="unknown_suggestion")
    row = await _decision_row(db, statement_id=statement_id, start=start, end=end)
    if row is not None and row.kind == "manual" and sure is not None:
        # A facilitator hid exactly these words by hand: their redaction (and its reason)
        # stands; deciding on the suggestion there changes nothing.
        return row
    if sure is None and accept:
        kind, replacement, reason = "manual", match.replacement, "possible name"
    else:
        kind, replacement, reason = (match.kind if sure else POSSIBLE), match.replacement, None
    row = row or Redaction(
        session_id=session.id,
        statement_id=statement_id,
        start=start,
        end=end,
        kind=kind,
        replacement=replacement,
        decided_at=now,
    )
    row.kind, row.replacement, row.reason = kind, replacement, reason
    row.accepted, row.decided_by, row.decided_at = accept, user.id, now
    db.add(row)
    _changed(await review_of(db, session_id=session.id, now=now), now)
    await db.flush()
    return row


async def accept_all(db: AsyncSession, *, session: DialogueSession, user: User, now: datetime) -> int:
    """Accept every suggestion still pending (not the possible names: each needs a look).
    Returns how many were accepted."""
    material = await load(db, session=session)
    found = await asyncio.to_thread(found_in, material)
    decided = {(d.statement_id, d.start, d.end) for rows in material.decisions.values() for d in rows}
    accepted = 0
    for statement_id, suggestions in found.sure.items():
        for s in suggestions:
            if (statement_id, s.start, s.end) in decided:
                continue
            db.add(
                Redaction(
                    session_id=session.id,
                    statement_id=statement_id,
                    start=s.start,
                    end=s.end,
                    kind=s.kind,
                    replacement=s.replacement,
                    accepted=True,
                    decided_by=user.id,
                    decided_at=now,
                )
            )
            accepted += 1
    if accepted:
        _changed(await review_of(db, session_id=session.id, now=now), now)
        await db.flush()
    return accepted


async def add_redaction(
    db: AsyncSession,
    *,
    session: DialogueSession,
    user: User,
    statement_id: int,
    start: int,
    end: int,
    reason: str,
    now: datetime,
) -> Redaction:
    """Hide exactly the characters [start, end) of a statement (offsets in characters of its
    text), with a reason (kept for the facilitators, not released)."""
    statement = await _statement(db, session, statement_id)
    if not 0 <= start < end <= len(statement.text):
        raise ValidationFailed(f"The span must lie within the statement (0–{len(statement.text)}).", code="bad_span")
    if not reason.strip():
        raise ValidationFailed("Say why this span is hidden.", code="reason_required")
    row = await _decision_row(db, statement_id=statement_id, start=start, end=end)
    if row is not None and row.kind == "manual":
        raise ValidationFailed("These words are already hidden.", code="already_hidden")
    # A decision already taken on exactly this span (a rejected suggestion, a dismissed
    # possible name) gives way to the facilitator's own: the words are hidden.
    reason = reason.strip()[:REASON_MAX]
    row = row or Redaction(
        session_id=session.id,
        statement_id=statement_id,
        start=start,
        end=end,
        kind="manual",
        replacement="[redacted]",
        decided_at=now,
    )
    row.kind, row.replacement, row.accepted = "manual", "[redacted]", True
    row.reason, row.decided_by, row.decided_at = reason, user.id, now
    db.add(row)
    _changed(await review_of(db, session_id=session.id, now=now), now)
    await db.flush()
    return row


async def hide_words(
    db: AsyncSession,
    *,
    session: DialogueSession,
    user: User,
    statement_id: int,
    words: str,
    reason: str,
    now: datetime,
    start: int | None = None,
    end: int | None = None,
) -> Redaction:
    """Hide words a facilitator selected in the statement ([start, end), in characters, with
    `words` what the page's script says they are) or typed (without script): then where they
    first appear, whatever their case. Offsets that do not hold the words (a browser may show
    the text with its line breaks changed) are not trusted: the words are looked for."""
    statement = await _statement(db, session, statement_id)
    if start is not None and end is not None and (not words.strip() or statement.text[start:end] == words):
        span: tuple[int, int] | None = (start, end)
    else:
        span = find_words(statement.text, words)
    if span is None:
        raise ValidationFailed("Those words are not in the statement.", code="words_not_found")
    return await add_redaction(
        db, session=session, user=user, statement_id=statement_id, start=span[0], end=span[1], reason=reason, now=now
    )


def find_words(text: str, words: str) -> tuple[int, int] | None:
    """The span of the first occurrence of `words` in `text`, ignoring case, as offsets into
    `text` itself. The search runs over the text as it is, character against character (no
    case-folded copy, whose letters can change length: "և", "ß", "İ"), so the span never
    shifts onto a name's first letter or the punctuation after it."""
    wanted = words.strip()
    if not wanted:
        return None
    match = re.search(re.escape(wanted), text, flags=re.IGNORECASE)
    if match is None and unicodedata.normalize("NFC", wanted) != wanted:
        match = re.search(re.escape(unicodedata.normalize("NFC", wanted)), text, flags=re.IGNORECASE)
    return (match.start(), match.end()) if match else None


async def remove_redaction(db: AsyncSession, *, session: DialogueSession, redaction_id: int, now: datetime) -> None:
    row = await db.get(Redaction, redaction_id)
    if row is None or row.session_id != session.id or row.kind != "manual":
        raise NotFound("There is no such redaction.", code="unknown_redaction")
    await db.delete(row)
    _changed(await review_of(db, session_id=session.id, now=now), now)
    await db.flush()
