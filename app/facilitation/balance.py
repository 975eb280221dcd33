"""Balance: each community's share of turns and words, so facilitators can see, live,
whether one side is doing most of the talking (in the session and in the current item)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import DialogueSession, Seat, SeatRole
from app.events.models import Statement
from app.programmes.models import Community


@dataclass(frozen=True, slots=True)
class _Said:
    seat_id: int
    participant: bool
    community_id: int | None
    agenda_item_id: int | None
    words: int


def _tally(said: Iterable[_Said], communities: list[Community]) -> dict[str, Any]:
    """Turns and words per community. A turn is a run of statements by one seat that nobody
    else (facilitators included) broke into; only participants' turns and words count."""
    turns = {c.id: 0 for c in communities}
    words = {c.id: 0 for c in communities}
    previous: int | None = None
    for s in said:
        community_id = s.community_id if s.participant else None
        if community_id is not None and community_id in turns:
            if s.seat_id != previous:
                turns[community_id] += 1
            words[community_id] += s.words
        previous = s.seat_id
    total_turns, total_words = sum(turns.values()), sum(words.values())
    return {
        "communities": [
            {
                "key": c.key,
                "turns": turns[c.id],
                "words": words[c.id],
                "turn_share": _share(turns[c.id], total_turns),
                "word_share": _share(words[c.id], total_words),
            }
            for c in communities
        ],
        "turns": total_turns,
        "words": total_words,
    }


def _share(part: int, total: int) -> float:
    return round(part / total, 3) if total else 0


async def balance(db: AsyncSession, *, session_id: int, agenda_item_id: int | None) -> dict[str, Any]:
    """Withdrawn statements do not count (their author took them back); hidden ones do
    (they were said, and took up the room's time)."""
    programme_id = select(DialogueSession.programme_id).where(DialogueSession.id == session_id).scalar_subquery()
    communities = list(
        (
            await db.exec(select(Community).where(Community.programme_id == programme_id).order_by(col(Community.id)))
        ).all()
    )
    rows = await db.exec(
        select(Statement.seat_id, Seat.role, Seat.community_id, Statement.agenda_item_id, Statement.text)  # type: ignore[call-overload]
        .join(Seat, col(Seat.id) == col(Statement.seat_id))
        .where(Statement.session_id == session_id, col(Statement.withdrawn_at).is_(None))
        .order_by(col(Statement.seq))
    )
    said = [
        _Said(seat_id, role == SeatRole.participant, community_id, item_id, len(text.split()))
        for seat_id, role, community_id, item_id, text in rows.all()
    ]
    item = None
    if agenda_item_id is not None:
        item = _tally((s for s in said if s.agenda_item_id == agenda_item_id), communities)
    return {"session": _tally(said, communities), "item": item}
