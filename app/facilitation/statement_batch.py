"""Many statements at once, on the room facts already known: the room's fast path.

The writer (app/live/writer.py) hands a run of statements to `post_batch`, a plain
function on one synchronous database connection, called in a single thread hop on SQLite
(or inside the greenlet on PostgreSQL). For each session in the batch it bumps the counter
once by the number of statements (`UPDATE … SET last_seq = last_seq + n … RETURNING`),
checks that the counter stood where the cached facts say (app/facilitation/room_facts.py),
inserts the statements and their events with one statement each, and leaves the commit to
the writer.

This path only ever *allows*. Whatever it cannot allow on the facts alone (a refusal to
word, a resend, a reply, a round's turn, slow mode, a staff login to check, a room whose
facts are unknown or stale) it hands back as deferred, and the writer runs those through
`post_statement` (app/facilitation/statements.py), the one place where the rules are
written out, in the same order as they came. A session with a deferred statement defers
all its later ones in the batch, so a session's statements keep their order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import tuple_
from sqlalchemy.engine import Connection

from app.dialogues.models import SeatRole, SeatStatus, SessionStatus, SpeakingMode
from app.errors import AppError
from app.events.log import SESSION_COUNTERS, Published
from app.events.models import RoomEvent, Statement
from app.facilitation.room import FACILITATOR_ROLES
from app.facilitation.room_facts import RoomFacts
from app.facilitation.statements import STATEMENT_COLUMNS, Posted, insert_once, statement_text
from app.facilitation.views import statement_dict

_sessions = SESSION_COUNTERS
_statements = Statement.__table__  # type: ignore[attr-defined]
_events = RoomEvent.__table__  # type: ignore[attr-defined]

SPEAKING_ROLES = (SeatRole.participant, *FACILITATOR_ROLES)


@dataclass(slots=True)
class Asked:
    """One statement as a connection sent it."""

    session_id: int
    seat_id: int
    login_id: int | None
    client_id: str
    text: str
    reply_to: int | None
    now: datetime


@dataclass(slots=True)
class _Said:
    """What `statement_dict` reads of a statement just stored (a table model costs far more
    to make than the view itself)."""

    id: int
    text: str
    reply_to_id: int | None
    created_at: datetime
    hidden_at: datetime | None = None
    withdrawn_at: datetime | None = None


class Again(Exception):
    """The batch met something it did not foresee (a resend that arrived on another
    instance meanwhile): roll it back, and let every statement take the full path."""


def allowed_text(facts: RoomFacts | None, asked: Asked) -> str | None:
    """The text to store when the facts alone allow the statement, else None (defer)."""
    if facts is None or asked.login_id is not None or asked.reply_to is not None:
        return None
    known = facts.seats.get(asked.seat_id)
    if known is None:
        return None
    seat = known.seat
    if seat.session_id != asked.session_id or seat.status is not SeatStatus.admitted:
        return None
    if seat.role not in SPEAKING_ROLES or seat.is_muted(asked.now):
        return None
    if facts.status is not SessionStatus.live or facts.slow_mode_seconds or facts.round_id is not None:
        return None
    if seat.role not in FACILITATOR_ROLES:
        if facts.on_break:
            return None
        if facts.speaking_mode is SpeakingMode.queued and facts.floor_seat_id != seat.id:
            return None
    try:
        return statement_text(asked.text)
    except AppError:
        return None


def post_batch(
    connection: Connection, asked: list[Asked], facts_of: dict[int, RoomFacts]
) -> tuple[list[Posted | None], list[Published]]:
    """Store what the facts allow, in the caller's transaction: for each statement its
    acknowledgement, or None (deferred: run it through `post_statement`, in order), and the
    events to publish once the transaction commits. `facts_of`: the cached facts by session
    (their versions move on with what is stored; the caller forgets them if the commit fails)."""
    results: list[Posted | None] = [None] * len(asked)
    texts: dict[int, str] = {}
    deferred: set[int] = set()
    by_session: dict[int, list[int]] = {}
    for index, one in enumerate(asked):
        if one.session_id in deferred:
            continue
        text = allowed_text(facts_of.get(one.session_id), one)
        if text is None:
            deferred.add(one.session_id)  # and every later statement of that session
            by_session.pop(one.session_id, None)
            continue
        texts[index] = text
        by_session.setdefault(one.session_id, []).append(index)
    if not by_session:
        return results, []
    # Resends: the full path answers them with their first acknowledgement.
    wanted = [(asked[i].seat_id, asked[i].client_id) for indexes in by_session.values() for i in indexes]
    seen = set(
        connection.execute(
            _statements.select()
            .with_only_columns(_statements.c.seat_id, _statements.c.client_id)
            .where(tuple_(_statements.c.seat_id, _statements.c.client_id).in_(wanted))
        ).all()
    )
    for session_id, indexes in list(by_session.items()):
        if any((asked[i].seat_id, asked[i].client_id) in seen for i in indexes):
            del by_session[session_id]  # keep the session's order: all of it goes the full path
    rows: list[dict[str, Any]] = []
    placed: list[tuple[int, int]] = []  # (index, seq)
    versions: dict[int, int] = {}  # session → its counter once the batch is stored
    for session_id, indexes in sorted(by_session.items()):
        facts = facts_of[session_id]
        top = connection.execute(
            _sessions.update()
            .where(_sessions.c.id == session_id)
            .values(last_seq=_sessions.c.last_seq + len(indexes))
            .returning(_sessions.c.last_seq)
        ).scalar_one()
        if top - len(indexes) != facts.version:  # another change came first: read the room again
            connection.execute(
                _sessions.update()
                .where(_sessions.c.id == session_id)
                .values(last_seq=_sessions.c.last_seq - len(indexes))
            )
            continue
        versions[session_id] = top
        for offset, index in enumerate(indexes, start=1):
            one = asked[index]
            seq = facts.version + offset
            rows.append(
                {
                    "session_id": one.session_id,
                    "seat_id": one.seat_id,
                    "client_id": one.client_id,
                    "text": texts[index],
                    "reply_to_id": None,
                    "seq": seq,
                    "created_at": one.now,
                    "agenda_item_id": facts.agenda_item_id,
                }
            )
            placed.append((index, seq))
    if not rows:
        return results, []
    assert set(rows[0]) == set(STATEMENT_COLUMNS)
    ids = (
        connection.execute(
            insert_once(connection.dialect.name).returning(_statements.c.id, sort_by_parameter_order=True), rows
        )
        .scalars()
        .all()
    )
    if len(ids) != len(rows):
        raise Again()
    events: list[dict[str, Any]] = []
    published: list[Published] = []
    for (index, seq), statement_id, row in zip(placed, ids, rows, strict=True):
        one = asked[index]
        facts = facts_of[one.session_id]
        known = facts.seats[one.seat_id]
        said = _Said(statement_id, row["text"], None, one.now)
        view = statement_dict(cast(Statement, said), known.seat, known.community, rule=facts.rule)
        events.append(
            {
                "session_id": one.session_id,
                "seq": seq,
                "type": "statement",
                "audience": "all",
                "payload": {"statement_id": statement_id},
                "created_at": one.now,
            }
        )
        frame = {
            "type": "statement",
            "seq": seq,
            "at": one.now.isoformat(),
            "statement_id": statement_id,
            "statement": view,
        }
        published.append(Published(None, frame, session_id=one.session_id))
        results[index] = Posted(statement_id=statement_id, seq=seq, duplicate=False, client_id=one.client_id)
    connection.execute(_events.insert(), events)
    for session_id, version in versions.items():  # a statement changes none of the facts
        facts_of[session_id].version = version
    return results, published
