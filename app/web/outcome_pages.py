"""The outcomes dashboard for a programme's members (organisers and facilitators): the figures
of the programme's held sessions and of each session, as charts with tables, a CSV file and
a standalone printable document. Aggregates only (app/outcomes/dashboard.py)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment
from markupsafe import Markup

from app.deps import DbDep, PathId, require_csrf
from app.dialogues.content import programme_languages
from app.dialogues.models import DialogueSession
from app.errors import NotFound
from app.messages import Msg
from app.outcomes import exports
from app.outcomes.dashboard import HELD, dashboard
from app.outcomes.exports import Reading
from app.programmes.deps import ProgrammeMemberDep
from app.programmes.models import Programme
from app.programmes.service import ProgrammeAccess
from app.web import i18n
from app.web.templating import render_page

router = APIRouter(dependencies=[Depends(require_csrf)], include_in_schema=False)


async def _session(db: DbDep, access: ProgrammeAccess, session_id: int) -> DialogueSession:
    """A session of this programme; any other is not there (404), whoever asks."""
    session = await db.get(DialogueSession, session_id)
    if session is None or session.programme_id != access.programme.id:
        raise NotFound(Msg("There is no such session in this programme."))
    return session


async def _reading(request: Request, db: DbDep, programme: Programme, session: DialogueSession | None) -> Reading:
    document = await dashboard(db, programme=programme, session=session)
    language = i18n.page_language(request, {})
    return exports.read(
        document,
        language=language,
        languages=programme_languages(programme),
        catalog=i18n.translations_for(language),
    )


def _csv(request: Request, reading: Reading, name: str) -> Response:
    catalog = i18n.translations_for(i18n.page_language(request, {}))
    return Response(
        exports.to_csv(reading, catalog),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _print(request: Request, reading: Reading, programme: Programme, session: DialogueSession | None) -> Response:
    """A document of its own (not render_page, which hands every page the viewer's account
    and CSRF token): nothing in it depends on who asked for it, no script, no fetch."""
    env: Environment = request.app.state.templates
    lang = i18n.page_language(request, {})
    html = env.get_template("outcomes/print.html").render(
        reading=reading,
        programme=programme,
        session=session,
        languages=programme_languages(programme),
        lang=lang,
        style=Markup(exports.STYLE),  # constants of the code: the style is hashed into the policy
        policy=Markup(exports.DOCUMENT_POLICY),
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": exports.CONTENT_SECURITY_POLICY})


# The programme ----------------------------------------------------------------------------


@router.get("/programmes/{programme_id}/outcomes.csv")
async def programme_csv(request: Request, access: ProgrammeMemberDep, db: DbDep) -> Response:
    reading = await _reading(request, db, access.programme, None)
    return _csv(request, reading, f"outcomes-programme-{access.programme.id}.csv")


@router.get("/programmes/{programme_id}/outcomes/print")
async def programme_print(request: Request, access: ProgrammeMemberDep, db: DbDep) -> Response:
    reading = await _reading(request, db, access.programme, None)
    return _print(request, reading, access.programme, None)


@router.get("/programmes/{programme_id}/outcomes")
async def programme_dashboard(request: Request, access: ProgrammeMemberDep, db: DbDep) -> Response:
    reading = await _reading(request, db, access.programme, None)
    return render_page(
        request,
        "outcomes/dashboard.html",
        {"programme": access.programme, "session": None, "reading": reading, "held": True},
    )


# One session (declared before the page, whose path would also match "12.csv") -----------


@router.get("/programmes/{programme_id}/outcomes/sessions/{session_id}.csv")
async def session_csv(request: Request, access: ProgrammeMemberDep, session_id: PathId, db: DbDep) -> Response:
    session = await _session(db, access, session_id)
    reading = await _reading(request, db, access.programme, session)
    return _csv(request, reading, f"outcomes-session-{session.id}.csv")


@router.get("/programmes/{programme_id}/outcomes/sessions/{session_id}/print")
async def session_print(request: Request, access: ProgrammeMemberDep, session_id: PathId, db: DbDep) -> Response:
    session = await _session(db, access, session_id)
    reading = await _reading(request, db, access.programme, session)
    return _print(request, reading, access.programme, session)


@router.get("/programmes/{programme_id}/outcomes/sessions/{session_id}")
async def session_dashboard(request: Request, access: ProgrammeMemberDep, session_id: PathId, db: DbDep) -> Response:
    session = await _session(db, access, session_id)
    reading = await _reading(request, db, access.programme, session)
    return render_page(
        request,
        "outcomes/dashboard.html",
        {"programme": access.programme, "session": session, "reading": reading, "held": session.status in HELD},
    )
