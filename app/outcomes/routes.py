"""JSON API of outcomes: a programme's questionnaires."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.deps import require_csrf

router = APIRouter(prefix="/api", tags=["outcomes"], dependencies=[Depends(require_csrf)])
