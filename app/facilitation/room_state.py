"""The room as a newcomer must see it, rebuilt from the database so any instance can serve it
(also after a restart): the agenda and its clock, the floor and queue, a running round,
polls, room settings, who is present and who is muted; the programme's languages and the
session's texts in all of them (the browser picks the reader's)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.agenda import agenda_of
from app.dialogues.content import languages_of
from app.dialogues.models import DialogueSession, Seat
from app.events.log import last_seq
from app.events.models import RoomEvent
from app.facilitation import agenda_runner, breakouts, floor, polls, rounds
from app.facilitation.models import HandRaise
from app.facilitation.presence import present_seats
from app.facilitation.room import is_facilitator, now_iso, peek_run


async def room_state(db: AsyncSession, *, session: DialogueSession, seat: Seat, now: datetime) -> dict:
    """State as of the returned last_seq (read in the same transaction)."""
    session_id: int = session.id
    seq = await last_seq(db, session_id=session_id)
    run = await peek_run(db, session_id)
    items = await agenda_of(db, session_id=session_id)
    muted = (await db.exec(select(Seat).where(Seat.session_id == session_id, Seat.muted == True))).all()  # noqa: E712
    breakout_state, breakout_you = await breakouts.welcome_parts(db, session=session, seat=seat, now=now)
    hand = (
        await db.exec(select(HandRaise.id).where(HandRaise.session_id == session_id, HandRaise.seat_id == seat.id))
    ).first()
    return {
        "type": "welcome",
        "last_seq": seq,
        "state": {
            "session_id": session_id,
            # The programme's languages, in order: the browser picks each text's language
            # from them as the server does (app/programmes/texts.py: pick).
            "languages": await languages_of(db, session=session),
            # The session's texts, as maps {language: text}.
            "title": dict(session.title),
            "lobby_message": dict(session.lobby_message or {}),
            "pause_message": dict(session.pause_message or {}),
            # While paused, the reason the facilitator gave (the pausing event's), for everyone.
            "pause_reason": await _pause_reason(db, session) if session.status.value == "paused" else None,
            "status": session.status.value,
            "show_communities": session.show_communities,
            "speaking_mode": session.speaking_mode.value,
            "agenda": agenda_runner.agenda_view(await agenda_runner.current_item(db, run), run, now, count=len(items)),
            "agenda_items": agenda_runner.items_view(items),
            "present": await present_seats(db, session_id=session_id),
            "floor": await floor.current_view(db, session_id=session_id, run=run),
            "round": await rounds.current_view(db, session_id=session_id),
            "polls": await polls.views_for(
                db,
                session_id=session_id,
                seat_id=seat.id,
                facilitator=is_facilitator(seat),
            ),
            "slow_mode_seconds": run.slow_mode_seconds,
            "locked": run.locked,
            "muted": [s.id for s in muted if s.is_muted(now)],
            # A breakout: the main room's open one, or a group room's own (app/facilitation/breakouts.py).
            **breakout_state,
        },
        "you": {
            "seat_id": seat.id,
            "display_name": seat.display_name,
            "role": seat.role.value,
            "muted": seat.is_muted(now),
            "muted_until": now_iso(seat.muted_until) if seat.is_muted(now) else None,
            "hand_raised": hand is not None,
            **breakout_you,
        },
    }


async def _pause_reason(db: AsyncSession, session: DialogueSession) -> str | None:
    payload = (
        await db.exec(
            select(RoomEvent.payload)
            .where(RoomEvent.session_id == session.id, RoomEvent.type == "session_status")
            .order_by(col(RoomEvent.seq).desc())
            .limit(1)
        )
    ).first()
    reason = (payload or {}).get("reason")
    return reason if isinstance(reason, str) and reason else None
