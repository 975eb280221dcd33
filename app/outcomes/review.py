"""The facilitators' review of a session's free-text survey answers, and the per-respondent
view they may have of their own sessions' answers.

Free texts reach organisers only once a facilitator of the session released them, through
the same redaction as transcripts: the transcripts' matcher (app/transcripts/build.py:
`matcher_for`; names of the session's seats and the real names on its invitations, in
Latin, Cyrillic and Armenian, and contacts) suggests what to hide, and the review starts
from the text with its suggestions applied, in a field the facilitator may edit further.
A name becomes "[name]" (not a pseudonym: a survey answer is tied to no seat, and an
organiser should not read an assessment of "Participant 17"); a contact its kind
("[email]", "[phone]", …). Release stores the edited words as `shown_text`; withholding
stores nothing; a released text may be withheld again, and the other way round.

Nothing here carries a name, a pseudonym, a seat or the submission order: texts and
respondents are ordered by a hash of the person's random key, different in each session,
and a text is addressed by such a hash (`ref`), never by its id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import DialogueSession, Seat
from app.errors import NotFound, PermissionDenied, ValidationFailed
from app.messages import Msg
from app.outcomes.models import Phase, Questionnaire, SurveyAnswer, SurveyResponse, TextReview
from app.outcomes.questionnaires import items_of
from app.outcomes.schemas import MAX_ANSWER_CHARS, Item
from app.programmes.models import Programme
from app.programmes.texts import clean_text
from app.security.text import HiddenText, check_room_text
from app.transcripts.build import ABSENT_NAME, absent_names_of, matcher_for, real_names_of
from app.transcripts.redact import Matcher, apply

# What a name found in a survey answer becomes.
NAME_PLACEHOLDER = ABSENT_NAME


def _digest(*parts: object) -> str:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()


def ref_of(answer: SurveyAnswer, response: SurveyResponse) -> str:
    """How a page addresses one text answer: unguessable (the person's key is random and
    never shown) and unrelated to the order of submission."""
    return _digest("text", response.person_key, response.session_id, answer.id)[:24]


@dataclass(frozen=True)
class TextForReview:
    ref: str
    item: Item | None  # the question (None: the version no longer has it)
    item_key: str
    text: str  # as written
    suggested: str  # what the editable field starts with
    review: TextReview
    shown_text: str | None
    hidden: list[str] = field(default_factory=list)  # kinds of what the suggestion hides
    possible: list[str] = field(default_factory=list)  # words that may be names (not hidden)
    reviewed_at: datetime | None = None


async def session_matcher(db: AsyncSession, *, session: DialogueSession) -> Matcher:
    """The session's matcher, as its transcript's: the seats' names, the invitations' real
    names (those who never came too) and contacts."""
    seats = list((await db.exec(select(Seat).where(Seat.session_id == session.id))).all())
    real_names = await real_names_of(db, session_id=session.id, seats=seats)
    return matcher_for(seats, real_names, await absent_names_of(db, session_id=session.id))


def suggestion(matcher: Matcher, text: str) -> tuple[str, list[str], list[str]]:
    """The text with the matcher's suggestions applied, the kinds hidden, and the words that
    only may be names (for the reviewer to look at)."""
    sure, possible = matcher.review(text)
    spans = [(s.start, s.end, NAME_PLACEHOLDER if s.kind == "name" else s.replacement) for s in sure]
    return apply(text, spans), [s.kind for s in sure], [s.original for s in possible]


async def _text_rows(
    db: AsyncSession, *, session: DialogueSession
) -> list[tuple[SurveyAnswer, SurveyResponse, Questionnaire]]:
    rows = await db.exec(
        select(SurveyAnswer, SurveyResponse, Questionnaire)
        .join(SurveyResponse, col(SurveyResponse.id) == col(SurveyAnswer.response_id))
        .join(Questionnaire, col(Questionnaire.id) == col(SurveyResponse.questionnaire_id))
        .where(SurveyResponse.session_id == session.id, col(SurveyAnswer.text).is_not(None))
    )
    found = list(rows.all())
    return sorted(found, key=lambda row: ref_of(row[0], row[1]))


def _item(questionnaire: Questionnaire, key: str) -> Item | None:
    return next((item for item in items_of(questionnaire) if item.key == key), None)


async def texts_for_review(db: AsyncSession, *, session: DialogueSession) -> list[TextForReview]:
    """Every free-text answer of the session (pending, released, withheld) with its question
    and the suggested redaction; in a stable order that is not the order of submission."""
    rows = await _text_rows(db, session=session)
    if not rows:
        return []
    matcher = await session_matcher(db, session=session)
    found: list[TextForReview] = []
    for answer, response, questionnaire in rows:
        text = answer.text or ""
        suggested, hidden, possible = suggestion(matcher, text)
        found.append(
            TextForReview(
                ref=ref_of(answer, response),
                item=_item(questionnaire, answer.item_key),
                item_key=answer.item_key,
                text=text,
                suggested=answer.shown_text
                if answer.review is TextReview.released and answer.shown_text
                else suggested,
                review=answer.review or TextReview.pending,
                shown_text=answer.shown_text,
                hidden=hidden,
                possible=possible,
                reviewed_at=answer.reviewed_at,
            )
        )
    return found


async def _answer(db: AsyncSession, *, session: DialogueSession, ref: str) -> SurveyAnswer:
    for answer, response, _questionnaire in await _text_rows(db, session=session):
        if ref_of(answer, response) == ref:
            return answer
    raise NotFound(Msg("There is no such answer in this session."))


def checked_text(text: str) -> str:
    """The words to release: visible, at most MAX_ANSWER_CHARS, no hidden characters."""
    cleaned = clean_text(text)

    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed(
            message, code="invalid_text", details=[{"field": "text", "type": "invalid_text", "message": message}]
        )

    if not cleaned:
        raise refuse(Msg("Write the words to release, or withhold the answer."))
    if len(cleaned) > MAX_ANSWER_CHARS:
        raise refuse(Msg("This is too long: at most {n} characters.", n=MAX_ANSWER_CHARS))
    try:
        return check_room_text(cleaned, what=Msg("answer"))
    except HiddenText as exc:
        raise refuse(exc.message) from None


async def release(
    db: AsyncSession, *, session: DialogueSession, ref: str, text: str, user_id: int, now: datetime
) -> SurveyAnswer:
    """Let organisers read an answer as the facilitator edited it."""
    answer = await _answer(db, session=session, ref=ref)
    answer.shown_text = checked_text(text)
    answer.review, answer.reviewed_by, answer.reviewed_at = TextReview.released, user_id, now
    db.add(answer)
    await db.flush()
    return answer


async def withhold(
    db: AsyncSession, *, session: DialogueSession, ref: str, user_id: int, now: datetime
) -> SurveyAnswer:
    """Keep an answer from organisers (also one released before)."""
    answer = await _answer(db, session=session, ref=ref)
    answer.shown_text = None
    answer.review, answer.reviewed_by, answer.reviewed_at = TextReview.withheld, user_id, now
    db.add(answer)
    await db.flush()
    return answer


# Answers one respondent at a time, for the session's facilitators -------------------------


@dataclass(frozen=True)
class Given:
    """One item's answer as a facilitator may read it: a number, an option's key, or a text
    that was released (`review` says what became of a text otherwise)."""

    number: float | None = None
    choice: str | None = None
    text: str | None = None
    review: TextReview | None = None


@dataclass
class Respondent:
    label_number: int  # "Respondent 1", … in this session only
    community_id: int | None
    skipped: set[Phase] = field(default_factory=set)
    answered: set[Phase] = field(default_factory=set)
    answers: dict[str, dict[Phase, Given]] = field(default_factory=dict)


@dataclass(frozen=True)
class Respondents:
    items: list[Item]  # every item answered in the session, the pre-survey's first
    people: list[Respondent]


def check_facilitators_see_answers(programme: Programme) -> None:
    if not programme.facilitators_see_answers:
        raise PermissionDenied(
            Msg(
                "This programme's organisers have not allowed facilitators to read survey answers "
                "one respondent at a time. They can allow it in the programme's settings."
            ),
            code="answers_not_shown",
        )


def _given(answer: SurveyAnswer) -> Given:
    if answer.text is not None:
        shown = answer.shown_text if answer.review is TextReview.released else None
        return Given(text=shown, review=answer.review or TextReview.pending)
    return Given(number=answer.number, choice=answer.choice)


async def respondents(db: AsyncSession, *, session: DialogueSession, programme: Programme) -> Respondents:
    """Each respondent of the session (answered or skipped, before or after) with their
    community and their answers, labelled by a number in an order unrelated to seats and
    submission; free texts only as released. Only where the programme allows it."""
    check_facilitators_see_answers(programme)
    responses = list((await db.exec(select(SurveyResponse).where(SurveyResponse.session_id == session.id))).all())
    by_person: dict[str, list[SurveyResponse]] = {}
    for response in responses:
        by_person.setdefault(response.person_key, []).append(response)
    order = sorted(by_person, key=lambda key: _digest("respondent", session.id, key))
    questionnaire_ids = sorted({r.questionnaire_id for r in responses})
    questionnaires = {
        q.id: q
        for q in (await db.exec(select(Questionnaire).where(col(Questionnaire.id).in_(questionnaire_ids)))).all()
    }
    items: dict[str, Item] = {}
    for phase in (Phase.pre, Phase.post):
        for q in sorted(questionnaires.values(), key=lambda q: q.version, reverse=True):
            if q.phase is phase:
                for item in items_of(q):
                    items.setdefault(item.key, item)
    response_ids = [r.id for r in responses]
    answers = (
        list((await db.exec(select(SurveyAnswer).where(col(SurveyAnswer.response_id).in_(response_ids)))).all())
        if response_ids
        else []
    )
    by_response: dict[int, list[SurveyAnswer]] = {}
    for answer in answers:
        by_response.setdefault(answer.response_id, []).append(answer)
    people: list[Respondent] = []
    for number, key in enumerate(order, start=1):
        rows = by_person[key]
        person = Respondent(label_number=number, community_id=next((r.community_id for r in rows), None))
        for response in rows:
            (person.skipped if response.skipped else person.answered).add(response.phase)
            for answer in by_response.get(response.id, []):
                person.answers.setdefault(answer.item_key, {})[response.phase] = _given(answer)
        people.append(person)
    shown_items = [item for item in items.values() if any(item.key in p.answers for p in people)] or list(
        items.values()
    )
    return Respondents(items=shown_items, people=people)


__all__ = [
    "NAME_PLACEHOLDER",
    "Given",
    "Respondent",
    "Respondents",
    "TextForReview",
    "check_facilitators_see_answers",
    "checked_text",
    "ref_of",
    "release",
    "respondents",
    "session_matcher",
    "suggestion",
    "texts_for_review",
    "withhold",
]
