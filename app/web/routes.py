"""Pages: home, login and logout, and the admin's account management."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.accounts import service
from app.accounts.models import Role
from app.accounts.schemas import LoginRequest, PasswordReset, UserCreate
from app.deps import (
    AdminUser,
    CurrentUser,
    DbDep,
    NowDep,
    OptionalLogin,
    PasswordsDep,
    PathId,
    SettingsDep,
    ThrottleDep,
    client_address,
    require_csrf,
    session_policy,
)
from app.errors import AppError, NotAuthenticated, TooManyRequests
from app.security.login_cookie import close_login, open_login
from app.web.forms import FormState, read_form
from app.web.redirects import safe_next, see_other
from app.web.templating import render_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


@router.get("/")
async def home(request: Request, user: CurrentUser) -> Response:
    if user.role is not Role.admin:
        return see_other("/programmes")
    return render_page(request, "home.html", {"is_admin": True})


@router.get("/login")
async def login_page(request: Request, active: OptionalLogin, next: str = "/") -> Response:
    if active is not None:
        return see_other(safe_next(next))
    return render_page(request, "auth/login.html", {"form": FormState(), "next": safe_next(next)})


@router.post("/login")
async def login_submit(
    request: Request,
    db: DbDep,
    now: NowDep,
    settings: SettingsDep,
    passwords: PasswordsDep,
    throttle: ThrottleDep,
) -> Response:
    body, form = await read_form(request, LoginRequest)
    next_url = safe_next(str((await request.form()).get("next") or "/"))
    status_code = 422
    if body is not None:
        try:
            user = await service.authenticate(
                db,
                username=body.username,
                password=body.password,
                client_address=client_address(request),
                passwords=passwords,
                throttle=throttle,
                now=now,
            )
        except (NotAuthenticated, TooManyRequests) as exc:
            form.message = exc.message
            status_code = exc.status_code
        else:
            response = see_other(next_url)
            await open_login(
                request,
                response,
                db,
                user=user,
                now=now,
                settings=settings,
                policy=session_policy(settings),
            )
            return response
    return render_page(request, "auth/login.html", {"form": form, "next": next_url}, status_code=status_code)


@router.post("/logout")
async def logout(request: Request, db: DbDep, now: NowDep, active: OptionalLogin) -> Response:
    response = see_other("/login")
    await close_login(request, response, db, active=active, now=now)
    return response


async def _users_page(
    request: Request,
    db: DbDep,
    *,
    create_form: FormState | None = None,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render_page(
        request,
        "admin/users.html",
        {
            "users": await service.list_users(db),
            "form": create_form or FormState(values={"role": Role.facilitator.value}),
            "notice": notice,
            "error": error,
            "roles": [Role.organiser, Role.facilitator],
        },
        status_code=status_code,
    )


@router.get("/admin/users")
async def users_page(request: Request, _admin: AdminUser, db: DbDep, done: str = "") -> Response:
    notices = {
        "created": "The account was created.",
        "disabled": "The account was disabled and its logins ended.",
        "enabled": "The account was enabled.",
        "password": "The password was changed and the account's logins ended.",
    }
    return await _users_page(request, db, notice=notices.get(done))


@router.post("/admin/users")
async def users_create(
    request: Request, _admin: AdminUser, db: DbDep, now: NowDep, passwords: PasswordsDep
) -> Response:
    body, form = await read_form(request, UserCreate)
    if body is not None:
        try:
            # A savepoint: a refused account leaves nothing behind, and the rest of
            # the request's objects stay usable for the page.
            async with db.begin_nested():
                await service.create_user(
                    db,
                    username=body.username,
                    full_name=body.full_name,
                    role=body.role,
                    password=body.password,
                    passwords=passwords,
                    now=now,
                )
            return see_other("/admin/users?done=created")
        except AppError as exc:
            form.fail(exc)
            if exc.code == "username_taken":
                form.errors["username"] = exc.message
                form.message = None
    return await _users_page(request, db, create_form=form, status_code=422)


@router.post("/admin/users/{user_id}/disable")
async def users_disable(user_id: PathId, admin: AdminUser, db: DbDep, now: NowDep) -> Response:
    await service.set_active(db, actor=admin, user_id=user_id, active=False, now=now)
    return see_other("/admin/users?done=disabled")


@router.post("/admin/users/{user_id}/enable")
async def users_enable(user_id: PathId, admin: AdminUser, db: DbDep, now: NowDep) -> Response:
    await service.set_active(db, actor=admin, user_id=user_id, active=True, now=now)
    return see_other("/admin/users?done=enabled")


@router.post("/admin/users/{user_id}/password")
async def users_password(
    request: Request,
    user_id: PathId,
    _admin: AdminUser,
    db: DbDep,
    now: NowDep,
    passwords: PasswordsDep,
) -> Response:
    await service.get_user(db, user_id=user_id)  # an unknown account is a 404, not a form error
    body, form = await read_form(request, PasswordReset)
    message = next(iter(form.errors.values()), form.message)
    if body is not None:
        try:
            async with db.begin_nested():
                await service.reset_password(db, user_id=user_id, password=body.password, passwords=passwords, now=now)
            return see_other("/admin/users?done=password")
        except AppError as exc:
            message = exc.message
    return await _users_page(request, db, error=message, status_code=422)
