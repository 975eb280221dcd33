"""Live polls: a facilitator asks a question, the room answers, the results show at close.

Anonymity is a safety property here, not a display choice: for an anonymous poll nothing
that leaves this module (events, views, return values, the audit log) says which seat
chose what. Facilitators only learn how many have answered while the poll is open.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.content import languages_of, new_texts
from app.dialogues.models import AgendaKind, Seat, SeatRole
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.log import append_event
from app.events.schemas import PollChanged, PollProgress
from app.facilitation import audit
from app.facilitation.agenda_runner import current_item
from app.facilitation.models import Poll, PollAnswer, PollStatus
from app.facilitation.room import Room, now_iso
from app.messages import Msg
from app.programmes.texts import Texts, cleaned, texts_of

MIN_OPTIONS, MAX_OPTIONS = 2, 10
# Facilitator accounts run the poll and observers only watch; co-facilitators are part of the dialogue.
ANSWERING_ROLES = (SeatRole.participant, SeatRole.co_facilitator)


# Views --------------------------------------------------------------------------------------


def poll_view(poll: Poll, answers: list[tuple[PollAnswer, str]]) -> dict[str, Any]:
    """The poll as everyone may see it. `answers` pairs each answer with its seat's display
    name; names are used only for a closed, non-anonymous poll."""
    results = None
    if poll.status is PollStatus.closed:
        counts = [0] * len(poll.options)
        for answer, _name in answers:
            for choice in answer.choices:
                counts[choice] += 1
        results = {"counts": counts, "voters": len(answers)}
        if not poll.anonymous:
            results["by_option"] = [
                sorted(name for answer, name in answers if index in answer.choices)
                for index in range(len(poll.options))
            ]
    return {
        "id": poll.id,
        "question": dict(poll.question),  # Texts: {language: text}; the browser picks the reader's
        "options": [dict(option) for option in poll.options],
        "multiple": poll.multiple,
        "anonymous": poll.anonymous,
        "status": poll.status.value,
        "agenda_item_id": poll.agenda_item_id,
        "opened_at": now_iso(poll.opened_at),
        "closed_at": now_iso(poll.closed_at),
        "answered": len(answers),
        "results": results,
    }


def seat_view(poll: Poll, answers: list[tuple[PollAnswer, str]], seat_id: int) -> dict[str, Any]:
    """The public view plus the seat's own current choices (only ever sent to that seat)."""
    mine = next((answer.choices for answer, _name in answers if answer.seat_id == seat_id), None)
    return {**poll_view(poll, answers), "your_choices": list(mine) if mine is not None else None}


async def _answers(db: AsyncSession, poll_ids: Iterable[int]) -> dict[int, list[tuple[PollAnswer, str]]]:
    """Every answer of these polls with its seat's display name, in one query."""
    ids = list(poll_ids)
    found: dict[int, list[tuple[PollAnswer, str]]] = {poll_id: [] for poll_id in ids}
    if ids:
        rows = await db.exec(
            select(PollAnswer, Seat.display_name)
            .join(Seat, col(Seat.id) == col(PollAnswer.seat_id))
            .where(col(PollAnswer.poll_id).in_(ids))
            .order_by(col(PollAnswer.id))
        )
        for answer, name in rows.all():
            found[answer.poll_id].append((answer, name))
    return found


async def views_for(db: AsyncSession, *, session_id: int, seat_id: int, facilitator: bool) -> list[dict[str, Any]]:
    """Every poll of the session, oldest first, for the welcome frame. Facilitators see the
    same as everyone else: a facilitator view with more in it would break anonymity."""
    polls = list((await db.exec(select(Poll).where(Poll.session_id == session_id).order_by(col(Poll.id)))).all())
    answers = await _answers(db, (p.id for p in polls))
    return [seat_view(p, answers[p.id], seat_id) for p in polls]


# Commands -----------------------------------------------------------------------------------


def _clean_options(options: list[str | dict[str, str]], languages: list[str]) -> list[Texts]:
    """Each option in one or more of the programme's languages (a plain string is the first
    language); within each language, no two options say the same thing."""
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise ValidationFailed(
            Msg("A poll has {min_options} to {max_options} options.", min_options=MIN_OPTIONS, max_options=MAX_OPTIONS),
            code="bad_options",
        )
    result = [new_texts("options", option, languages) for option in options]
    if any(not option for option in result):
        raise ValidationFailed(Msg("Every option needs some words."), code="bad_options")
    for language in languages:
        said = [option[language].casefold() for option in result if language in option]
        if len(set(said)) != len(said):
            raise ValidationFailed(Msg("Two options say the same thing; give each option once."), code="bad_options")
    return result


async def open_poll(
    db: AsyncSession,
    room: Room,
    *,
    question: str | dict[str, str] | None,
    options: list[str | dict[str, str]],
    multiple: bool,
    anonymous: bool,
    now: datetime,
) -> dict[str, Any]:
    """The question and each option are texts in the programme's languages (a plain string is
    its first language). Without a question, a poll agenda item's prompt (or title) is the
    question, in all the languages it has."""
    room.require_live(Msg("open a poll"))
    languages = await languages_of(db, session=room.session)
    asked = new_texts("question", question, languages) if question is not None else {}
    if not asked:
        item = await current_item(db, room.run)
        if item is not None and item.kind is AgendaKind.poll:
            asked = cleaned(texts_of(item.prompt, languages[0]) or texts_of(item.title, languages[0]))
    if not asked:
        raise ValidationFailed(
            Msg("The poll needs a question (or run it from a poll agenda item with a prompt)."), code="bad_question"
        )
    poll = Poll(
        session_id=room.session_id,
        agenda_item_id=room.run.agenda_item_id,
        question=asked,
        options=_clean_options(options, languages),
        multiple=multiple,
        anonymous=anonymous,
        status=PollStatus.open,
        opened_at=now,
    )
    db.add(poll)
    await db.flush()
    await audit.record(
        db, room, "poll_open", now=now, details={"poll_id": poll.id, "multiple": multiple, "anonymous": anonymous}
    )
    return await _emit(db, room.session_id, poll, action="opened", now=now)


async def _poll(db: AsyncSession, room: Room, poll_id: int) -> Poll:
    poll = (await db.exec(select(Poll).where(Poll.id == poll_id).execution_options(populate_existing=True))).first()
    if poll is None or poll.session_id != room.session_id:
        raise NotFound(Msg("There is no such poll in this session."), code="unknown_poll")
    return poll


def _clean_choices(poll: Poll, choices: list[int]) -> list[int]:
    if not choices:
        raise ValidationFailed(Msg("Choose an option."), code="bad_choices")
    if any(not 0 <= choice < len(poll.options) for choice in choices):
        raise ValidationFailed(Msg("That is not one of the poll's options."), code="bad_choices")
    if len(set(choices)) != len(choices):
        raise ValidationFailed(Msg("Choose each option at most once."), code="bad_choices")
    if not poll.multiple and len(choices) != 1:
        raise ValidationFailed(Msg("This poll takes exactly one choice."), code="bad_choices")
    return sorted(choices)


async def answer(db: AsyncSession, room: Room, *, poll_id: int, choices: list[int], now: datetime) -> dict[str, Any]:
    """Answer, or change one's answer while the poll is open (one answer per seat).

    Nothing here tells anyone else what the seat chose: facilitators get only the count."""
    room.require_live(Msg("answer polls"))
    if room.seat.role not in ANSWERING_ROLES:
        raise Conflict(Msg("Polls are answered by the participants and co-facilitators."), code="cannot_answer")
    poll = await _poll(db, room, poll_id)
    if poll.status is not PollStatus.open:
        raise Conflict(Msg("This poll is closed; its answers can no longer change."), code="poll_closed")
    cleaned = _clean_choices(poll, choices)
    mine = (
        await db.exec(select(PollAnswer).where(PollAnswer.poll_id == poll_id, PollAnswer.seat_id == room.seat.id))
    ).first()
    if mine is None:
        mine = PollAnswer(
            poll_id=poll_id,
            seat_id=room.seat.id,
            choices=cleaned,
            answered_at=now,
        )
    else:
        mine.choices, mine.answered_at = cleaned, now
    db.add(mine)
    await db.flush()
    answered = (await db.exec(select(func.count()).select_from(PollAnswer).where(PollAnswer.poll_id == poll_id))).one()
    await append_event(
        db,
        session_id=room.session_id,
        now=now,
        audience="facilitators",
        event=PollProgress(poll_id=poll_id, answered=answered),
    )
    answers = await _answers(db, [poll_id])
    return seat_view(poll, answers[poll_id], room.seat.id)


async def close(db: AsyncSession, room: Room, *, poll_id: int, now: datetime) -> dict[str, Any]:
    """Close and publish the results. Allowed in any session status, so that a poll left
    open when the session paused or ended can still be brought to an end."""
    poll = await _poll(db, room, poll_id)
    if poll.status is not PollStatus.open:
        raise Conflict(Msg("This poll is already closed."), code="poll_closed")
    poll.status, poll.closed_at = PollStatus.closed, now
    db.add(poll)
    await db.flush()
    await audit.record(db, room, "poll_close", now=now, details={"poll_id": poll.id})
    return await _emit(db, room.session_id, poll, action="closed", now=now)


async def _emit(db: AsyncSession, session_id: int, poll: Poll, *, action: str, now: datetime) -> dict[str, Any]:
    view = poll_view(poll, (await _answers(db, [poll.id]))[poll.id])
    await append_event(db, session_id=session_id, now=now, event=PollChanged(action=action, poll=view))
    return view


async def close_open(db: AsyncSession, *, session_id: int, now: datetime) -> None:
    """The session ended: polls still open close with it, and their results are shown."""
    polls = (await db.exec(select(Poll).where(Poll.session_id == session_id, Poll.status == PollStatus.open))).all()
    for poll in polls:
        poll.status, poll.closed_at = PollStatus.closed, now
        db.add(poll)
        await db.flush()
        await _emit(db, session_id, poll, action="closed", now=now)
