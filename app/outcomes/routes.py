"""JSON API of outcomes: a programme's questionnaires."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.deps import CurrentUser, DbDep, NowDep, require_csrf
from app.outcomes import questionnaires
from app.outcomes.schemas import QuestionnaireIn, QuestionnairePublic
from app.programmes.deps import ProgrammeMemberDep

router = APIRouter(prefix="/api", tags=["outcomes"], dependencies=[Depends(require_csrf)])


@router.get("/programmes/{programme_id}/questionnaires/{phase}")
async def get_questionnaire(phase: str, access: ProgrammeMemberDep, db: DbDep, now: NowDep) -> QuestionnairePublic:
    """The questionnaire of one phase (`pre` or `post`) as people answer it now: its version,
    whether anyone answered it (then an edit makes the next version) and its items
    (organisers and facilitators of the programme)."""
    found = await questionnaires.current(db, programme=access.programme, phase=questionnaires.phase_of(phase), now=now)
    return await questionnaires.public(db, questionnaire=found)


@router.put("/programmes/{programme_id}/questionnaires/{phase}")
async def put_questionnaire(
    phase: str, body: QuestionnaireIn, access: ProgrammeMemberDep, user: CurrentUser, db: DbDep, now: NowDep
) -> QuestionnairePublic:
    """Replace a phase's items: in place while nobody has answered, else as a new version (the
    answers so far stay with the version they answered). Organisers and facilitators."""
    saved = await questionnaires.save(
        db,
        programme=access.programme,
        phase=questionnaires.phase_of(phase),
        items=body.items,
        actor_id=user.id,
        now=now,
    )
    return await questionnaires.public(db, questionnaire=saved)
