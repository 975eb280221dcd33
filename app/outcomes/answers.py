"""Answering a survey: who is offered which phase and until when, and storing answers (or a
skip) under the person's programme-level pseudonymous key, never with their seat or name."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import FINISHED, DialogueSession, Invitation, Seat, SeatRole, SeatStatus, SessionStatus
from app.errors import Conflict, ValidationFailed
from app.messages import Msg
from app.outcomes.models import SCALES, ItemKind, Phase, Questionnaire, SurveyAnswer, SurveyResponse, TextReview
from app.outcomes.questionnaires import current, items_of, stored_current
from app.outcomes.schemas import MAX_ANSWER_CHARS, Item
from app.programmes.models import Programme
from app.programmes.texts import clean_text
from app.security.text import HiddenText, check_room_text
from app.transcripts.service import ended_at

# Who answers surveys: the participants. Facilitators, interpreters and observers do not.
ANSWERING_ROLES = (SeatRole.participant,)
# Seats a facilitator removed or banned: their place in the session, surveys included, ended.
CLOSED_SEATS = (SeatStatus.removed, SeatStatus.banned)
# The post-survey is offered from the end of the session for the programme's `survey_days`.
POST_STATUSES = (SessionStatus.ended, SessionStatus.archived)


@dataclass(frozen=True)
class Offer:
    """A survey a seat may answer now: its questionnaire and, for the post-survey, until when."""

    phase: Phase
    questionnaire: Questionnaire
    items: list[Item]
    until: datetime | None


async def person_key_for(db: AsyncSession, *, seat: Seat) -> str | None:
    """The programme-level pseudonymous key of the person in a seat, made on first use; None
    for a seat that came without an invitation (a facilitator's)."""
    if seat.invitation_id is None:
        return None
    # Locked (on PostgreSQL), and read afresh: two first answers at once make one key.
    invitation = (
        await db.exec(
            select(Invitation)
            .where(Invitation.id == seat.invitation_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).first()
    if invitation is None:
        return None
    if invitation.person_key is None:
        invitation.person_key = secrets.token_hex(16)
        db.add(invitation)
        await db.flush()
    return invitation.person_key


async def response_of(db: AsyncSession, *, seat: Seat, phase: Phase) -> SurveyResponse | None:
    """The seat's answers (or skip) of one phase, if any."""
    if seat.invitation_id is None:
        return None
    invitation = await db.get(Invitation, seat.invitation_id)
    if invitation is None or invitation.person_key is None:
        return None
    return (
        await db.exec(
            select(SurveyResponse).where(
                SurveyResponse.session_id == seat.session_id,
                SurveyResponse.person_key == invitation.person_key,
                SurveyResponse.phase == phase,
            )
        )
    ).first()


async def post_deadline(db: AsyncSession, *, session: DialogueSession) -> datetime | None:
    """Until when the post-survey is open: the session's end plus the programme's days."""
    ended = await ended_at(db, session=session)
    if ended is None:
        return None
    programme = await db.get(Programme, session.programme_id)
    return ended + timedelta(days=programme.survey_days if programme else 14)


async def window(
    db: AsyncSession, *, session: DialogueSession, phase: Phase, now: datetime
) -> tuple[bool, datetime | None]:
    """Whether a phase is open for this session now, and (post) until when."""
    if phase is Phase.pre:
        return session.status not in FINISHED, None
    if session.status not in POST_STATUSES:
        return False, None
    until = await post_deadline(db, session=session)
    return until is not None and now <= until, until


async def offer(db: AsyncSession, *, seat: Seat, session: DialogueSession, phase: Phase, now: datetime) -> Offer | None:
    """The survey to show this seat now, or None: not a participant, closed, or answered or
    skipped already."""
    if await refusal(db, seat=seat, session=session, phase=phase, now=now) is not None:
        return None
    _open, until = await window(db, session=session, phase=phase, now=now)
    programme = await db.get(Programme, session.programme_id)
    if programme is None:
        return None
    questionnaire = await current(db, programme=programme, phase=phase, now=now)
    return Offer(phase=phase, questionnaire=questionnaire, items=items_of(questionnaire), until=until)


async def refusal(
    db: AsyncSession, *, seat: Seat, session: DialogueSession, phase: Phase, now: datetime
) -> Conflict | None:
    """Why this seat may not answer this phase now, as a readable error (its page shows the
    message); None when it may."""
    if seat.role not in ANSWERING_ROLES or seat.invitation_id is None or seat.session_id != session.id:
        return Conflict(Msg("Surveys are for participants."), code="survey_not_offered")
    if seat.status in CLOSED_SEATS:
        return Conflict(Msg("This survey is not open to you."), code="survey_not_offered")
    if phase is Phase.post and seat.admitted_at is None:
        # Someone who only waited in the lobby has no "after" to tell.
        return Conflict(Msg("This survey is for those who took part in the session."), code="survey_not_offered")
    is_open, _until = await window(db, session=session, phase=phase, now=now)
    if not is_open:
        if phase is Phase.post and session.status not in FINISHED:
            return Conflict(Msg("This survey opens when the session has ended."), code="survey_not_yet")
        return Conflict(Msg("This survey is closed."), code="survey_closed")
    if await response_of(db, seat=seat, phase=phase) is not None:
        return Conflict(Msg("You have already answered or skipped this survey."), code="survey_done")
    return None


def _problem(field: str, message: str) -> dict[str, str]:
    return {"field": field, "type": "invalid_answer", "message": message}


def read_answers(items: list[Item], values: Mapping[str, str]) -> list[dict[str, Any]]:
    """The answers in a submitted form, one per answered item (every item is optional); a 422
    naming each field that is wrong."""
    answers: list[dict[str, Any]] = []
    problems: list[dict[str, str]] = []
    for item in items:
        raw = clean_text(str(values.get(item.key, "") or ""))
        if not raw:
            continue
        if item.kind in SCALES:
            low, high = SCALES[item.kind]
            try:
                number = int(raw)
            except ValueError:
                number = None
            if number is None or not low <= number <= high:
                problems.append(_problem(item.key, Msg("Choose a number from {low} to {high}.", low=low, high=high)))
                continue
            answers.append({"item_key": item.key, "number": float(number)})
        elif item.kind is ItemKind.choice:
            if raw not in {option.key for option in item.options}:
                problems.append(_problem(item.key, Msg("Choose one of the options.")))
                continue
            answers.append({"item_key": item.key, "choice": raw})
        else:
            if len(raw) > MAX_ANSWER_CHARS:
                problems.append(
                    _problem(item.key, Msg("This is too long: at most {n} characters.", n=MAX_ANSWER_CHARS))
                )
                continue
            try:
                text = check_room_text(raw, what=Msg("answer"))
            except HiddenText as exc:
                problems.append(_problem(item.key, exc.message))
                continue
            answers.append({"item_key": item.key, "text": text, "review": TextReview.pending})
    if problems:
        raise ValidationFailed(Msg("Some answers are not valid."), code="invalid_answers", details=problems)
    return answers


async def _respond(
    db: AsyncSession,
    *,
    seat: Seat,
    session: DialogueSession,
    phase: Phase,
    now: datetime,
    skipped: bool,
    values: Mapping[str, str],
) -> SurveyResponse:
    refused = await refusal(db, seat=seat, session=session, phase=phase, now=now)
    if refused is not None:
        raise refused
    programme = await db.get(Programme, session.programme_id)
    assert programme is not None
    questionnaire = await stored_current(db, programme=programme, phase=phase, now=now)
    answers = [] if skipped else read_answers(items_of(questionnaire), values)
    person_key = await person_key_for(db, seat=seat)
    assert person_key is not None
    response = SurveyResponse(
        questionnaire_id=questionnaire.id,
        session_id=session.id,
        person_key=person_key,
        community_id=seat.community_id,
        phase=phase,
        skipped=skipped,
        submitted_at=now,
    )
    try:
        async with db.begin_nested():
            db.add(response)
            await db.flush()
    except IntegrityError:
        # The same person's other request (a second tab, a double click) came first.
        raise Conflict(Msg("You have already answered or skipped this survey."), code="survey_done") from None
    for answer in answers:
        db.add(SurveyAnswer(response_id=response.id, **answer))
    await db.flush()
    return response


async def submit(
    db: AsyncSession, *, seat: Seat, session: DialogueSession, phase: Phase, values: Mapping[str, str], now: datetime
) -> SurveyResponse:
    """Store a seat's answers to one phase (once; every item may be left out)."""
    return await _respond(db, seat=seat, session=session, phase=phase, now=now, skipped=False, values=values)


async def skip(
    db: AsyncSession, *, seat: Seat, session: DialogueSession, phase: Phase, now: datetime
) -> SurveyResponse:
    """Record that a seat chose not to answer one phase, so it is not offered again."""
    return await _respond(db, seat=seat, session=session, phase=phase, now=now, skipped=True, values={})
