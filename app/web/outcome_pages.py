"""The outcomes dashboard for a programme's members: aggregates, charts, exports."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.deps import require_csrf

router = APIRouter(dependencies=[Depends(require_csrf)], include_in_schema=False)
