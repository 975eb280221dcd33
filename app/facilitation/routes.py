"""JSON API of a running session for its facilitators: the audit log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.deps import DbDep
from app.dialogues.deps import SessionFacilitatorDep
from app.facilitation import audit

router = APIRouter(prefix="/api/sessions/{session_id}", tags=["facilitation"])


@router.get("/audit")
async def audit_log(access: SessionFacilitatorDep, db: DbDep) -> list[dict[str, Any]]:
    """Every facilitator action in this session, oldest first: who, what, to whom, why, when."""
    return await audit.entries(db, session_id=access.session.id)
