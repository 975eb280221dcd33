"""Pages for transcripts: the facilitators' review (suggestions, redactions, summary,
release), the released versions for the programme's members, exports, and a participant's
own statements (to withdraw after the session)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment
from markupsafe import Markup

from app.db import MAX_ID
from app.deps import CurrentUser, DbDep, NowDep, PathId, require_csrf
from app.dialogues.content import programme_languages
from app.dialogues.deps import SessionFacilitatorDep
from app.dialogues.seat_cookie import SeatDep
from app.errors import AppError, Conflict, NotFound, ValidationFailed
from app.messages import Msg, translate
from app.programmes.deps import ProgrammeMemberDep
from app.programmes.models import UI_LANGUAGES, Programme
from app.programmes.service import programme_access
from app.programmes.texts import Texts
from app.security.csrf import csrf_token
from app.transcripts import export, review, service
from app.transcripts.models import Redaction, TranscriptRelease
from app.transcripts.reading import TRANSLATED_BY, chosen_language, readable_languages, reading
from app.web import i18n
from app.web.error_pages import wants_json
from app.web.redirects import see_other
from app.web.templating import render_page

router = APIRouter(dependencies=[Depends(require_csrf)], include_in_schema=False)


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items()}


def _int(values: dict[str, str], name: str) -> int:
    try:
        value = int(values.get(name, ""))
    except ValueError:
        raise ValidationFailed(Msg("'{name}' must be a number.", name=name), code="bad_form") from None
    if not 0 <= value <= MAX_ID:
        raise ValidationFailed(
            Msg("'{name}' must be a number from 0 to {max_id}.", name=name, max_id=MAX_ID), code="bad_form"
        )
    return value


def _target(values: dict[str, str]) -> tuple[int, int]:
    """The statement and the part of it a form names: `statement_id` is "12" (its own words)
    or "12:5" (its translation 5, as the hide form's list offers them), or a `part` field."""
    statement, _, part = values.get("statement_id", "").partition(":")
    found = {"statement_id": statement, "part": part or values.get("part", "") or "0"}
    return _int(found, "statement_id"), _int(found, "part")


def _read(request: Request, document: dict[str, Any], language: str, languages: list[str]) -> dict[str, Any]:
    """The document as read in `language`, the app's own words in it where it is an
    interface language (else in the page's)."""
    words = language if language in UI_LANGUAGES else i18n.page_language(request, {})
    return reading(document, language=language, programme_languages=languages, catalog=i18n.translations_for(words))


# The facilitators' review ---------------------------------------------------------------


# The page's script (frontend/static/js/transcript-review.js) sends each decision as the very
# form post a browser without script sends, with `Accept: application/json`: it is answered
# with JSON (the new state, what is left to decide, the parts of the page to replace, a sentence
# to announce), and its errors as JSON in the page's language (app/web/error_pages.wants_json:
# `{"error": {"code", "message"}}`, 401 instead of the login redirect). The form's csrf_token
# field and the Origin checks hold for it as for the form. A post without that header gets the
# redirect back to the page it always had.

# Readable words for the codes a form post's redirect carries (`?error=`).
ERRORS: dict[str, str] = {
    "decided_meanwhile": Msg(
        "Another facilitator decided on these words while you were reading. Look at them again before you decide."
    ),
    "unknown_suggestion": Msg("There is no such suggestion in that statement."),
    "unknown_statement": Msg("There is no such statement in this session's transcript."),
    "unknown_redaction": Msg("There is no such redaction."),
    "words_not_found": Msg("Those words are not in the statement."),
    "reason_required": Msg("Say why this span is hidden."),
    "already_hidden": Msg("These words are already hidden."),
    "session_not_ended": Msg("A transcript is released after the session has ended."),
}


def _review_context(request: Request, access: Any, draft: dict[str, Any]) -> dict[str, Any]:
    """What the review page and its parts rendered again for the script are made of."""
    languages: list[str] = draft["languages"]
    language = i18n.page_language(request, {})
    catalog = i18n.translations_for(language)
    return {
        "session": access.session,
        "programme": access.programme,
        "draft": draft,
        "document": _read(request, draft["document"], language, languages),
        "outline": service.outline(draft["document"]),
        "languages": languages,
        "language_names": i18n.CONTENT_LANGUAGE_NAMES,
        "translated_by": {key: str(translate(msg, catalog)) for key, msg in TRANSLATED_BY.items()},
        "clock": export.clock,
        "text_lang": export.text_language,
    }


def _fragment(request: Request, template: str, context: dict[str, Any]) -> str:
    """A part of the review page, rendered as the page renders it (same language, same CSRF token)."""
    env: Environment = request.app.state.templates
    values = {**context, "csrf_token": csrf_token(request), "lang": i18n.page_language(request, {})}
    return env.get_template(template).render(values)


async def _released(db: DbDep, session_id: int, version: int) -> dict[str, Any] | None:
    """One released version of the session and what it holds, for the summary after a release."""
    row = await service.release_by_version(db, session_id=session_id, version=version)
    if row is None:
        return None
    return {
        "id": row.id,
        "version": row.version,
        "released_at": row.released_at,
        "outline": service.outline(row.document),
    }


@router.get("/sessions/{session_id}/transcript")
async def review_page(
    request: Request,
    access: SessionFacilitatorDep,
    db: DbDep,
    now: NowDep,
    error: str = "",
    released: str = "",
    approved: str = "",
) -> Response:
    draft = await review.draft(db, session=access.session, now=now)
    points: list[Texts] = draft["agreed_points"]
    languages: list[str] = draft["languages"]
    version = int(released) if released.isdigit() and len(released) < 10 else 0
    return render_page(
        request,
        "transcripts/review.html",
        {
            **_review_context(request, access, draft),
            # One textarea per language, one point per line: line n is point n in each.
            "points_text": {code: "\n".join(p.get(code, "") for p in points).rstrip("\n") for code in languages},
            "points_missing": {code for code in languages if any(not p.get(code) for p in points)},
            "error": error,
            "error_message": ERRORS.get(error),
            "released": await _released(db, access.session.id, version) if version else None,
            "approved": approved == "1",
        },
    )


def _back(session_id: int, error: AppError | None = None) -> Response:
    suffix = f"?error={error.code}" if error else ""
    return see_other(f"/sessions/{session_id}/transcript{suffix}")


def _words(draft: dict[str, Any], statement_id: int, part: int, start: int, end: int) -> str:
    for statement in draft["statements"]:
        if statement["id"] == statement_id:
            if part == 0:
                return str(statement["text"])[start:end]
            for translation in statement["translations"]:
                if translation["id"] == part:
                    return str(translation["text"])[start:end]
    return ""


def _mark(draft: dict[str, Any], statement_id: int, part: int, start: int, end: int) -> dict[str, Any] | None:
    for statement in draft["statements"]:
        if statement["id"] != statement_id:
            continue
        marks = (
            statement["marks"]
            if part == 0
            else next((t["marks"] for t in statement["translations"] if t["id"] == part), [])
        )
        return next((m for m in marks if (m["start"], m["end"]) == (start, end)), None)
    return None


async def _in_place(
    request: Request,
    access: Any,
    db: DbDep,
    now: NowDep,
    *,
    key: tuple[int, int, int, int],
    said: Callable[[str, str], str],
) -> JSONResponse:
    """The answer to the page's script: the mark decided (`key`: statement, part, start, end)
    in its new state, what is left to decide, the page's parts to replace and `said`, a
    sentence (`said(words, state)`, a `Msg`) followed by what is left, to announce."""
    draft = await review.draft(db, session=access.session, now=now)
    context = _review_context(request, access, draft)
    catalog = i18n.translations_for(i18n.page_language(request, {}))
    statement_id, part, start, end = key
    mark = _mark(draft, *key)
    state = mark["state"] if mark else None
    counts = draft["counts"]
    message = Msg(
        "{done} Still to decide: suggestions {pending}, possible names {possible}.",
        done=said(_words(draft, *key), review.STATE_LABELS.get(state or "", "")),
        pending=counts["pending"],
        possible=counts["possible"],
    )
    return JSONResponse(
        {
            "key": f"{statement_id}:{part}:{start}:{end}",
            "decision": None
            if mark is None
            else {
                "statement_id": statement_id,
                "part": part,
                "start": start,
                "end": end,
                "kind": mark["kind"],
                "state": state,
                "state_label": str(translate(review.STATE_LABELS[state], catalog)) if state else None,
            },
            "counts": counts,
            "release": {**context["outline"], "pending": counts["pending"], "possible": counts["possible"]},
            "message": str(translate(message, catalog)),
            "suggestions_html": _fragment(request, "transcripts/_review_suggestions.html", context),
            "preview_html": _fragment(request, "transcripts/_preview.html", context),
        }
    )


def _decided(words: str, state: str) -> str:
    return Msg("“{words}”: {state}.", words=words, state=state)


def _hidden(words: str, state: str) -> str:
    return Msg("“{words}” is hidden.", words=words)


def _unhidden(words: str, state: str) -> str:
    return (
        Msg("“{words}” is no longer hidden by hand: {state}.", words=words, state=state)
        if state
        else Msg("“{words}” is no longer hidden by hand.", words=words)
    )


@router.post("/sessions/{session_id}/transcript/decisions")
async def review_decide(
    request: Request, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> Response:
    values = await _form(request)
    statement_id, part = _target(values)
    start, end = _int(values, "start"), _int(values, "end")
    accept = values.get("accept") == "1"
    try:
        await review.decide(
            db,
            session=access.session,
            user=user,
            statement_id=statement_id,
            start=start,
            end=end,
            accept=accept,
            now=now,
            part=part,
            seen=values.get("seen") or None,
        )
    except AppError as exc:
        if wants_json(request):
            raise
        return _back(access.session.id, exc)
    if wants_json(request):
        return await _in_place(request, access, db, now, key=(statement_id, part, start, end), said=_decided)
    return _back(access.session.id)


@router.post("/sessions/{session_id}/transcript/redactions")
async def review_redact(
    request: Request, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> Response:
    """The words selected in the statement itself or in one of its translations (the page's
    script sends their exact span in characters), or, without script, typed: then their first
    place in that text."""
    values = await _form(request)
    (statement_id, part), reason = _target(values), values.get("reason", "")
    selected = bool(values.get("start") and values.get("end"))
    try:
        row = await review.hide_words(
            db,
            session=access.session,
            user=user,
            statement_id=statement_id,
            words=values.get("words", ""),
            reason=reason,
            now=now,
            start=_int(values, "start") if selected else None,
            end=_int(values, "end") if selected else None,
            part=part,
        )
    except (ValidationFailed, NotFound) as exc:
        if wants_json(request):
            raise
        return _back(access.session.id, exc)
    if wants_json(request):
        return await _in_place(request, access, db, now, key=(statement_id, part, row.start, row.end), said=_hidden)
    return _back(access.session.id)


@router.post("/sessions/{session_id}/transcript/decisions/accept-all")
async def review_accept_all(access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep) -> Response:
    await review.accept_all(db, session=access.session, user=user, now=now)
    return _back(access.session.id)


@router.post("/sessions/{session_id}/transcript/redactions/{redaction_id}/remove")
async def review_unredact(
    request: Request, redaction_id: PathId, access: SessionFacilitatorDep, db: DbDep, now: NowDep
) -> Response:
    row = await db.get(Redaction, redaction_id)
    key = (row.statement_id, row.part, row.start, row.end) if row is not None else (0, 0, 0, 0)
    try:
        await review.remove_redaction(db, session=access.session, redaction_id=redaction_id, now=now)
    except AppError as exc:
        if wants_json(request):
            raise
        return _back(access.session.id, exc)
    if wants_json(request):
        return await _in_place(request, access, db, now, key=key, said=_unhidden)
    return _back(access.session.id)


@router.post("/sessions/{session_id}/transcript/outcomes")
async def review_outcomes(
    request: Request, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> Response:
    values = await _form(request)
    summary, points = _outcomes(values)
    try:
        async with db.begin_nested():  # a refused change leaves nothing half-saved
            await service.set_outcomes(
                db,
                session=access.session,
                summary=summary,
                agreed_points=points,
                two_to_release=values.get("two_to_release") == "1",
                now=now,
                user=user,
            )
    except AppError as exc:
        return _back(access.session.id, exc)
    return _back(access.session.id)


def _outcomes(values: dict[str, str]) -> tuple[str | Texts | None, list[str | Texts] | None]:
    """The summary and the points from the form: `summary__<language>` (one field per
    language) and `agreed_points__<language>` (one point per line, line n of each language
    being point n); a form of before the languages sends `summary` and `agreed_points`, the
    programme's first language. A language the form does not send is left as it is."""
    summary: str | Texts | None = None
    points: list[str | Texts] | None = None
    by_language = {k.removeprefix("summary__"): v[:20_000] for k, v in values.items() if k.startswith("summary__")}
    if by_language:
        summary = by_language
    elif "summary" in values:
        summary = values["summary"][:20_000]
    lines = {
        k.removeprefix("agreed_points__"): v.splitlines()[:50]
        for k, v in values.items()
        if k.startswith("agreed_points__")
    }
    if lines:
        count = max(len(rows) for rows in lines.values())
        points = [{code: rows[n] if n < len(rows) else "" for code, rows in lines.items()} for n in range(count)]
    elif "agreed_points" in values:
        points = list(values["agreed_points"].splitlines()[:50])
    return summary, points


@router.get("/sessions/{session_id}/transcript/release")
async def review_release_confirm(request: Request, access: SessionFacilitatorDep, db: DbDep, now: NowDep) -> Response:
    """The confirmation step of a release without script: what will be released, to whom."""
    draft = await review.draft(db, session=access.session, now=now)
    return render_page(request, "transcripts/release_confirm.html", _review_context(request, access, draft))


@router.post("/sessions/{session_id}/transcript/release")
async def review_release(
    request: Request, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> Response:
    """A release confirmed (`confirmed=1`, from the dialog or the confirmation page); a post
    without it (a page of before the confirmation step) is sent to the confirmation page."""
    values = await _form(request)
    fetched = wants_json(request)
    session_id = access.session.id
    if values.get("confirmed") != "1":
        if fetched:
            raise ValidationFailed(Msg("Confirm the release first."), code="release_not_confirmed")
        return see_other(f"/sessions/{session_id}/transcript/release")
    try:
        result = await service.release(db, session=access.session, user=user, now=now)
    except AppError as exc:
        if fetched:
            raise
        return _back(session_id, exc)
    if not result["released"]:
        if fetched:
            catalog = i18n.translations_for(i18n.page_language(request, {}))
            return JSONResponse({"released": False, "message": str(translate(result["message"], catalog))})
        return see_other(f"/sessions/{session_id}/transcript?approved=1")
    if not fetched:
        return see_other(f"/sessions/{session_id}/transcript?released={result['version']}")
    released = await _released(db, session_id, result["version"])
    assert released is not None
    catalog = i18n.translations_for(i18n.page_language(request, {}))
    draft = await review.draft(db, session=access.session, now=now)
    context = {**_review_context(request, access, draft), "released": released}
    message = Msg(
        "Version {version} was released. Statements: {statements}; words hidden: {redactions}.",
        version=released["version"],
        statements=released["outline"]["statements"],
        redactions=released["outline"]["redactions"],
    )
    return JSONResponse(
        {
            "released": True,
            "id": released["id"],
            "version": released["version"],
            "released_at": released["released_at"].isoformat(),
            "outline": released["outline"],
            "message": str(translate(message, catalog)),
            "summary_html": _fragment(request, "transcripts/_release_summary.html", context),
            "versions_html": _fragment(request, "transcripts/_release_versions.html", context),
        }
    )


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
    """The newest version, read in the page's language; downloads in a language chosen."""
    release, programme, newest = await _readable(db, user, release_id)
    if newest.id != release.id:  # may hold withdrawn words: only the newest version is shown
        return render_page(request, "transcripts/superseded.html", {"release": release, "newest": newest})
    languages = programme_languages(programme)
    language = i18n.page_language(request, {})
    return render_page(
        request,
        "transcripts/read.html",
        {
            "release": release,
            "programme": programme,
            "document": _read(request, release.document, language, languages),
            "formats": list(export.FORMATS),
            "export_languages": readable_languages(release.document, languages),
            "language_names": i18n.CONTENT_LANGUAGE_NAMES,
            "clock": export.clock,
            "text_lang": export.text_language,
        },
    )


@router.get("/transcripts/{release_id}/export.{fmt}")
async def transcript_export(
    request: Request, release_id: PathId, fmt: str, user: CurrentUser, db: DbDep, language: str | None = None
) -> Response:
    """A download in the language the organiser chose (`?language=xx`; by default the page's):
    the facilitators' texts in it (or marked fallbacks), pseudonyms in it."""
    if fmt not in export.FORMATS:
        raise NotFound(Msg("There is no such format (md, json, csv, html)."))
    release, programme, newest = await _readable(db, user, release_id)
    if newest.id != release.id:
        raise Conflict(
            Msg(
                "Version {version} was replaced by version {newest}; export that one.",
                version=release.version,
                newest=newest.version,
            ),
            code="superseded",
        )
    languages = programme_languages(programme)
    chosen = chosen_language(language, i18n.page_language(request, {}), release.document, languages)
    words = chosen if chosen in UI_LANGUAGES else i18n.page_language(request, {})
    name = f"transcript-{release.session_id}-v{release.version}-{chosen}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "html":
        headers["Content-Security-Policy"] = export.CONTENT_SECURITY_POLICY
        document = _read(request, release.document, chosen, languages)
        return HTMLResponse(_standalone(request, document, words), headers=headers)
    make = {"md": export.to_markdown, "json": export.to_json, "csv": export.to_csv}[fmt]
    body = make(release.document, chosen, languages, i18n.translations_for(words))
    return Response(body, media_type=export.FORMATS[fmt], headers=headers)


def _standalone(request: Request, document: dict[str, Any], lang: str) -> str:
    """The HTML export: a document of its own, rendered from the released document (read in
    the language chosen) and the words of the app in `lang` only (not render_page, which
    hands every page the viewer's account and CSRF token): nothing in it depends on who
    downloaded it."""
    env: Environment = request.app.state.templates
    return env.get_template("transcripts/export.html").render(
        document=document,
        lang=lang,
        style=Markup(export.STYLE),  # constants of the code: the style is hashed into the policy
        policy=Markup(export.DOCUMENT_POLICY),
        released=export.released_moment(document),
        clock=export.clock,
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
