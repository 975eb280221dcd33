"""The room's event contract (app/events/schemas.py): every event is a model made where it
is produced, the log keeps no words, and a frame read back from the log is the frame that
went out live."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from app.dialogues.models import Seat
from app.events.log import append_event, read_events
from app.events.models import RoomEvent
from app.events.schemas import (
    ROOM_EVENT_FRAMES,
    ROOM_EVENT_TYPES,
    ROOM_EVENTS,
    ModerationNotice,
    RoomSettingsChanged,
    SessionStatusChanged,
    StatementPosted,
)
from app.facilitation.views import hydrate
from app.live.protocol import SERVER_FRAMES, TRANSPORT_FRAMES
from tests.factories import InRoom

ROOT = Path(__file__).resolve().parents[2]


def test_every_event_type_has_one_model_and_the_protocol_accepts_it() -> None:
    assert len(ROOM_EVENT_TYPES) == len(set(ROOM_EVENT_TYPES)), "one model per event type"
    assert len(ROOM_EVENT_FRAMES) == len(ROOM_EVENTS)
    transport = {t for frame in TRANSPORT_FRAMES for t in frame.model_fields["type"].annotation.__args__}  # type: ignore[union-attr]
    assert not transport & set(ROOM_EVENT_TYPES), "a room event and a transport frame share a type"
    for kind in ROOM_EVENT_TYPES:
        with pytest.raises(ValidationError):  # a frame without its fields is refused, whatever its type
            SERVER_FRAMES.validate_python({"type": kind, "seq": 1, "at": "2026-01-01T00:00:00+00:00", "bogus": 1})


def test_every_event_type_is_documented_in_the_protocol() -> None:
    protocol = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_]+)`", protocol))
    assert set(ROOM_EVENT_TYPES) <= documented, sorted(set(ROOM_EVENT_TYPES) - documented)


def test_an_event_is_checked_where_it_is_made() -> None:
    with pytest.raises(ValidationError):
        RoomSettingsChanged(slow_mode_seconds="soon", locked=False)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        SessionStatusChanged(status="live", colour="red")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        ModerationNotice(action="muted", seat_id=1)  # type: ignore[call-arg]  # the reason must be said, even if None


def test_a_moment_goes_out_as_the_room_has_always_sent_it() -> None:
    event = ModerationNotice.model_validate(
        {"action": "muted", "seat_id": 3, "reason": None, "until": "2026-05-01T10:00:00+00:00"}
    )
    assert event.stored_payload()["until"] == "2026-05-01T10:00:00+00:00"


def test_the_log_never_keeps_a_joined_field() -> None:
    for model in ROOM_EVENTS:
        assert "type" not in model.JOINED
        assert model.JOINED <= set(model.model_fields), model.__name__
    assert StatementPosted.JOINED == {"statement"}


async def _stored(room: InRoom, kind: str) -> tuple[RoomEvent, dict[str, Any]]:
    async with room.app.state.db.unit_of_work() as db:
        events = [e for e in await read_events(db, session_id=room.session_id, after=0) if e.type == kind]
        frames = await hydrate(db, events)
    return events[-1], frames[-1]


async def test_a_statement_read_back_from_the_log_is_the_frame_that_went_out(room: InRoom) -> None:
    published: list[Any] = []
    previous = room.app.state.db.publisher

    async def keep(items: list[Any]) -> None:
        published.extend(items)
        if previous is not None:
            await previous(items)

    room.app.state.db.publisher = keep
    try:
        await room.say(room.people["nigar"], "Words that live in their own table.")
        await room.act(room.facilitator, "check_in", seat_id=room.people["ani"].seat_id, text="A private word.")
    finally:
        room.app.state.db.publisher = previous
    live = {p.frame["type"]: p.frame for p in published}

    stored, read_back = await _stored(room, "statement")
    assert "text" not in str(stored.payload) and set(stored.payload) == {"statement_id"}
    assert read_back == live["statement"]
    assert read_back["statement"]["text"] == "Words that live in their own table."

    stored, read_back = await _stored(room, "private_message")
    assert "message" not in stored.payload and "A private word." not in str(stored.payload)
    assert read_back == live["private_message"]


async def test_a_rolled_back_event_is_never_published(room: InRoom) -> None:
    published: list[Any] = []
    previous = room.app.state.db.publisher

    async def keep(items: list[Any]) -> None:
        published.extend(items)

    room.app.state.db.publisher = keep
    try:
        with pytest.raises(RuntimeError):
            async with room.app.state.db.unit_of_work() as db:
                await append_event(
                    db, session_id=room.session_id, now=room.clock.now(), event=SessionStatusChanged(status="live")
                )
                raise RuntimeError("the work fails after the append")
        async with room.app.state.db.unit_of_work() as db:
            seat = await db.get(Seat, room.people["nigar"].seat_id)
            assert seat is not None
            try:
                async with db.begin_nested():
                    await append_event(
                        db,
                        session_id=room.session_id,
                        now=room.clock.now(),
                        event=SessionStatusChanged(status="paused"),
                    )
                    raise RuntimeError("a savepoint rolls back")
            except RuntimeError:
                pass
            await append_event(
                db,
                session_id=room.session_id,
                now=room.clock.now(),
                event=SessionStatusChanged(status="live", reason=None),
            )
    finally:
        room.app.state.db.publisher = previous
    assert [p.frame["status"] for p in published] == ["live"], "only the committed event goes out"
