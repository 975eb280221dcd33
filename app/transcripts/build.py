"""Building the anonymised transcript of a session: the document organisers read.

Speakers appear only as pseudonyms ("Participant 17", "Facilitator 1"), stored as they are
(the document is language-neutral; a reader gets them in their language), statements sit
under their agenda items with the time since the session started, each with its
translations, names and contacts found in the text (the original and every translation)
are replaced (unless a facilitator rejected the suggestion), hidden statements leave a
marker without words, and withdrawn statements, the back-channel and check-ins are left out
entirely. The facilitators' words (title, agenda, polls, summary, agreed points) are maps
{language: text} over the programme's languages. `assemble` is pure (no database), so it
can be measured and tested on its own; `load` loads what it needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.dialogues.agenda import agenda_of
from app.dialogues.content import programme_languages
from app.dialogues.models import AgendaItem, DialogueSession, Invitation, Seat, SeatRole
from app.dialogues.pseudonyms import pseudonym_label
from app.events.models import RoomEvent, Statement, Translation
from app.facilitation.models import Poll, PollAnswer, PollStatus, Round, RoundStatus, RoundTurn
from app.facilitation.views import translated_by as room_translated_by
from app.programmes.models import Community, Programme
from app.programmes.texts import Texts, texts_of
from app.transcripts.models import Redaction
from app.transcripts.redact import Matcher, Person, apply

SCHEMA = "roundtable.transcript/2"
FACILITATOR_ROLES = (SeatRole.facilitator, SeatRole.co_facilitator)
# What replaces the name of someone invited who never took a seat (no pseudonym to give).
ABSENT_NAME = "[name]"


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
    # statement id → its translations, in the programme's language order (kept statements only).
    translations: dict[int, list[Translation]] = field(default_factory=dict)
    # Real names on invitations that never became a seat: people may still name them.
    absent_names: list[str] = field(default_factory=list)

    @property
    def languages(self) -> list[str]:
        return programme_languages(self.programme)


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
    """Whose names to look for in the text: every seat's display name and real name, and the
    real names of people invited who never took a seat."""
    return _persons(material.seats.values(), material.real_names, labels, material.absent_names)


def _persons(
    seats: Iterable[Seat], real_names: dict[int, str], labels: dict[int, str], absent: Iterable[str] = ()
) -> list[Person]:
    found = []
    for seat in seats:
        if seat.role is SeatRole.group:
            continue  # a breakout group's seat ("Group 2") names nobody
        # A display name equal to the pseudonym is one a purge left (nobody may choose one).
        shown = seat.display_name if seat.display_name != seat.pseudonym else None
        names = tuple(n for n in (shown, real_names.get(seat.id)) if n and n.strip())
        if names:
            found.append(Person(pseudonym=labels[seat.id], names=names))
    found += [Person(pseudonym=ABSENT_NAME, names=(name,)) for name in absent if name.strip()]
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


async def absent_names_of(db: AsyncSession, *, session_id: int) -> list[str]:
    """The real names on the session's invitations that no seat took up."""
    seated = select(Seat.invitation_id).where(Seat.session_id == session_id, col(Seat.invitation_id).is_not(None))
    rows = await db.exec(
        select(Invitation.real_name).where(
            Invitation.session_id == session_id,
            col(Invitation.real_name).is_not(None),
            col(Invitation.id).not_in(seated),
        )
    )
    return [name for name in rows.all() if name]


def matcher_for(seats: Iterable[Seat], real_names: dict[int, str], absent: Iterable[str] = ()) -> Matcher:
    """The matcher of one session, as its transcript uses it: the seats' display names and
    real names, each replaced by the seat's label in the transcript (and contact details)."""
    rows = list(seats)
    return Matcher(_persons(rows, real_names, speakers(rows), absent))


def scrub(matcher: Matcher, text: str, language: str | None = None) -> str:
    """Text with every name and contact the matcher finds replaced (no decisions: the
    facilitators' own words are not reviewed span by span); in a text of a known `language`,
    a person's pseudonym is written in it."""

    def label(replacement: str) -> str:
        return replacement if language is None else pseudonym_label(replacement, language)

    return apply(text, [(x.start, x.end, label(x.replacement)) for x in matcher.suggest(text)])


def scrub_texts(matcher: Matcher, texts: Mapping[str, str]) -> Texts:
    """Every language's text scrubbed, each with pseudonyms in its own language."""
    return {language: scrub(matcher, text, language) for language, text in texts.items()}


def redacted(statement: Statement, matcher: Matcher, decisions: Sequence[Redaction]) -> tuple[str, list[dict]]:
    """The statement's own text with every suggestion applied unless rejected, and every span
    a facilitator added; and what was replaced (labels only, never the original words)."""
    return redacted_text(statement.text, matcher, decisions, part=0)


def redacted_text(
    text: str, matcher: Matcher, decisions: Sequence[Redaction], *, part: int, language: str | None = None
) -> tuple[str, list[dict]]:
    """One part of a statement (0 its own words, else a translation's id) redacted by the
    decisions on that part. In a translation (`language`), a person's pseudonym is written in
    the translation's language ("Участник 4"), as its reader reads the rest."""
    decisions = [d for d in decisions if d.part == part]
    # A dismissed possible name is no rejection: should the matcher later be sure of a name
    # at that very span, it is hidden (only a rejected suggestion keeps words as written).
    rejected = {(d.start, d.end) for d in decisions if not d.accepted and d.kind != "possible_name"}
    spans: list[tuple[int, int, str, str]] = []
    for s in matcher.suggest(text):
        if (s.start, s.end) not in rejected:
            spans.append((s.start, s.end, s.replacement, s.kind))
    for d in decisions:
        if d.accepted and d.kind == "manual" and d.end <= len(text):
            spans.append((d.start, d.end, d.replacement, "manual"))
    spans = _without_overlaps(spans)
    if language is not None:
        spans = [(a, b, pseudonym_label(r, language), k) for a, b, r, k in spans]
    result = apply(text, [(a, b, r) for a, b, r, _k in spans])
    return result, [{"kind": k, "replacement": r} for _a, _b, r, k in spans]


def translated_by(statement: Statement, translation: Translation, seats: Mapping[int, Seat]) -> str:
    """Who translated, as the transcript says it (as the room does): "author", "facilitator"
    or "interpreter", a role, never a name."""
    translator = seats.get(translation.seat_id)
    if translator is None:
        return "author" if translation.seat_id == statement.seat_id else "interpreter"
    return room_translated_by(translator, statement)


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


def assemble(
    material: Material,
    *,
    summary: Mapping[str, str] | str = "",
    agreed_points: Sequence[Mapping[str, str] | str] = (),
) -> dict[str, Any]:
    """The transcript document (see docs/transcripts.md for its schema)."""
    session = material.session
    languages = material.languages
    labels = speakers(material.seats.values())
    matcher = Matcher(people(material, labels))
    start = material.started_at or session.starts_at

    def scrubbed(value: object) -> Texts:
        """Facilitators' own words (title, agenda, summary, points, polls) in every language
        are searched too: they may name people. A plain string is the first language's."""
        return scrub_texts(matcher, texts_of(value, languages[0]))

    stable = material.numbers or {s.id: place for place, s in enumerate(material.statements, start=1)}
    numbers: dict[int, int] = {}  # statement id → its number, for the statements shown
    sections: dict[int | None, list[tuple[datetime, dict[str, Any]]]] = {}
    order = {language: place for place, language in enumerate(languages)}
    for statement in material.statements:
        seat = material.seats[statement.seat_id]
        entry: dict[str, Any] = {
            "speaker": labels[statement.seat_id],
            "role": "facilitator" if seat.role in FACILITATOR_ROLES else "participant",
            "community": _community_key(material, seat) if session.show_communities else None,
            "offset_seconds": max(0, int((statement.created_at - start).total_seconds())),
        }
        if statement.hidden_at is not None:
            entry.update(type="removed")  # its translations go with its words
        else:
            numbers[statement.id] = stable[statement.id]
            decisions = material.decisions.get(statement.id, ())
            text, replaced = redacted(statement, matcher, decisions)
            translations = []
            for translation in sorted(
                material.translations.get(statement.id, ()), key=lambda t: (order.get(t.language, len(order)), t.id)
            ):
                words, hidden = redacted_text(
                    translation.text, matcher, decisions, part=translation.id, language=translation.language
                )
                translations.append(
                    {
                        "language": translation.language,
                        "text": words,
                        "by": translated_by(statement, translation, material.seats),
                        "redactions": hidden,
                    }
                )
            entry.update(
                type="statement",
                number=numbers[statement.id],
                text=text,
                reply_to=numbers.get(statement.reply_to_id) if statement.reply_to_id else None,
                redactions=replaced,
                translations=translations,
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
    # "Opening" (no agenda item running) has no title of its own: readers print the word.
    ordered: list[tuple[int | None, object, object, str | None]] = [(None, {}, {}, None)]
    ordered += [(item.id, item.title, item.prompt, item.kind.value) for item in material.items]
    return {
        "schema": SCHEMA,
        "languages": list(languages),
        "session": {
            "title": scrubbed(session.title),
            "programme": material.programme.name,
            "starts_at": session.starts_at.isoformat(),
            "time_zone": session.time_zone,
            "show_communities": session.show_communities,
        },
        "communities": [{"key": c.key, "labels": c.labels} for c in material.communities],
        "summary": scrubbed(summary),
        "agreed_points": [texts for texts in (scrubbed(point) for point in agreed_points) if texts],
        "sections": [
            {
                "title": scrubbed(title),
                "prompt": scrubbed(prompt),
                "kind": kind,
                "entries": [e for _t, e in sorted(sections[item_id], key=lambda p: p[0])],
            }
            for item_id, title, prompt, kind in ordered
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
    # Translations live and die with their statement: a hidden one's stay out of the document
    # (assemble), a withdrawn one's are not even loaded.
    kept = {s.id for s in statements if s.hidden_at is None}
    translations: dict[int, list[Translation]] = {}
    for translation in (
        await db.exec(select(Translation).where(Translation.session_id == session_id).order_by(col(Translation.id)))
    ).all():
        if translation.statement_id in kept and translation.text.strip():
            translations.setdefault(translation.statement_id, []).append(translation)
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
    material = Material(
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
        translations=translations,
        absent_names=await absent_names_of(db, session_id=session_id),
    )
    if session.parent_id is not None:
        await _main_session_names(db, material, main_id=session.parent_id)
    return material


async def _main_session_names(db: AsyncSession, material: Material, *, main_id: int) -> None:
    """A breakout group's room: its people's real names are on their invitations to the main
    session, and anyone of the main session (in another group, or not placed) may be named."""
    main_seats = list((await db.exec(select(Seat).where(Seat.session_id == main_id))).all())
    main_names = await real_names_of(db, session_id=main_id, seats=main_seats)
    here = set()
    for seat in material.seats.values():
        if seat.parent_seat_id is not None:
            here.add(seat.parent_seat_id)
            if seat.parent_seat_id in main_names:
                material.real_names.setdefault(seat.id, main_names[seat.parent_seat_id])
    others = [s for s in main_seats if s.id not in here and s.role is not SeatRole.group]
    for seat in others:
        names = [seat.display_name if seat.display_name != seat.pseudonym else None, main_names.get(seat.id)]
        material.absent_names += [n for n in names if n and n.strip()]
    material.absent_names += await absent_names_of(db, session_id=main_id)


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
