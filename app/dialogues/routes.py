"""JSON API for dialogue sessions and their agendas."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from app.deps import CurrentUser, DbDep, NowDep, PathId, require_csrf
from app.dialogues import agenda, sessions
from app.dialogues.calendar import session_ics
from app.dialogues.content import programme_languages
from app.dialogues.deps import SessionFacilitatorDep, SessionMemberDep
from app.dialogues.models import PLANNING
from app.dialogues.present import agenda_public, session_public
from app.dialogues.schemas import (
    AgendaCopy,
    AgendaItemIn,
    AgendaItemPublic,
    AgendaItemUpdate,
    AgendaMove,
    AgendaTemplate,
    SessionCreate,
    SessionPublic,
    SessionUpdate,
    StatusChange,
    StatusChanged,
)
from app.programmes.deps import ProgrammeFacilitatorDep, ProgrammeMemberDep

router = APIRouter(prefix="/api", tags=["sessions"], dependencies=[Depends(require_csrf)])


@router.get("/programmes/{programme_id}/sessions")
async def list_sessions(access: ProgrammeMemberDep, db: DbDep) -> list[SessionPublic]:
    """The programme's sessions, in time order."""
    rows = await sessions.list_sessions(db, programme_id=access.programme.id)
    return [await session_public(db, s) for s in rows]


@router.post("/programmes/{programme_id}/sessions", status_code=status.HTTP_201_CREATED)
async def schedule_session(
    body: SessionCreate, access: ProgrammeFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> SessionPublic:
    """Schedule a new session (as a draft) in the programme (facilitators)."""
    session = await sessions.schedule_session(db, actor=user, access=access, data=body, now=now)
    return await session_public(db, session)


@router.get("/sessions/{session_id}")
async def get_session(access: SessionMemberDep, db: DbDep) -> SessionPublic:
    """A session's plan and settings."""
    return await session_public(db, access.session)


@router.patch("/sessions/{session_id}")
async def update_session(
    body: SessionUpdate, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> SessionPublic:
    """Change a session's plan; a changed ground-rules text becomes a new version."""
    await sessions.update_session(db, actor=user, access=access, data=body, now=now)
    return await session_public(db, access.session)


@router.post("/sessions/{session_id}/status")
async def change_status(body: StatusChange, access: SessionFacilitatorDep, db: DbDep, now: NowDep) -> StatusChanged:
    """Move the session along draft → scheduled → open → live ⇄ paused → ended → archived, or cancel it.

    Opening needs the ground rules in every language of the programme (409
    `rules_missing_language`, naming the languages); the answer's `warnings` list the other
    texts (title, agenda titles and prompts, …) still missing a language, which do not block."""
    await sessions.change_status(db, session=access.session, to=body.status, reason=body.reason, now=now)
    public = await session_public(db, access.session)
    warnings = await sessions.text_warnings(db, session=access.session) if access.session.status in PLANNING else []
    return StatusChanged(**public.model_dump(), warnings=warnings)


@router.get(
    "/sessions/{session_id}/calendar.ics",
    response_class=Response,
    responses={
        200: {"description": "An iCalendar file.", "content": {"text/calendar": {"schema": {"type": "string"}}}}
    },
)
async def calendar_entry(
    request: Request,
    access: SessionMemberDep,
    now: NowDep,
    language: Annotated[
        str | None,
        Query(max_length=16, description="The language of the entry's texts; the programme's first by default."),
    ] = None,
) -> Response:
    """The session as a calendar entry, in one language (its texts fall back to another of the
    programme's languages where they are not translated yet)."""
    languages = programme_languages(access.programme)
    body = session_ics(
        access.session,
        programme_name=access.programme.name,
        url=str(request.url_for("session_page", session_id=access.session.id)),
        now=now,
        language=language if language in languages else languages[0],
        languages=languages,
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="roundtable-session-{access.session.id}.ics"'},
    )


@router.get("/sessions/{session_id}/agenda")
async def get_agenda(access: SessionMemberDep, db: DbDep) -> list[AgendaItemPublic]:
    """The agenda in order."""
    return agenda_public(await agenda.agenda_of(db, session_id=access.session.id))


@router.post("/sessions/{session_id}/agenda", status_code=status.HTTP_201_CREATED)
async def add_agenda_item(body: AgendaItemIn, access: SessionFacilitatorDep, db: DbDep) -> AgendaItemPublic:
    """Append an item."""
    item = await agenda.add_item(db, session=access.session, data=body)
    return AgendaItemPublic.model_validate(item, from_attributes=True)


@router.patch("/sessions/{session_id}/agenda/{item_id:int}")
async def update_agenda_item(
    item_id: PathId, body: AgendaItemUpdate, access: SessionFacilitatorDep, db: DbDep
) -> AgendaItemPublic:
    """Edit an item."""
    item = await agenda.update_item(db, session=access.session, item_id=item_id, data=body)
    return AgendaItemPublic.model_validate(item, from_attributes=True)


@router.delete("/sessions/{session_id}/agenda/{item_id:int}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_agenda_item(item_id: PathId, access: SessionFacilitatorDep, db: DbDep) -> None:
    """Remove an item; the rest close up."""
    await agenda.remove_item(db, session=access.session, item_id=item_id)


@router.post("/sessions/{session_id}/agenda/{item_id:int}/move")
async def move_agenda_item(
    item_id: PathId, body: AgendaMove, access: SessionFacilitatorDep, db: DbDep
) -> list[AgendaItemPublic]:
    """Put an item at another place in the order."""
    return agenda_public(await agenda.move_item(db, session=access.session, item_id=item_id, position=body.position))


@router.post("/sessions/{session_id}/agenda/copy")
async def copy_agenda(
    body: AgendaCopy, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep
) -> list[AgendaItemPublic]:
    """Replace the agenda with a copy of another session's (one the caller facilitates)."""
    source = await sessions.session_access(db, user=user, session_id=body.from_session_id, facilitator=True)
    return agenda_public(await agenda.copy_agenda(db, session=access.session, source=source.session))


@router.post("/sessions/{session_id}/agenda/template")
async def apply_template(body: AgendaTemplate, access: SessionFacilitatorDep, db: DbDep) -> list[AgendaItemPublic]:
    """Replace the agenda with a built-in template (first_meeting)."""
    return agenda_public(await agenda.apply_template(db, session=access.session, template=body.template))
