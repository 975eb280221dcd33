"""Pages where organisers and facilitators edit questionnaires and review survey answers."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.deps import require_csrf

router = APIRouter(dependencies=[Depends(require_csrf)], include_in_schema=False)
