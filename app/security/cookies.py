"""Cookie flags in one place: HttpOnly, SameSite=Lax, Secure over https."""

from __future__ import annotations

from fastapi import Request, Response

from app.config import Settings

LOGIN_COOKIE = "rt_login"


def cookies_are_secure(settings: Settings, scheme: str | None) -> bool:
    if settings.cookie_secure is not None:
        return settings.cookie_secure
    return scheme in ("https", "wss")


def set_private_cookie(
    request: Request, response: Response, name: str, value: str, *, max_age: int, path: str = "/"
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="lax",
        secure=cookies_are_secure(request.app.state.settings, request.url.scheme),
    )


def clear_private_cookie(request: Request, response: Response, name: str, *, path: str = "/") -> None:
    response.delete_cookie(
        name,
        path=path,
        httponly=True,
        samesite="lax",
        secure=cookies_are_secure(request.app.state.settings, request.url.scheme),
    )
