"""Translating statements: an interpreter, a facilitator or a statement's own author attaches
the statement's words in another language of the programme.

A translation is a room event like a statement: stored, given its sequence number, answered
`ok` only after commit, and idempotent per seat and client id. There is one translation per
statement and language; a new one replaces the text and the translator. It lives and dies
with its statement: a hidden statement's translations are shown nowhere
(app/facilitation/views.py), a withdrawn statement's are erased with its words
(app/facilitation/participation.py: `erase`), and retention purges them with it.

Who may translate what:
- interpreters and the programme's facilitators (their `facilitator` seats): any statement;
- participants and invited co-facilitators: only their own statements;
- observers: nothing (they follow the room without being heard in it), nor anyone muted.

The language is any language of the programme. The server does not know which language a
statement was written in (a person may write in any), so it does not refuse a "translation"
into the language of the original: an author may add the same words in another script, and
a facilitator may correct a translation; the reader is always shown the original too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.content import known_languages, languages_of
from app.dialogues.models import Seat, SeatRole
from app.errors import Conflict, NotFound, PermissionDenied
from app.events.log import append_event
from app.events.models import Statement, Translation, TranslationSend
from app.events.schemas import TranslatedBy, TranslationPosted, TranslationView
from app.facilitation.room import Room, require_voice
from app.facilitation.statements import MAX_STATEMENT_CHARS, refuse_if_muted, statement_text
from app.facilitation.views import pending_rule, translated_by, translation_dict, translations_of
from app.messages import Msg

# The longest translation, in characters (code points): a translation may run longer than its
# original (Russian and Armenian often take a fifth more words than English), so half as much
# again as the longest statement. The browser allows the same (panels/translate.js).
MAX_TRANSLATION_CHARS = MAX_STATEMENT_CHARS * 3 // 2

# Seats that may translate any statement of the room (interpreters, facilitator accounts and
# invited co-facilitators: often the bilingual one carries the conversation); anyone else who
# may be heard, their own.
TRANSLATE_ANY = (SeatRole.interpreter, SeatRole.facilitator, SeatRole.co_facilitator)


def _result(translation: Translation, *, by: TranslatedBy, duplicate: bool) -> dict[str, Any]:
    return {
        "translation_id": translation.id,
        "statement_id": translation.statement_id,
        "language": translation.language,
        "by": by,
        "seq": translation.seq,
        "duplicate": duplicate,
    }


async def _first_answer(db: AsyncSession, room: Room, client_id: str) -> dict[str, Any] | None:
    """What a translation sent before with this client id was answered (a resend stores
    nothing, even when someone replaced those words since)."""
    found = (
        await db.exec(
            select(TranslationSend, Translation)
            .join(Translation, col(Translation.id) == col(TranslationSend.translation_id))
            .where(TranslationSend.seat_id == room.seat.id, TranslationSend.client_id == client_id)
        )
    ).first()
    if found is None:
        return None
    sent, translation = found
    return {
        "translation_id": translation.id,
        "statement_id": translation.statement_id,
        "language": translation.language,
        "by": sent.by,
        "seq": sent.seq,
        "duplicate": True,
    }


async def translate(
    db: AsyncSession, room: Room, *, statement_id: int, language: str, text: str, client_id: str, now: datetime
) -> dict[str, Any]:
    """Attach (or replace) the statement's translation into `language`; the room is told with
    a `translation_posted` event. A resend with the same client id returns the first answer."""
    first = await _first_answer(db, room, client_id)
    if first is not None:
        return first
    seat = room.seat
    require_voice(seat)
    room.require_live(Msg("translate statements"))
    refuse_if_muted(seat, now)
    statement = await db.get(Statement, statement_id)
    if statement is None or statement.session_id != room.session_id:
        raise NotFound(Msg("There is no such statement in this session."), code="unknown_statement")
    own = statement.seat_id == seat.id
    if not own and seat.role not in TRANSLATE_ANY:
        raise PermissionDenied(
            Msg("You can translate only your own statements; interpreters and facilitators translate the others."),
            code="not_your_statement",
        )
    if statement.withdrawn_at is not None or statement.hidden_at is not None:
        raise Conflict(Msg("That statement is no longer shown."), code="statement_gone")
    known_languages("language", [language], await languages_of(db, session=room.session))
    text = statement_text(text, what=Msg("translation"))
    by = translated_by(seat, statement)
    translation = (
        await db.exec(
            select(Translation).where(Translation.statement_id == statement_id, Translation.language == language)
        )
    ).first()
    if translation is None:
        translation = Translation(
            session_id=room.session_id,
            statement_id=statement_id,
            seat_id=seat.id,
            client_id=client_id,
            language=language,
            text=text,
            seq=0,
            created_at=now,
            updated_at=now,
        )
    else:  # one per statement and language: the newest words, by whoever wrote them
        translation.seat_id, translation.client_id, translation.text = seat.id, client_id, text
        translation.updated_at = now
    try:
        async with db.begin_nested():
            db.add(translation)
            await db.flush()
            send = TranslationSend(translation_id=translation.id, seat_id=seat.id, client_id=client_id, by=by, seq=0)
            db.add(send)
            await db.flush()
    except IntegrityError:  # the same resend, a moment earlier, on another connection
        answer = await _first_answer(db, room, client_id)
        if answer is None:
            raise
        return answer
    shown = await translations_of(db, [statement])
    rule = await pending_rule(db, room.session_id)
    author = seat if own else await db.get(Seat, statement.seat_id)
    waiting = rule.waiting_for(
        "visible", [view["language"] for view in shown.get(statement_id, [])], author.language if author else None
    )
    event = await append_event(
        db,
        session_id=room.session_id,
        now=now,
        event=TranslationPosted(
            statement_id=statement_id,
            translation_id=translation.id,
            language=language,
            by=by,
            translation=TranslationView.model_validate(translation_dict(translation, seat, statement)),
            translation_pending=bool(waiting),
            waiting_for=waiting,
        ),
    )
    translation.seq = send.seq = event.seq
    db.add_all([translation, send])
    await db.flush()
    return _result(translation, by=by, duplicate=False)


async def erase_translations(db: AsyncSession, statement: Statement, *, now: datetime) -> None:
    """A withdrawn statement's translations lose their words with it (in the same transaction)."""
    rows = await db.exec(select(Translation).where(Translation.statement_id == statement.id))
    for translation in rows.all():
        translation.text, translation.updated_at = "", now
        db.add(translation)
    await db.flush()
