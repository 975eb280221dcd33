"""Pages: home, login (in steps: password, then a second-factor code, a new password after an
admin's reset, or setting up a second factor) and logout, and the admin's account management."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.accounts import login_flow, second_factor, service
from app.accounts.login_steps import advance
from app.accounts.models import Role, User
from app.accounts.schemas import LoginRequest, NewPasswordForm, PasswordReset, SecondFactorCode, UserCreate
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
)
from app.errors import AppError, NotAuthenticated, TooManyRequests
from app.security.login_cookie import close_login
from app.security.pending_login import clear_pending_cookie, peek_pending_login, pending_cookie
from app.security.second_factor import PendingLogin
from app.web import account_pages
from app.web.account_pages import enrolment_page, recovery_codes_page
from app.web.forms import FormState, read_form
from app.web.redirects import safe_next, see_other
from app.web.templating import render_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
router.include_router(account_pages.router)

# The page for each step of a login that needs more than the password.
STEP_PAGES = {
    login_flow.LoginStep.second_factor: "/login/code",
    login_flow.LoginStep.password_change: "/login/new-password",
    login_flow.LoginStep.second_factor_enrolment: "/login/set-up",
}


def _step_url(step: login_flow.LoginStep, next_url: str) -> str:
    return f"{STEP_PAGES[step]}?next={quote(next_url)}"


def _restart(next_url: str) -> Response:
    """A pending login that expired or no longer holds: back to the password, saying why."""
    return see_other(f"/login?next={quote(next_url)}&expired=1")


@router.get("/")
async def home(request: Request, user: CurrentUser) -> Response:
    if user.role is not Role.admin:
        return see_other("/programmes")
    return render_page(request, "home.html", {"is_admin": True})


@router.get("/login")
async def login_page(request: Request, active: OptionalLogin, next: str = "/", expired: str = "") -> Response:
    if active is not None:
        return see_other(safe_next(next))
    pending = peek_pending_login(request)
    if pending is not None:  # a login in its steps goes on where it stopped
        return see_other(_step_url(pending.step, safe_next(next)))
    form = FormState()
    return render_page(request, "auth/login.html", {"form": form, "next": safe_next(next), "expired": bool(expired)})


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
            step = await advance(request, response, db, user=user, factor_passed=False, settings=settings, now=now)
            if step is not None:
                response.headers["location"] = _step_url(step, next_url)
            return response
    return render_page(
        request, "auth/login.html", {"form": form, "next": next_url, "expired": False}, status_code=status_code
    )


async def _pending_at(
    request: Request, db: DbDep, *, settings: SettingsDep, now: NowDep, step: login_flow.LoginStep, next_url: str
) -> tuple[User, PendingLogin] | Response:
    """The pending login, if it is at this step; else where the browser should go instead."""
    try:
        user, pending = await login_flow.resume(db, token=pending_cookie(request), settings=settings, now=now)
    except NotAuthenticated:
        return _restart(next_url)
    actual = await login_flow.next_step(db, user=user, settings=settings, factor_passed=pending.factor_passed)
    if actual is None:  # nothing left to do here (a finished login in another tab): start again
        return _restart(next_url)
    if actual is not step:
        return see_other(_step_url(actual, next_url))
    return user, pending


async def _next_from_form(request: Request) -> str:
    return safe_next(str((await request.form()).get("next") or "/"))


@router.get("/login/code")
async def login_code_page(request: Request, db: DbDep, now: NowDep, settings: SettingsDep, next: str = "/") -> Response:
    next_url = safe_next(next)
    found = await _pending_at(
        request, db, settings=settings, now=now, step=login_flow.LoginStep.second_factor, next_url=next_url
    )
    if isinstance(found, Response):
        return found
    return render_page(request, "auth/second_factor.html", {"form": FormState(), "next": next_url})


@router.post("/login/code")
async def login_code_submit(
    request: Request, db: DbDep, now: NowDep, settings: SettingsDep, throttle: ThrottleDep
) -> Response:
    next_url = await _next_from_form(request)
    found = await _pending_at(
        request, db, settings=settings, now=now, step=login_flow.LoginStep.second_factor, next_url=next_url
    )
    if isinstance(found, Response):
        return found
    user, _pending = found
    body, form = await read_form(request, SecondFactorCode, secret_fields=("code",))
    status_code = 422
    if body is not None:
        try:
            await second_factor.verify(
                db,
                user=user,
                code=body.code,
                settings=settings,
                throttle=throttle,
                client_address=client_address(request),
                now=now,
            )
        except AppError as exc:
            form.fail(exc)
            status_code = exc.status_code
        else:
            response = see_other(next_url)
            step = await advance(request, response, db, user=user, factor_passed=True, settings=settings, now=now)
            if step is not None:
                response.headers["location"] = _step_url(step, next_url)
            return response
    return render_page(request, "auth/second_factor.html", {"form": form, "next": next_url}, status_code=status_code)


@router.get("/login/new-password")
async def login_new_password_page(
    request: Request, db: DbDep, now: NowDep, settings: SettingsDep, next: str = "/"
) -> Response:
    next_url = safe_next(next)
    found = await _pending_at(
        request, db, settings=settings, now=now, step=login_flow.LoginStep.password_change, next_url=next_url
    )
    if isinstance(found, Response):
        return found
    return render_page(request, "auth/new_password.html", {"form": FormState(), "next": next_url})


@router.post("/login/new-password")
async def login_new_password_submit(
    request: Request, db: DbDep, now: NowDep, settings: SettingsDep, passwords: PasswordsDep
) -> Response:
    next_url = await _next_from_form(request)
    found = await _pending_at(
        request, db, settings=settings, now=now, step=login_flow.LoginStep.password_change, next_url=next_url
    )
    if isinstance(found, Response):
        return found
    user, pending = found
    body, form = await read_form(request, NewPasswordForm, secret_fields=("new_password", "new_password_again"))
    if body is not None:
        if body.new_password != body.new_password_again:
            form.errors["new_password_again"] = account_pages.NOT_THE_SAME
        else:
            try:
                async with db.begin_nested():
                    await service.set_own_password(
                        db, user=user, new_password=body.new_password, passwords=passwords, now=now, keep_login=None
                    )
            except AppError as exc:
                form.fail(exc)
            else:
                response = see_other(next_url)
                step = await advance(
                    request, response, db, user=user, factor_passed=pending.factor_passed, settings=settings, now=now
                )
                if step is not None:
                    response.headers["location"] = _step_url(step, next_url)
                return response
    return render_page(request, "auth/new_password.html", {"form": form, "next": next_url}, status_code=422)


@router.get("/login/set-up")
async def login_enrol_page(
    request: Request, db: DbDep, now: NowDep, settings: SettingsDep, next: str = "/"
) -> Response:
    next_url = safe_next(next)
    step = login_flow.LoginStep.second_factor_enrolment
    found = await _pending_at(request, db, settings=settings, now=now, step=step, next_url=next_url)
    if isinstance(found, Response):
        return found
    user, _pending = found
    return await enrolment_page(
        request, db, user=user, settings=settings, now=now, action="/login/set-up", next_url=next_url
    )


@router.post("/login/set-up")
async def login_enrol_submit(
    request: Request, db: DbDep, now: NowDep, settings: SettingsDep, throttle: ThrottleDep
) -> Response:
    next_url = await _next_from_form(request)
    step = login_flow.LoginStep.second_factor_enrolment
    found = await _pending_at(request, db, settings=settings, now=now, step=step, next_url=next_url)
    if isinstance(found, Response):
        return found
    user, _pending = found
    body, form = await read_form(request, SecondFactorCode, secret_fields=("code",))
    if body is not None:
        try:
            codes = await second_factor.confirm_enrolment(
                db,
                user=user,
                code=body.code,
                settings=settings,
                throttle=throttle,
                client_address=client_address(request),
                now=now,
            )
        except AppError as exc:
            form.fail(exc)
        else:
            cookies = Response()
            if await advance(request, cookies, db, user=user, factor_passed=True, settings=settings, now=now):
                return _restart(next_url)  # enrolment is the last step; anything else is a stale form
            page = recovery_codes_page(request, codes=codes, continue_url=next_url, first_time=True)
            for value in cookies.headers.getlist("set-cookie"):
                page.headers.append("set-cookie", value)
            return page
    return await enrolment_page(
        request, db, user=user, settings=settings, now=now, action="/login/set-up", next_url=next_url, form=form
    )


@router.post("/logout")
async def logout(request: Request, db: DbDep, now: NowDep, active: OptionalLogin) -> Response:
    response = see_other("/login")
    if pending_cookie(request) is not None:  # also the way out of a login left in its steps
        clear_pending_cookie(request, response)
    await close_login(request, response, db, active=active, now=now)
    return response


async def _users_page(
    request: Request,
    db: DbDep,
    *,
    create_form: FormState | None = None,
    done: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render_page(
        request,
        "admin/users.html",
        {
            "users": await service.list_users(db),
            "with_second_factor": await second_factor.enrolled_user_ids(db),
            "form": create_form or FormState(values={"role": Role.facilitator.value}),
            "done": done,
            "error": error,
            "roles": [Role.organiser, Role.facilitator],
        },
        status_code=status_code,
    )


# What the page says after each action (the words are in the template, in every language).
USER_NOTICES = frozenset({"created", "disabled", "enabled", "password", "second_factor"})


@router.get("/admin/users")
async def users_page(request: Request, _admin: AdminUser, db: DbDep, done: str = "") -> Response:
    return await _users_page(request, db, done=done if done in USER_NOTICES else None)


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


@router.post("/admin/users/{user_id}/second-factor/clear")
async def users_clear_second_factor(user_id: PathId, admin: AdminUser, db: DbDep, now: NowDep) -> Response:
    await second_factor.clear_by_admin(db, actor=admin, user_id=user_id, now=now)
    return see_other("/admin/users?done=second_factor")
