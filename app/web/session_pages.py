"""Pages for a session: scheduling and editing, status, agenda, invitations, lobby."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.deps import CurrentUser, DbDep, NowDep, PathId, require_csrf
from app.dialogues import agenda, invitations, seats, sessions
from app.dialogues.content import builtin_in, programme_languages
from app.dialogues.deps import SessionFacilitatorDep, SessionMemberDep
from app.dialogues.models import FINISHED, PLANNING, AgendaKind, Invitation, SessionStatus
from app.dialogues.present import invitation_public, join_link
from app.dialogues.pseudonyms import pseudonym_label
from app.dialogues.schemas import (
    AgendaItemIn,
    AgendaItemUpdate,
    InvitationCreate,
    LobbyMessageIn,
    SamePersonIn,
    SessionCreate,
    SessionUpdate,
)
from app.errors import AppError
from app.facilitation import lobby
from app.messages import Msg
from app.programmes.deps import ProgrammeFacilitatorDep
from app.programmes.models import UI_LANGUAGES, Programme
from app.programmes.service import communities_of, community_label, list_programmes
from app.programmes.texts import Shown, pick
from app.web.forms import TIME_ZONES, FormState, check_zone_field, errors_into, form_page
from app.web.handout import NewLink, copy_text, csv_data_url, links_csv, qr_code
from app.web.i18n import CONTENT_LANGUAGE_NAMES, page_language, translations_for
from app.web.redirects import see_other
from app.web.templating import render_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

# The session's texts for people: one form field per language, `<name>__<language>`.
SESSION_TEXTS = ("title", "description", "lobby_message", "pause_message", "ground_rules")
AGENDA_TEXTS = ("title", "prompt")
SESSION_FIELDS = frozenset(
    {
        "title",
        "description",
        "lobby_message",
        "pause_message",
        "starts_at",
        "time_zone",
        "planned_minutes",
        "capacity",
        "quotas",
        "ground_rules",
        "show_communities",
        "speaking_mode",
        "admission",
        "keep_transcript",
        "ends_at",
    }
)


async def _form_values(request: Request) -> dict[str, str]:
    raw = await request.form()
    return {k: v for k, v in raw.items() if isinstance(v, str) and k != "csrf_token"}


def form_texts(values: dict[str, str], name: str, languages: list[str]) -> dict[str, str]:
    """A text's fields (`title__en`, `title__hy`, …) as a map over the programme's languages;
    an empty field is an empty text (on an edit, that language is removed)."""
    return {language: values.get(f"{name}__{language}", "") for language in languages}


def texts_values(name: str, texts: dict[str, str], languages: list[str]) -> dict[str, str]:
    """A stored text as its form fields."""
    return {f"{name}__{language}": texts.get(language, "") for language in languages}


def reader(request: Request, languages: list[str], hint: dict[str, Any] | None = None) -> tuple[str, Any]:
    """The page's language and `shown(texts)`, which picks a text for this reader (their
    language, else the programme's first that has it, marked as a fallback)."""
    lang = page_language(request, hint or {})

    def shown(texts: dict[str, str] | str | None) -> Shown:
        return pick(texts, lang, languages)

    return lang, shown


def text_context(request: Request, programme: Programme, hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """What templates need for texts in the programme's languages (sessions/_texts.html)."""
    languages = programme_languages(programme)
    lang, shown = reader(request, languages, hint)
    return {"lang": lang, "shown": shown, "languages": languages, "language_names": CONTENT_LANGUAGE_NAMES}


def _session_data(values: dict[str, str], community_keys: list[str], languages: list[str]) -> dict[str, Any]:
    """Form fields to the API's shape: blank quotas mean parity, checkboxes mean true."""
    quotas = {key: values.get(f"quota_{key}", "").strip() for key in community_keys}
    rules = form_texts(values, "ground_rules", languages)
    data: dict[str, Any] = {
        "title": form_texts(values, "title", languages),
        "description": form_texts(values, "description", languages),
        "lobby_message": form_texts(values, "lobby_message", languages),
        "pause_message": form_texts(values, "pause_message", languages),
        "starts_at": values.get("starts_at", "") or None,
        "time_zone": values.get("time_zone", "").strip() or "UTC",
        "planned_minutes": values.get("planned_minutes", "") or None,
        "capacity": values.get("capacity", "") or None,
        "ground_rules": rules if any(text.strip() for text in rules.values()) else None,
        "show_communities": bool(values.get("show_communities")),
        "keep_transcript": bool(values.get("keep_transcript")),
        "speaking_mode": values.get("speaking_mode", "open"),
        "admission": values.get("admission", "lobby"),
    }
    if any(quotas.values()):
        data["quotas"] = {key: seats or "0" for key, seats in quotas.items()}
    return {k: v for k, v in data.items() if v is not None}


def _session_values(
    session: Any, rules: dict[str, str], quotas: dict[str, int], languages: list[str]
) -> dict[str, str]:
    local = session.starts_at.astimezone(ZoneInfo(session.time_zone))
    values = {
        **{
            key: value
            for name in ("title", "description", "lobby_message", "pause_message")
            for key, value in texts_values(name, getattr(session, name), languages).items()
        },
        **texts_values("ground_rules", rules, languages),
        "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "time_zone": session.time_zone,
        "planned_minutes": str(session.planned_minutes),
        "capacity": str(session.capacity),
        "speaking_mode": session.speaking_mode.value,
        "admission": session.admission.value,
        "show_communities": "1" if session.show_communities else "",
        "keep_transcript": "1" if session.keep_transcript else "",
    }
    values.update({f"quota_{key}": str(seats) for key, seats in quotas.items()})
    return values


def _schedule_context(
    request: Request, programme: Programme, communities: list, form: FormState, **extra: Any
) -> dict[str, Any]:
    return {
        "communities": communities,
        "form": form,
        "time_zones": TIME_ZONES,
        "programme": programme,
        **text_context(request, programme),
        **extra,
    }


async def programme_zone(db: DbDep, programme_id: int) -> str:
    """The programme's zone: that of its latest session. Empty when it has none yet, and the
    browser fills in the reader's own (frontend/static/js/time-zone.js)."""
    latest = max(await sessions.list_sessions(db, programme_id=programme_id), key=lambda s: s.starts_at, default=None)
    return latest.time_zone if latest is not None else ""


@router.get("/programmes/{programme_id}/sessions/new")
async def schedule_page(request: Request, access: ProgrammeFacilitatorDep, db: DbDep) -> Response:
    communities = await communities_of(db, programme_id=access.programme.id)
    languages = programme_languages(access.programme)
    form = FormState(
        values={
            "time_zone": await programme_zone(db, access.programme.id),
            "planned_minutes": "120",
            "capacity": "12",
            "speaking_mode": "open",
            "admission": "lobby",
            "show_communities": "1",
            "keep_transcript": "1",
            "agenda_template": "1",
            **texts_values("ground_rules", builtin_in(sessions.DEFAULT_GROUND_RULES, languages), languages),
        },
        fields=SESSION_FIELDS,
    )
    return render_page(
        request, "sessions/schedule.html", _schedule_context(request, access.programme, communities, form)
    )


@router.post("/programmes/{programme_id}/sessions/new")
async def schedule_submit(
    request: Request, access: ProgrammeFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> Response:
    values = await _form_values(request)
    communities = await communities_of(db, programme_id=access.programme.id)
    form = FormState(values=values, fields=SESSION_FIELDS | {f"quota_{c.key}" for c in communities})
    check_zone_field(form)
    try:
        data = _session_data(values, [c.key for c in communities], programme_languages(access.programme))
        if values.get("agenda_template"):
            data["agenda_template"] = "first_meeting"
        body = SessionCreate.model_validate(data)
        if not form.errors:
            async with db.begin_nested():
                session = await sessions.schedule_session(db, actor=user, access=access, data=body, now=now)
            return see_other(f"/sessions/{session.id}?done=scheduled")
    except (ValidationError, AppError) as exc:
        errors_into(form, exc)
    return render_page(
        request,
        "sessions/schedule.html",
        _schedule_context(request, access.programme, communities, form),
        status_code=422,
    )


async def _session_page(
    request: Request,
    db: DbDep,
    access: sessions.SessionAccess,
    *,
    form: FormState | None = None,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    session = access.session
    communities = await communities_of(db, programme_id=session.programme_id)
    quota_rows = await sessions.quotas_of(db, session_id=session.id)
    quotas = {c.key: quota_rows.get(c.id, 0) for c in communities}
    rules = await sessions.current_rules(db, session_id=session.id)
    texts = text_context(request, access.programme)
    if form is None:
        form = FormState(values=_session_values(session, rules.text, quotas, texts["languages"]), fields=SESSION_FIELDS)
    transitions = sessions.TRANSITIONS[session.status]
    # What opening would refuse (the rules) and what it only warns about, next to the button.
    warnings = await sessions.text_warnings(db, session=session) if access.is_facilitator else []
    items = await agenda.agenda_of(db, session_id=session.id)
    return render_page(
        request,
        "sessions/detail.html",
        {
            "session": session,
            "programme": access.programme,
            "is_facilitator": access.is_facilitator,
            "communities": communities,
            "quotas": quotas,
            "rules": rules,
            "agenda": items,
            "ends_at": sessions.ends_at(session),
            "transitions": transitions,
            "editable": session.status in PLANNING,
            "finished": session.status in FINISHED,
            "form": form,
            "time_zones": TIME_ZONES,
            "rules_missing": next((w.languages for w in warnings if w.field == "ground_rules"), []),
            "warnings": [w for w in warnings if w.field != "ground_rules"],
            "agenda_numbers": {item.id: n for n, item in enumerate(items, 1)},
            "notice": notice,
            "error": error,
            **texts,
        },
        status_code=status_code,
    )


NOTICES = {
    "scheduled": Msg("The session was created as a draft. Add invitations and schedule it when it is ready."),
    "saved": Msg("The changes were saved."),
    "status": Msg("The session's status changed."),
}


@router.get("/sessions/{session_id}", name="session_page")
async def session_page(request: Request, access: SessionMemberDep, db: DbDep, done: str = "") -> Response:
    return await _session_page(request, db, access, notice=NOTICES.get(done))


@router.post("/sessions/{session_id}/edit")
async def session_edit(
    request: Request, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> Response:
    values = await _form_values(request)
    communities = await communities_of(db, programme_id=access.session.programme_id)
    form = FormState(values=values, fields=SESSION_FIELDS | {f"quota_{c.key}" for c in communities})
    if access.session.status in PLANNING:
        check_zone_field(form)
    try:
        data = _session_data(values, [c.key for c in communities], programme_languages(access.programme))
        if access.session.status not in PLANNING:
            data = {k: v for k, v in data.items() if k in SESSION_TEXTS}
        elif "quotas" not in data:
            data["quotas"] = None  # blank quotas: back to parity
        body = SessionUpdate.model_validate(data)
        if not form.errors:
            async with db.begin_nested():
                await sessions.update_session(db, actor=user, access=access, data=body, now=now)
            return see_other(f"/sessions/{access.session.id}?done=saved")
    except (ValidationError, AppError) as exc:
        errors_into(form, exc)
    await db.refresh(access.session)  # the savepoint's rollback expired it
    return await _session_page(request, db, access, form=form, status_code=422)


@router.post("/sessions/{session_id}/status")
async def session_status(request: Request, access: SessionFacilitatorDep, db: DbDep, now: NowDep) -> Response:
    values = await _form_values(request)
    error: str
    try:
        target = SessionStatus(values.get("status", ""))
        async with db.begin_nested():
            await sessions.change_status(db, session=access.session, to=target, reason=values.get("reason"), now=now)
        return see_other(f"/sessions/{access.session.id}?done=status")
    except ValueError:
        error = Msg("Choose a status.")
    except AppError as exc:
        error = exc.message
    await db.refresh(access.session)
    return await _session_page(request, db, access, error=error, status_code=422)


# Agenda ----------------------------------------------------------------------------------


async def _agenda_page(
    request: Request,
    db: DbDep,
    access: sessions.SessionAccess,
    user: CurrentUser,
    *,
    form: FormState | None = None,
    item_forms: dict[int, FormState] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    others = []
    for programme in await list_programmes(db, user=user):
        if programme.role.value == "facilitator":
            others += [
                (programme.programme, s)
                for s in await sessions.list_sessions(db, programme_id=programme.programme.id)
                if s.id != access.session.id
            ]
    items = await agenda.agenda_of(db, session_id=access.session.id)
    languages = programme_languages(access.programme)
    return render_page(
        request,
        "sessions/agenda.html",
        {
            "session": access.session,
            "programme": access.programme,
            "items": items,
            "item_values": {
                item.id: {
                    **{
                        key: value
                        for name in AGENDA_TEXTS
                        for key, value in texts_values(name, getattr(item, name), languages).items()
                    },
                    **_breakout_values(item.settings if item.kind == AgendaKind.breakout else None),
                }
                for item in items
            },
            "item_form": FormState(fields=AGENDA_FIELDS),
            "item_forms": item_forms or {},
            "kinds": list(AgendaKind),
            "others": others,
            "editable": access.session.status not in FINISHED,
            "form": form
            or FormState(
                values={"kind": "discussion", "planned_minutes": "15", **_breakout_values(None)},
                fields=AGENDA_FIELDS,
            ),
            "error": error,
            **text_context(request, access.programme),
        },
        status_code=status_code,
    )


@router.get("/sessions/{session_id}/agenda")
async def agenda_page(request: Request, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep) -> Response:
    return await _agenda_page(request, db, access, user)


# A breakout item's settings are the form's `breakout_<setting>` fields; their errors come back
# under the API's paths (`breakout.group_size`), which are the keys the template reads.
BREAKOUT_SETTINGS = ("grouping", "group_size", "keep_transcript")
AGENDA_FIELDS = frozenset(
    {"kind", "title", "prompt", "planned_minutes", "breakout", *(f"breakout.{name}" for name in BREAKOUT_SETTINGS)}
)


def _breakout_values(settings: dict[str, Any] | None) -> dict[str, str]:
    """A breakout item's stored settings as its form fields (the defaults for any other item)."""
    settings = settings or {}
    return {
        "breakout_grouping": str(settings.get("grouping") or "caucus"),
        "breakout_group_size": str(settings.get("group_size") or 4),
        "breakout_keep_transcript": "1" if settings.get("keep_transcript") else "",
    }


def _breakout_data(values: dict[str, str]) -> dict[str, Any]:
    """The breakout fields in the API's shape, an unticked box false. The group size is checked
    for mixed groups; the others have no use for it, so it is kept only when it is a valid one
    (a stray value in a field that does not apply is no error)."""
    data: dict[str, Any] = {"keep_transcript": bool(values.get("breakout_keep_transcript"))}
    grouping = values.get("breakout_grouping", "").strip()
    if grouping:
        data["grouping"] = grouping
    size = values.get("breakout_group_size", "").strip()
    if (grouping == "mixed" and size) or (size.isdigit() and 2 <= int(size) <= 12):
        data["group_size"] = size
    return data


def _agenda_data(values: dict[str, str], languages: list[str]) -> dict[str, Any]:
    """An agenda item's form (its texts one field per language) in the API's shape; a breakout
    item's settings under `breakout` (other kinds send none)."""
    data: dict[str, Any] = {k: v for k, v in values.items() if k in ("kind", "planned_minutes")}
    for name in AGENDA_TEXTS:
        if any(f"{name}__{language}" in values for language in languages):
            data[name] = form_texts(values, name, languages)
    if values.get("kind") == AgendaKind.breakout.value:
        data["breakout"] = _breakout_data(values)
    return data


@router.post("/sessions/{session_id}/agenda")
async def agenda_add(request: Request, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep) -> Response:
    values = await _form_values(request)
    form = FormState(values=values, fields=AGENDA_FIELDS)
    try:
        body = AgendaItemIn.model_validate(_agenda_data(values, programme_languages(access.programme)))
        async with db.begin_nested():
            await agenda.add_item(db, session=access.session, data=body)
        return see_other(f"/sessions/{access.session.id}/agenda")
    except (ValidationError, AppError) as exc:
        errors_into(form, exc)
    return await _agenda_page(request, db, access, user, form=form, status_code=422)


async def _agenda_action(
    request: Request,
    db: DbDep,
    access: sessions.SessionAccess,
    user: CurrentUser,
    action: Callable[[], Awaitable[object]],
    *,
    item_id: int | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    """Run one change of the agenda; an item's edit form that fails comes back open, with what
    was typed and its errors next to their fields."""
    form = FormState(values=values or {}, fields=AGENDA_FIELDS)
    try:
        async with db.begin_nested():
            await action()
        return see_other(f"/sessions/{access.session.id}/agenda")
    except (ValidationError, AppError) as exc:
        errors_into(form, exc)
    if item_id is not None and form.errors:
        return await _agenda_page(request, db, access, user, item_forms={item_id: form}, status_code=422)
    error = form.message or next(iter(form.errors.values()), None)
    return await _agenda_page(request, db, access, user, error=error, status_code=422)


@router.post("/sessions/{session_id}/agenda/{item_id}/edit")
async def agenda_edit(
    request: Request, item_id: PathId, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep
) -> Response:
    values = await _form_values(request)
    return await _agenda_action(
        request,
        db,
        access,
        user,
        lambda: agenda.update_item(
            db,
            session=access.session,
            item_id=item_id,
            data=AgendaItemUpdate.model_validate(_agenda_data(values, programme_languages(access.programme))),
        ),
        item_id=item_id,
        values=values,
    )


@router.post("/sessions/{session_id}/agenda/{item_id}/move")
async def agenda_move(
    request: Request, item_id: PathId, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep
) -> Response:
    values = await _form_values(request)

    async def move() -> None:
        items = await agenda.agenda_of(db, session_id=access.session.id)
        current = next((i.position for i in items if i.id == item_id), None)
        if current is None:
            await agenda.move_item(db, session=access.session, item_id=item_id, position=0)  # raises NotFound
            return
        step = -1 if values.get("direction") == "up" else 1
        await agenda.move_item(db, session=access.session, item_id=item_id, position=max(0, current + step))

    return await _agenda_action(request, db, access, user, move)


@router.post("/sessions/{session_id}/agenda/{item_id}/remove")
async def agenda_remove(
    request: Request, item_id: PathId, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep
) -> Response:
    return await _agenda_action(
        request, db, access, user, lambda: agenda.remove_item(db, session=access.session, item_id=item_id)
    )


@router.post("/sessions/{session_id}/agenda/copy")
async def agenda_copy(request: Request, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep) -> Response:
    values = await _form_values(request)

    async def copy() -> None:
        source_id = int(values.get("from_session_id") or 0)
        source = await sessions.session_access(db, user=user, session_id=source_id, facilitator=True)
        await agenda.copy_agenda(db, session=access.session, source=source.session)

    try:
        return await _agenda_action(request, db, access, user, copy)
    except ValueError:
        return await _agenda_page(
            request, db, access, user, error=Msg("Choose a session to copy from."), status_code=422
        )


@router.post("/sessions/{session_id}/agenda/template")
async def agenda_template(request: Request, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep) -> Response:
    return await _agenda_action(
        request, db, access, user, lambda: agenda.apply_template(db, session=access.session, template="first_meeting")
    )


# Invitations -----------------------------------------------------------------------------

INVITE_FIELDS = frozenset({"role", "community", "real_name", "contact", "language", "csv", "same_person_as"})
CSV_HEADINGS = (Msg("Name"), Msg("Community"), Msg("Language"), Msg("Personal link"))


def _link_languages(programme: Programme) -> list[str]:
    """The languages a link may open in: every interface language (as a person may choose
    while joining), the programme's own first."""
    own = [code for code in programme_languages(programme) if code in UI_LANGUAGES]
    return own + [code for code in UI_LANGUAGES if code not in own]


def _new_links(request: Request, communities: list, lang: str, made: list[tuple[Invitation, str]]) -> list[NewLink]:
    by_id = {c.id: c for c in communities}
    links = []
    for invitation, token in made:
        link = join_link(request, token)
        community = by_id.get(invitation.community_id)
        qr, qr_size = qr_code(link)
        links.append(
            NewLink(
                invitation_id=invitation.id,
                name=invitation.real_name or "",
                role=invitation.role,
                community=community_label(community, lang) if community is not None else "",
                language=invitation.language or "",
                link=link,
                qr=qr,
                qr_size=qr_size,
            )
        )
    return links


async def _invitations_page(
    request: Request,
    db: DbDep,
    access: sessions.SessionAccess,
    now: datetime,
    *,
    form: FormState | None = None,
    bulk_form: FormState | None = None,
    bulk_problems: list[dict[str, Any]] | None = None,
    created: list[tuple[Invitation, str]] | None = None,
    same_person_errors: dict[int, str] | None = None,
    status_code: int = 200,
) -> Response:
    communities = await communities_of(db, programme_id=access.session.programme_id)
    by_id = {c.id: c for c in communities}
    rows = await invitations.list_invitations(db, session_id=access.session.id)
    texts = text_context(request, access.programme)
    # The links are shown on this answer only (the server keeps just their hashes): as text,
    # to copy all at once, as a CSV file and as QR codes, none of them a request of its own.
    links = _new_links(request, communities, texts["lang"], created or [])
    catalog = translations_for(texts["lang"])
    # The same person across a series: the earlier sessions' participants, for facilitators
    # (real names: they know who is who); what links two invitations is never shown.
    earlier = [
        {
            "id": invitation.id,
            "name": invitation.real_name,
            "community": community_label(by_id[invitation.community_id], texts["lang"])
            if invitation.community_id in by_id
            else "",
            "title": texts["shown"](earlier_session.title),
            "starts_at": earlier_session.starts_at,
            "time_zone": earlier_session.time_zone,
        }
        for invitation, earlier_session in await invitations.earlier_participants(db, session=access.session)
    ]
    by_earlier = {row["id"]: row for row in earlier}
    same_links = await invitations.same_person_links(db, session=access.session, invitations=[i for i, _s in rows])
    return render_page(
        request,
        "sessions/invitations.html",
        {
            "session": access.session,
            "programme": access.programme,
            "communities": communities,
            "invitations": [invitation_public(i, s, by_id, now=now) for i, s in rows],
            "form": form or FormState(values={"role": "participant"}, fields=INVITE_FIELDS),
            "bulk_form": bulk_form or FormState(fields=INVITE_FIELDS),
            "bulk_problems": bulk_problems or [],
            "created": links,
            "all_links": copy_text(links),
            "links_csv": csv_data_url(links_csv(links, [h.localized(catalog) for h in CSV_HEADINGS])),
            "csv_name": f"invitations-session-{access.session.id}-{now:%Y%m%d-%H%M}.csv",
            "link_languages": _link_languages(access.programme),
            "finished": access.session.status in FINISHED,
            "earlier": earlier,
            "same_person": {i: by_earlier.get(earlier_row.id) for i, (earlier_row, _s) in same_links.items()},
            "same_person_errors": same_person_errors or {},
            **texts,
        },
        status_code=status_code,
    )


@router.get("/sessions/{session_id}/invitations")
async def invitations_page(request: Request, access: SessionFacilitatorDep, db: DbDep, now: NowDep) -> Response:
    return await _invitations_page(request, db, access, now)


@router.post("/sessions/{session_id}/invitations")
async def invitations_create(
    request: Request, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> Response:
    values = await _form_values(request)
    form = FormState(values=values, fields=INVITE_FIELDS)
    try:
        body = InvitationCreate.model_validate(
            {k: values.get(k) or None for k in ("role", "community", "real_name", "contact", "language")}
            | {"role": values.get("role") or "participant", "same_person_as": values.get("same_person_as") or None}
        )
        async with db.begin_nested():
            invitation, token = await invitations.create_invitation(
                db, session=access.session, actor=user, data=body, now=now
            )
        return await _invitations_page(request, db, access, now, created=[(invitation, token)], status_code=201)
    except (ValidationError, AppError) as exc:
        errors_into(form, exc)
        if isinstance(exc, ValidationError) and "community" not in form.errors:
            try:  # every problem at once: the community is checked even when another field failed
                await invitations.check_community(
                    db, session=access.session, key=values.get("community"), role=values.get("role")
                )
            except AppError as community_exc:
                errors_into(form, community_exc)
    return await _invitations_page(request, db, access, now, form=form, status_code=422)


@router.post("/sessions/{session_id}/invitations/bulk")
async def invitations_bulk(
    request: Request, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> Response:
    values = await _form_values(request)
    # The textarea gets back exactly what was pasted, so each "line N" is where it was.
    form = FormState(values=values, fields=INVITE_FIELDS)
    text = values.get("csv", "")
    try:
        async with db.begin_nested():
            made = await invitations.create_bulk(db, session=access.session, actor=user, text=text, now=now)
        return await _invitations_page(request, db, access, now, created=made, status_code=201)
    except AppError as exc:
        form.errors["csv"] = exc.message
        problems = [d for d in exc.details or [] if d.get("field") == "csv"]
    return await _invitations_page(request, db, access, now, bulk_form=form, bulk_problems=problems, status_code=422)


@router.post("/sessions/{session_id}/invitations/{invitation_id}/revoke")
async def invitations_revoke(invitation_id: PathId, access: SessionFacilitatorDep, db: DbDep, now: NowDep) -> Response:
    invitation = await invitations.get_invitation(db, session=access.session, invitation_id=invitation_id)
    await invitations.revoke_invitation(db, invitation=invitation, now=now)
    return see_other(f"/sessions/{access.session.id}/invitations")


@router.post("/sessions/{session_id}/invitations/{invitation_id}/reissue")
async def invitations_reissue(
    request: Request, invitation_id: PathId, access: SessionFacilitatorDep, db: DbDep, now: NowDep
) -> Response:
    invitation = await invitations.get_invitation(db, session=access.session, invitation_id=invitation_id)
    invitation, token = await invitations.reissue_invitation(db, session=access.session, invitation=invitation, now=now)
    return await _invitations_page(request, db, access, now, created=[(invitation, token)], status_code=201)


@router.post("/sessions/{session_id}/invitations/{invitation_id}/same-person")
async def invitations_same_person(
    request: Request, invitation_id: PathId, access: SessionFacilitatorDep, db: DbDep, now: NowDep
) -> Response:
    """Mark an invitation as the same person as a participant of an earlier session."""
    values = await _form_values(request)
    invitation = await invitations.get_invitation(db, session=access.session, invitation_id=invitation_id)
    message: str
    try:
        body = SamePersonIn.model_validate({"earlier_id": values.get("earlier_id") or None})
        async with db.begin_nested():
            await invitations.mark_same_person(db, invitation=invitation, earlier_id=body.earlier_id)
        return see_other(f"/sessions/{access.session.id}/invitations")
    except ValidationError:
        message = Msg("Choose the person from an earlier session.")
    except AppError as exc:
        message = exc.message
    return await _invitations_page(
        request, db, access, now, same_person_errors={invitation_id: message}, status_code=422
    )


# Lobby -----------------------------------------------------------------------------------


LOBBY_MESSAGE_FIELDS = frozenset({"lobby_message"})


async def _lobby_page(
    request: Request,
    access: SessionFacilitatorDep,
    db: DbDep,
    *,
    form: FormState | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    rows = await seats.seats_of(db, session_id=access.session.id)
    texts = text_context(request, access.programme)
    languages = texts["languages"]
    return render_page(
        request,
        "sessions/lobby.html",
        {
            "session": access.session,
            "programme": access.programme,
            "waiting": [(s, c) for s, c in rows if s.status.value == "lobby"],
            "others": [(s, c) for s, c in rows if s.status.value != "lobby"],
            "message_form": form
            or FormState(
                values=texts_values("lobby_message", access.session.lobby_message or {}, languages),
                fields=LOBBY_MESSAGE_FIELDS,
            ),
            "finished": access.session.status in FINISHED,
            "notice": notice,
            **texts,
            "pseudonym": lambda stored: pseudonym_label(stored, texts["lang"]),
        },
        status_code=status_code,
    )


@router.get("/sessions/{session_id}/lobby")
async def lobby_page(request: Request, access: SessionFacilitatorDep, db: DbDep, done: str = "") -> Response:
    notice = Msg("The message is shown to everyone waiting.") if done == "message" else None
    return await _lobby_page(request, access, db, notice=notice)


@router.post("/sessions/{session_id}/lobby/message")
async def lobby_message(
    request: Request, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> Response:
    """The facilitators' message to everyone waiting: shown on their lobby page at once."""
    values = await _form_values(request)
    form = FormState(values=values, fields=LOBBY_MESSAGE_FIELDS)
    languages = text_context(request, access.programme)["languages"]
    try:
        body = LobbyMessageIn.model_validate({"lobby_message": form_texts(values, "lobby_message", languages)})
        async with db.begin_nested():
            await lobby.set_message(db, session=access.session, message=body.lobby_message, now=now, by=user.id)
        return see_other(f"/sessions/{access.session.id}/lobby?done=message")
    except (ValidationError, AppError) as exc:
        errors_into(form, exc)
    return await _lobby_page(request, access, db, form=form, status_code=422)


@router.post("/sessions/{session_id}/lobby/{seat_id}/admit")
async def lobby_admit(
    seat_id: PathId, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> Response:
    await lobby.admit(db, seat=await seats.get_seat(db, session=access.session, seat_id=seat_id), now=now, by=user.id)
    return see_other(f"/sessions/{access.session.id}/lobby")


@router.post("/sessions/{session_id}/lobby/{seat_id}/refuse")
async def lobby_refuse(
    request: Request, seat_id: PathId, access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep
) -> Response:
    values = await _form_values(request)
    seat = await seats.get_seat(db, session=access.session, seat_id=seat_id)
    await lobby.refuse(db, seat=seat, reason=values.get("reason", "")[:500], now=now, by=user.id)
    return see_other(f"/sessions/{access.session.id}/lobby")


@router.post("/sessions/{session_id}/lobby/admit-all")
async def lobby_admit_all(access: SessionFacilitatorDep, user: CurrentUser, db: DbDep, now: NowDep) -> Response:
    await lobby.admit_all(db, session=access.session, now=now, by=user.id)
    return see_other(f"/sessions/{access.session.id}/lobby")


# A reload or Back after an error, or a typed address, meets the form's page, never a 405.
for _action, _page in (
    ("/sessions/{session_id}/edit", "/sessions/{session_id}"),
    ("/sessions/{session_id}/status", "/sessions/{session_id}"),
    ("/sessions/{session_id}/agenda/{item_id}/edit", "/sessions/{session_id}/agenda"),
    ("/sessions/{session_id}/agenda/{item_id}/move", "/sessions/{session_id}/agenda"),
    ("/sessions/{session_id}/agenda/{item_id}/remove", "/sessions/{session_id}/agenda"),
    ("/sessions/{session_id}/agenda/copy", "/sessions/{session_id}/agenda"),
    ("/sessions/{session_id}/agenda/template", "/sessions/{session_id}/agenda"),
    ("/sessions/{session_id}/invitations/bulk", "/sessions/{session_id}/invitations"),
    ("/sessions/{session_id}/invitations/{invitation_id}/revoke", "/sessions/{session_id}/invitations"),
    ("/sessions/{session_id}/invitations/{invitation_id}/reissue", "/sessions/{session_id}/invitations"),
    ("/sessions/{session_id}/invitations/{invitation_id}/same-person", "/sessions/{session_id}/invitations"),
    ("/sessions/{session_id}/lobby/{seat_id}/admit", "/sessions/{session_id}/lobby"),
    ("/sessions/{session_id}/lobby/{seat_id}/refuse", "/sessions/{session_id}/lobby"),
    ("/sessions/{session_id}/lobby/admit-all", "/sessions/{session_id}/lobby"),
    ("/sessions/{session_id}/lobby/message", "/sessions/{session_id}/lobby"),
):
    form_page(router, _action, _page.format_map)
