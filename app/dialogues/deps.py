"""Route dependencies that resolve a dialogue session and the caller's place in it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.deps import CurrentUser, DbDep, PathId
from app.dialogues.sessions import SessionAccess, session_access


async def _session_member(session_id: PathId, user: CurrentUser, db: DbDep) -> SessionAccess:
    return await session_access(db, user=user, session_id=session_id)


async def _session_facilitator(session_id: PathId, user: CurrentUser, db: DbDep) -> SessionAccess:
    return await session_access(db, user=user, session_id=session_id, facilitator=True)


SessionMemberDep = Annotated[SessionAccess, Depends(_session_member)]
SessionFacilitatorDep = Annotated[SessionAccess, Depends(_session_facilitator)]
