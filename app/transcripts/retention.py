"""Retention: a programme's number of days after a session's first release, everything that
was said in it and everything that says who took part is deleted or scrubbed; the released
transcripts (pseudonyms and redacted words only) stay. `roundtable purge` runs it.

What a purged session keeps, table by table (see docs/transcripts.md, "Retention"):

- statements, their translations, reactions, redaction decisions (with their reasons),
  reports (with theirs), private messages (back-channel and check-ins): deleted;
- the room's event log: deleted, but for its `session_status` events, reduced to the
  status (when the session went live and ended, for the figures), their reasons dropped.
  Events carry display names (seat views), report and moderation reasons and agenda titles;
- invitations: no real name, no contact, and a fresh random token hash (an old invitation
  link no longer leads to its seat);
- seats: the display name becomes the pseudonym, the name key a placeholder no chosen name
  can fold to, no status reason (removal, ban), and a fresh random cookie hash (a
  participant's old browser cookie no longer names their seat);
- audit entries: no reason (the action, its target seat and its time stay);
- the facilitators' own words (the session's title, description, lobby and pause messages
  and cancel reason, ground rules, agenda titles and prompts, round prompts, poll questions
  and options, the transcript's summary and agreed points), in every language: kept, as the
  transcript keeps them, with every name and contact detail the transcript's matcher finds
  replaced, before the names are gone;
- poll answers (the counts), rounds and turns (spoke, passed), seats' communities, roles and
  languages, the released versions: kept, so the session's figures can still be counted;
- its breakouts: each group's report draft (and who said it was ready) blanked; the groups'
  rooms (child sessions) purged with it as above, whether they kept a transcript or not,
  the facilitators' broadcasts to them included (their private messages).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from app.dialogues.content import programme_languages
from app.dialogues.models import AgendaItem, DialogueSession, GroundRules, Invitation, Seat
from app.events.models import RoomEvent, Statement, Translation
from app.facilitation.models import AuditEntry, Breakout, BreakoutGroup, Poll, PrivateMessage, Reaction, Report, Round
from app.programmes.models import Programme
from app.programmes.texts import texts_of
from app.transcripts.build import absent_names_of, matcher_for, real_names_of, scrub, scrub_texts
from app.transcripts.models import Redaction, TranscriptRelease, TranscriptReview
from app.transcripts.redact import Matcher

# A purged seat's name key. Keys of chosen names are case-folded (never an upper-case
# letter) and facilitators' are "facilitator:<id>", so this can clash with neither.
PURGED_KEY = "PURGED:{seat_id}"
KEPT_EVENTS = "session_status"


@dataclass
class Purged:
    sessions: int = 0
    statements: int = 0
    translations: int = 0
    private_messages: int = 0
    reports: int = 0
    identities: int = 0  # invitations whose names and contacts were cleared
    events: int = 0  # room events deleted


async def _count(
    db: AsyncSession, model: type[Statement | Translation | PrivateMessage | Report], session_id: int
) -> int:
    return (await db.exec(select(func.count()).select_from(model).where(model.session_id == session_id))).one()


async def due(db: AsyncSession, *, now: datetime) -> list[int]:
    """The sessions past their programme's retention period: first released longer ago."""
    found: list[int] = []
    programmes = (await db.exec(select(Programme).where(col(Programme.retention_days).is_not(None)))).all()
    first_release = (
        select(TranscriptRelease.session_id, func.min(TranscriptRelease.released_at).label("first"))
        .group_by(col(TranscriptRelease.session_id))
        .subquery()
    )
    for programme in programmes:
        cutoff = now - timedelta(days=programme.retention_days or 0)
        found += (
            await db.exec(
                select(DialogueSession.id)
                .join(first_release, first_release.c.session_id == DialogueSession.id)
                .where(DialogueSession.programme_id == programme.id, first_release.c.first <= cutoff)
                .order_by(col(DialogueSession.id))
            )
        ).all()
    return found


async def purge(db: AsyncSession, *, now: datetime) -> Purged:
    """Purge every session past its retention period (see the module's docstring). Running
    it again changes nothing: a session already purged is passed over."""
    done = Purged()
    for session_id in await due(db, now=now):
        rooms = [session_id, *await group_rooms_of(db, session_id=session_id)]
        if not [room_id for room_id in rooms if await _left_behind(db, room_id)]:
            continue
        done.sessions += 1
        for room_id in rooms:
            done.statements += await _count(db, Statement, room_id)
            done.translations += await _count(db, Translation, room_id)
            done.private_messages += await _count(db, PrivateMessage, room_id)
            done.reports += await _count(db, Report, room_id)
        done.identities += (
            await db.exec(
                select(func.count())
                .select_from(Invitation)
                .where(
                    Invitation.session_id == session_id,
                    or_(col(Invitation.real_name).is_not(None), col(Invitation.contact).is_not(None)),
                )
            )
        ).one()
        done.events += await purge_session(db, session_id=session_id)
    return done


async def group_rooms_of(db: AsyncSession, *, session_id: int) -> list[int]:
    """The rooms of the session's breakout groups (its child sessions), in order."""
    rows = await db.exec(
        select(DialogueSession.id).where(DialogueSession.parent_id == session_id).order_by(col(DialogueSession.id))
    )
    return list(rows.all())


async def _left_behind(db: AsyncSession, session_id: int) -> bool:
    """Whether anything the purge removes is still there."""

    statement_ids = select(Statement.id).where(Statement.session_id == session_id)
    breakouts = select(Breakout.id).where(Breakout.session_id == session_id)
    checks: list[SelectOfScalar[int]] = [
        select(BreakoutGroup.id)
        .where(col(BreakoutGroup.breakout_id).in_(breakouts), col(BreakoutGroup.report) != "")
        .limit(1),
        select(Statement.id).where(Statement.session_id == session_id).limit(1),
        select(Translation.id).where(Translation.session_id == session_id).limit(1),
        select(PrivateMessage.id).where(PrivateMessage.session_id == session_id).limit(1),
        select(Report.id).where(Report.session_id == session_id).limit(1),
        select(Redaction.id).where(Redaction.session_id == session_id).limit(1),
        select(Reaction.id).where(col(Reaction.statement_id).in_(statement_ids)).limit(1),
        select(RoomEvent.id).where(RoomEvent.session_id == session_id, RoomEvent.type != KEPT_EVENTS).limit(1),
        select(Invitation.id)
        .where(
            Invitation.session_id == session_id,
            or_(col(Invitation.real_name).is_not(None), col(Invitation.contact).is_not(None)),
        )
        .limit(1),
        select(Seat.id)
        .where(
            Seat.session_id == session_id,
            or_(
                col(Seat.display_name) != col(Seat.pseudonym),
                col(Seat.status_reason).is_not(None),
                col(Seat.display_name_key).not_like("PURGED:%"),
            ),
        )
        .limit(1),
        select(AuditEntry.id).where(AuditEntry.session_id == session_id, col(AuditEntry.reason).is_not(None)).limit(1),
    ]
    for query in checks:
        if (await db.exec(query)).first() is not None:
            return True
    kept = (
        await db.exec(
            select(RoomEvent.payload).where(RoomEvent.session_id == session_id, RoomEvent.type == KEPT_EVENTS)
        )
    ).all()
    return any(set(payload) - {"status", "reason"} or payload.get("reason") is not None for payload in kept)


async def purge_session(db: AsyncSession, *, session_id: int) -> int:
    """Delete and scrub one session's words and identities, its breakouts' reports and its
    groups' rooms with them; the number of room events deleted."""
    seats = list((await db.exec(select(Seat).where(Seat.session_id == session_id))).all())
    real_names = await real_names_of(db, session_id=session_id, seats=seats)
    absent = await absent_names_of(db, session_id=session_id)
    # The main session's people, who may be named in any group's room too.
    matcher = matcher_for(seats, real_names, absent)
    events = 0
    for room_id in await group_rooms_of(db, session_id=session_id):
        events += await _purge_words(db, session_id=room_id, matcher=matcher)
    breakouts = select(Breakout.id).where(Breakout.session_id == session_id)
    await db.exec(
        update(BreakoutGroup)
        .where(col(BreakoutGroup.breakout_id).in_(breakouts))
        .values(report="", report_ready=[], report_statement_id=None)
    )
    return events + await _purge_words(db, session_id=session_id, matcher=matcher)


async def _purge_words(db: AsyncSession, *, session_id: int, matcher: Matcher) -> int:
    seats = list((await db.exec(select(Seat).where(Seat.session_id == session_id))).all())
    invitations = list((await db.exec(select(Invitation).where(Invitation.session_id == session_id))).all())
    await _scrub_facilitators_words(db, session_id, matcher)

    statement_ids = select(Statement.id).where(Statement.session_id == session_id)
    await db.exec(delete(Reaction).where(col(Reaction.statement_id).in_(statement_ids)))
    await db.exec(delete(Redaction).where(col(Redaction.session_id) == session_id))
    await db.exec(delete(Report).where(col(Report.session_id) == session_id))
    await db.exec(delete(PrivateMessage).where(col(PrivateMessage.session_id) == session_id))
    # Before the statements: the database cascades them too, but SQLite only with its
    # foreign keys on, and the count must not depend on that.
    await db.exec(delete(Translation).where(col(Translation.session_id) == session_id))
    await db.exec(update(AuditEntry).where(col(AuditEntry.session_id) == session_id).values(reason=None))
    await db.exec(delete(Statement).where(col(Statement.session_id) == session_id))

    events = (
        await db.exec(
            select(func.count())
            .select_from(RoomEvent)
            .where(RoomEvent.session_id == session_id, RoomEvent.type != KEPT_EVENTS)
        )
    ).one()
    await db.exec(delete(RoomEvent).where(col(RoomEvent.session_id) == session_id, col(RoomEvent.type) != KEPT_EVENTS))
    for event in (
        await db.exec(select(RoomEvent).where(RoomEvent.session_id == session_id, RoomEvent.type == KEPT_EVENTS))
    ).all():
        kept = {"status": event.payload.get("status"), "reason": None}
        if event.payload != kept:
            event.payload = kept
            db.add(event)

    for invitation in invitations:
        invitation.real_name = invitation.contact = None
        invitation.token_hash = secrets.token_hex(32)
        db.add(invitation)
    for seat in seats:
        seat.display_name = seat.pseudonym
        seat.display_name_key = PURGED_KEY.format(seat_id=seat.id)
        seat.status_reason = None
        seat.cookie_hash = secrets.token_hex(32)
        db.add(seat)
    await db.flush()
    return events


async def _scrub_facilitators_words(db: AsyncSession, session_id: int, matcher: Matcher) -> None:
    """The facilitators' own words stay, as the transcript prints them: in every language,
    with the names and contact details the matcher finds replaced."""
    session = await db.get(DialogueSession, session_id)
    assert session is not None
    first = programme_languages(await db.get(Programme, session.programme_id))[0]

    def kept(value: object, limit: int | None = None) -> dict[str, str]:
        # Stored texts are maps; a plain string (a row older than the maps) is the first language's.
        scrubbed = scrub_texts(matcher, texts_of(value, first))
        return {language: text[:limit] if limit else text for language, text in scrubbed.items()}

    session.title = kept(session.title, 200)
    session.description = kept(session.description)
    session.lobby_message = kept(session.lobby_message)
    session.pause_message = kept(session.pause_message)
    session.cancel_reason = None if session.cancel_reason is None else scrub(matcher, session.cancel_reason)
    db.add(session)
    for rules in (await db.exec(select(GroundRules).where(GroundRules.session_id == session_id))).all():
        rules.text = kept(rules.text)
        db.add(rules)
    for item in (await db.exec(select(AgendaItem).where(AgendaItem.session_id == session_id))).all():
        item.title, item.prompt = kept(item.title, 200), kept(item.prompt)
        db.add(item)
    for rnd in (await db.exec(select(Round).where(Round.session_id == session_id))).all():
        rnd.prompt = kept(rnd.prompt)
        db.add(rnd)
    for poll in (await db.exec(select(Poll).where(Poll.session_id == session_id))).all():
        poll.question, poll.options = kept(poll.question), [kept(o) for o in poll.options]
        db.add(poll)
    review = await db.get(TranscriptReview, session_id)
    if review is not None:
        review.summary = kept(review.summary)
        review.agreed_points = [kept(p) for p in review.agreed_points]
        db.add(review)
