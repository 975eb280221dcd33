"""The rules for transcripts: release (by one or two facilitators), new versions after a
withdrawal, and what organisers may read. The draft and its review are in review.py."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.dialogues.content import edited_texts, languages_of, programme_languages
from app.dialogues.models import DialogueSession, Seat, SessionStatus
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.models import RoomEvent, Statement
from app.facilitation.audit import record_by_account
from app.facilitation.models import AuditEntry
from app.facilitation.participation import erase
from app.messages import Msg
from app.programmes.models import Programme
from app.programmes.texts import texts_of
from app.transcripts.build import assemble, load, speakers
from app.transcripts.models import TranscriptRelease, TranscriptReview

RELEASABLE = (SessionStatus.ended, SessionStatus.archived)
MAX_POINTS = 50


async def review_of(db: AsyncSession, *, session_id: int, now: datetime) -> TranscriptReview:
    review = await db.get(TranscriptReview, session_id)
    if review is None:
        review = TranscriptReview(session_id=session_id, updated_at=now)
        db.add(review)
        await db.flush()
    return review


def require_kept(session: DialogueSession, *, draft: bool = False) -> None:
    """A session that keeps no transcript (its people joined without agreeing to one; a
    breakout group's room unless its item keeps it) has no draft (404) and is never released (409)."""
    if session.keep_transcript:
        return
    message = Msg("This session keeps no transcript; nothing said in it is released.")
    if draft:
        raise NotFound(message, code="transcript_not_kept")
    raise Conflict(message, code="transcript_not_kept")


def _changed(review: TranscriptReview, now: datetime) -> None:
    """Any change to the draft means earlier approvals were for something else."""
    review.approvals = []
    review.updated_at = now


async def approvers_since_release(db: AsyncSession, *, session_id: int) -> set[int]:
    """The accounts that approved a draft of this session since its last release, as the
    audit log has it: edits clear `review.approvals`, but not what someone did."""
    last_release = (
        await db.exec(
            select(func.max(AuditEntry.id)).where(
                AuditEntry.session_id == session_id, AuditEntry.action == "transcript_release"
            )
        )
    ).one()
    rows = await db.exec(
        select(AuditEntry.actor_user_id).where(
            AuditEntry.session_id == session_id,
            AuditEntry.action == "transcript_approve",
            col(AuditEntry.id) > (last_release or 0),
        )
    )
    return {user_id for user_id in rows.all() if user_id is not None}


async def _set_release_rule(
    db: AsyncSession, *, session: DialogueSession, review: TranscriptReview, user: User | None, on: bool, now: datetime
) -> None:
    """Turn the two-facilitator rule on or off. Off, while someone's approval stands (or was
    given since the last release), only a facilitator who has not approved may: one
    facilitator cannot approve, then lift the rule and release alone. Always audited."""
    if on == review.two_to_release:
        return
    if not on:
        approvers = set(review.approvals) | await approvers_since_release(db, session_id=session.id)
        if approvers and (user is None or user.id in approvers):
            raise Conflict(
                Msg(
                    "A facilitator has approved this draft under the two-facilitator rule; only a facilitator who has not approved it may switch the rule off (or approve it as the second)."
                ),
                code="release_rule_locked",
            )
    review.two_to_release = on
    if user is not None:
        await record_by_account(
            db,
            session_id=session.id,
            user_id=user.id,
            action="transcript_release_rule",
            now=now,
            details={"two_to_release": on, "approvals_cleared": list(review.approvals)},
        )


async def set_outcomes(
    db: AsyncSession,
    *,
    session: DialogueSession,
    summary: str | Mapping[str, str] | None,
    agreed_points: Sequence[str | Mapping[str, str]] | None,
    two_to_release: bool | None,
    now: datetime,
    user: User | None = None,
) -> TranscriptReview:
    """The summary and agreed points, and whether release needs two facilitators. Any change
    clears the approvals. `user` is the facilitator asking; without one (a caller that does
    not say), the rule can be switched off only while no one has approved.

    The texts are edits, merged into what is there (`texts.merged`): the languages named are
    replaced, an empty text removes its language, the others stay, so a client that knows one
    language never erases another's. A plain string is the programme's first language. The
    points are merged one by one, by position: the list sent is the list of points (a point
    left with no language at all is dropped); `None` leaves the summary or the points as
    they are."""
    languages = await languages_of(db, session=session)
    review = await review_of(db, session_id=session.id, now=now)
    summary_now = texts_of(review.summary, languages[0])
    points_now = [texts_of(p, languages[0]) for p in review.agreed_points]
    if summary is not None:
        summary_now = edited_texts("summary", summary_now, summary, languages, required=False)
    if agreed_points is not None:
        points: list[dict[str, str]] = []
        for place, point in enumerate(agreed_points):
            current = points_now[place] if place < len(points_now) else {}
            edited = edited_texts(f"agreed_points.{place}", current, point, languages, required=False)
            if edited:
                points.append(edited)
        points_now = points
    if len(points_now) > MAX_POINTS:
        raise ValidationFailed(
            Msg("At most {max_points} agreed points.", max_points=MAX_POINTS), code="too_many_points"
        )
    review.summary, review.agreed_points = summary_now, points_now
    if two_to_release is not None:
        await _set_release_rule(db, session=session, review=review, user=user, on=two_to_release, now=now)
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


def outline(document: Mapping[str, Any]) -> dict[str, int]:
    """What a transcript document holds, as the release confirmation and summary count it: its
    statements, and the spans hidden in them and in their translations."""
    entries = [e for section in document.get("sections", []) for e in section.get("entries", [])]
    statements = [e for e in entries if e.get("type") == "statement"]
    hidden = sum(
        len(e.get("redactions", [])) + sum(len(t.get("redactions", [])) for t in e.get("translations", []))
        for e in statements
    )
    return {"statements": len(statements), "redactions": hidden}


async def release_by_version(db: AsyncSession, *, session_id: int, version: int) -> TranscriptRelease | None:
    return (
        await db.exec(
            select(TranscriptRelease).where(
                TranscriptRelease.session_id == session_id, TranscriptRelease.version == version
            )
        )
    ).first()


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
    require_kept(session)
    if session.status not in RELEASABLE:
        raise Conflict(Msg("A transcript is released after the session has ended."), code="session_not_ended")
    if await versions(db, session_id=session.id) and await _purged(db, session.id):
        raise Conflict(
            Msg(
                "This session's raw statements were deleted under the retention period; its released transcript stays as it is."
            ),
            code="raw_statements_purged",
        )
    review = await review_of(db, session_id=session.id, now=now)
    approvals = sorted(set(review.approvals) | {user.id})
    if review.two_to_release and len(approvals) < 2:
        review.approvals = approvals
        db.add(review)
        await record_by_account(db, session_id=session.id, user_id=user.id, action="transcript_approve", now=now)
        return {
            "released": False,
            "approvals": approvals,
            "message": Msg("Your approval is recorded; a second facilitator must release it too."),
        }
    made = await _publish(
        db, session=session, review=review, by=user, by_name=await _label(db, session, user), note=None, now=now
    )
    review.approvals = []
    db.add(review)
    await db.flush()
    return {"released": True, "version": made.version, "id": made.id}


async def withdrawal_deadline(db: AsyncSession, *, session: DialogueSession) -> datetime | None:
    """Until when a participant may withdraw their statements: the session's end (its last
    status change) plus the programme's window; None while it has not ended."""
    ended = await ended_at(db, session=session)
    if ended is None:
        return None
    programme = await db.get(Programme, session.programme_id)
    return ended + timedelta(hours=programme.withdrawal_hours if programme else 72)


async def ended_at(db: AsyncSession, *, session: DialogueSession) -> datetime | None:
    """When a session ended (its change to "ended"); None while it has not ended."""
    if session.status not in RELEASABLE:
        return None
    changes = (
        await db.exec(
            select(RoomEvent.created_at, RoomEvent.payload)
            .where(RoomEvent.session_id == session.id, RoomEvent.type == "session_status")
            .order_by(col(RoomEvent.seq).desc())
        )
    ).all()
    # The change to "ended", not a later one (archiving does not move the end).
    ended = next((when for when, payload in changes if payload.get("status") == "ended"), None)
    return ended or (changes[0][0] if changes else session.updated_at)


async def withdrawal_allowed(db: AsyncSession, *, session: DialogueSession, now: datetime) -> None:
    """Withdrawing is open during the session and for the programme's window after it ended."""
    deadline = await withdrawal_deadline(db, session=session)
    if deadline is not None and now > deadline:
        programme = await db.get(Programme, session.programme_id)
        hours = programme.withdrawal_hours if programme else 72
        raise Conflict(
            Msg("Statements can be withdrawn until {hours} hours after the session ended.", hours=hours),
            code="withdrawal_closed",
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
    """Each session's latest released version, newest session first; the title as a map
    {language: text} (an older document's plain title is the programme's first language)."""
    first = programme_languages(await db.get(Programme, programme_id))[0]
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
                # The title as the released document prints it (names in it replaced), never
                # the session's own, which a facilitator may have written a name into.
                "session_title": texts_of(release.document.get("session", {}).get("title"), first),
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
        raise NotFound(Msg("There is no such transcript."))
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
        raise NotFound(Msg("There is no such statement of yours."), code="unknown_statement")
    if statement.withdrawn_at is not None:
        return
    await withdrawal_allowed(db, session=session, now=now)
    if await erase(db, statement, now=now):
        await after_withdrawal(db, session=session, now=now)
