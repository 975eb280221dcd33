"""The footer's language switcher: remembers a visitor's choice of interface language."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.errors import NotFound
from app.programmes.models import UI_LANGUAGES
from app.security.cookies import cookies_are_secure
from app.web.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE
from app.web.redirects import safe_next, see_other

router = APIRouter(include_in_schema=False)


@router.get("/language/{code}")
async def choose_language(code: str, request: Request, next: str = "/") -> Response:
    """Set the rt_lang cookie and go back to the page, if it is on this site."""
    if code not in UI_LANGUAGES:
        raise NotFound()
    response = see_other(safe_next(next))
    # Readable by the page's scripts (not HttpOnly): it is a preference, not a credential.
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=LANGUAGE_COOKIE_MAX_AGE,
        path="/",
        samesite="lax",
        secure=cookies_are_secure(request.app.state.settings, request.url.scheme),
    )
    return response
