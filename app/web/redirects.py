"""Redirects after a form: see-other, and only ever to a path of this site."""

from __future__ import annotations

from fastapi.responses import RedirectResponse


def safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would help phishing."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
