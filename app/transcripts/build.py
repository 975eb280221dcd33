"""Building the anonymised transcript of a session: the document organisers read.

Speakers appear only as pseudonyms ("Participant 17", "Facilitator 1"), statements sit
under their agenda items with the time since the session started, names and contacts
found in the text are replaced (unless a facilitator rejected the suggestion), hidden
statements leave a marker without words, and withdrawn statements, the back-channel and
check-ins are left out entirely. `assemble` is pure (no database), so it can be measured
and tested on its own; `build_document` loads what it needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.dialogues.agenda import agenda_of
from app.dialogues.models import AgendaItem, DialogueSession, Invitation, Seat, SeatRole
from app.events.models import RoomEvent, Statement
from app.facilitation.models import Poll, PollAnswer, PollStatus, Round, RoundStatus, RoundTurn
from app.programmes.models import Community, Programme
from app.transcripts.models import Redaction
from app.transcripts.redact import Matcher, Person, apply

SCHEMA = "roundtable.transcript/1"
FACILITATOR_ROLES = (SeatRole.facilitator, SeatRole.co_facilitator)


@dataclass
class Material:
    """Everything a transcript is made of, loaded once."""

    session: DialogueSession
    programme: Programme
    communities: list[Community]
    items: list[AgendaItem]
    seats: dict[int, Seat]
    real_names: dict[int, str]  # seat id → real name on its invitation
    statements: list[Statement]  # in order, withdrawn ones already left out
    decisions: dict[int, list[Redaction]]  # statement id → decisions
    rounds: list[tuple[Round, list[RoundTurn]]] = field(default_factory=list)
    polls: list[tuple[Poll, list[int]]] = field(default_factory=list)  # closed polls with their counts
    started_at: datetime | None = None
    # statement id → its number: its place among *all* the session's statements by seq,
    # withdrawn and hidden ones included, so a number never changes from one version to
    # the next (a removed statement leaves its number unused). Empty: by `statements`.
    numbers: dict[int, int] = field(default_factory=dict)


def speakers(seats: Iterable[Seat]) -> dict[int, str]:
    """Pseudonyms for the transcript: participants keep theirs; facilitators become
    "Facilitator 1", "Facilitator 2" in the order they took their seats."""
    labels: dict[int, str] = {}
    facilitators = sorted((s for s in seats if s.role in FACILITATOR_ROLES), key=lambda s: s.id or 0)
    for number, seat in enumerate(facilitators, start=1):
        labels[seat.id] = f"Facilitator {number}"
    for seat in seats:
        labels.setdefault(seat.id, seat.pseudonym)
    return labels


def people(material: Material, labels: dict[int, str]) -> list[Person]:
    """Whose names to look for in the text: every seat's display name and real name."""
    return _persons(material.seats.values(), material.real_names, labels)


def _persons(seats: Iterable[Seat], real_names: dict[int, str], labels: dict[int, str]) -> list[Person]:
    found = []
    for seat in seats:
        # A display name equal to the pseudonym is one a purge left (nobody may choose one).
        shown = seat.display_name if seat.display_name != seat.pseudonym else None
        names = tuple(n for n in (shown, real_names.get(seat.id)) if n and n.strip())
        if names:
            found.append(Person(pseudonym=labels[seat.id], names=names))
    return found


async def real_names_of(db: AsyncSession, *, session_id: int, seats: Iterable[Seat]) -> dict[int, str]:
    """Seat id → the person's real name: the name on a participant's invitation, and the
    account's full name of a facilitator's seat (the seat shows only the name they chose,
    but people may address them by their surname)."""
    rows = list(seats)
    invitations = (
        await db.exec(select(Invitation.id, Invitation.real_name).where(Invitation.session_id == session_id))
    ).all()
    by_invitation = {inv_id: name for inv_id, name in invitations if name}
    names = {s.id: by_invitation[s.invitation_id] for s in rows if s.invitation_id in by_invitation}
    accounts = {s.user_id: s.id for s in rows if s.user_id is not None}
    if accounts:
        users = await db.exec(select(User.id, User.full_name).where(col(User.id).in_(list(accounts))))
        names.update({accounts[user_id]: full_name for user_id, full_name in users.all() if full_name})
    return names


def matcher_for(seats: Iterable[Seat], real_names: dict[int, str]) -> Matcher:
    """The matcher of one session, as its transcript uses it: the seats' display names and
    real names, each replaced by the seat's label in the transcript (and contact details)."""
    rows = list(seats)
    return Matcher(_persons(rows, real_names, speakers(rows)))


def scrub(matcher: Matcher, text: str) -> str:
    """Text with every name and contact the matcher finds replaced (no decisions: the
    facilitators' own words are not reviewed span by span)."""
    return apply(text, [(x.start, x.end, x.replacement) for x in matcher.suggest(text)])


def redacted(statement: Statement, matcher: Matcher, decisions: Sequence[Redaction]) -> tuple[str, list[dict]]:
    """The statement's text with every suggestion applied unless rejected, and every span a
    facilitator added; and what was replaced (labels only, never the original words)."""
    # A dismissed possible name is no rejection: should the matcher later be sure of a name
    # at that very span, it is hidden (only a rejected suggestion keeps words as written).
    rejected = {(d.start, d.end) for d in decisions if not d.accepted and d.kind != "possible_name"}
    spans: list[tuple[int, int, str, str]] = []
    for s in matcher.suggest(statement.text):
        if (s.start, s.end) not in rejected:
            spans.append((s.start, s.end, s.replacement, s.kind))
    for d in decisions:
        if d.accepted and d.kind == "manual":
            spans.append((d.start, d.end, d.replacement, "manual"))
    spans = _without_overlaps(spans)
    text = apply(statement.text, [(a, b, r) for a, b, r, _k in spans])
    return text, [{"kind": k, "replacement": r} for _a, _b, r, k in spans]


def _without_overlaps(spans: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """Where spans overlap, their union is replaced by the first one's label: hiding more is
    the safe side."""
    merged: list[tuple[int, int, str, str]] = []
    for start, end, replacement, kind in sorted(spans):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2], last[3])
        else:
            merged.append((start, end, replacement, kind))
    return merged


def assemble(material: Material, *, summary: str = "", agreed_points: Sequence[str] = ()) -> dict[str, Any]:
    """The transcript document (see docs/transcripts.md for its schema)."""
    session = material.session
    labels = speakers(material.seats.values())
    matcher = Matcher(people(material, labels))
    start = material.started_at or session.starts_at

    def scrubbed(text: str) -> str:
        """Facilitators' own words (summary, points, polls) are searched too: they may name people."""
        return scrub(matcher, text)

    stable = material.numbers or {s.id: place for place, s in enumerate(material.statements, start=1)}
    numbers: dict[int, int] = {}  # statement id → its number, for the statements shown
    sections: dict[int | None, list[tuple[datetime, dict[str, Any]]]] = {}
    for statement in material.statements:
        seat = material.seats[statement.seat_id]
        entry: dict[str, Any] = {
            "speaker": labels[statement.seat_id],
            "role": "facilitator" if seat.role in FACILITATOR_ROLES else "participant",
            "community": _community_key(material, seat) if session.show_communities else None,
            "offset_seconds": max(0, int((statement.created_at - start).total_seconds())),
        }
        if statement.hidden_at is not None:
            entry.update(type="removed")
        else:
            numbers[statement.id] = stable[statement.id]
            text, replaced = redacted(statement, matcher, material.decisions.get(statement.id, ()))
            entry.update(
                type="statement",
                number=numbers[statement.id],
                text=text,
                reply_to=numbers.get(statement.reply_to_id) if statement.reply_to_id else None,
                redactions=replaced,
            )
        sections.setdefault(statement.agenda_item_id, []).append((statement.created_at, entry))
    for rnd, turns in material.rounds:
        entry = {
            "type": "round",
            "number": rnd.number,
            "offset_seconds": max(0, int((rnd.started_at - start).total_seconds())),
            "turns": [{"speaker": labels.get(t.seat_id, "Participant"), "outcome": t.outcome.value} for t in turns],
        }
        sections.setdefault(rnd.agenda_item_id, []).append((rnd.started_at, entry))
    for poll, counts in material.polls:
        moment = poll.closed_at or poll.opened_at
        entry = {
            "type": "poll",
            "question": scrubbed(poll.question),
            "options": [scrubbed(o) for o in poll.options],
            "counts": counts,
            "multiple": poll.multiple,
            "offset_seconds": max(0, int((moment - start).total_seconds())),
        }
        sections.setdefault(poll.agenda_item_id, []).append((moment, entry))
    ordered = [(None, "Opening", None)] + [(item.id, item.title, item.kind.value) for item in material.items]
    return {
        "schema": SCHEMA,
        "session": {
            "title": scrubbed(session.title),
            "programme": material.programme.name,
            "starts_at": session.starts_at.isoformat(),
            "time_zone": session.time_zone,
            "show_communities": session.show_communities,
        },
        "communities": [{"key": c.key, "labels": c.labels} for c in material.communities],
        "summary": scrubbed(summary),
        "agreed_points": [scrubbed(point) for point in agreed_points],
        "sections": [
            {
                "title": scrubbed(title),
                "kind": kind,
                "entries": [e for _t, e in sorted(sections[item_id], key=lambda p: p[0])],
            }
            for item_id, title, kind in ordered
            if sections.get(item_id)
        ],
        "counts": {"statements": len(numbers), "speakers": len({labels[s.seat_id] for s in material.statements})},
    }


def _community_key(material: Material, seat: Seat) -> str | None:
    if seat.community_id is None:
        return None
    return next((c.key for c in material.communities if c.id == seat.community_id), None)


async def load(db: AsyncSession, *, session: DialogueSession) -> Material:
    session_id: int = session.id
    programme = await db.get(Programme, session.programme_id)
    assert programme is not None
    communities = list(
        (
            await db.exec(select(Community).where(Community.programme_id == programme.id).order_by(col(Community.id)))
        ).all()
    )
    seats = {s.id: s for s in (await db.exec(select(Seat).where(Seat.session_id == session_id))).all()}
    real_names = await real_names_of(db, session_id=session_id, seats=seats.values())
    statements = list(
        (
            await db.exec(
                select(Statement)
                .where(Statement.session_id == session_id, col(Statement.withdrawn_at).is_(None))
                .order_by(col(Statement.seq))
            )
        ).all()
    )
    every = (
        await db.exec(select(Statement.id).where(Statement.session_id == session_id).order_by(col(Statement.seq)))
    ).all()
    decisions: dict[int, list[Redaction]] = {}
    for row in (await db.exec(select(Redaction).where(Redaction.session_id == session_id))).all():
        decisions.setdefault(row.statement_id, []).append(row)
    rounds = []
    for rnd in (
        await db.exec(
            select(Round)
            .where(Round.session_id == session_id, Round.status == RoundStatus.ended)
            .order_by(col(Round.number))
        )
    ).all():
        turns = list(
            (
                await db.exec(select(RoundTurn).where(RoundTurn.round_id == rnd.id).order_by(col(RoundTurn.position)))
            ).all()
        )
        rounds.append((rnd, turns))
    polls = []
    for poll in (
        await db.exec(
            select(Poll).where(Poll.session_id == session_id, Poll.status == PollStatus.closed).order_by(col(Poll.id))
        )
    ).all():
        counts = [0] * len(poll.options)
        for answer in (await db.exec(select(PollAnswer).where(PollAnswer.poll_id == poll.id))).all():
            for choice in answer.choices:
                if 0 <= choice < len(counts):
                    counts[choice] += 1
        polls.append((poll, counts))
    return Material(
        session=session,
        programme=programme,
        communities=communities,
        items=await agenda_of(db, session_id=session_id),
        seats=seats,
        real_names=real_names,
        statements=statements,
        decisions=decisions,
        rounds=rounds,
        polls=polls,
        started_at=await _went_live(db, session_id),
        numbers={statement_id: place for place, statement_id in enumerate(every, start=1)},
    )


async def _went_live(db: AsyncSession, session_id: int) -> datetime | None:
    """When the session first went live: offsets count from there (else from its planned start)."""
    rows = (
        await db.exec(
            select(RoomEvent)
            .where(RoomEvent.session_id == session_id, RoomEvent.type == "session_status")
            .order_by(col(RoomEvent.seq))
        )
    ).all()
    return next((e.created_at for e in rows if e.payload.get("status") == "live"), None)
