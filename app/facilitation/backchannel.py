"""Private words: the facilitators' back-channel, and check-ins between the facilitators
and one participant. Neither is ever shown to the room or put in a transcript."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import SeatRole, SeatStatus
from app.errors import Conflict, PermissionDenied, ValidationFailed
from app.events.log import append_event
from app.events.schemas import PrivateMessagePosted
from app.facilitation.models import MessageChannel, PrivateMessage
from app.facilitation.room import Room, is_facilitator, seat_in
from app.facilitation.statements import statement_text
from app.facilitation.views import message_view
from app.messages import Msg


async def _post(
    db: AsyncSession, room: Room, *, channel: MessageChannel, about: int | None, text: str, audience: str, now: datetime
) -> dict:
    text = text.strip()
    if not text:
        raise ValidationFailed(Msg("A message cannot be empty."), code="empty_message")
    text = statement_text(text, what=Msg("message"))  # no hidden direction controls, nothing invisible
    message = PrivateMessage(
        session_id=room.session_id,
        channel=channel,
        seat_id=room.seat.id,
        about_seat_id=about,
        text=text,
        created_at=now,
    )
    db.add(message)
    await db.flush()
    await append_event(
        db,
        session_id=room.session_id,
        now=now,
        audience=audience,
        event=PrivateMessagePosted(
            message_id=message.id,
            channel="check_in" if channel is MessageChannel.check_in else "backchannel",
            about_seat_id=about,
            message=message_view(message, room.seat),
        ),
    )
    return {"message_id": message.id}


async def backchannel(db: AsyncSession, room: Room, *, text: str, now: datetime) -> dict:
    if not room.is_facilitator:
        raise PermissionDenied(Msg("The back-channel is for the session's facilitators."), code="facilitators_only")
    return await _post(
        db, room, channel=MessageChannel.backchannel, about=None, text=text, audience="facilitators", now=now
    )


async def check_in(db: AsyncSession, room: Room, *, seat_id: int | None, text: str, now: datetime) -> dict:
    """A facilitator writes to one participant; a participant writes back to the facilitators."""
    if room.is_facilitator:
        if seat_id is None:
            raise ValidationFailed(Msg("Say whom the check-in is for (seat_id)."), code="seat_required")
        target = await seat_in(db, room, seat_id)
        if is_facilitator(target) or target.role is SeatRole.observer:
            raise Conflict(Msg("Check-ins are for participants."), code="not_a_participant")
        if target.status not in (SeatStatus.admitted, SeatStatus.lobby):
            raise Conflict(Msg("That person is not in the session now."), code="not_in_room")
        about = seat_id
    else:
        if seat_id is not None and seat_id != room.seat.id:
            raise PermissionDenied(Msg("Participants write to the facilitators only."), code="facilitators_only")
        about = room.seat.id
    return await _post(
        db, room, channel=MessageChannel.check_in, about=about, text=text, audience=f"seat:{about}", now=now
    )
