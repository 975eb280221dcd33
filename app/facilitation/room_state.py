"""The room as a newcomer must see it, rebuilt from the database so any instance can serve it."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import DialogueSession, Seat
from app.events.log import last_seq
from app.facilitation.presence import present_seats


async def room_state(db: AsyncSession, *, session: DialogueSession, seat: Seat) -> dict:
    """State as of the returned last_seq. The agenda runner, floor, queue and mutes come
    with facilitation; until then they are empty."""
    return {
        "type": "welcome",
        "last_seq": await last_seq(db, session_id=session.id),  # type: ignore[arg-type]
        "state": {
            "session_id": session.id,
            "title": session.title,
            "status": session.status.value,
            "show_communities": session.show_communities,
            "speaking_mode": session.speaking_mode.value,
            "agenda_item": None,
            "present": await present_seats(db, session_id=session.id),  # type: ignore[arg-type]
            "floor": None,
            "queue": [],
        },
        "you": {"seat_id": seat.id, "display_name": seat.display_name, "role": seat.role.value, "muted": False},
    }
