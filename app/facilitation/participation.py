"""A participant's own controls: reactions, asking for a break, reporting a statement to
the facilitators, and withdrawing one's own words."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import Conflict, NotFound, PermissionDenied
from app.events.log import append_event
from app.events.models import Statement
from app.events.schemas import BreakRequested, GroupAlert, ReactionsChanged, ReportMade, StatementChanged
from app.facilitation.breakout_rooms import open_group_of
from app.facilitation.models import Reaction, Report
from app.facilitation.room import Room, require_speaker
from app.facilitation.translations import erase_translations
from app.messages import Msg


async def _statement(db: AsyncSession, room: Room, statement_id: int) -> Statement:
    statement = await db.get(Statement, statement_id)
    if statement is None or statement.session_id != room.session_id:
        raise NotFound(Msg("There is no such statement in this session."), code="unknown_statement")
    return statement


async def reaction_counts(db: AsyncSession, statement_id: int) -> dict[str, int]:
    rows = await db.exec(
        select(Reaction.kind, func.count()).where(Reaction.statement_id == statement_id).group_by(Reaction.kind)
    )
    return dict(rows.all())


async def react(db: AsyncSession, room: Room, *, statement_id: int, reaction: str, on: bool, now: datetime) -> dict:
    """Add or take back a reaction; doing the same twice changes nothing."""
    require_speaker(room.seat)
    room.require_live(Msg("react"))
    statement = await _statement(db, room, statement_id)
    if statement.hidden_at is not None or statement.withdrawn_at is not None:
        raise Conflict(Msg("That statement is no longer shown."), code="statement_gone")
    existing = (
        await db.exec(
            select(Reaction).where(
                Reaction.statement_id == statement_id, Reaction.seat_id == room.seat.id, Reaction.kind == reaction
            )
        )
    ).first()
    if on == (existing is not None):
        return {"statement_id": statement_id, "reactions": await reaction_counts(db, statement_id)}
    if on:
        db.add(Reaction(statement_id=statement_id, seat_id=room.seat.id, kind=reaction, created_at=now))
    else:
        await db.delete(existing)
    await db.flush()
    counts = await reaction_counts(db, statement_id)
    await append_event(
        db, session_id=room.session_id, now=now, event=ReactionsChanged(statement_id=statement_id, reactions=counts)
    )
    return {"statement_id": statement_id, "reactions": counts}


async def ask_for_break(db: AsyncSession, room: Room, *, now: datetime) -> dict:
    """Seen only by the facilitators; nobody else learns who asked."""
    await append_event(
        db, session_id=room.session_id, now=now, audience="facilitators", event=BreakRequested(seat_id=room.seat.id)
    )
    await _tell_main_room(db, room, kind="break_requested", now=now)
    return {"sent": True}


async def _tell_main_room(db: AsyncSession, room: Room, *, kind: str, now: datetime) -> None:
    """In a breakout group: the facilitators in the main room hear of it too (which group; the
    details stay in the group's room). The main session is already locked (`enter`)."""
    if room.session.parent_id is None:
        return
    found = await open_group_of(db, room.session)
    if found is None:
        return
    await append_event(
        db,
        session_id=room.session.parent_id,
        now=now,
        audience="facilitators",
        event=GroupAlert.model_validate({"group_id": found[1].id, "kind": kind}),
    )


async def report(db: AsyncSession, room: Room, *, statement_id: int, reason: str | None, now: datetime) -> dict:
    """A private report to the facilitators; the author is not told who reported."""
    statement = await _statement(db, room, statement_id)
    if statement.seat_id == room.seat.id:
        raise Conflict(Msg("You cannot report your own statement; you can withdraw it."), code="own_statement")
    row = Report(
        session_id=room.session_id,
        statement_id=statement_id,
        seat_id=room.seat.id,
        reason=(reason or "").strip(),
        created_at=now,
    )
    db.add(row)
    await db.flush()
    await append_event(
        db,
        session_id=room.session_id,
        now=now,
        audience="facilitators",
        event=ReportMade(
            report_id=row.id,
            statement_id=statement_id,
            seat_id=room.seat.id,
            reason=row.reason,
        ),
    )
    await _tell_main_room(db, room, kind="report_made", now=now)
    return {"report_id": row.id}


async def withdraw(db: AsyncSession, room: Room, *, statement_id: int, now: datetime) -> dict:
    """The author takes their words back: the text is erased, the room sees a marker."""
    statement = await _statement(db, room, statement_id)
    if statement.seat_id != room.seat.id:
        raise PermissionDenied(Msg("You can withdraw only your own statements."), code="not_your_statement")
    await erase(db, statement, now=now)
    return {"statement_id": statement_id, "state": "withdrawn"}


async def erase(db: AsyncSession, statement: Statement, *, now: datetime) -> bool:
    """Withdraw a statement: its text is erased (gone from every later view, not only hidden),
    and so are its translations' (in the same transaction), and the room is told. False when
    it was already withdrawn."""
    if statement.withdrawn_at is not None:
        return False
    statement.withdrawn_at, statement.text = now, ""
    db.add(statement)
    await db.flush()
    await erase_translations(db, statement, now=now)
    await append_event(
        db,
        session_id=statement.session_id,
        now=now,
        event=StatementChanged(statement_id=statement.id, state="withdrawn"),
    )
    return True
