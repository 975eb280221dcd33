"""Pages for transcripts: the facilitators' review (suggestions, redactions, summary,
release), the released versions for the programme's members, exports, and a participant's
own statements (to withdraw after the session)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment
from markupsafe import Markup

from app.db import MAX_ID
from app.deps import CurrentUser, DbDep, NowDep, PathId, require_csrf
from app.dialogues.deps import SessionFacilitatorDep
from app.dialogues.seat_cookie import SeatDep
from app.errors import AppError, Conflict, NotFound, ValidationFailed
from app.programmes.deps import ProgrammeMemberDep
from app.programmes.models import Programme
from app.programmes.service import programme_access
from app.transcripts import export, review, service
from app.transcripts.models import TranscriptRelease
from app.web import i18n
from app.web.redirects import see_other
from app.web.templating import render_page

router = APIRouter(dependencies=[Depends(require_csrf)], include_in_schema=False)


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items()}


def _int(values: dict[str, str], name: str) -> int:
    try:
        value = int(values.get(name, ""))
    except ValueError:
        raise ValidationFailed(f"'{name}' must be a number.", code="bad_form") from None
    if not 0 <= value <= MAX_ID:
        raise ValidationFailed(f"'{name}' must be a number from 0 to {MAX_ID}.", code="bad_form")
    return value


# The facilitators' review ---------------------------------------------------------------


@router.get("/sessions/{session_id}/transcript")
async def review_page(
    request: Request, access: SessionFacilitatorDep, db: DbDep, now: NowDep, error: str = ""
) -> Response:
    draft = await review.draft(db, session=access.session, now=now)
    return render_page(
        request,
        "transcripts/review.html",
        {
            "session": access.session,
            "programme": access.programme,
            "draft": draft,
            "document": draft["document"],
            "error": error,
            "clock": export.clock,
            "label": export.community_label,
        },
    )


def _back(session_id: int, error: AppError | None = None) -> Response:
    suffix = f"?error={error.code}" if error else ""
    return see_other(f"/sessions/{session_id}/transcript{suffix}")


@router.post("/sessions/{session_id}/transcript/decisions")
async def review_decide(
    request: Request, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> Response:
    values = await _form(request)
    await review.decide(
        db,
        session=access.session,
        user=user,
        statement_id=_int(values, "statement_id"),
        start=_int(values, "start"),
        end=_int(values, "end"),
        accept=values.get("accept") == "1",
        now=now,
    )
    return _back(access.session.id)


@router.post("/sessions/{session_id}/transcript/redactions")
async def review_redact(
    request: Request, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> Response:
    """The words selected in the statement itself (the page's script sends their exact span
    in characters), or, without script, typed: then their first place in the statement."""
    values = await _form(request)
    statement_id, reason = _int(values, "statement_id"), values.get("reason", "")
    selected = bool(values.get("start") and values.get("end"))
    try:
        await review.hide_words(
            db,
            session=access.session,
            user=user,
            statement_id=statement_id,
            words=values.get("words", ""),
            reason=reason,
            now=now,
            start=_int(values, "start") if selected else None,
            end=_int(values, "end") if selected else None,
        )
    except ValidationFailed as exc:
        return _back(access.session.id, exc)
    return _back(access.session.id)


@router.post("/sessions/{session_id}/transcript/decisions/accept-all")
async def review_accept_all(access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep) -> Response:
    await review.accept_all(db, session=access.session, user=user, now=now)
    return _back(access.session.id)


@router.post("/sessions/{session_id}/transcript/redactions/{redaction_id}/remove")
async def review_unredact(redaction_id: PathId, access: SessionFacilitatorDep, db: DbDep, now: NowDep) -> Response:
    await review.remove_redaction(db, session=access.session, redaction_id=redaction_id, now=now)
    return _back(access.session.id)


@router.post("/sessions/{session_id}/transcript/outcomes")
async def review_outcomes(
    request: Request, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> Response:
    values = await _form(request)
    try:
        async with db.begin_nested():  # a refused change leaves nothing half-saved
            await service.set_outcomes(
                db,
                session=access.session,
                summary=values.get("summary", "")[:20_000],
                agreed_points=values.get("agreed_points", "").splitlines()[:50],
                two_to_release=values.get("two_to_release") == "1",
                now=now,
                user=user,
            )
    except AppError as exc:
        return _back(access.session.id, exc)
    return _back(access.session.id)


@router.post("/sessions/{session_id}/transcript/release")
async def review_release(access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep) -> Response:
    try:
        await service.release(db, session=access.session, user=user, now=now)
    except AppError as exc:
        return _back(access.session.id, exc)
    return _back(access.session.id)


# What the programme's members read ------------------------------------------------------


@router.get("/programmes/{programme_id}/transcripts")
async def transcripts_page(request: Request, access: ProgrammeMemberDep, db: DbDep) -> Response:
    released = await service.released_for_programme(db, programme_id=access.programme.id)
    return render_page(request, "transcripts/list.html", {"programme": access.programme, "released": released})


async def _readable(
    db: DbDep, user: CurrentUser, release_id: PathId
) -> tuple[TranscriptRelease, Programme, TranscriptRelease]:
    release, session, newest = await service.release_for_reader(db, release_id=release_id)
    access = await programme_access(db, user=user, programme_id=session.programme_id)
    return release, access.programme, newest


@router.get("/transcripts/{release_id}")
async def transcript_page(request: Request, release_id: PathId, user: CurrentUser, db: DbDep) -> Response:
    release, programme, newest = await _readable(db, user, release_id)
    if newest.id != release.id:  # may hold withdrawn words: only the newest version is shown
        return render_page(request, "transcripts/superseded.html", {"release": release, "newest": newest})
    return render_page(
        request,
        "transcripts/read.html",
        {
            "release": release,
            "programme": programme,
            "document": release.document,
            "formats": list(export.FORMATS),
            "clock": export.clock,
            "label": export.community_label,
        },
    )


@router.get("/transcripts/{release_id}/export.{fmt}")
async def transcript_export(request: Request, release_id: PathId, fmt: str, user: CurrentUser, db: DbDep) -> Response:
    if fmt not in export.FORMATS:
        raise NotFound("There is no such format (md, json, csv, html).")
    release, _programme, newest = await _readable(db, user, release_id)
    if newest.id != release.id:
        raise Conflict(
            f"Version {release.version} was replaced by version {newest.version}; export that one.", code="superseded"
        )
    name = f"transcript-{release.session_id}-v{release.version}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "html":
        headers["Content-Security-Policy"] = export.CONTENT_SECURITY_POLICY
        return HTMLResponse(_standalone(request, release.document), headers=headers)
    body = {"md": export.to_markdown, "json": export.to_json, "csv": export.to_csv}[fmt](release.document)
    return Response(body, media_type=export.FORMATS[fmt], headers=headers)


def _standalone(request: Request, document: dict[str, Any]) -> str:
    """The HTML export: a document of its own, rendered from the released document and the
    reader's language only (not render_page, which hands every page the viewer's account
    and CSRF token): nothing in it depends on who downloaded it."""
    env: Environment = request.app.state.templates
    return env.get_template("transcripts/export.html").render(
        document=document,
        lang=i18n.page_language(request, {}),
        style=Markup(export.STYLE),  # constants of the code: the style is hashed into the policy
        policy=Markup(export.DOCUMENT_POLICY),
        released=export.released_moment(document),
        clock=export.clock,
        label=export.community_label,
        text_lang=export.text_language,
    )


# A participant's own statements, after the session ----------------------------------------


@router.post("/sessions/{session_id}/statements/{statement_id}/withdraw")
async def withdraw_mine(statement_id: PathId, seat: SeatDep, db: DbDep, now: NowDep) -> Response:
    try:
        await service.withdraw(db, seat=seat, statement_id=statement_id, now=now)
    except AppError as exc:
        return see_other(f"/sessions/{seat.session_id}/waiting?error={exc.code}")
    return see_other(f"/sessions/{seat.session_id}/waiting?done=withdrawn")
