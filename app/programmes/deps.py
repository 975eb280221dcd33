"""Route dependencies that resolve a programme or session and the caller's place in it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.deps import CurrentUser, SessionDep
from app.dialogues.sessions import SessionAccess, session_access
from app.programmes.models import MemberRole
from app.programmes.service import ProgrammeAccess, programme_access


async def _programme_member(programme_id: int, user: CurrentUser, db: SessionDep) -> ProgrammeAccess:
    return await programme_access(db, user=user, programme_id=programme_id)


async def _programme_organiser(programme_id: int, user: CurrentUser, db: SessionDep) -> ProgrammeAccess:
    return await programme_access(db, user=user, programme_id=programme_id, roles=(MemberRole.organiser,))


async def _programme_facilitator(programme_id: int, user: CurrentUser, db: SessionDep) -> ProgrammeAccess:
    return await programme_access(db, user=user, programme_id=programme_id, roles=(MemberRole.facilitator,))


async def _session_member(session_id: int, user: CurrentUser, db: SessionDep) -> SessionAccess:
    return await session_access(db, user=user, session_id=session_id)


async def _session_facilitator(session_id: int, user: CurrentUser, db: SessionDep) -> SessionAccess:
    return await session_access(db, user=user, session_id=session_id, facilitator=True)


ProgrammeMemberDep = Annotated[ProgrammeAccess, Depends(_programme_member)]
ProgrammeOrganiserDep = Annotated[ProgrammeAccess, Depends(_programme_organiser)]
ProgrammeFacilitatorDep = Annotated[ProgrammeAccess, Depends(_programme_facilitator)]
SessionMemberDep = Annotated[SessionAccess, Depends(_session_member)]
SessionFacilitatorDep = Annotated[SessionAccess, Depends(_session_facilitator)]
