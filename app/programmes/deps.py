"""Route dependencies that resolve a programme and the caller's place in it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.deps import CurrentUser, DbDep, PathId
from app.programmes.models import MemberRole
from app.programmes.service import ProgrammeAccess, programme_access


async def _programme_member(programme_id: PathId, user: CurrentUser, db: DbDep) -> ProgrammeAccess:
    return await programme_access(db, user=user, programme_id=programme_id)


async def _programme_organiser(programme_id: PathId, user: CurrentUser, db: DbDep) -> ProgrammeAccess:
    return await programme_access(db, user=user, programme_id=programme_id, roles=(MemberRole.organiser,))


async def _programme_facilitator(programme_id: PathId, user: CurrentUser, db: DbDep) -> ProgrammeAccess:
    return await programme_access(db, user=user, programme_id=programme_id, roles=(MemberRole.facilitator,))


ProgrammeMemberDep = Annotated[ProgrammeAccess, Depends(_programme_member)]
ProgrammeOrganiserDep = Annotated[ProgrammeAccess, Depends(_programme_organiser)]
ProgrammeFacilitatorDep = Annotated[ProgrammeAccess, Depends(_programme_facilitator)]
