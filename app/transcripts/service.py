"""The rules for transcripts: the draft and its review, release (by one or two
facilitators), new versions after a withdrawal, and what organisers may read."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.dialogues.models import DialogueSession, Seat, SessionStatus
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.models import RoomEvent, Statement
from app.facilitation.models import AuditEntry
from app.facilitation.participation import erase
from app.programmes.models import Programme
from app.transcripts.build import assemble, load, speakers, suggestions_for
from app.transcripts.models import Redaction, TranscriptRelease, TranscriptReview

RELEASABLE = (SessionStatus.ended, SessionStatus.archived)
MAX_POINTS = 50


async def review_of(db: AsyncSession, *, session_id: int, now: datetime) -> TranscriptReview:
    review = await db.get(TranscriptReview, session_id)
    if review is None:
        review = TranscriptReview(session_id=session_id, updated_at=now)
        db.add(review)
        await db.flush()
    return review


def _changed(review: TranscriptReview, now: datetime) -> None:
    """Any change to the draft means earlier approvals were for something else."""
    review.approvals = []
    review.updated_at = now


async def draft(db: AsyncSession, *, session: DialogueSession, now: datetime) -> dict[str, Any]:
    """The draft exactly as organisers would see it, and every suggestion with its state."""
    review = await review_of(db, session_id=session.id, now=now)
    material = await load(db, session=session)
    # CPU work, off the event loop that also serves the live rooms (see docs/performance.md).
    document = await asyncio.to_thread(assemble, material, summary=review.summary, agreed_points=review.agreed_points)
    found = await asyncio.to_thread(suggestions_for, material)
    decided = {(d.statement_id, d.start, d.end): d for rows in material.decisions.values() for d in rows}
    statements = []
    for statement in material.statements:
        if statement.hidden_at is not None:
            continue
        marks: list[dict[str, Any]] = []
        for s in found.get(statement.id, []):
            decision = decided.get((statement.id, s.start, s.end))
            marks.append(
                {
                    "start": s.start,
                    "end": s.end,
                    "kind": s.kind,
                    "replacement": s.replacement,
                    "state": "pending" if decision is None else ("accepted" if decision.accepted else "rejected"),
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
    return {
        "document": document,
        "statements": statements,
        "two_to_release": review.two_to_release,
        "approvals": review.approvals,
        "releases": await versions(db, session_id=session.id),
    }


async def _statement(db: AsyncSession, session: DialogueSession, statement_id: int) -> Statement:
    statement = await db.get(Statement, statement_id)
    if statement is None or statement.session_id != session.id or statement.withdrawn_at is not None:
        raise NotFound("There is no such statement in this session's transcript.", code="unknown_statement")
    return statement


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
    """Accept or reject one automatic suggestion (it must be one the draft currently shows)."""
    statement = await _statement(db, session, statement_id)
    material = await load(db, session=session)
    found = await asyncio.to_thread(suggestions_for, material)
    match = next((s for s in found.get(statement.id, []) if (s.start, s.end) == (start, end)), None)
    if match is None:
        raise NotFound("There is no such suggestion in that statement.", code="unknown_suggestion")
    row = (
        await db.exec(
            select(Redaction).where(
                Redaction.statement_id == statement_id, Redaction.start == start, Redaction.end == end
            )
        )
    ).first()
    row = row or Redaction(
        session_id=session.id,
        statement_id=statement_id,
        start=start,
        end=end,
        kind=match.kind,
        replacement=match.replacement,
        decided_at=now,
    )
    row.accepted, row.decided_by, row.decided_at = accept, user.id, now
    db.add(row)
    _changed(await review_of(db, session_id=session.id, now=now), now)
    await db.flush()
    return row


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
    """Hide any span of a statement, with a reason (kept for the facilitators, not released)."""
    statement = await _statement(db, session, statement_id)
    if not 0 <= start < end <= len(statement.text):
        raise ValidationFailed(f"The span must lie within the statement (0–{len(statement.text)}).", code="bad_span")
    if not reason.strip():
        raise ValidationFailed("Say why this span is hidden.", code="reason_required")
    row = Redaction(
        session_id=session.id,
        statement_id=statement_id,
        start=start,
        end=end,
        kind="manual",
        replacement="[redacted]",
        accepted=True,
        reason=reason.strip()[:200],
        decided_by=user.id,
        decided_at=now,
    )
    db.add(row)
    _changed(await review_of(db, session_id=session.id, now=now), now)
    await db.flush()
    return row


async def remove_redaction(db: AsyncSession, *, session: DialogueSession, redaction_id: int, now: datetime) -> None:
    row = await db.get(Redaction, redaction_id)
    if row is None or row.session_id != session.id or row.kind != "manual":
        raise NotFound("There is no such redaction.", code="unknown_redaction")
    await db.delete(row)
    _changed(await review_of(db, session_id=session.id, now=now), now)
    await db.flush()


async def set_outcomes(
    db: AsyncSession,
    *,
    session: DialogueSession,
    summary: str,
    agreed_points: list[str],
    two_to_release: bool | None,
    now: datetime,
) -> TranscriptReview:
    points = [p.strip() for p in agreed_points if p.strip()]
    if len(points) > MAX_POINTS:
        raise ValidationFailed(f"At most {MAX_POINTS} agreed points.", code="too_many_points")
    review = await review_of(db, session_id=session.id, now=now)
    review.summary, review.agreed_points = summary.strip(), points
    if two_to_release is not None:
        review.two_to_release = two_to_release
    _changed(review, now)
    db.add(review)
    await db.flush()
    return review


async def versions(db: AsyncSession, *, session_id: int) -> list[dict[str, Any]]:
    rows = (
        await db.exec(
            select(TranscriptRelease)
            .where(TranscriptRelease.session_id == session_id)
            .order_by(col(TranscriptRelease.version))
        )
    ).all()
    return [
        {
            "id": r.id,
            "version": r.version,
            "released_at": r.released_at,
            "released_by": r.released_by_name,
            "note": r.note,
        }
        for r in rows
    ]


async def _next_version(db: AsyncSession, session_id: int) -> int:
    latest = (
        await db.exec(select(func.max(TranscriptRelease.version)).where(TranscriptRelease.session_id == session_id))
    ).one()
    return (latest or 0) + 1


async def _publish(
    db: AsyncSession,
    *,
    session: DialogueSession,
    review: TranscriptReview,
    by: User | None,
    by_name: str,
    note: str | None,
    now: datetime,
) -> TranscriptRelease:
    material = await load(db, session=session)
    document = await asyncio.to_thread(assemble, material, summary=review.summary, agreed_points=review.agreed_points)
    version = await _next_version(db, session.id)
    document["version"] = version
    document["released_at"] = now.isoformat()
    document["released_by"] = by_name
    release = TranscriptRelease(
        session_id=session.id,
        version=version,
        document=document,
        released_at=now,
        released_by=by.id if by else None,
        released_by_name=by_name,
        note=note,
    )
    db.add(release)
    db.add(
        AuditEntry(
            session_id=session.id,
            actor_user_id=by.id if by else None,
            action="transcript_release",
            details={"version": version, "note": note},
            created_at=now,
        )
    )
    await db.flush()
    return release


async def _purged(db: AsyncSession, session_id: int) -> bool:
    statements = (
        await db.exec(select(func.count()).select_from(Statement).where(Statement.session_id == session_id))
    ).one()
    return statements == 0


async def _label(db: AsyncSession, session: DialogueSession, user: User) -> str:
    """Who released, as organisers see it: the facilitator's label in this transcript, never
    a name (a facilitator's seat shows their name in the room)."""
    seats = (await db.exec(select(Seat).where(Seat.session_id == session.id))).all()
    mine = next((s for s in seats if s.user_id == user.id), None)
    return speakers(seats).get(mine.id, "A facilitator") if mine else "A facilitator"


async def release(db: AsyncSession, *, session: DialogueSession, user: User, now: datetime) -> dict[str, Any]:
    """Release the draft as the next version; when the session needs two facilitators, the
    first approval waits for a second, different one."""
    if session.status not in RELEASABLE:
        raise Conflict("A transcript is released after the session has ended.", code="session_not_ended")
    if await versions(db, session_id=session.id) and await _purged(db, session.id):
        raise Conflict(
            "This session's raw statements were deleted under the retention period; its released "
            "transcript stays as it is.",
            code="raw_statements_purged",
        )
    review = await review_of(db, session_id=session.id, now=now)
    approvals = sorted(set(review.approvals) | {user.id})
    if review.two_to_release and len(approvals) < 2:
        review.approvals = approvals
        db.add(review)
        await db.flush()
        return {
            "released": False,
            "approvals": approvals,
            "message": "Your approval is recorded; a second facilitator must release it too.",
        }
    made = await _publish(
        db, session=session, review=review, by=user, by_name=await _label(db, session, user), note=None, now=now
    )
    review.approvals = []
    db.add(review)
    await db.flush()
    return {"released": True, "version": made.version, "id": made.id}


async def withdrawal_allowed(db: AsyncSession, *, session: DialogueSession, now: datetime) -> None:
    """Withdrawing is open during the session and for the programme's window after it ended."""
    if session.status not in RELEASABLE:
        return
    programme = await db.get(Programme, session.programme_id)
    ended = (
        await db.exec(
            select(RoomEvent.created_at)
            .where(RoomEvent.session_id == session.id, RoomEvent.type == "session_status")
            .order_by(col(RoomEvent.seq).desc())
        )
    ).first() or session.updated_at
    hours = programme.withdrawal_hours if programme else 72
    if now > ended + timedelta(hours=hours):
        raise Conflict(
            f"Statements can be withdrawn until {hours} hours after the session ended.", code="withdrawal_closed"
        )


async def after_withdrawal(db: AsyncSession, *, session: DialogueSession, now: datetime) -> TranscriptRelease | None:
    """A withdrawal after release makes a new released version without the statement."""
    if not await versions(db, session_id=session.id):
        return None
    review = await review_of(db, session_id=session.id, now=now)
    return await _publish(
        db,
        session=session,
        review=review,
        by=None,
        by_name="Roundtable",
        note="A participant withdrew a statement.",
        now=now,
    )


# What organisers read ------------------------------------------------------------------


async def released_for_programme(db: AsyncSession, *, programme_id: int) -> list[dict[str, Any]]:
    """Each session's latest released version, newest session first."""
    rows = (
        await db.exec(
            select(TranscriptRelease, DialogueSession)
            .join(DialogueSession, col(DialogueSession.id) == col(TranscriptRelease.session_id))
            .where(DialogueSession.programme_id == programme_id)
            .order_by(col(DialogueSession.starts_at).desc(), col(TranscriptRelease.version).desc())
        )
    ).all()
    latest: dict[int, dict[str, Any]] = {}
    for release, session in rows:
        latest.setdefault(
            session.id,
            {
                "id": release.id,
                "session_title": session.title,
                "version": release.version,
                "released_at": release.released_at,
                "starts_at": session.starts_at,
            },
        )
    return list(latest.values())


async def release_for_reader(
    db: AsyncSession, *, release_id: int
) -> tuple[TranscriptRelease, DialogueSession, TranscriptRelease]:
    """A released version, its session, and the session's newest version. Only the newest
    may be read: an older one may still hold words a participant has since withdrawn, so it
    is kept unchanged (released versions are never edited) but no longer shown."""
    release = await db.get(TranscriptRelease, release_id)
    if release is None:
        raise NotFound("There is no such transcript.")
    session = await db.get(DialogueSession, release.session_id)
    assert session is not None
    newest = (
        await db.exec(
            select(TranscriptRelease)
            .where(TranscriptRelease.session_id == session.id)
            .order_by(col(TranscriptRelease.version).desc())
        )
    ).first()
    assert newest is not None
    return release, session, newest


# A participant's own words, after the session ---------------------------------------------


async def own_statements(db: AsyncSession, *, seat: Seat) -> list[Statement]:
    rows = await db.exec(
        select(Statement)
        .where(Statement.seat_id == seat.id, col(Statement.withdrawn_at).is_(None))
        .order_by(col(Statement.seq))
    )
    return list(rows.all())


async def withdraw(db: AsyncSession, *, seat: Seat, statement_id: int, now: datetime) -> None:
    """Withdraw one's own statement after the room closed: within the programme's window; if a
    transcript was released, a new version without it is released at once."""
    session = await db.get(DialogueSession, seat.session_id)
    assert session is not None
    statement = await db.get(Statement, statement_id)
    if statement is None or statement.seat_id != seat.id:
        raise NotFound("There is no such statement of yours.", code="unknown_statement")
    if statement.withdrawn_at is not None:
        return
    await withdrawal_allowed(db, session=session, now=now)
    if await erase(db, statement, now=now):
        await after_withdrawal(db, session=session, now=now)
