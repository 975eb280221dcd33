"""JSON API for transcripts: the facilitators' review and release of a session's draft, and
the released versions that members of the programme (organisers, facilitators) read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.db import MAX_ID
from app.deps import CurrentUser, DbDep, NowDep, PathId, require_csrf
from app.dialogues.deps import SessionFacilitatorDep
from app.programmes.deps import ProgrammeMemberDep
from app.programmes.service import programme_access
from app.programmes.texts import PromptTexts, texts_check
from app.transcripts import review, service

router = APIRouter(prefix="/api", tags=["transcripts"], dependencies=[Depends(require_csrf)])


SUMMARY_MAX = 20_000


# A summary of up to 20,000 characters in each language.
SummaryTexts = Annotated[str | dict[str, str], AfterValidator(texts_check(SUMMARY_MAX))]


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    statement_id: int = Field(ge=1, le=MAX_ID)
    # 0: the statement's own words; else the id of one of its translations.
    part: int = Field(default=0, ge=0, le=MAX_ID)
    start: int = Field(ge=0, le=MAX_ID)
    end: int = Field(ge=1, le=MAX_ID)
    accept: bool


class ManualRedaction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    statement_id: int = Field(ge=1, le=MAX_ID)
    part: int = Field(default=0, ge=0, le=MAX_ID)
    start: int = Field(ge=0, le=MAX_ID)
    end: int = Field(ge=1, le=MAX_ID)
    reason: str = Field(min_length=1, max_length=200)


class Outcomes(BaseModel):
    """Edits, merged into what is there: a map {language: text} replaces the languages it
    names (an empty text removes one) and keeps the others; a plain string is the
    programme's first language. Points are merged by position; the list sent is the list of
    points. A field left out is left as it is."""

    model_config = ConfigDict(extra="forbid")
    summary: SummaryTexts | None = None
    agreed_points: list[PromptTexts] | None = Field(default=None, max_length=50)
    two_to_release: bool | None = None


@router.get("/sessions/{session_id}/transcript")
async def transcript_draft(access: SessionFacilitatorDep, db: DbDep, now: NowDep) -> dict[str, Any]:
    """The draft exactly as organisers would read it, with every suggestion (and possible name)
    and its state, and counts: statements, statements without any suggestion, pending, possible."""
    return await review.draft(db, session=access.session, now=now)


@router.post("/sessions/{session_id}/transcript/decisions")
async def decide(
    body: Decision, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> dict[str, Any]:
    """Accept or reject one automatic suggestion, or hide (accept) or dismiss one possible name."""
    row = await review.decide(
        db,
        session=access.session,
        user=user,
        statement_id=body.statement_id,
        start=body.start,
        end=body.end,
        accept=body.accept,
        now=now,
        part=body.part,
    )
    return {"id": row.id, "accepted": row.accepted}


@router.post("/sessions/{session_id}/transcript/redactions", status_code=201)
async def add_redaction(
    body: ManualRedaction, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> dict[str, Any]:
    """Hide exactly the characters [start, end) of a statement or (`part`) of one of its
    translations (offsets in characters), with a reason."""
    row = await review.add_redaction(
        db,
        session=access.session,
        user=user,
        statement_id=body.statement_id,
        start=body.start,
        end=body.end,
        reason=body.reason,
        now=now,
        part=body.part,
    )
    return {"id": row.id}


@router.delete("/sessions/{session_id}/transcript/redactions/{redaction_id}", status_code=204)
async def remove_redaction(redaction_id: PathId, access: SessionFacilitatorDep, db: DbDep, now: NowDep) -> None:
    await review.remove_redaction(db, session=access.session, redaction_id=redaction_id, now=now)


@router.post("/sessions/{session_id}/transcript/decisions/accept-all")
async def accept_all(access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep) -> dict[str, int]:
    """Accept every automatic suggestion still pending (possible names are left to decide one by one)."""
    return {"accepted": await review.accept_all(db, session=access.session, user=user, now=now)}


@router.put("/sessions/{session_id}/transcript/outcomes")
async def set_outcomes(
    body: Outcomes, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> dict[str, Any]:
    """The summary, the points the group agreed on (each in the programme's languages), and
    whether release needs two facilitators. Texts are merged into what is there (see
    `Outcomes`); a language the programme does not have is refused (422 `unknown_language`).
    Changing the rule clears the approvals and is audited; switching it off after an approval
    needs a facilitator who has not approved (409 `release_rule_locked` otherwise)."""
    review = await service.set_outcomes(
        db,
        session=access.session,
        summary=body.summary,
        agreed_points=body.agreed_points,
        two_to_release=body.two_to_release,
        now=now,
        user=user,
    )
    return {"summary": review.summary, "agreed_points": review.agreed_points, "two_to_release": review.two_to_release}


@router.post("/sessions/{session_id}/transcript/release")
async def release(access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep) -> dict[str, Any]:
    """Release the draft as the next immutable version (or record a first approval)."""
    return await service.release(db, session=access.session, user=user, now=now)


@router.get("/programmes/{programme_id}/transcripts")
async def programme_transcripts(access: ProgrammeMemberDep, db: DbDep) -> list[dict[str, Any]]:
    """The programme's released transcripts, each session's newest version."""
    return await service.released_for_programme(db, programme_id=access.programme.id)


@router.get("/transcripts/{release_id}")
async def released_transcript(release_id: PathId, user: CurrentUser, db: DbDep) -> dict[str, Any]:
    """One released version (members of its programme only); an older version only says
    which newer one replaces it."""
    release, session, newest = await service.release_for_reader(db, release_id=release_id)
    await programme_access(db, user=user, programme_id=session.programme_id)
    answer: dict[str, Any] = {
        "id": release.id,
        "version": release.version,
        "newest_version": newest.version,
        "newest_id": newest.id,
    }
    if newest.id != release.id:
        return {**answer, "superseded": True}  # may hold withdrawn words: only the newest is read
    return {**answer, "superseded": False, "document": release.document}
