"""Pages for programmes: the list, creating one, its settings, communities, members and sessions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.accounts.models import Role
from app.deps import CurrentUser, DbDep, NowDep, PathId, require_csrf
from app.dialogues.sessions import list_sessions
from app.errors import AppError
from app.messages import Msg
from app.programmes import service
from app.programmes.deps import ProgrammeFacilitatorDep, ProgrammeMemberDep, ProgrammeOrganiserDep
from app.programmes.models import MIN_GROUP_FLOOR, UI_LANGUAGES, Community, MemberRole, Programme
from app.programmes.schemas import CommunityIn, CommunityLabels, MemberAdd, ProgrammeCreate, ProgrammeUpdate, RoomNameIn
from app.web.forms import FormState, errors_into, form_page, read_form
from app.web.i18n import CONTENT_LANGUAGE_NAMES
from app.web.redirects import see_other
from app.web.templating import render_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

COMMUNITY_SLOTS = 4


async def _programme_form(request: Request) -> tuple[ProgrammeCreate | None, FormState]:
    """The create form has a fixed number of community slots; empty ones are ignored."""
    raw = await request.form()
    values = {k: v for k, v in raw.items() if isinstance(v, str) and k != "csrf_token"}
    form = FormState(values=values, fields=frozenset({"name", "description", "languages", "communities"}))
    languages = [code for code in UI_LANGUAGES if raw.get(f"lang_{code}")]
    communities: list[dict[str, Any]] = []
    for slot in range(COMMUNITY_SLOTS):
        key = str(raw.get(f"community_{slot}_key", "")).strip()
        labels = {code: str(raw.get(f"community_{slot}_{code}", "")).strip() for code in UI_LANGUAGES}
        labels = {code: label for code, label in labels.items() if label}
        if key or labels:
            communities.append({"key": key, "labels": labels})
    data = {
        "name": values.get("name", ""),
        "description": values.get("description", ""),
        "languages": languages,
        "communities": communities,
    }
    try:
        return ProgrammeCreate.model_validate(data), form
    except ValidationError as exc:
        errors_into(form, exc)
        return None, form


def _page_context(**extra: Any) -> dict[str, Any]:
    return {"language_names": CONTENT_LANGUAGE_NAMES, "languages": UI_LANGUAGES, **extra}


@router.get("/programmes")
async def programmes_page(request: Request, user: CurrentUser, db: DbDep) -> Response:
    return render_page(
        request,
        "programmes/list.html",
        _page_context(
            programmes=await service.list_programmes(db, user=user),
            can_create=user.role is Role.organiser,
            form=FormState(values={f"lang_{c}": "1" for c in UI_LANGUAGES}),
            slots=range(COMMUNITY_SLOTS),
        ),
    )


@router.post("/programmes")
async def programmes_create(request: Request, user: CurrentUser, db: DbDep, now: NowDep) -> Response:
    body, form = await _programme_form(request)
    if body is not None:
        try:
            async with db.begin_nested():
                programme = await service.create_programme(
                    db,
                    actor=user,
                    name=body.name,
                    description=body.description,
                    languages=body.languages,
                    communities=body.communities,
                    now=now,
                )
            return see_other(f"/programmes/{programme.id}")
        except AppError as exc:
            if exc.status_code == 403:
                raise
            errors_into(form, exc)
    return render_page(
        request,
        "programmes/list.html",
        _page_context(
            programmes=await service.list_programmes(db, user=user),
            can_create=user.role is Role.organiser,
            form=form,
            slots=range(COMMUNITY_SLOTS),
        ),
        status_code=422,
    )


async def _detail(
    request: Request,
    db: DbDep,
    access: service.ProgrammeAccess,
    *,
    member_form: FormState | None = None,
    community_form: FormState | None = None,
    room_name_form: FormState | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    programme_id = access.programme.id
    room_name_default = None
    user = getattr(request.state, "user", None)
    if access.role is MemberRole.facilitator and user is not None:
        # The facilitator's own name in this programme's rooms (the form shows their choice).
        member = await service.membership(db, programme=access.programme, user=user)
        room_name_default = service.default_room_name(user)
        room_name_form = room_name_form or FormState(values={"room_name": member.room_name or ""})
    return render_page(
        request,
        "programmes/detail.html",
        _page_context(
            access=access,
            programme=access.programme,
            is_organiser=access.role is MemberRole.organiser,
            is_facilitator=access.role is MemberRole.facilitator,
            communities=await service.communities_of(db, programme_id=programme_id),
            members=await service.members_of(db, programme_id=programme_id),
            sessions=await list_sessions(db, programme_id=programme_id),
            member_form=member_form or FormState(values={"role": "facilitator"}),
            community_form=community_form or FormState(),
            room_name_form=room_name_form or FormState(),
            room_name_default=room_name_default,
            notice=notice,
        ),
        status_code=status_code,
    )


@router.get("/programmes/{programme_id}")
async def programme_page(request: Request, access: ProgrammeMemberDep, db: DbDep, done: str = "") -> Response:
    notices = {
        "member": "The account was added.",
        "removed": "The account was taken out of the programme.",
        "community": "The community was added.",
        "room_name": "Your name in the room was saved.",
    }
    return await _detail(request, db, access, notice=notices.get(done))


@router.post("/programmes/{programme_id}/members")
async def programme_add_member(request: Request, access: ProgrammeOrganiserDep, db: DbDep, now: NowDep) -> Response:
    body, form = await read_form(request, MemberAdd)
    if body is not None:
        try:
            async with db.begin_nested():
                await service.add_member(
                    db, programme=access.programme, username=body.username, role=body.role, now=now
                )
            return see_other(f"/programmes/{access.programme.id}?done=member")
        except AppError as exc:
            errors_into(form, exc)
    return await _detail(request, db, access, member_form=form, status_code=422)


@router.post("/programmes/{programme_id}/members/{user_id}/remove")
async def programme_remove_member(
    user_id: PathId, access: ProgrammeOrganiserDep, user: CurrentUser, db: DbDep
) -> Response:
    await service.remove_member(db, programme=access.programme, actor=user, user_id=user_id)
    return see_other(f"/programmes/{access.programme.id}?done=removed")


@router.post("/programmes/{programme_id}/communities")
async def programme_add_community(request: Request, access: ProgrammeOrganiserDep, db: DbDep) -> Response:
    raw = await request.form()
    values = {k: v for k, v in raw.items() if isinstance(v, str) and k != "csrf_token"}
    form = FormState(values=values, fields=frozenset({"key", "labels"}))
    labels = {c: str(raw.get(f"label_{c}", "")).strip() for c in UI_LANGUAGES}
    try:
        community = CommunityIn.model_validate(
            {"key": values.get("key", "").strip(), "labels": {c: v for c, v in labels.items() if v}}
        )
        async with db.begin_nested():
            await service.add_community(db, programme=access.programme, community=community)
        return see_other(f"/programmes/{access.programme.id}?done=community")
    except (ValidationError, AppError) as exc:
        errors_into(form, exc)
    return await _detail(request, db, access, community_form=form, status_code=422)


@router.post("/programmes/{programme_id}/room-name")
async def programme_room_name(
    request: Request, access: ProgrammeFacilitatorDep, user: CurrentUser, db: DbDep
) -> Response:
    """A facilitator chooses the name their seat shows in this programme's rooms."""
    body, form = await read_form(request, RoomNameIn)
    if body is not None:
        try:
            async with db.begin_nested():
                await service.set_room_name(db, programme=access.programme, user=user, room_name=body.room_name)
            return see_other(f"/programmes/{access.programme.id}?done=room_name")
        except AppError as exc:
            errors_into(form, exc)
    return await _detail(request, db, access, room_name_form=form, status_code=422)


# The programme's settings (organisers) --------------------------------------------------

SETTINGS_FIELDS = frozenset(
    {
        "name",
        "description",
        "retention",
        "retention_days",
        "withdrawal_hours",
        "survey_min_group",
        "survey_days",
        "facilitators_see_answers",
    }
)
# The outcomes' settings: whole numbers, and a checkbox (a form without these fields, from
# before they existed, leaves them as they are).
SURVEY_NUMBERS = ("survey_min_group", "survey_days")


def _label_field(key: str, code: str) -> str:
    return f"labels.{key}.{code}"


def _settings_fields(programme: Programme, communities: list[Community]) -> frozenset[str]:
    return SETTINGS_FIELDS | {_label_field(c.key, code) for c in communities for code in programme.languages}


def _settings_values(programme: Programme, communities: list[Community]) -> dict[str, str]:
    values = {
        "name": programme.name,
        "description": programme.description,
        "retention": "keep" if programme.retention_days is None else "days",
        "retention_days": "" if programme.retention_days is None else str(programme.retention_days),
        "withdrawal_hours": str(programme.withdrawal_hours),
        "survey_min_group": str(programme.survey_min_group),
        "survey_days": str(programme.survey_days),
        "facilitators_see_answers": "1" if programme.facilitators_see_answers else "",
    }
    for community in communities:
        for code in programme.languages:
            values[_label_field(community.key, code)] = community.labels.get(code, "")
    return values


async def _settings_page(
    request: Request,
    db: DbDep,
    access: service.ProgrammeAccess,
    *,
    form: FormState | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    programme = access.programme
    communities = await service.communities_of(db, programme_id=programme.id)
    return render_page(
        request,
        "programmes/settings.html",
        _page_context(
            programme=programme,
            communities=communities,
            form=form
            or FormState(
                values=_settings_values(programme, communities), fields=_settings_fields(programme, communities)
            ),
            label_field=_label_field,
            min_group_floor=MIN_GROUP_FLOOR,
            notice=notice,
        ),
        status_code=status_code,
    )


@router.get("/programmes/{programme_id}/settings")
async def programme_settings(request: Request, access: ProgrammeOrganiserDep, db: DbDep, done: str = "") -> Response:
    notice = Msg("The programme's settings were saved.") if done == "saved" else None
    return await _settings_page(request, db, access, notice=notice)


def _label_error(code: str, text: str) -> str | None:
    """What is wrong with one label, by the rules of the API's (schemas.CommunityLabels)."""
    try:
        CommunityLabels.model_validate({"labels": {code: text}})
    except ValidationError as exc:
        probe = FormState(fields=frozenset({"labels"}))
        errors_into(probe, exc)
        return probe.errors.get("labels") or probe.message
    return None


@router.post("/programmes/{programme_id}/settings")
async def programme_settings_submit(
    request: Request, access: ProgrammeOrganiserDep, db: DbDep, now: NowDep
) -> Response:
    """Name, description, the communities' labels, retention, the withdrawal window and the
    outcomes' settings: every problem of every field is answered at once, next to its field,
    with what was typed."""
    programme = access.programme
    raw = await request.form()
    values = {k: v for k, v in raw.items() if isinstance(v, str) and k != "csrf_token"}
    communities = await service.communities_of(db, programme_id=programme.id)
    form = FormState(values=values, fields=_settings_fields(programme, communities))
    data: dict[str, Any] = {"name": values.get("name", ""), "description": values.get("description", "")}
    retention = values.get("retention", "")
    if retention == "keep":
        data["keep_raw_statements"] = True
    elif retention == "days":
        if values.get("retention_days", "").strip():
            data["retention_days"] = values["retention_days"].strip()
        else:
            form.errors["retention_days"] = Msg("Please fill this in.")
    else:
        form.errors["retention"] = Msg("Choose one of the options.")
    if values.get("withdrawal_hours", "").strip():
        data["withdrawal_hours"] = values["withdrawal_hours"].strip()
    else:
        form.errors["withdrawal_hours"] = Msg("Please fill this in.")
    if any(name in values for name in SURVEY_NUMBERS):
        for name in SURVEY_NUMBERS:
            if values.get(name, "").strip():
                data[name] = values[name].strip()
            else:
                form.errors[name] = Msg("Please fill this in.")
        data["facilitators_see_answers"] = bool(values.get("facilitators_see_answers"))
    body: ProgrammeUpdate | None = None
    try:
        body = ProgrammeUpdate.model_validate(data)
    except ValidationError as exc:
        errors_into(form, exc)
    typed = {
        c.key: {code: values.get(_label_field(c.key, code), "") for code in programme.languages} for c in communities
    }
    for detail in service.label_gaps(programme, typed):
        form.errors.setdefault(detail["field"], detail["message"])
    labels: dict[str, CommunityLabels] = {}
    for key, given in typed.items():
        for code, text in given.items():
            problem = _label_error(code, text) if text.strip() else None
            if problem:
                form.errors.setdefault(_label_field(key, code), problem)
        if not any(f.startswith(f"labels.{key}.") for f in form.errors):
            labels[key] = CommunityLabels.model_validate({"labels": given})
    if body is not None and not form.errors:
        try:
            async with db.begin_nested():
                await service.update_programme(
                    db,
                    programme=programme,
                    name=body.name,
                    description=body.description,
                    now=now,
                    retention_days=body.retention_days,
                    keep_raw_statements=body.keep_raw_statements,
                    withdrawal_hours=body.withdrawal_hours,
                    survey_min_group=body.survey_min_group,
                    survey_days=body.survey_days,
                    facilitators_see_answers=body.facilitators_see_answers,
                )
                await service.set_community_labels(db, programme=programme, labels=labels, now=now)
            return see_other(f"/programmes/{programme.id}/settings?done=saved")
        except AppError as exc:
            if exc.status_code == 403:
                raise
            errors_into(form, exc)
        await db.refresh(programme)  # the savepoint's rollback expired it
    elif not form.message:
        form.message = Msg("Some fields are not valid.")
    return await _settings_page(request, db, access, form=form, status_code=422)


# A reload or Back after an error, or a typed address, meets the form's page, never a 405.
for _action in (
    "/programmes/{programme_id}/members",
    "/programmes/{programme_id}/members/{user_id}/remove",
    "/programmes/{programme_id}/communities",
    "/programmes/{programme_id}/room-name",
):
    form_page(router, _action, "/programmes/{programme_id}".format_map)
