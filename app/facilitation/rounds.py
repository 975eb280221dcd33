"""Go-around rounds: each participant in turn holds the talking piece for a set time."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import zip_longest
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import Seat, SeatRole, SeatStatus
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.log import append_event
from app.events.schemas import RoundChanged
from app.facilitation import audit
from app.facilitation.agenda_runner import current_item
from app.facilitation.floor import MAX_TURN_SECONDS, MIN_TURN_SECONDS, turn_clock, warn_speaker
from app.facilitation.models import Round, RoundStatus, RoundTurn, TurnOutcome
from app.facilitation.room import Room, now_iso, seat_in
from app.messages import Msg

DEFAULT_TURN_SECONDS = 120
PENDING = TurnOutcome.pending


# Reading -------------------------------------------------------------------------------


async def active_round(db: AsyncSession, *, session_id: int) -> Round | None:
    """The session's running round; at most one runs at a time."""
    query = select(Round).where(Round.session_id == session_id, Round.status == RoundStatus.active)
    return (await db.exec(query.execution_options(populate_existing=True))).first()


async def turns_of(db: AsyncSession, round_id: int) -> list[RoundTurn]:
    rows = await db.exec(
        select(RoundTurn).where(RoundTurn.round_id == round_id).order_by(col(RoundTurn.position), col(RoundTurn.id))
    )
    return list(rows.all())


def current_turn(turns: list[RoundTurn]) -> RoundTurn | None:
    """Who holds the talking piece: the first turn still to come (turns in position order)."""
    return next((t for t in turns if t.outcome == PENDING), None)


def round_view(rnd: Round, turns: list[RoundTurn]) -> dict[str, Any]:
    turn = current_turn(turns) if rnd.status == RoundStatus.active else None
    started = rnd.turn_started_at if turn is not None else None
    return {
        "id": rnd.id,
        "number": rnd.number,
        "prompt": dict(rnd.prompt or {}),  # Texts: {language: text}
        "turn_seconds": rnd.turn_seconds,
        "status": rnd.status.value,
        "agenda_item_id": rnd.agenda_item_id,
        "current_seat_id": turn.seat_id if turn else None,
        "turn_started_at": now_iso(started),
        "turn_ends_at": now_iso(started + timedelta(seconds=rnd.turn_seconds) if started else None),
        "turns": [
            {"seat_id": t.seat_id, "position": t.position, "outcome": t.outcome.value, "deferred": t.deferred}
            for t in sorted(turns, key=lambda t: t.position)
        ],
    }


async def current_view(db: AsyncSession, *, session_id: int) -> dict[str, Any] | None:
    """The running round as a newcomer must see it; None when no round runs."""
    rnd = await active_round(db, session_id=session_id)
    return None if rnd is None else round_view(rnd, await turns_of(db, rnd.id))


# Who speaks, in which order ------------------------------------------------------------


async def participants(db: AsyncSession, session_id: int, now: datetime) -> list[Seat]:
    """Who goes around: participants in the room (facilitators and observers hold the circle),
    except the muted, who could not use their turn."""
    rows = await db.exec(
        select(Seat).where(
            Seat.session_id == session_id, Seat.status == SeatStatus.admitted, Seat.role == SeatRole.participant
        )
    )
    return sorted((s for s in rows.all() if not s.is_muted(now)), key=lambda s: (s.admitted_at or s.joined_at, s.id))


def alternating(seats: list[Seat], number: int) -> list[int]:
    """Communities take turns, and the one that opens rotates with the round number, so no
    side always speaks first. Seats come in the order they were admitted."""
    groups: dict[int, list[int]] = {}
    for seat in seats:
        groups.setdefault(seat.community_id or 0, []).append(seat.id)
    keys = sorted(groups)
    shift = (number - 1) % len(keys)
    columns = [groups[k] for k in keys[shift:] + keys[:shift]]
    return [seat_id for row in zip_longest(*columns) for seat_id in row if seat_id is not None]


def _check_order(order: list[int], allowed: set[int], *, complete: bool) -> list[int]:
    """A facilitator's order names each allowed seat at most once (all of them when `complete`)."""
    if not order:
        raise ValidationFailed(Msg("The order names nobody; list at least one participant."), code="bad_order")
    seen: set[int] = set()
    for seat_id in order:
        if seat_id in seen:
            raise ValidationFailed(Msg("Seat {seat_id} appears twice in the order.", seat_id=seat_id), code="bad_order")
        if seat_id not in allowed:
            where = Msg("still to speak in this round") if complete else Msg("a participant in the room who may speak")
            raise ValidationFailed(
                Msg("Seat {seat_id} is not {where}.", seat_id=seat_id, where=where), code="bad_order"
            )
        seen.add(seat_id)
    missing = sorted(allowed - seen) if complete else []
    if missing:
        raise ValidationFailed(
            Msg(
                "The order leaves out seat(s) {seats}; it must name everyone still to speak.",
                seats=", ".join(map(str, missing)),
            ),
            code="bad_order",
        )
    return order


def _renumber(db: AsyncSession, turns: list[RoundTurn]) -> None:
    for position, turn in enumerate(turns, start=1):
        turn.position = position
        db.add(turn)


# Changing the round --------------------------------------------------------------------


def _finish(db: AsyncSession, turn: RoundTurn, outcome: TurnOutcome, now: datetime) -> TurnOutcome:
    """End a turn. Whoever posted a statement spoke, however their turn ended."""
    turn.outcome = TurnOutcome.spoke if turn.spoke else outcome
    turn.ended_at = now
    db.add(turn)
    return turn.outcome


async def _changed(db: AsyncSession, rnd: Round, *, was: int | None, action: str, now: datetime) -> dict[str, Any]:
    """Store a change and tell the room in one `round_changed` event. A turn that became
    current (any turn, when `was` is None) starts its clock; with nobody left, the round ends."""
    await db.flush()
    turns = await turns_of(db, rnd.id)
    turn = current_turn(turns)
    if rnd.status == RoundStatus.active:
        if turn is None:
            rnd.status, rnd.ended_at, rnd.turn_started_at, action = RoundStatus.ended, now, None, "ended"
        elif turn.id != was:
            rnd.turn_started_at, rnd.turn_warned = now, False
    db.add(rnd)
    await db.flush()
    view = round_view(rnd, turns)
    await append_event(db, session_id=rnd.session_id, now=now, event=RoundChanged(action=action, round=view))
    return view


async def _the_round(db: AsyncSession, room: Room, round_id: int) -> tuple[Round, list[RoundTurn]]:
    """The round a command names, which must be this session's running one (a stale click
    on an ended round is refused, not applied to the next)."""
    rnd = await db.get(Round, round_id, populate_existing=True)
    if rnd is None or rnd.session_id != room.session_id:
        raise NotFound(Msg("There is no such round in this session."), code="unknown_round")
    if rnd.status != RoundStatus.active:
        raise Conflict(Msg("That round has already ended."), code="round_not_active")
    return rnd, await turns_of(db, round_id)


def _wait_message(turns: list[RoundTurn], seat_id: int) -> str:
    mine = next((t for t in turns if t.seat_id == seat_id), None)
    if mine is None:
        return Msg("A round is under way and you are not part of it; you can speak again when it ends.")
    if mine.outcome == PENDING:
        return Msg("A round is under way; please wait for your turn.")
    return Msg("Your turn in this round is over; you can speak again when it ends.")


def _speaker(turns: list[RoundTurn], seat_id: int) -> RoundTurn:
    """Only the one holding the talking piece may speak, finish or pass."""
    turn = current_turn(turns)
    if turn is None or turn.seat_id != seat_id:
        raise Conflict(_wait_message(turns, seat_id), code="not_your_turn")
    return turn


def refuse_turn(turns: list[RoundTurn], seat_id: int) -> None:
    """Refused (saying whose turn it is, or when theirs comes) unless `seat_id` holds the turn."""
    _speaker(turns, seat_id)


async def _skip(
    db: AsyncSession, rnd: Round, turns: list[RoundTurn], seat_id: int, now: datetime
) -> dict[str, Any] | None:
    """Pass over a turn still to come (None when there is none); if it was current, the next begins."""
    turn = next((t for t in turns if t.seat_id == seat_id and t.outcome == PENDING), None)
    if turn is None:
        return None
    was = current_turn(turns)
    _finish(db, turn, TurnOutcome.skipped, now)
    return await _changed(db, rnd, was=was.id if was else None, action="skipped", now=now)


async def start(
    db: AsyncSession, room: Room, *, order: list[int] | None, turn_seconds: int | None, now: datetime
) -> dict[str, Any]:
    """Go around on the current agenda item's prompt; the first speaker's clock starts now."""
    room.require_live(Msg("start a round"))
    if await active_round(db, session_id=room.session_id) is not None:
        raise Conflict(Msg("A round is already running; end it before starting another."), code="round_active")
    seconds = DEFAULT_TURN_SECONDS if turn_seconds is None else turn_seconds
    if not MIN_TURN_SECONDS <= seconds <= MAX_TURN_SECONDS:
        raise ValidationFailed(
            Msg(
                "A turn lasts {min_turn_seconds} seconds to {max_minutes} minutes.",
                min_turn_seconds=MIN_TURN_SECONDS,
                max_minutes=MAX_TURN_SECONDS // 60,
            ),
            code="bad_turn_length",
        )
    seats = await participants(db, room.session_id, now)
    if not seats:
        raise Conflict(Msg("No participant is in the room, so there is nobody to go around."), code="no_participants")
    held = (await db.exec(select(func.count()).select_from(Round).where(Round.session_id == room.session_id))).one()
    number = held + 1
    allowed: set[int] = {s.id for s in seats}
    seat_ids = alternating(seats, number) if order is None else _check_order(order, allowed, complete=False)
    item = await current_item(db, room.run)
    rnd = Round(
        session_id=room.session_id,
        agenda_item_id=item.id if item else None,
        number=number,
        prompt=dict(item.prompt) if item else {},  # the item's prompt in every language, as it was
        turn_seconds=seconds,
        started_at=now,
    )
    db.add(rnd)
    await db.flush()
    db.add_all(
        [
            RoundTurn(round_id=rnd.id, seat_id=seat_id, position=position)
            for position, seat_id in enumerate(seat_ids, start=1)
        ]
    )
    await audit.record(
        db,
        room,
        "round_start",
        now=now,
        details={"round_id": rnd.id, "number": number, "order": seat_ids, "turn_seconds": seconds},
    )
    return await _changed(db, rnd, was=None, action="start", now=now)


async def reorder(db: AsyncSession, room: Room, *, round_id: int, order: list[int], now: datetime) -> dict[str, Any]:
    """A new order for those still to speak; the speaker keeps their clock if they stay first."""
    room.require_live(Msg("reorder the round"))
    rnd, turns = await _the_round(db, room, round_id)
    was = current_turn(turns)
    pending = {t.seat_id: t for t in turns if t.outcome == PENDING}
    _check_order(order, set(pending), complete=True)
    _renumber(db, [t for t in turns if t.outcome != PENDING] + [pending[s] for s in order])
    await audit.record(db, room, "round_reorder", now=now, details={"round_id": round_id, "order": order})
    return await _changed(db, rnd, was=was.id if was else None, action="reordered", now=now)


async def skip(db: AsyncSession, room: Room, *, round_id: int, seat_id: int, now: datetime) -> dict[str, Any]:
    """Pass someone over (away, not ready); if it was their turn, the next begins."""
    room.require_live(Msg("skip a turn"))
    rnd, turns = await _the_round(db, room, round_id)
    await seat_in(db, room, seat_id)
    view = await _skip(db, rnd, turns, seat_id, now)
    if view is None:
        raise Conflict(Msg("That person has no turn still to come in this round."), code="not_pending")
    await audit.record(db, room, "round_skip", target_seat_id=seat_id, now=now, details={"round_id": round_id})
    return view


async def next_turn(db: AsyncSession, room: Room, *, round_id: int, now: datetime) -> dict[str, Any]:
    """A facilitator hands the talking piece on (the speaker forgot to, or went on too long)."""
    room.require_live(Msg("move the round on"))
    rnd, turns = await _the_round(db, room, round_id)
    turn = current_turn(turns)
    if turn is None:  # nobody left (cannot normally happen): the round is over
        return await _close(db, rnd, now)
    _finish(db, turn, TurnOutcome.passed, now)
    await audit.record(db, room, "round_next", target_seat_id=turn.seat_id, now=now, details={"round_id": round_id})
    return await _changed(db, rnd, was=turn.id, action="next", now=now)


async def _close(db: AsyncSession, rnd: Round, now: datetime) -> dict[str, Any]:
    """End the round early. Turns never reached stay pending, so the record shows who was not heard."""
    turn = current_turn(await turns_of(db, rnd.id))
    if turn is not None and turn.spoke:
        _finish(db, turn, TurnOutcome.spoke, now)
    rnd.status, rnd.ended_at, rnd.turn_started_at = RoundStatus.ended, now, None
    return await _changed(db, rnd, was=None, action="ended", now=now)


async def end(db: AsyncSession, room: Room, *, round_id: int, now: datetime) -> dict[str, Any]:
    """A facilitator closes the round early (allowed while paused, to tidy up)."""
    rnd, _ = await _the_round(db, room, round_id)
    await audit.record(db, room, "round_end", now=now, details={"round_id": round_id})
    return await _close(db, rnd, now)


async def done(db: AsyncSession, room: Room, *, round_id: int, now: datetime) -> dict[str, Any]:
    """The speaker hands the talking piece on; without a statement that counts as a pass."""
    room.require_live(Msg("finish your turn"))
    rnd, turns = await _the_round(db, room, round_id)
    turn = _speaker(turns, room.seat.id)
    outcome = _finish(db, turn, TurnOutcome.passed, now)
    return await _changed(db, rnd, was=turn.id, action=outcome.value, now=now)


async def pass_turn(db: AsyncSession, room: Room, *, round_id: int, for_now: bool, now: datetime) -> dict[str, Any]:
    """Pass, or pass for now: go to the end and be asked again after the others. With nobody
    left to wait for, passing for now is a pass; the result's `counted_as_pass` says so."""
    room.require_live(Msg("pass"))
    rnd, turns = await _the_round(db, room, round_id)
    turn = _speaker(turns, room.seat.id)
    others = [t for t in turns if t.outcome == PENDING and t.id != turn.id]
    if for_now and others:
        turn.deferred += 1
        _renumber(db, [t for t in turns if t.id != turn.id] + [turn])
        view = await _changed(db, rnd, was=turn.id, action="passed_for_now", now=now)
        return {**view, "counted_as_pass": False}
    _finish(db, turn, TurnOutcome.passed, now)
    return {**await _changed(db, rnd, was=turn.id, action="passed", now=now), "counted_as_pass": for_now}


# Hooks for statements, moderation and the room's clock ---------------------------------


async def may_speak(db: AsyncSession, room: Room) -> bool:
    """During a round only the speaker posts statements (facilitators always may).
    True when a round is running, and so decides who speaks instead of the floor."""
    rnd = await active_round(db, session_id=room.session_id)
    if rnd is None:
        return False
    if not room.is_facilitator:
        _speaker(await turns_of(db, rnd.id), room.seat.id)
    return True


async def note_statement(db: AsyncSession, room: Room, *, now: datetime) -> None:
    """The speaker posted, so their turn counts as spoken however it ends (no event: the
    statement itself is the news)."""
    query = (
        select(RoundTurn)
        .join(Round, col(Round.id) == col(RoundTurn.round_id))
        .where(Round.session_id == room.session_id, Round.status == RoundStatus.active, RoundTurn.outcome == PENDING)
        .order_by(col(RoundTurn.position), col(RoundTurn.id))
        .limit(1)
    )
    turn = (await db.exec(query)).first()
    if turn is not None and turn.seat_id == room.seat.id and not turn.spoke:
        turn.spoke = True
        db.add(turn)
        await db.flush()


async def check_due(db: AsyncSession, *, session_id: int, now: datetime) -> bool:
    """The turn clock (called under the session lock while it is live): warn the speaker
    once, then end the turn and hand the talking piece on. True when anything changed."""
    rnd = await active_round(db, session_id=session_id)
    if rnd is None or rnd.turn_started_at is None:
        return False
    turns = await turns_of(db, rnd.id)
    turn = current_turn(turns)
    if turn is None:
        return False
    due, left = turn_clock(rnd.turn_started_at, rnd.turn_seconds, rnd.turn_warned, now)
    if due == "end":
        _finish(db, turn, TurnOutcome.timed_out, now)
        await _changed(db, rnd, was=turn.id, action="timed_out", now=now)
        return True
    if due == "warn":
        rnd.turn_warned = True
        db.add(rnd)
        await db.flush()
        await warn_speaker(db, session_id=session_id, seat_id=turn.seat_id, seconds_left=left, now=now)
        return True
    return False


async def restart_turn(db: AsyncSession, *, session_id: int, now: datetime) -> None:
    """After a pause the speaker's clock starts afresh: the pause was nobody's turn."""
    rnd = await active_round(db, session_id=session_id)
    if rnd is not None:
        await _changed(db, rnd, was=None, action="resumed", now=now)


async def drop_seat(db: AsyncSession, *, session_id: int, seat_id: int, now: datetime) -> None:
    """Someone left the room: their turn still to come is skipped; if it was theirs, the next begins."""
    rnd = await active_round(db, session_id=session_id)
    if rnd is not None:
        await _skip(db, rnd, await turns_of(db, rnd.id), seat_id, now)


async def close_active(db: AsyncSession, *, session_id: int, now: datetime) -> None:
    """The session ended, and its round with it."""
    rnd = await active_round(db, session_id=session_id)
    if rnd is not None:
        await _close(db, rnd, now)
