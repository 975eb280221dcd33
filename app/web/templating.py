"""The Jinja2 environment for pages, with autoescaping and gettext markers."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.config import PROJECT_ROOT
from app.security.csrf import csrf_token

TEMPLATES_DIR = PROJECT_ROOT / "frontend" / "templates"
STATIC_DIR = PROJECT_ROOT / "frontend" / "static"


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # A misspelt or missing value is an error, not a silently empty page.
        undefined=StrictUndefined,
    )
    # Message catalogs per language come with the browser-app work; until then the
    # markers pass English through unchanged.
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.filters["in_zone"] = in_zone
    return env


def in_zone(moment: datetime, zone: str) -> str:
    """A time as people read it in the given zone; the browser re-renders it in its own."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%a %d %b %Y, %H:%M} ({zone})"


def render_page(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    env: Environment = request.app.state.templates
    values = {
        "request": request,
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
        "lang": "en",
        **(context or {}),
    }
    html = env.get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code, headers=headers)
