"""The room's read models: statements and private messages as the room shows them, and the
frames of events read back from the log with those words joined in again.

The log never holds words (app/events/schemas.py: the `JOINED` fields), so a statement
withdrawn or hidden after it was said leaves every later view: catch-up, reconnection and
another instance all read it through here. Its translations (app/facilitation/translations.py)
are joined in with it, and leave with it: a hidden or withdrawn statement shows none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import DialogueSession, Seat, SeatRole, SeatStatus
from app.events.log import event_frame
from app.events.models import RoomEvent, Statement, Translation
from app.events.schemas import MessageView, StatementView, TranslatedBy
from app.facilitation.models import BreakoutGroup, PrivateMessage, Reaction
from app.programmes.models import Community, Programme


def statement_state(statement: Statement) -> str:
    if statement.withdrawn_at is not None:
        return "withdrawn"
    if statement.hidden_at is not None:
        return "hidden"
    return "visible"


# Translations -----------------------------------------------------------------------------


def translated_by(translator: Seat, statement: Statement) -> TranslatedBy:
    """Who translated it, as readers are told: the author, a facilitator or an interpreter."""
    if translator.id == statement.seat_id:
        return "author"
    return "interpreter" if translator.role is SeatRole.interpreter else "facilitator"


def translation_dict(translation: Translation, translator: Seat, statement: Statement) -> dict[str, Any]:
    return {
        "translation_id": translation.id,
        "language": translation.language,
        "text": translation.text,
        "by": translated_by(translator, statement),
    }


@dataclass(frozen=True)
class PendingRule:
    """Which languages a statement waits to be translated into: while an interpreter is in
    the room (an admitted interpreter seat), the languages its readers chose (the admitted
    participants, co-facilitators and observers) besides its author's and those it already
    has. A reader sees "waiting for translation" only when their own language is one of them."""

    languages: tuple[str, ...]
    interpreter: bool
    readers: frozenset[str] = frozenset()

    def waiting_for(self, state: str, translated: Iterable[str], author_language: str | None) -> list[str]:
        if state != "visible" or not self.interpreter:
            return []
        wanted = self.readers - set(translated) - {author_language}
        return [language for language in self.languages if language in wanted]

    def pending(self, state: str, translated: Iterable[str], author_language: str | None) -> bool:
        return bool(self.waiting_for(state, translated, author_language))


async def pending_rule(db: AsyncSession, session_id: int) -> PendingRule:
    """The rule of one room, in one query: its programme's languages and its admitted seats."""
    rows = (
        await db.exec(
            select(Programme.languages, Seat.role, Seat.language)
            .select_from(DialogueSession)
            .join(Programme, col(Programme.id) == col(DialogueSession.programme_id))
            .outerjoin(
                Seat,
                (col(Seat.session_id) == col(DialogueSession.id)) & (col(Seat.status) == SeatStatus.admitted),
            )
            .where(DialogueSession.id == session_id)
        )
    ).all()
    admitted = [(role, language) for _languages, role, language in rows if role is not None]
    return PendingRule(
        languages=tuple(rows[0][0] or ()) if rows else (),
        interpreter=any(role is SeatRole.interpreter for role, _language in admitted),
        readers=frozenset(language for role, language in admitted if role in READING_ROLES),
    )


# The seats whose language a statement is translated for (facilitator accounts read the
# original and any translation; interpreters make them).
READING_ROLES = (SeatRole.participant, SeatRole.co_facilitator, SeatRole.observer)


async def translations_of(db: AsyncSession, statements: list[Statement]) -> dict[int, list[dict[str, Any]]]:
    """The translations of the statements still shown, by statement id, in language order (a
    reader picks theirs by language). Hidden and withdrawn statements have none to show."""
    shown = {s.id: s for s in statements if statement_state(s) == "visible"}
    if not shown:
        return {}
    rows = await db.exec(
        select(Translation, Seat)
        .join(Seat, col(Seat.id) == col(Translation.seat_id))
        .where(col(Translation.statement_id).in_(shown), Translation.text != "")
        .order_by(col(Translation.language))
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for translation, translator in rows.all():
        statement = shown[translation.statement_id]
        found.setdefault(statement.id, []).append(translation_dict(translation, translator, statement))
    return found


# Statements -------------------------------------------------------------------------------


def statement_dict(
    statement: Statement,
    seat: Seat,
    community: Community | None,
    *,
    reactions: dict[str, int] | None = None,
    translations: list[dict[str, Any]] | None = None,
    rule: PendingRule | None = None,
) -> dict[str, Any]:
    """A statement as the room shows it. Hidden and withdrawn ones keep their place and
    author but never their words, nor their translations."""
    state = statement_state(statement)
    shown = (translations or []) if state == "visible" else []
    return {
        "id": statement.id,
        "seat_id": seat.id,
        "author": seat.display_name,
        "role": seat.role.value,
        "community": community.key if community else None,
        "text": statement.text if state == "visible" else None,
        "reply_to": statement.reply_to_id,
        "at": statement.created_at.isoformat(),
        "state": state,
        "reactions": reactions or {},
        "translations": shown,
        **_waiting(rule, state, [t["language"] for t in shown], seat.language),
    }


def _waiting(
    rule: PendingRule | None, state: str, translated: list[str], author_language: str | None
) -> dict[str, Any]:
    waiting = rule.waiting_for(state, translated, author_language) if rule is not None else []
    return {"translation_pending": bool(waiting), "waiting_for": waiting}


def statement_view(
    statement: Statement,
    seat: Seat,
    community: Community | None,
    *,
    reactions: dict[str, int] | None = None,
    rule: PendingRule | None = None,
) -> StatementView:
    return StatementView.model_validate(statement_dict(statement, seat, community, reactions=reactions, rule=rule))


async def statement_views(db: AsyncSession, statement_ids: set[int]) -> dict[int, dict[str, Any]]:
    """Statements as the room shows them, by id (joined in when events are read back)."""
    if not statement_ids:
        return {}
    rows = await db.exec(
        select(Statement, Seat, Community)
        .join(Seat, col(Seat.id) == col(Statement.seat_id))
        .outerjoin(Community, col(Community.id) == col(Seat.community_id))
        .where(col(Statement.id).in_(statement_ids))
    )
    found = rows.all()
    counts: dict[int, dict[str, int]] = {}
    reaction_rows = await db.exec(
        select(Reaction.statement_id, Reaction.kind, func.count())
        .where(col(Reaction.statement_id).in_(statement_ids))
        .group_by(col(Reaction.statement_id), col(Reaction.kind))
    )
    for statement_id, kind, count in reaction_rows.all():
        counts.setdefault(statement_id, {})[kind] = count
    translations = await translations_of(db, [s for s, _seat, _community in found])
    rules = {session_id: await pending_rule(db, session_id) for session_id in {s.session_id for s, _, _ in found}}
    return {
        s.id: statement_dict(
            s,
            seat,
            community,
            reactions=counts.get(s.id),
            translations=translations.get(s.id),
            rule=rules[s.session_id],
        )
        for s, seat, community in found
    }


async def translation_views(db: AsyncSession, events: list[RoomEvent]) -> dict[int, dict[str, Any]]:
    """For `translation_posted` events read back: the translation each names, as it is now
    (None when its statement is hidden or withdrawn, or the text was erased), and whether
    its statement still waits for translation."""
    ids = {e.payload["translation_id"] for e in events}
    if not ids:
        return {}
    rows = (
        await db.exec(
            select(Translation, Seat, Statement)
            .join(Seat, col(Seat.id) == col(Translation.seat_id))
            .join(Statement, col(Statement.id) == col(Translation.statement_id))
            .where(col(Translation.id).in_(ids))
        )
    ).all()
    statements = {statement.id: statement for _, _, statement in rows}
    done = {
        sid: [view["language"] for view in views]
        for sid, views in (await translations_of(db, list(statements.values()))).items()
    }
    authors = dict(
        (
            await db.exec(
                select(Seat.id, Seat.language).where(col(Seat.id).in_({s.seat_id for s in statements.values()}))
            )
        ).all()
    )
    rules = {sid: await pending_rule(db, sid) for sid in {s.session_id for s in statements.values()}}
    joined: dict[int, dict[str, Any]] = {}
    for translation, translator, statement in rows:
        state = statement_state(statement)
        shown = state == "visible" and translation.text != ""
        joined[translation.id] = {
            "translation": translation_dict(translation, translator, statement) if shown else None,
            **_waiting(rules[statement.session_id], state, done.get(statement.id, []), authors.get(statement.seat_id)),
        }
    return joined


def message_dict(message: PrivateMessage, seat: Seat) -> dict[str, Any]:
    return {
        "id": message.id,
        "seat_id": seat.id,
        "author": seat.display_name,
        "role": seat.role.value,
        "text": message.text,
    }


def message_view(message: PrivateMessage, seat: Seat) -> MessageView:
    return MessageView.model_validate(message_dict(message, seat))


async def message_views(db: AsyncSession, message_ids: set[int]) -> dict[int, dict[str, Any]]:
    """Back-channel and check-in words, joined in like statements (never kept in the log)."""
    if not message_ids:
        return {}
    rows = await db.exec(
        select(PrivateMessage, Seat)
        .join(Seat, col(Seat.id) == col(PrivateMessage.seat_id))
        .where(col(PrivateMessage.id).in_(message_ids))
    )
    return {m.id: message_dict(m, seat) for m, seat in rows.all()}


async def hydrate(db: AsyncSession, events: list[RoomEvent]) -> list[dict[str, Any]]:
    """Frames for events read back from the log, with their statements (and their translations),
    translations and messages joined in."""
    statements = await statement_views(db, {e.payload["statement_id"] for e in events if _joins_statement(e)})
    messages = await message_views(db, {e.payload["message_id"] for e in events if e.type == "private_message"})
    translations = await translation_views(db, [e for e in events if e.type == "translation_posted"])
    broadcasts = await message_views(db, {e.payload["message_id"] for e in events if e.type == "broadcast"})
    reports = await _report_texts(db, {e.payload["group_id"] for e in events if e.type == "report_changed"})
    gone = {"translation": None, "translation_pending": False}  # a translation purged with its statement
    frames = []
    for event in events:
        extra: dict[str, Any] = {}
        if _joins_statement(event):
            extra["statement"] = statements.get(event.payload["statement_id"])
        elif event.type == "private_message":
            extra["message"] = messages.get(event.payload["message_id"])
        elif event.type == "translation_posted":
            extra.update(translations.get(event.payload["translation_id"], gone))
        elif event.type == "broadcast":
            extra["text"] = (broadcasts.get(event.payload["message_id"]) or {}).get("text")
        elif event.type == "report_changed":
            extra["text"] = reports.get(event.payload["group_id"])
        frame = event_frame(event, extra=extra)
        if event.type == "time_up":
            frame.pop("title", None)  # logged by older versions; the agenda has the words, events the id
        frames.append(frame)
    return frames


async def _report_texts(db: AsyncSession, group_ids: set[int]) -> dict[int, str]:
    """Breakout groups' draft reports as they are now (a report's words live with its group)."""
    if not group_ids:
        return {}
    rows = await db.exec(select(BreakoutGroup.id, BreakoutGroup.report).where(col(BreakoutGroup.id).in_(group_ids)))
    return {int(group_id): str(text) for group_id, text in rows.all()}


def _joins_statement(event: RoomEvent) -> bool:
    """A posted statement, and one shown again, carry the statement as it is now."""
    return event.type == "statement" or (event.type == "statement_changed" and event.payload.get("state") == "visible")
