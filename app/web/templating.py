"""The Jinja2 environment for pages, with autoescaping and each request's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, cast
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from app.config import PROJECT_ROOT
from app.messages import Msg, translate
from app.programmes.models import UI_LANGUAGES
from app.programmes.texts import Shown, pick
from app.security.csrf import csrf_token
from app.web import i18n
from app.web.labels import label_of

TEMPLATES_DIR = PROJECT_ROOT / "frontend" / "templates"
STATIC_DIR = PROJECT_ROOT / "frontend" / "static"


class _GettextInstaller(Protocol):
    """What the jinja2.ext.i18n extension adds to an Environment at run time
    (with Environment.extend), which Environment's type does not show."""

    def install_gettext_callables(
        self,
        gettext: Callable[..., str],
        ngettext: Callable[..., str],
        newstyle: bool | None = None,
        pgettext: Callable[..., str] | None = None,
        npgettext: Callable[..., str] | None = None,
    ) -> None: ...


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # A misspelt or missing value is an error, not a silently empty page.
        undefined=StrictUndefined,
        # Words a service wrote (`Msg`, app/messages.py: form errors, error pages) in the page's language.
        finalize=_finalize,
    )
    # One shared environment; the catalog is chosen per render from the page's context,
    # so concurrent requests in different languages never touch shared state. (Macros
    # must be imported `with context` to see it; without, they fall back to English.)
    i18n.catalogs()  # compiled at start-up: a broken .po file stops the app here
    cast(_GettextInstaller, env).install_gettext_callables(
        gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, npgettext=_npgettext, newstyle=True
    )
    env.globals["ui_languages"] = UI_LANGUAGES
    env.globals["ui_language_names"] = i18n.LANGUAGE_NAMES
    env.globals["community_label"] = community_label
    env.globals["label"] = label
    env.globals["pick"] = pick_for_page
    env.filters["in_zone"] = in_zone
    env.filters["date"] = date_only
    return env


def _catalog(context: Context) -> Any:
    return i18n.translations_for(context.get("lang", i18n.DEFAULT_LANGUAGE))


@pass_context
def _finalize(context: Context, value: Any) -> Any:
    return value.localized(_catalog(context)) if isinstance(value, Msg) else value


@pass_context
def _gettext(context: Context, message: str) -> str:
    return _catalog(context).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return _catalog(context).ngettext(singular, plural, n)


@pass_context
def _pgettext(context: Context, msgctxt: str, message: str) -> str:
    return _catalog(context).pgettext(msgctxt, message)


@pass_context
def _npgettext(context: Context, msgctxt: str, singular: str, plural: str, n: int) -> str:
    return _catalog(context).npgettext(msgctxt, singular, plural, n)


@pass_context
def community_label(context: Context, community: Any) -> str:
    """A community's label in the page's language, else in English, else its key."""
    labels = community.get("labels") if isinstance(community, dict) else getattr(community, "labels", None)
    key = community.get("key") if isinstance(community, dict) else getattr(community, "key", "")
    labels = labels or {}
    return labels.get(context.get("lang", i18n.DEFAULT_LANGUAGE)) or labels.get("en") or key or ""


@pass_context
def label(context: Context, value: object) -> str:
    """A stored value (a status, a role, an agenda kind, …) in the page's language."""
    return str(translate(label_of(value), _catalog(context)))


@pass_context
def pick_for_page(context: Context, texts: Any, languages: Any = ()) -> Shown:
    """A facilitator's text ({language: text}) in the page's language, or a marked fallback."""
    return pick(texts, context.get("lang", i18n.DEFAULT_LANGUAGE), list(languages or ()))


# Babel's CLDR data formats dates in every interface language (browsers' Intl often lacks
# Azerbaijani and Armenian and shows "2026 M12 1"). English reads the British way, 24-hour.
_BABEL_LOCALES = {"en": "en_GB"}


def _locale(context: Context) -> str:
    lang = context.get("lang", i18n.DEFAULT_LANGUAGE)
    return _BABEL_LOCALES.get(lang, lang)


@pass_context
def in_zone(context: Context, moment: datetime, zone: str) -> str:
    """A time as people read it, in their language, in the given zone; the browser
    re-renders it in the reader's own zone where it has the language's data."""
    local = moment.astimezone(ZoneInfo(zone))
    locale = _locale(context)
    return f"{format_skeleton('yMMMEd', local, locale=locale)}, {format_time(local, 'HH:mm', locale=locale)} ({zone})"


@pass_context
def date_only(context: Context, moment: datetime, zone: str = "UTC") -> str:
    return format_skeleton("yMMMd", moment.astimezone(ZoneInfo(zone)), locale=_locale(context))


def render_page(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    env: Environment = request.app.state.templates
    context = context or {}
    # A page that has settled its language itself passes `lang`; others get the request's.
    lang = context.get("lang")
    if lang not in UI_LANGUAGES:
        lang = i18n.page_language(request, context)
    values = {
        "request": request,
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
        **context,
        # After the context, so that <html lang> and the catalog always agree.
        "lang": lang,
        "language_return": i18n.switcher_return_path(request),
    }
    html = env.get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code, headers=headers)
