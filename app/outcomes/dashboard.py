"""The dashboard's figures for one session or a whole programme: a JSON document of aggregates
only (no person key, seat, pseudonym or name), every group of fewer than the programme's
minimum left without a number, and no total or share that would let a hidden group be
worked out from the others. docs/outcomes.md explains the rules; exports.py reads the
document for pages, the print document and the CSV file.

Participation counts what participants said: withdrawn statements do not count (their
author took them back), hidden ones do (they were said, and took up the room's time), as in
the live balance (facilitation/balance.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import AgendaItem, AgendaKind, DialogueSession, Seat, SeatRole, SessionStatus
from app.events.models import Statement
from app.facilitation.models import Poll, PollAnswer, PollStatus
from app.outcomes.models import (
    SCALES,
    ItemKind,
    OutcomeSnapshot,
    Phase,
    Questionnaire,
    SurveyAnswer,
    SurveyResponse,
    TextReview,
)
from app.outcomes.questionnaires import communities_of
from app.outcomes.statistics import paired_change, shown
from app.programmes.models import MIN_GROUP_FLOOR, Community, Programme

SCHEMA = "roundtable.outcomes/1"
# The sessions that were held: their figures are the programme's.
HELD = (SessionStatus.live, SessionStatus.paused, SessionStatus.ended, SessionStatus.archived)


def min_group(programme: Programme) -> int:
    """The smallest group an aggregate may describe: the programme's setting, never below the floor."""
    return max(programme.survey_min_group, MIN_GROUP_FLOOR)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


async def held_sessions(db: AsyncSession, *, programme_id: int) -> list[DialogueSession]:
    return list(
        (
            await db.exec(
                select(DialogueSession)
                .where(
                    DialogueSession.programme_id == programme_id,
                    col(DialogueSession.status).in_(HELD),
                    col(DialogueSession.parent_id).is_(None),
                )
                .order_by(col(DialogueSession.starts_at), col(DialogueSession.id))
            )
        ).all()
    )


# Attendance -----------------------------------------------------------------------------


async def _attendance(db: AsyncSession, session_ids: Sequence[int]) -> dict[int, dict[int, int]]:
    """Participant seats admitted at some point, per session and community."""
    found: dict[int, dict[int, int]] = {sid: {} for sid in session_ids}
    if not session_ids:
        return found
    rows = await db.exec(
        select(Seat.session_id, Seat.community_id, func.count(col(Seat.id)))
        .where(
            col(Seat.session_id).in_(session_ids),
            Seat.role == SeatRole.participant,
            col(Seat.admitted_at).is_not(None),
            col(Seat.community_id).is_not(None),
        )
        .group_by(col(Seat.session_id), col(Seat.community_id))
    )
    for session_id, community_id, n in rows.all():
        if community_id is not None:
            found[session_id][community_id] = int(n)
    return found


def _count_groups(counts: dict[int, int], communities: Sequence[Community], visible: dict[int, bool]) -> dict[str, Any]:
    groups = [
        {"community": c.key, "shown": True, "n": counts.get(c.id, 0)} if visible[c.id] else _hidden(c)
        for c in communities
    ]
    every = bool(communities) and all(visible[c.id] for c in communities)
    return {"groups": groups, "total": sum(counts.get(c.id, 0) for c in communities) if every else None}


def _hidden(community: Community) -> dict[str, Any]:
    return {"community": community.key, "shown": False}


# Participation balance ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Said:
    session_id: int
    seat_id: int
    community_id: int | None  # None: not a participant's (facilitators break runs, never count)
    agenda_item_id: int | None
    words: int


async def _said(db: AsyncSession, session_ids: Sequence[int]) -> list[_Said]:
    if not session_ids:
        return []
    rows = await db.exec(
        select(Statement, Seat.role, Seat.community_id)
        .join(Seat, col(Seat.id) == col(Statement.seat_id))
        .where(col(Statement.session_id).in_(session_ids), col(Statement.withdrawn_at).is_(None))
        .order_by(col(Statement.session_id), col(Statement.seq))
    )
    return [
        _Said(
            statement.session_id,
            statement.seat_id,
            community_id if role == SeatRole.participant else None,
            statement.agenda_item_id,
            len(statement.text.split()),
        )
        for statement, role, community_id in rows.all()
    ]


def _tally(said: Iterable[_Said]) -> tuple[dict[int, int], dict[int, int]]:
    """Turns and words per community. A turn is a run of statements by one seat that nobody
    else (facilitators included) broke into, within one session."""
    turns: dict[int, int] = defaultdict(int)
    words: dict[int, int] = defaultdict(int)
    previous: tuple[int, int] | None = None
    for s in said:
        if s.community_id is not None:
            if (s.session_id, s.seat_id) != previous:
                turns[s.community_id] += 1
            words[s.community_id] += s.words
        previous = (s.session_id, s.seat_id)
    return turns, words


def _share(part: int, total: int) -> float:
    return round(part / total, 4) if total else 0.0


def _balance(said: Iterable[_Said], communities: Sequence[Community], visible: dict[int, bool]) -> dict[str, Any]:
    """Turns and words of the communities shown; shares and totals only when every one is."""
    turns, words = _tally(said)
    every = bool(communities) and all(visible[c.id] for c in communities)
    total_turns = sum(turns[c.id] for c in communities)
    total_words = sum(words[c.id] for c in communities)
    groups: list[dict[str, Any]] = []
    for c in communities:
        if not visible[c.id]:
            groups.append(_hidden(c))
            continue
        group: dict[str, Any] = {"community": c.key, "shown": True, "turns": turns[c.id], "words": words[c.id]}
        if every:
            group |= {"turn_share": _share(turns[c.id], total_turns), "word_share": _share(words[c.id], total_words)}
        groups.append(group)
    return {
        "groups": groups,
        "shares": every,
        "turns": total_turns if every else None,
        "words": total_words if every else None,
    }


# Polls ----------------------------------------------------------------------------------


async def _polls(db: AsyncSession, session_ids: Sequence[int], minimum: int) -> list[dict[str, Any]]:
    """Closed polls' counts per option; a poll of fewer voters than the minimum shows none."""
    if not session_ids:
        return []
    polls = list(
        (
            await db.exec(
                select(Poll)
                .where(col(Poll.session_id).in_(session_ids), Poll.status == PollStatus.closed)
                .order_by(col(Poll.session_id), col(Poll.opened_at), col(Poll.id))
            )
        ).all()
    )
    choices: dict[int, list[list[int]]] = {p.id: [] for p in polls}
    if polls:
        for answer in (await db.exec(select(PollAnswer).where(col(PollAnswer.poll_id).in_(list(choices))))).all():
            choices[answer.poll_id].append(list(answer.choices))
    found = []
    for poll in polls:
        voters = len(choices[poll.id])
        entry: dict[str, Any] = {
            "session_id": poll.session_id,
            "question": dict(poll.question),
            "options": [dict(o) for o in poll.options],
            "multiple": poll.multiple,
            "shown": shown(voters, minimum),
        }
        if entry["shown"]:
            counts = [0] * len(poll.options)
            for chosen in choices[poll.id]:
                for index in chosen:
                    if 0 <= index < len(counts):
                        counts[index] += 1
            entry |= {"voters": voters, "counts": counts}
        found.append(entry)
    return found


# Surveys --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Answer:
    session_id: int
    person_key: str
    community_id: int | None
    phase: Phase
    submitted_at: Any
    item_key: str
    number: float | None
    choice: str | None
    released: str | None


async def _answers(db: AsyncSession, session_ids: Sequence[int]) -> list[_Answer]:
    if not session_ids:
        return []
    rows = await db.exec(
        select(SurveyResponse, SurveyAnswer)
        .join(SurveyAnswer, col(SurveyAnswer.response_id) == col(SurveyResponse.id))
        .where(col(SurveyResponse.session_id).in_(session_ids), col(SurveyResponse.skipped).is_(False))
        .order_by(col(SurveyResponse.submitted_at), col(SurveyResponse.id), col(SurveyAnswer.id))
    )
    return [
        _Answer(
            response.session_id,
            response.person_key,
            response.community_id,
            response.phase,
            response.submitted_at,
            answer.item_key,
            answer.number,
            answer.choice,
            # Only words the facilitators released, as they released them.
            answer.shown_text if answer.review is TextReview.released else None,
        )
        for response, answer in rows.all()
    ]


async def _items(db: AsyncSession, programme_id: int) -> tuple[dict[str, dict[str, Any]], dict[Phase, list[str]]]:
    """Every item any version asked, its newest wording; and each phase's keys in order."""
    questionnaires = (
        await db.exec(
            select(Questionnaire)
            .where(Questionnaire.programme_id == programme_id)
            .order_by(col(Questionnaire.version).desc())
        )
    ).all()
    items: dict[str, dict[str, Any]] = {}
    order: dict[Phase, list[str]] = {Phase.pre: [], Phase.post: []}
    for questionnaire in questionnaires:
        for item in questionnaire.items:
            items.setdefault(item["key"], item)
            if item["key"] not in order[questionnaire.phase]:
                order[questionnaire.phase].append(item["key"])
    return items, order


def _group_shown(per_session: Counter[int], minimum: int) -> bool:
    """The minimum-group rule for a figure summed over sessions: the whole group is at least
    the minimum, and so is each session's part of it that is not empty — otherwise the
    programme's figure minus the sessions' own would single out the few of one session."""
    return shown(sum(per_session.values()), minimum) and all(shown(n, minimum) for n in per_session.values() if n)


def _linked(answers: Iterable[_Answer], phase: Phase) -> dict[str, _Answer]:
    """Per person, the answer of one phase: their earliest before, their latest after (over
    one session there is one of each)."""
    found: dict[str, _Answer] = {}
    for answer in answers:  # in the order they were submitted
        if answer.phase is not phase:
            continue
        if phase is Phase.post or answer.person_key not in found:
            found[answer.person_key] = answer
    return found


def _changes(
    answers: list[_Answer],
    items: dict[str, dict[str, Any]],
    keys: Sequence[str],
    communities: Sequence[Community],
    minimum: int,
) -> list[dict[str, Any]]:
    found = []
    for key in keys:
        item = items[key]
        kind = ItemKind(item["kind"])
        if kind not in SCALES:
            continue
        of_item = [a for a in answers if a.item_key == key and a.number is not None]
        if not of_item:
            continue
        before, after = _linked(of_item, Phase.pre), _linked(of_item, Phase.post)
        pairs: dict[int, list[tuple[float, float]]] = defaultdict(list)
        # Each pair counts in the session of its "after" (for the rule across sessions).
        parts: dict[int, Counter[int]] = defaultdict(Counter)
        for person, first in before.items():
            last = after.get(person)
            # A pair is a before and an after, in that order (across a series, a person's
            # "after" of one session may precede their "before" of a later one).
            if last is not None and first.community_id is not None and last.submitted_at >= first.submitted_at:
                assert first.number is not None and last.number is not None
                pairs[first.community_id].append((first.number, last.number))
                parts[first.community_id][last.session_id] += 1
        groups = []
        for c in communities:
            change = paired_change(pairs[c.id])
            if change is None or not _group_shown(parts[c.id], minimum):
                groups.append(_hidden(c))
                continue
            groups.append(
                {
                    "community": c.key,
                    "shown": True,
                    "n": change.n,
                    "before": _r(change.before),
                    "after": _r(change.after),
                    "change": _r(change.change),
                    "low": _r(change.low),
                    "high": _r(change.high),
                }
            )
        low, high = SCALES[kind]
        found.append(
            {
                "key": key,
                "kind": kind.value,
                "text": dict(item["text"]),
                "towards": item.get("towards"),
                "scale": [low, high],
                "groups": groups,
            }
        )
    return found


def _choices(
    answers: list[_Answer],
    items: dict[str, dict[str, Any]],
    order: dict[Phase, list[str]],
    communities: Sequence[Community],
    minimum: int,
) -> list[dict[str, Any]]:
    found = []
    for phase in (Phase.pre, Phase.post):
        for key in order[phase]:
            item = items[key]
            if item["kind"] != ItemKind.choice.value:
                continue
            options = [o["key"] for o in item.get("options", [])]
            chosen = _linked((a for a in answers if a.item_key == key and a.choice in options), phase)
            if not chosen:
                continue
            groups = []
            for c in communities:
                mine = [a for a in chosen.values() if a.community_id == c.id]
                if not _group_shown(Counter(a.session_id for a in mine), minimum):
                    groups.append(_hidden(c))
                    continue
                groups.append(
                    {
                        "community": c.key,
                        "shown": True,
                        "n": len(mine),
                        "counts": [sum(1 for a in mine if a.choice == o) for o in options],
                    }
                )
            found.append(
                {
                    "key": key,
                    "phase": phase.value,
                    "text": dict(item["text"]),
                    "options": [{"key": o["key"], "text": dict(o["text"])} for o in item.get("options", [])],
                    "groups": groups,
                }
            )
    return found


def _texts(
    answers: list[_Answer], items: dict[str, dict[str, Any]], order: dict[Phase, list[str]], minimum: int
) -> list[dict[str, Any]]:
    """Released free texts per item, without community, sorted by their words (never in the
    order they came in); an item with fewer released texts than the minimum shows none."""
    found = []
    for phase in (Phase.pre, Phase.post):
        for key in order[phase]:
            if items[key]["kind"] != ItemKind.text.value:
                continue
            released = [a for a in answers if a.item_key == key and a.phase is phase and a.released]
            if not released:
                continue
            entry: dict[str, Any] = {
                "key": key,
                "phase": phase.value,
                "text": dict(items[key]["text"]),
                "shown": _group_shown(Counter(a.session_id for a in released), minimum),
            }
            if entry["shown"]:
                entry["answers"] = sorted((a.released or "" for a in released), key=lambda t: (t.casefold(), t))
            found.append(entry)
    return found


async def _survey(
    db: AsyncSession, programme: Programme, session_ids: Sequence[int], communities: Sequence[Community]
) -> dict[str, Any]:
    minimum = min_group(programme)
    answers = await _answers(db, session_ids)
    items, order = await _items(db, programme.id)
    numeric = order[Phase.pre] + [k for k in order[Phase.post] if k not in order[Phase.pre]]
    return {
        "changes": _changes(answers, items, numeric, communities, minimum),
        "choices": _choices(answers, items, order, communities, minimum),
        "texts": _texts(answers, items, order, minimum),
        "as_of": None,
    }


# The document ---------------------------------------------------------------------------


def _session_entry(session: DialogueSession) -> dict[str, Any]:
    return {
        "id": session.id,
        "title": dict(session.title),
        "starts_at": session.starts_at.isoformat(),
        "time_zone": session.time_zone,
        "status": session.status.value,
    }


async def _agenda(db: AsyncSession, session_id: int) -> list[AgendaItem]:
    return list(
        (
            await db.exec(
                select(AgendaItem)
                .where(AgendaItem.session_id == session_id, AgendaItem.kind != AgendaKind.break_)
                .order_by(col(AgendaItem.position))
            )
        ).all()
    )


async def compute(db: AsyncSession, *, programme: Programme, session: DialogueSession | None) -> dict[str, Any]:
    """The figures as they stand now: of one session (any status), or of the programme's held sessions."""
    minimum = min_group(programme)
    communities = await communities_of(db, programme_id=programme.id)
    sessions = [session] if session is not None else await held_sessions(db, programme_id=programme.id)
    ids = [s.id for s in sessions]
    attendance = await _attendance(db, ids)
    # A community is shown in a scope when it is shown in each of its sessions: a sum over
    # sessions must not let one session's hidden figure be worked out from the others'.
    visible = {
        c.id: bool(ids) and _group_shown(Counter({s: attendance[s].get(c.id, 0) for s in ids}), minimum)
        for c in communities
    }
    totals = {c.id: sum(attendance[s].get(c.id, 0) for s in ids) for c in communities}
    said = await _said(db, ids)
    document: dict[str, Any] = {
        "schema": SCHEMA,
        "scope": "session" if session is not None else "programme",
        "programme_id": programme.id,
        "session_id": session.id if session is not None else None,
        "min_group": minimum,
        "communities": [{"key": c.key, "labels": dict(c.labels)} for c in communities],
        "sessions": [],
        "attendance": _count_groups(totals, communities, visible),
        "balance": {"overall": _balance(said, communities, visible), "parts": []},
        "polls": await _polls(db, ids, minimum),
        "survey": await _survey(db, programme, ids, communities),
    }
    for s in sessions:
        own = {c.id: shown(attendance[s.id].get(c.id, 0), minimum) for c in communities}
        document["sessions"].append(
            {**_session_entry(s), "attendance": _count_groups(attendance[s.id], communities, own)}
        )
        if session is None:  # the programme: the balance of each session
            mine = [x for x in said if x.session_id == s.id]
            document["balance"]["parts"].append(
                {"session_id": s.id, "title": dict(s.title), **_balance(mine, communities, own)}
            )
    if session is not None:  # one session: the balance of each agenda item
        for item in await _agenda(db, session.id):
            mine = [x for x in said if x.agenda_item_id == item.id]
            document["balance"]["parts"].append(
                {"agenda_item_id": item.id, "title": dict(item.title), **_balance(mine, communities, visible)}
            )
    return document


async def snapshot(db: AsyncSession, *, programme_id: int, session_id: int | None) -> dict[str, Any]:
    """The document to keep as an OutcomeSnapshot before a purge deletes the answers it is made of."""
    programme = await db.get(Programme, programme_id)
    assert programme is not None
    session = await db.get(DialogueSession, session_id) if session_id is not None else None
    assert session_id is None or (session is not None and session.programme_id == programme_id)
    return await compute(db, programme=programme, session=session)


async def _stored(db: AsyncSession, *, programme_id: int, session_id: int | None) -> OutcomeSnapshot | None:
    where = (
        col(OutcomeSnapshot.session_id).is_(None) if session_id is None else OutcomeSnapshot.session_id == session_id
    )
    return (
        await db.exec(
            select(OutcomeSnapshot)
            .where(OutcomeSnapshot.programme_id == programme_id, where)
            .order_by(col(OutcomeSnapshot.taken_at).desc(), col(OutcomeSnapshot.id).desc())
        )
    ).first()


async def dashboard(db: AsyncSession, *, programme: Programme, session: DialogueSession | None) -> dict[str, Any]:
    """What the dashboard shows: the figures now, with the survey's as kept when its answers
    were purged (of this session; for the programme, once any session's were)."""
    document = await compute(db, programme=programme, session=session)
    kept: OutcomeSnapshot | None = None
    if session is not None:
        kept = await _stored(db, programme_id=programme.id, session_id=session.id)
        # A purged session's statements are gone too: its balance is the one kept with it.
        if kept is not None and isinstance(kept.document.get("balance"), dict):
            document["balance"] = kept.document["balance"]
    else:
        purged = (
            await db.exec(
                select(func.count())
                .select_from(OutcomeSnapshot)
                .where(OutcomeSnapshot.programme_id == programme.id, col(OutcomeSnapshot.session_id).is_not(None))
            )
        ).one()
        # The programme's balance counts the statements still stored; each purged session's
        # own page shows its balance as it was kept.
        document["purged_sessions"] = purged
        if purged:
            kept = await _stored(db, programme_id=programme.id, session_id=None)
    if kept is not None and isinstance(kept.document.get("survey"), dict):
        document["survey"] = {**kept.document["survey"], "as_of": kept.taken_at.isoformat()}
    return document
