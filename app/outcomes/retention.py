"""Retention of survey answers: they follow the programme's retention like statements. When a
session is purged, its outcomes are kept as aggregates only: the dashboard's document of the
session (and of its programme) is stored as an `OutcomeSnapshot`, with every name and contact
the transcript's matcher finds replaced and without free texts, and then every survey response
and answer of the session is deleted. `roundtable purge` runs this, then the transcripts'
purge (app/transcripts/retention.py), in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import DialogueSession, Seat
from app.outcomes import dashboard
from app.outcomes.models import OutcomeSnapshot, SurveyAnswer, SurveyResponse
from app.transcripts import retention as transcripts_retention
from app.transcripts.build import absent_names_of, matcher_for, real_names_of, scrub
from app.transcripts.redact import Matcher

# The part of a dashboard document that is words people wrote, not aggregates: kept empty.
FREE_TEXT_KEYS = frozenset({"texts"})
# The parts that hold words facilitators wrote, which may name people: scrubbed.
WORDS_KEYS = frozenset({"title", "question", "options"})
IDENTIFIERS = frozenset({"key", "community", "phase", "kind"})


@dataclass
class Purged:
    """What `roundtable purge` did: the transcripts' part and the outcomes' part."""

    transcripts: transcripts_retention.Purged
    survey_sessions: int = 0
    survey_responses: int = 0


def _kept(value: Any, matcher: Matcher, *, words: bool = False) -> Any:
    """A document with the facilitators' words in it (session and agenda titles, poll
    questions and options: `WORDS_KEYS`) scrubbed as the transcript's purge scrubs them, and
    the free texts left out. Nothing else is touched: keys, community keys, statuses and the
    questionnaire's own texts are not names, and changing them would break the document."""
    if isinstance(value, dict):
        return {
            key: []
            if key in FREE_TEXT_KEYS
            else _kept(item, matcher, words=(words or key in WORDS_KEYS) and key not in IDENTIFIERS)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_kept(item, matcher, words=words) for item in value]
    if isinstance(value, str) and words:
        return scrub(matcher, value)
    return value


async def _store(db: AsyncSession, *, programme_id: int, session_id: int | None, document: dict, now: datetime) -> None:
    found = (
        await db.exec(
            select(OutcomeSnapshot).where(
                OutcomeSnapshot.programme_id == programme_id,
                col(OutcomeSnapshot.session_id).is_(None)
                if session_id is None
                else OutcomeSnapshot.session_id == session_id,
            )
        )
    ).first()
    if found is None:
        found = OutcomeSnapshot(programme_id=programme_id, session_id=session_id, taken_at=now, document=document)
    else:
        found.document, found.taken_at = document, now
    db.add(found)
    await db.flush()


async def purge_answers(db: AsyncSession, *, session_id: int, now: datetime) -> int:
    """Keep one session's outcomes as aggregates and delete its survey answers; the number of
    responses deleted. A session purged already is passed over (its snapshot stays as it was)."""
    session = await db.get(DialogueSession, session_id)
    if session is None:
        return 0
    responses = (
        await db.exec(select(func.count()).select_from(SurveyResponse).where(SurveyResponse.session_id == session_id))
    ).one()
    snapshot = (await db.exec(select(OutcomeSnapshot.id).where(OutcomeSnapshot.session_id == session_id))).first()
    if responses == 0 and snapshot is not None:
        return 0
    seats = list((await db.exec(select(Seat).where(Seat.session_id == session_id))).all())
    matcher = matcher_for(
        seats,
        await real_names_of(db, session_id=session_id, seats=seats),
        await absent_names_of(db, session_id=session_id),
    )
    for scope in (session_id, None):
        document = await dashboard.snapshot(db, programme_id=session.programme_id, session_id=scope)
        await _store(
            db, programme_id=session.programme_id, session_id=scope, document=_kept(document, matcher), now=now
        )
    ids = select(SurveyResponse.id).where(SurveyResponse.session_id == session_id)
    await db.exec(delete(SurveyAnswer).where(col(SurveyAnswer.response_id).in_(ids)))
    await db.exec(delete(SurveyResponse).where(col(SurveyResponse.session_id) == session_id))
    await db.flush()
    return responses


async def purge(db: AsyncSession, *, now: datetime) -> Purged:
    """Everything `roundtable purge` does: the survey answers of each session past its
    retention (kept as aggregates first, while the statements they count are still there),
    then the transcripts' purge of the same sessions."""
    survey_sessions = survey_responses = 0
    for session_id in await transcripts_retention.due(db, now=now):
        deleted = await purge_answers(db, session_id=session_id, now=now)
        survey_sessions += 1 if deleted else 0
        survey_responses += deleted
    done = await transcripts_retention.purge(db, now=now)
    return Purged(transcripts=done, survey_sessions=survey_sessions, survey_responses=survey_responses)
