"""Breakouts: groups apart for a while, each in its own room, then back with their reports.

A breakout agenda item opens its groups with `open_breakout` (a caucus per community, mixed
groups that balance the communities, or groups the facilitator drew), each group's room a
child session of the main one (app/facilitation/breakout_rooms.py). People are moved in when
it opens and back when it ends (the facilitator ends it, or its time runs out, or the session
ends); the facilitators move people between groups and place late arrivals meanwhile. When
the groups return, each agreed report (app/facilitation/breakout_reports.py) is posted into
the main room as a statement of its group.

Locks are always taken in one order: the main session (the command's room, by `enter`), then
the groups' rooms in the order of their ids; a command in a group's room also takes the main
session first (app/facilitation/room.py), so two instances never wait on each other in a circle.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import AgendaItem, AgendaKind, DialogueSession, Seat, SeatRole, SeatStatus, SessionStatus
from app.dialogues.schemas import BreakoutSettings
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.log import append_event
from app.events.models import Statement
from app.events.schemas import BreakoutChanged, BroadcastPosted, SessionStatusChanged, StatementPosted
from app.facilitation import audit, breakout_rooms
from app.facilitation.breakout_groups import MAX_GROUPS, Member, Proposed, propose
from app.facilitation.breakout_reports import agreed, agreed_among, present_seat_ids, report_view
from app.facilitation.models import (
    Breakout,
    BreakoutGroup,
    BreakoutPlace,
    BreakoutStatus,
    MessageChannel,
    PrivateMessage,
)
from app.facilitation.room import Room, lock_session
from app.facilitation.views import statement_view
from app.messages import Msg
from app.programmes.models import Community

MAX_MINUTES = 240
MAX_EXTENSION_MINUTES = 120
MAX_BROADCAST_CHARS = 500


# Reading ----------------------------------------------------------------------------------


async def open_breakout_of(db: AsyncSession, *, session_id: int) -> Breakout | None:
    return (
        await db.exec(
            select(Breakout)
            .where(Breakout.session_id == session_id, Breakout.status == BreakoutStatus.open)
            .execution_options(populate_existing=True)
        )
    ).first()


async def groups_of(db: AsyncSession, breakout_id: int) -> list[BreakoutGroup]:
    rows = await db.exec(
        select(BreakoutGroup)
        .where(BreakoutGroup.breakout_id == breakout_id)
        .order_by(col(BreakoutGroup.number))
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


async def _places(db: AsyncSession, breakout_id: int) -> list[BreakoutPlace]:
    rows = await db.exec(
        select(BreakoutPlace)
        .where(BreakoutPlace.breakout_id == breakout_id)
        .order_by(col(BreakoutPlace.id))
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


async def _place_of(db: AsyncSession, breakout_id: int, seat_id: int) -> BreakoutPlace | None:
    query = select(BreakoutPlace).where(BreakoutPlace.breakout_id == breakout_id, BreakoutPlace.seat_id == seat_id)
    return (await db.exec(query)).first()


async def _participants(db: AsyncSession, session_id: int) -> list[Seat]:
    """The admitted participants of the main session, in the room's seat order."""
    rows = await db.exec(
        select(Seat)
        .where(
            Seat.session_id == session_id,
            Seat.role == SeatRole.participant,
            Seat.status == SeatStatus.admitted,
        )
        .order_by(col(Seat.joined_at), col(Seat.id))
    )
    return list(rows.all())


async def breakout_view(db: AsyncSession, breakout: Breakout, *, now: datetime) -> dict[str, Any]:
    """The breakout as every room shows it (ids only: names come from the rooms' seats)."""
    groups = await groups_of(db, breakout.id)
    places = await _places(db, breakout.id)
    communities = {
        c.id: c.key
        for c in (await db.exec(select(Community).where(col(Community.id).in_({g.community_id for g in groups})))).all()
    }
    # While it is open, only people still in the room: someone banned, removed or sent to the
    # lobby meanwhile is in no group any more (their place comes back if they return).
    is_open = breakout.status is BreakoutStatus.open
    here = [s.id for s in await _participants(db, breakout.session_id)] if is_open else []
    placed: dict[int, list[int]] = {}
    for place in places:
        if place.group_id is not None and (not is_open or place.seat_id in here):
            placed.setdefault(place.group_id, []).append(place.seat_id)
    in_groups = {p.seat_id for p in places if p.group_id is not None}
    unplaced = [seat_id for seat_id in here if seat_id not in in_groups]
    return {
        "id": breakout.id,
        "item_id": breakout.agenda_item_id,
        "grouping": breakout.grouping,
        "status": breakout.status.value,
        "opened_at": breakout.opened_at.isoformat(),
        "ends_at": breakout.ends_at.isoformat(),
        "remaining_seconds": round(max(0.0, (breakout.ends_at - now).total_seconds()), 1)
        if breakout.status is BreakoutStatus.open
        else 0.0,
        "groups": [
            {
                "id": g.id,
                "number": g.number,
                "session_id": g.room_id,
                "community": communities.get(g.community_id) if g.community_id else None,
                "seat_ids": placed.get(g.id, []),
            }
            for g in groups
        ],
        "unplaced": unplaced,
    }


async def _tell_all(
    db: AsyncSession, breakout: Breakout, *, action: str, now: datetime, rooms: Sequence[int] | None = None
) -> dict[str, Any]:
    """The breakout as it is now, to the main room and to every group's room."""
    view = await breakout_view(db, breakout, now=now)
    event = BreakoutChanged.model_validate({"action": action, "breakout": view})
    await append_event(db, session_id=breakout.session_id, now=now, event=event)
    for room_id in rooms if rooms is not None else [g["session_id"] for g in view["groups"]]:
        await append_event(db, session_id=room_id, now=now, event=event)
    return view


# Checks -----------------------------------------------------------------------------------


# What a group's room leaves to the main room: the session's status and agenda, and taking a
# seat out of the room (which holds in every group, so it is done once, where it holds).
MAIN_ROOM_ONLY = frozenset(
    {
        "session_start",
        "session_pause",
        "session_resume",
        "session_end",
        "agenda_next",
        "agenda_back",
        "agenda_go",
        "agenda_pause",
        "agenda_resume",
        "agenda_extend",
        "send_to_lobby",
        "remove",
        "ban",
        "lock",
    }
)


def check_group_room(room: Room, command: str) -> None:
    if command in MAIN_ROOM_ONLY:
        _main_room_only(room)


def _main_room_only(room: Room) -> None:
    if room.session.parent_id is not None:
        raise Conflict(Msg("Do this in the main room; it holds in every group."), code="main_room_only")


async def _breakout_item(db: AsyncSession, room: Room, item_id: int) -> tuple[AgendaItem, BreakoutSettings]:
    item = await db.get(AgendaItem, item_id)
    if item is None or item.session_id != room.session_id:
        raise NotFound(Msg("There is no such agenda item in this session."), code="unknown_agenda_item")
    if item.kind is not AgendaKind.breakout:
        raise Conflict(Msg("That agenda item is not a breakout."), code="not_a_breakout")
    if room.run.agenda_item_id != item.id:
        raise Conflict(
            Msg("Move the agenda to this breakout item first; its groups open while it runs."),
            code="not_current_item",
        )
    return item, BreakoutSettings.model_validate(item.settings or {})


async def _this_breakout(db: AsyncSession, room: Room, breakout_id: int) -> Breakout:
    _main_room_only(room)
    breakout = await db.get(Breakout, breakout_id, populate_existing=True)
    if breakout is None or breakout.session_id != room.session_id:
        raise NotFound(Msg("There is no such breakout in this session."), code="unknown_breakout")
    if breakout.status is not BreakoutStatus.open:
        raise Conflict(Msg("The groups have already returned."), code="breakout_ended")
    return breakout


# Proposing and opening --------------------------------------------------------------------


async def _proposal(
    db: AsyncSession, room: Room, settings: BreakoutSettings
) -> tuple[list[Proposed], list[int], list[Seat]]:
    seats = await _participants(db, room.session_id)
    communities = (
        await db.exec(
            select(Community.id)
            .where(Community.programme_id == room.session.programme_id)
            .order_by(col(Community.position), col(Community.id))
        )
    ).all()
    groups, unplaced = propose(
        settings.grouping,
        group_size=settings.group_size,
        members=[Member(seat_id=s.id, community_id=s.community_id) for s in seats],
        communities=list(communities),
    )
    return groups, unplaced, seats


async def _keys(db: AsyncSession, community_ids: set[int | None]) -> dict[int, str]:
    ids = {c for c in community_ids if c is not None}
    if not ids:
        return {}
    return {c.id: c.key for c in (await db.exec(select(Community).where(col(Community.id).in_(ids)))).all()}


async def propose_groups(db: AsyncSession, room: Room, *, item_id: int, now: datetime) -> dict[str, Any]:
    """What `open_breakout` would do without groups: the facilitator adjusts it first."""
    _main_room_only(room)
    _item, settings = await _breakout_item(db, room, item_id)
    groups, unplaced, _seats = await _proposal(db, room, settings)
    keys = await _keys(db, {g.community_id for g in groups})
    return {
        "grouping": settings.grouping,
        "groups": [
            {"community": keys.get(g.community_id) if g.community_id else None, "seat_ids": g.seat_ids} for g in groups
        ],
        "unplaced": unplaced,
    }


def _drawn(groups: Sequence[Sequence[int]], seats: Sequence[Seat], grouping: str) -> list[Proposed]:
    """The facilitator's groups, checked: each non-empty, everyone an admitted participant and
    in one group only. A caucus group whose people share a community is that community's."""
    if not groups:
        raise ValidationFailed(Msg("Draw at least one group."), code="groups_needed")
    if len(groups) > MAX_GROUPS:
        raise ValidationFailed(Msg("At most {n} groups.", n=MAX_GROUPS), code="too_many_groups")
    by_id = {s.id: s for s in seats}
    seen: set[int] = set()
    drawn: list[Proposed] = []
    for members in groups:
        if not members:
            raise ValidationFailed(Msg("A group needs at least one person."), code="empty_group")
        for seat_id in members:
            if seat_id not in by_id:
                raise ValidationFailed(
                    Msg("Seat {seat_id} is not an admitted participant of this session.", seat_id=seat_id),
                    code="unknown_seat",
                )
            if seat_id in seen:
                raise ValidationFailed(
                    Msg("Seat {seat_id} is in two groups; place each person once.", seat_id=seat_id),
                    code="seat_twice",
                )
            seen.add(seat_id)
        shared = {by_id[s].community_id for s in members}
        community = next(iter(shared)) if grouping == "caucus" and len(shared) == 1 else None
        drawn.append(Proposed(community_id=community, seat_ids=list(members)))
    return drawn


async def _group_seat(db: AsyncSession, main: DialogueSession, *, number: int, community_id: int | None) -> Seat:
    """The group's author seat in the main room ("Group N"): the same seat again for the same
    number and community in a later breakout of the session, else a new one."""
    taken = {
        s.pseudonym: s
        for s in (await db.exec(select(Seat).where(Seat.session_id == main.id, Seat.role == SeatRole.group))).all()
    }
    n = number
    while f"Group {n}" in taken:
        seat = taken[f"Group {n}"]
        if seat.community_id == community_id:
            return seat
        n += MAX_GROUPS
    seat = Seat(
        session_id=main.id,
        role=SeatRole.group,
        community_id=community_id,
        display_name=f"Group {number}",
        display_name_key=f"group:{n}",  # never a person's name key
        pseudonym=f"Group {n}",
        status=SeatStatus.left,  # nobody sits in it: it only signs its group's report
        cookie_hash=breakout_rooms.unusable_hash(),
        language="en",
        consent_rules_version=0,
        consent_language="en",
        consented_at=main.created_at,
        joined_at=main.created_at,
    )
    db.add(seat)
    await db.flush()
    return seat


async def open_breakout(
    db: AsyncSession,
    room: Room,
    *,
    item_id: int,
    groups: list[list[int]] | None,
    minutes: int | None,
    now: datetime,
) -> dict[str, Any]:
    """Open the item's groups and move their people in."""
    _main_room_only(room)
    room.require_live(Msg("open the groups"))
    item, settings = await _breakout_item(db, room, item_id)
    if await open_breakout_of(db, session_id=room.session_id) is not None:
        raise Conflict(Msg("The groups are already meeting."), code="breakout_open")
    minutes = item.planned_minutes if minutes is None else minutes
    if not 1 <= minutes <= MAX_MINUTES:
        raise ValidationFailed(Msg("The groups meet for 1 to {n} minutes.", n=MAX_MINUTES), code="bad_minutes")
    proposed, _unplaced, seats = await _proposal(db, room, settings)
    if groups is not None:
        proposed = _drawn(groups, seats, settings.grouping)
    elif settings.grouping == "manual":
        raise ValidationFailed(Msg("Draw the groups: this breakout's groups are made by hand."), code="groups_needed")
    if not proposed:
        raise Conflict(Msg("There is nobody to place in a group yet."), code="nobody_to_place")
    breakout = Breakout(
        session_id=room.session_id,
        agenda_item_id=item.id,
        grouping=settings.grouping,
        keep_transcript=settings.keep_transcript,
        opened_at=now,
        ends_at=now + timedelta(minutes=minutes),
    )
    db.add(breakout)
    await db.flush()
    by_id = {s.id: s for s in seats}
    communities = {
        c.id: c
        for c in (
            await db.exec(select(Community).where(col(Community.id).in_({p.community_id for p in proposed})))
        ).all()
    }
    placed: set[int] = set()
    for number, group in enumerate(proposed, 1):
        community = communities.get(group.community_id) if group.community_id else None
        group_room = await breakout_rooms.open_room(
            db,
            main=room.session,
            number=number,
            community=community,
            keep_transcript=settings.keep_transcript,
            minutes=minutes,
            now=now,
        )
        author = await _group_seat(db, room.session, number=number, community_id=group.community_id)
        row = BreakoutGroup(
            breakout_id=breakout.id,
            number=number,
            room_id=group_room.id,
            community_id=group.community_id,
            seat_id=author.id,
        )
        db.add(row)
        await db.flush()
        for seat_id in group.seat_ids:
            await breakout_rooms.place(db, room_id=group_room.id, main_seat=by_id[seat_id], now=now)
            db.add(BreakoutPlace(breakout_id=breakout.id, seat_id=seat_id, group_id=row.id))
            placed.add(seat_id)
    for seat in seats:
        if seat.id not in placed:
            db.add(BreakoutPlace(breakout_id=breakout.id, seat_id=seat.id, group_id=None))
    await db.flush()
    await audit.record(
        db,
        room,
        "breakout_open",
        now=now,
        details={"breakout_id": breakout.id, "groups": [len(g.seat_ids) for g in proposed], "minutes": minutes},
    )
    for number, group in enumerate(proposed, 1):
        for seat_id in group.seat_ids:
            await audit.record(
                db,
                room,
                "breakout_move",
                now=now,
                target_seat_id=seat_id,
                details={"breakout_id": breakout.id, "group": number},
            )
    return await _tell_all(db, breakout, action="opened", now=now, rooms=[])


# While the groups meet ---------------------------------------------------------------------


async def _lock_rooms(db: AsyncSession, groups: Sequence[BreakoutGroup]) -> None:
    for room_id in sorted(g.room_id for g in groups):
        await lock_session(db, room_id)


async def move(
    db: AsyncSession, room: Room, *, breakout_id: int, seat_id: int, group_id: int | None, now: datetime
) -> dict[str, Any]:
    """Move one person to another group, into one (a late arrival), or back to the main room."""
    breakout = await _this_breakout(db, room, breakout_id)
    groups = await groups_of(db, breakout.id)
    by_id = {g.id: g for g in groups}
    if group_id is not None and group_id not in by_id:
        raise NotFound(Msg("There is no such group in this breakout."), code="unknown_group")
    seat = await db.get(Seat, seat_id, populate_existing=True)
    if (
        seat is None
        or seat.session_id != room.session_id
        or seat.role is not SeatRole.participant
        or seat.status is not SeatStatus.admitted
    ):
        raise NotFound(
            Msg("Seat {seat_id} is not an admitted participant of this session.", seat_id=seat_id), code="unknown_seat"
        )
    place = await _place_of(db, breakout.id, seat_id)
    if place is None:  # admitted after the groups opened
        place = BreakoutPlace(breakout_id=breakout.id, seat_id=seat_id, group_id=None)
    if place.group_id == group_id:
        raise Conflict(Msg("They are already there."), code="already_there")
    await _lock_rooms(db, groups)
    if place.group_id is not None and place.group_id in by_id:
        await breakout_rooms.vacate(db, room_id=by_id[place.group_id].room_id, main_seat_id=seat_id, now=now)
        await _unready(db, by_id[place.group_id], now=now)
    if group_id is not None:
        await breakout_rooms.place(db, room_id=by_id[group_id].room_id, main_seat=seat, now=now)
    place.group_id = group_id
    db.add(place)
    await db.flush()
    await audit.record(
        db,
        room,
        "breakout_move",
        now=now,
        target_seat_id=seat_id,
        details={"breakout_id": breakout.id, "group": by_id[group_id].number if group_id is not None else None},
    )
    return await _tell_all(db, breakout, action="moved", now=now)


async def _unready(db: AsyncSession, group: BreakoutGroup, *, now: datetime) -> None:
    """Someone left the group: the report's agreement is asked again of who is there now."""
    from_seats = set(group.report_ready)
    present = set(await present_seat_ids(db, room_id=group.room_id))
    if from_seats - present:
        group.report_ready = [s for s in group.report_ready if s in present]
        db.add(group)
        await db.flush()


async def extend(db: AsyncSession, room: Room, *, breakout_id: int, minutes: int, now: datetime) -> dict[str, Any]:
    breakout = await _this_breakout(db, room, breakout_id)
    if not 1 <= minutes <= MAX_EXTENSION_MINUTES:
        raise ValidationFailed(
            Msg("Extend by 1 to {max_extension_minutes} minutes.", max_extension_minutes=MAX_EXTENSION_MINUTES),
            code="bad_extension",
        )
    await _lock_rooms(db, await groups_of(db, breakout.id))
    breakout.ends_at = max(breakout.ends_at, now) + timedelta(minutes=minutes)
    db.add(breakout)
    await db.flush()
    await audit.record(db, room, "breakout_extend", now=now, details={"breakout_id": breakout.id, "minutes": minutes})
    return await _tell_all(db, breakout, action="extended", now=now)


async def broadcast(db: AsyncSession, room: Room, *, breakout_id: int, text: str, now: datetime) -> dict[str, Any]:
    """A facilitator's short message, shown in every group's room."""
    breakout = await _this_breakout(db, room, breakout_id)
    text = text.strip()
    if not text:
        raise ValidationFailed(Msg("Write the message first."), code="empty_message")
    groups = await groups_of(db, breakout.id)
    await _lock_rooms(db, groups)
    for group in sorted(groups, key=lambda g: g.room_id):
        message = PrivateMessage(
            session_id=group.room_id, channel=MessageChannel.broadcast, seat_id=room.seat.id, text=text, created_at=now
        )
        db.add(message)
        await db.flush()
        await append_event(
            db, session_id=group.room_id, now=now, event=BroadcastPosted(message_id=message.id, text=text)
        )
    await audit.record(db, room, "breakout_broadcast", now=now, details={"breakout_id": breakout.id})
    return {"sent": len(groups)}


async def glance(db: AsyncSession, room: Room, *, breakout_id: int, now: datetime) -> dict[str, Any]:
    """Every group at a glance, for the console: who is there, how many statements, the report."""
    breakout = await _this_breakout(db, room, breakout_id)
    groups = await groups_of(db, breakout.id)
    result = []
    for group in groups:
        present = await present_seat_ids(db, room_id=group.room_id)
        seats = list((await db.exec(select(Seat).where(col(Seat.id).in_(present)))).all()) if present else []
        # The members among them: placed participants (visitors are there, but do not agree).
        placed_present = sorted(
            s.id for s in seats if s.role is SeatRole.participant and s.status is SeatStatus.admitted
        )
        statements = (
            await db.exec(select(func.count()).select_from(Statement).where(Statement.session_id == group.room_id))
        ).one()
        result.append(
            {
                "group_id": group.id,
                "present": sorted(s.parent_seat_id for s in seats if s.parent_seat_id is not None),
                "statements": int(statements),
                "report": {
                    "written": bool(group.report.strip()),
                    "agreed": agreed_among(group, placed_present),
                    "ready": len([s for s in group.report_ready if s in placed_present]),
                    "present": len(placed_present),
                },
            }
        )
    return {
        "breakout_id": breakout.id,
        "remaining_seconds": round(max(0.0, (breakout.ends_at - now).total_seconds()), 1),
        "groups": result,
    }


# The return -------------------------------------------------------------------------------


async def end(db: AsyncSession, room: Room, *, breakout_id: int, now: datetime) -> dict[str, Any]:
    """The facilitator brings the groups back early (or on time)."""
    breakout = await _this_breakout(db, room, breakout_id)
    view = await close(db, breakout, main=room.session, now=now, actor_seat_id=room.seat.id)
    return view


async def close(
    db: AsyncSession, breakout: Breakout, *, main: DialogueSession, now: datetime, actor_seat_id: int | None
) -> dict[str, Any]:
    """The groups return: each agreed report is posted in the main room as its group's
    statement, the groups' rooms end, and everyone is back in the main room."""
    groups = await groups_of(db, breakout.id)
    await _lock_rooms(db, groups)
    posted = 0
    for group in groups:
        if await agreed(db, group):
            group.report_statement_id = await _post_report(db, main=main, group=group, breakout=breakout, now=now)
            db.add(group)
            posted += 1
    breakout.status, breakout.ended_at = BreakoutStatus.ended, now
    db.add(breakout)
    await db.flush()
    for group in sorted(groups, key=lambda g: g.room_id):
        group_room = await db.get(DialogueSession, group.room_id, populate_existing=True)
        if group_room is not None and group_room.status is not SessionStatus.ended:
            group_room.status, group_room.updated_at = SessionStatus.ended, now
            db.add(group_room)
            await db.flush()
            await append_event(db, session_id=group_room.id, now=now, event=SessionStatusChanged(status="ended"))
    await audit.record_by_seat(
        db,
        session_id=main.id,
        actor_seat_id=actor_seat_id,
        action="breakout_end",
        now=now,
        details={"breakout_id": breakout.id, "reports": posted, "on_time": actor_seat_id is None},
    )
    return await _tell_all(db, breakout, action="ended", now=now)


async def _post_report(
    db: AsyncSession, *, main: DialogueSession, group: BreakoutGroup, breakout: Breakout, now: datetime
) -> int:
    author = await db.get(Seat, group.seat_id)
    assert author is not None
    community = await db.get(Community, author.community_id) if author.community_id else None
    statement = Statement(
        session_id=main.id,
        seat_id=author.id,
        client_id=f"report-{group.id}",
        text=group.report.strip(),
        seq=0,  # the event's number, set below
        created_at=now,
        agenda_item_id=breakout.agenda_item_id,
    )
    db.add(statement)
    await db.flush()
    view = statement_view(statement, author, community)
    event = await append_event(
        db, session_id=main.id, now=now, event=StatementPosted(statement_id=statement.id, statement=view)
    )
    statement.seq = event.seq
    db.add(statement)
    await db.flush()
    return statement.id


async def end_if_due(db: AsyncSession, *, session: DialogueSession, now: datetime) -> bool:
    """The groups' time is up: they return by themselves (under the main session's lock)."""
    breakout = await open_breakout_of(db, session_id=session.id)
    if breakout is None or breakout.ends_at > now:
        return False
    await close(db, breakout, main=session, now=now, actor_seat_id=None)
    return True


async def due(db: AsyncSession, *, session_id: int, now: datetime) -> bool:
    """Whether a tick has a breakout to end (read without locking)."""
    ends_at = (
        await db.exec(
            select(Breakout.ends_at).where(Breakout.session_id == session_id, Breakout.status == BreakoutStatus.open)
        )
    ).first()
    return ends_at is not None and ends_at <= now


async def close_open(db: AsyncSession, *, session: DialogueSession, now: datetime, actor_seat_id: int) -> None:
    """The session ends, or its agenda moves on, while its groups meet: they return first,
    with their reports."""
    breakout = await open_breakout_of(db, session_id=session.id)
    if breakout is not None:
        await close(db, breakout, main=session, now=now, actor_seat_id=actor_seat_id)


# What a room's welcome shows of a breakout --------------------------------------------------


async def welcome_parts(
    db: AsyncSession, *, session: DialogueSession, seat: Seat, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(state, you) additions of the welcome frame. The main room: the open breakout, and the
    group room the seat is placed in. A group's room: its breakout and group, with the report."""
    if session.parent_id is None:
        breakout = await open_breakout_of(db, session_id=session.id)
        view = await breakout_view(db, breakout, now=now) if breakout is not None else None
        mine = next((g["session_id"] for g in view["groups"] if seat.id in g["seat_ids"]), None) if view else None
        return {"breakout": view}, {"group_session_id": mine}
    found = await breakout_rooms.open_group_of(db, session)
    row = (
        await db.exec(
            select(Breakout, BreakoutGroup)
            .join(BreakoutGroup, col(BreakoutGroup.breakout_id) == col(Breakout.id))
            .where(BreakoutGroup.room_id == session.id)
        )
    ).first()
    breakout, group = found if found is not None else (row if row is not None else (None, None))
    if breakout is None or group is None:
        return {"breakout": None, "group": None}, {"main_seat_id": seat.parent_seat_id}
    keys = await _keys(db, {group.community_id})
    return (
        {
            "breakout": await breakout_view(db, breakout, now=now),
            "group": {
                "id": group.id,
                "number": group.number,
                "community": keys.get(group.community_id) if group.community_id else None,
                "main_session_id": session.parent_id,
                "report": await report_view(db, group),
            },
        },
        {"main_seat_id": seat.parent_seat_id},
    )


async def seat_left(db: AsyncSession, *, main_seat: Seat, now: datetime) -> None:
    """Someone placed in a group was sent to the lobby, removed or banned in the main room:
    they are in no group any more (admitted again, a facilitator places them), and every room
    sees the groups as they are now."""
    breakout = await open_breakout_of(db, session_id=main_seat.session_id)
    if breakout is None:
        return
    place = await _place_of(db, breakout.id, main_seat.id)
    if place is None or place.group_id is None:
        return
    place.group_id = None
    db.add(place)
    await db.flush()
    await _tell_all(db, breakout, action="moved", now=now)


async def seat_arrived(db: AsyncSession, *, main_seat: Seat, now: datetime) -> None:
    """A participant admitted while the groups meet waits unplaced in the main room: every room
    sees the breakout with them among the unplaced, for a facilitator to place them."""
    if main_seat.role is not SeatRole.participant:
        return
    breakout = await open_breakout_of(db, session_id=main_seat.session_id)
    if breakout is not None:
        await _tell_all(db, breakout, action="arrived", now=now)
