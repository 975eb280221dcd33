"""Pages where participants answer the pre- and post-session surveys."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.deps import require_csrf

router = APIRouter(dependencies=[Depends(require_csrf)], include_in_schema=False)
