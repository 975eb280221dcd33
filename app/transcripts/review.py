"""The facilitators' review of a transcript draft: what the automatic pass found (names and
contacts it is sure of, and possible names it is not), their decisions on each, and spans
hidden by hand — always at exactly the characters chosen.

A confident suggestion is applied unless a facilitator rejects it (hiding too much is the
safe side); a possible name is shown for a facilitator to decide and is hidden only when
one does. A statement's translations are reviewed the same way, each on its own: every
decision names its `part` (0 the statement's own words, else the translation's id). Every
change clears the approvals collected for a release (service._changed).
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.dialogues.models import DialogueSession
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.models import Statement, Translation
from app.messages import Msg
from app.programmes.texts import texts_of
from app.transcripts.build import Material, assemble, load, people, speakers, translated_by
from app.transcripts.models import Redaction
from app.transcripts.redact import Matcher, Suggestion
from app.transcripts.service import _changed, require_kept, review_of, versions

POSSIBLE = "possible_name"  # the kind of a word close to a known name, below the confidence threshold
REASON_MAX = 200

# What each state of a suggestion means for the words, as the review page says it.
STATE_LABELS: dict[str, str] = {
    "pending": Msg("hidden unless you reject it"),
    "accepted": Msg("hidden"),
    "rejected": Msg("kept as written"),
    "possible": Msg("possible name: not hidden unless you hide it"),
}


@dataclass(frozen=True)
class Found:
    """What the automatic pass finds in each statement's own words, by statement id, and in
    each translation, by translation id."""

    sure: dict[int, list[Suggestion]]
    possible: dict[int, list[Suggestion]]
    sure_in_translations: dict[int, list[Suggestion]] = field(default_factory=dict)
    possible_in_translations: dict[int, list[Suggestion]] = field(default_factory=dict)

    def of(self, statement_id: int, part: int) -> tuple[list[Suggestion], list[Suggestion]]:
        if part == 0:
            return self.sure.get(statement_id, []), self.possible.get(statement_id, [])
        return self.sure_in_translations.get(part, []), self.possible_in_translations.get(part, [])


def found_in(material: Material) -> Found:
    """One matcher for the whole transcript (it is built once per person, then reused)."""
    matcher = Matcher(people(material, speakers(material.seats.values())))
    found = Found(sure={}, possible={})
    for statement in material.statements:
        if statement.hidden_at is None:
            found.sure[statement.id], found.possible[statement.id] = matcher.review(statement.text)
            for translation in material.translations.get(statement.id, ()):
                sure, possible = matcher.review(translation.text)
                found.sure_in_translations[translation.id], found.possible_in_translations[translation.id] = (
                    sure,
                    possible,
                )
    return found


def _state(decision: Redaction | None, *, applied_by_default: bool) -> str:
    if decision is None:
        return "pending" if applied_by_default else "possible"
    return "accepted" if decision.accepted else "rejected"


def _marks(
    found: Found, decided: dict[tuple[int, int, int, int], Redaction], decisions: list[Redaction], sid: int, part: int
) -> list[dict[str, Any]]:
    """Every suggestion and possible name in one part of a statement with its state, and the
    spans hidden by hand in it."""
    marks: list[dict[str, Any]] = []
    sure, possible = found.of(sid, part)
    for default, suggestions in ((True, sure), (False, possible)):
        for s in suggestions:
            decision = decided.get((sid, part, s.start, s.end))
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
    for d in decisions:
        if d.kind == "manual" and d.part == part:
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
    return sorted(marks, key=lambda m: m["start"])


async def draft(db: AsyncSession, *, session: DialogueSession, now: datetime) -> dict[str, Any]:
    """The draft exactly as organisers would see it, every suggestion and possible name with
    its state (in each statement and in each of its translations), how many statements have
    none, and the summary and agreed points as the facilitators wrote them."""
    require_kept(session, draft=True)
    review = await review_of(db, session_id=session.id, now=now)
    material = await load(db, session=session)
    # CPU work, off the event loop that also serves the live rooms (see docs/performance.md).
    document = await asyncio.to_thread(assemble, material, summary=review.summary, agreed_points=review.agreed_points)
    found = await asyncio.to_thread(found_in, material)
    decided = {(d.statement_id, d.part, d.start, d.end): d for rows in material.decisions.values() for d in rows}
    statements: list[dict[str, Any]] = []
    states: list[str] = []  # of every mark, for the counts
    for statement in material.statements:
        if statement.hidden_at is not None:
            continue
        decisions = material.decisions.get(statement.id, [])
        marks = _marks(found, decided, decisions, statement.id, 0)
        translations: list[dict[str, Any]] = [
            {
                "id": t.id,
                "language": t.language,
                "by": translated_by(statement, t, material.seats),
                "text": t.text,
                "marks": _marks(found, decided, decisions, statement.id, t.id),
            }
            for t in material.translations.get(statement.id, ())
        ]
        statements.append({"id": statement.id, "text": statement.text, "marks": marks, "translations": translations})
        states += [m["state"] for m in marks] + [m["state"] for t in translations for m in t["marks"]]
    return {
        "document": document,
        "languages": material.languages,
        # As written (the document has them with names replaced): what the form edits.
        "summary": texts_of(review.summary, material.languages[0]),
        "agreed_points": [texts_of(p, material.languages[0]) for p in review.agreed_points],
        "statements": statements,
        "counts": {
            "statements": len(statements),
            "without_suggestion": sum(
                1 for s in statements if not s["marks"] and not any(t["marks"] for t in s["translations"])
            ),
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
        raise NotFound(Msg("There is no such statement in this session's transcript."), code="unknown_statement")
    return statement


async def _words_of(db: AsyncSession, statement: Statement, part: int) -> str:
    """The words of one part of a statement: its own (0) or one of its translations'."""
    if part == 0:
        return statement.text
    translation = await db.get(Translation, part)
    if translation is None or translation.statement_id != statement.id:
        raise NotFound(Msg("That statement has no such translation."), code="unknown_translation")
    return translation.text


async def _decision_row(
    db: AsyncSession, *, statement_id: int, start: int, end: int, part: int = 0
) -> Redaction | None:
    return (
        await db.exec(
            select(Redaction).where(
                Redaction.statement_id == statement_id,
                Redaction.part == part,
                Redaction.start == start,
                Redaction.end == end,
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
    part: int = 0,
    seen: str | None = None,
) -> Redaction:
    """Accept or reject one automatic suggestion, or hide or dismiss one possible name (it
    must be one the draft currently shows), in a statement (`part` 0) or in one of its
    translations (`part` its id). A possible name that is accepted is hidden under the
    pseudonym of the person it resembles, like a facilitator's own redaction.

    `seen` is the state the facilitator's page showed (the review page sends it): when a
    co-facilitator has since decided otherwise than this decision would, it is refused (409)
    rather than silently overturning a decision the facilitator never saw."""
    statement = await _statement(db, session, statement_id)
    await _words_of(db, statement, part)
    material = await load(db, session=session)
    found = await asyncio.to_thread(found_in, material)
    sure_here, possible_here = found.of(statement.id, part)
    sure = next((s for s in sure_here if (s.start, s.end) == (start, end)), None)
    possible = next((s for s in possible_here if (s.start, s.end) == (start, end)), None)
    match = sure or possible
    if match is None:
        raise NotFound(Msg("There is no such suggestion in that statement."), code="unknown_suggestion")
    row = await _decision_row(db, statement_id=statement_id, start=start, end=end, part=part)
    if seen in STATE_LABELS:
        now_state = _state(row, applied_by_default=sure is not None)
        if now_state not in (seen, "accepted" if accept else "rejected"):
            raise Conflict(
                Msg(
                    "Another facilitator decided on these words while you were reading: they are now “{state}”. Look at them again before you decide.",
                    state=STATE_LABELS[now_state],
                ),
                code="decided_meanwhile",
            )
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
        part=part,
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
    """Accept every suggestion still pending, in statements and in their translations (not
    the possible names: each needs a look). Returns how many were accepted."""
    material = await load(db, session=session)
    found = await asyncio.to_thread(found_in, material)
    decided = {(d.statement_id, d.part, d.start, d.end) for rows in material.decisions.values() for d in rows}
    pending: list[tuple[int, int, list[Suggestion]]] = [(sid, 0, found.sure[sid]) for sid in found.sure]
    pending += [
        (statement_id, t.id, found.sure_in_translations.get(t.id, []))
        for statement_id, translations in material.translations.items()
        for t in translations
    ]
    accepted = 0
    for statement_id, part, suggestions in pending:
        for s in suggestions:
            if (statement_id, part, s.start, s.end) in decided:
                continue
            db.add(
                Redaction(
                    session_id=session.id,
                    statement_id=statement_id,
                    part=part,
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
    part: int = 0,
) -> Redaction:
    """Hide exactly the characters [start, end) of a statement (`part` 0) or of one of its
    translations (`part` its id), in characters of that text, with a reason (kept for the
    facilitators, not released)."""
    statement = await _statement(db, session, statement_id)
    words = await _words_of(db, statement, part)
    if not 0 <= start < end <= len(words):
        raise ValidationFailed(
            Msg("The span must lie within the statement (0–{length}).", length=len(words)), code="bad_span"
        )
    if not reason.strip():
        raise ValidationFailed(Msg("Say why this span is hidden."), code="reason_required")
    row = await _decision_row(db, statement_id=statement_id, start=start, end=end, part=part)
    if row is not None and row.kind == "manual":
        raise ValidationFailed(Msg("These words are already hidden."), code="already_hidden")
    # A decision already taken on exactly this span (a rejected suggestion, a dismissed
    # possible name) gives way to the facilitator's own: the words are hidden.
    reason = reason.strip()[:REASON_MAX]
    row = row or Redaction(
        session_id=session.id,
        statement_id=statement_id,
        part=part,
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
    part: int = 0,
) -> Redaction:
    """Hide words a facilitator selected in the statement or in one of its translations
    ([start, end), in characters, with `words` what the page's script says they are) or typed
    (without script): then where they first appear, whatever their case. Offsets that do not
    hold the words (a browser may show the text with its line breaks changed) are not
    trusted: the words are looked for."""
    statement = await _statement(db, session, statement_id)
    text = await _words_of(db, statement, part)
    if start is not None and end is not None and (not words.strip() or text[start:end] == words):
        span: tuple[int, int] | None = (start, end)
    else:
        span = find_words(text, words)
    if span is None:
        raise ValidationFailed(Msg("Those words are not in the statement."), code="words_not_found")
    return await add_redaction(
        db,
        session=session,
        user=user,
        statement_id=statement_id,
        start=span[0],
        end=span[1],
        reason=reason,
        now=now,
        part=part,
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
        raise NotFound(Msg("There is no such redaction."), code="unknown_redaction")
    await db.delete(row)
    _changed(await review_of(db, session_id=session.id, now=now), now)
    await db.flush()
