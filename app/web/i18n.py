"""The interface languages: gettext catalogs read from .po files, and the language of each request.

The catalogs in frontend/translations/ are compiled in memory when the app starts, so
running Roundtable needs no build step. A page's language is, in this order: the
visitor's own choice in the footer (the rt_lang cookie), the language a participant
chose for their seat, the browser's Accept-Language, then English.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from io import BytesIO
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from fastapi import Request

from app.config import PROJECT_ROOT
from app.programmes.models import UI_LANGUAGES

TRANSLATIONS_DIR = PROJECT_ROOT / "frontend" / "translations"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "rt_lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 86400
# Each language in its own name, as the footer offers them.
# The footer's language switch (short self-names) ...
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "az": "Azərbaycanca", "hy": "Հայերեն"}
# ... and where a language is chosen for content (a programme's languages, the join flow).
CONTENT_LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "az": "Azərbaycan dili", "hy": "Հայերեն"}


def _compile(code: str) -> Translations:
    path = TRANSLATIONS_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=code, domain=DOMAIN)
    mo = BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    return Translations(mo, domain=DOMAIN)


@functools.cache
def catalogs() -> Mapping[str, NullTranslations]:
    """Every interface language's translations, compiled once; read-only afterwards."""
    loaded: dict[str, NullTranslations] = {DEFAULT_LANGUAGE: NullTranslations()}
    for code in UI_LANGUAGES:
        if code != DEFAULT_LANGUAGE:
            loaded[code] = _compile(code)
    return loaded


def translations_for(language: str) -> NullTranslations:
    return catalogs().get(language) or catalogs()[DEFAULT_LANGUAGE]


def from_accept_language(header: str | None) -> str | None:
    """The first interface language the browser asks for (hy-AM → hy, az-Latn-AZ → az)."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.strip().lower()))
    for _quality, _position, tag in sorted(ranked):
        primary = tag.replace("_", "-").split("-")[0]
        if primary in UI_LANGUAGES:
            return primary
    return None


def participant_language(context: Mapping[str, Any]) -> str | None:
    """The language a participant chose while joining: the join steps pass it as
    `participant_language`; pages that know the viewer's own seat pass the `seat`."""
    explicit = context.get("participant_language")
    if explicit in UI_LANGUAGES:
        return str(explicit)
    seat_language = getattr(context.get("seat"), "language", None)
    if seat_language in UI_LANGUAGES:
        return str(seat_language)
    return None


def page_language(request: Request, context: Mapping[str, Any]) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in UI_LANGUAGES:
        return str(chosen)
    return (
        participant_language(context)
        or from_accept_language(request.headers.get("accept-language"))
        or DEFAULT_LANGUAGE
    )


def switcher_return_path(request: Request) -> str:
    """Where the footer's language links lead back to: this page, unless its path holds a token."""
    route = request.scope.get("route")
    if getattr(route, "name", None) == "join_start":
        return "/"
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")
