"""A staff member's own account pages: the password and the second factor (set up, new
recovery codes, turn off). The login's own steps are in app/web/routes.py and share the
set-up and recovery-code pages from here."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts import second_factor, service
from app.accounts.models import User
from app.accounts.schemas import PasswordChangeForm, SecondFactorCode
from app.config import Settings
from app.deps import (
    CurrentLogin,
    CurrentUser,
    DbDep,
    NowDep,
    PasswordsDep,
    SettingsDep,
    ThrottleDep,
    client_address,
)
from app.errors import AppError
from app.web.forms import FormState, form_page, read_form
from app.web.redirects import see_other
from app.web.templating import render_page

router = APIRouter(include_in_schema=False)

NOT_THE_SAME = "The two passwords are not the same."

ACCOUNT_NOTICES = frozenset({"password", "second_factor_on", "second_factor_off"})


async def enrolment_page(
    request: Request,
    db: AsyncSession,
    *,
    user: User,
    settings: Settings,
    now: datetime,
    action: str,
    next_url: str,
    form: FormState | None = None,
) -> Response:
    """The QR code and the secret as text, and the field for the first code."""
    enrolment = await second_factor.start_enrolment(db, user=user, settings=settings, now=now)
    return render_page(
        request,
        "account/enrol.html",
        {
            "enrolment": enrolment,
            "account_name": user.username,
            "form": form or FormState(),
            "action": action,
            "next": next_url,
            "during_login": action.startswith("/login"),
        },
        status_code=422 if form is not None else 200,
    )


def recovery_codes_page(request: Request, *, codes: list[str], continue_url: str, first_time: bool) -> Response:
    return render_page(
        request,
        "account/recovery_codes.html",
        {"codes": codes, "continue_url": continue_url, "first_time": first_time},
    )


async def _account_page(
    request: Request,
    db: AsyncSession,
    *,
    user: User,
    settings: Settings,
    done: str | None = None,
    form: FormState | None = None,
    failed: str | None = None,
    status_code: int = 200,
) -> Response:
    return render_page(
        request,
        "account/index.html",
        {
            "account": user,
            "factor": await second_factor.status(db, user=user, settings=settings),
            "done": done if done in ACCOUNT_NOTICES else None,
            "form": form or FormState(),
            "failed": failed,
        },
        status_code=status_code,
    )


@router.get("/account")
async def account_page(
    request: Request, user: CurrentUser, db: DbDep, settings: SettingsDep, done: str = ""
) -> Response:
    return await _account_page(request, db, user=user, settings=settings, done=done)


@router.get("/account/password")
async def password_page(request: Request, _user: CurrentUser) -> Response:
    return render_page(request, "account/password.html", {"form": FormState()})


@router.post("/account/password")
async def password_submit(
    request: Request,
    active: CurrentLogin,
    db: DbDep,
    now: NowDep,
    passwords: PasswordsDep,
    throttle: ThrottleDep,
) -> Response:
    secret = ("current_password", "new_password", "new_password_again")
    body, form = await read_form(request, PasswordChangeForm, secret_fields=secret)
    status_code = 422
    if body is not None:
        if body.new_password != body.new_password_again:
            form.errors["new_password_again"] = NOT_THE_SAME
        else:
            try:
                async with db.begin_nested():
                    await service.change_own_password(
                        db,
                        user=active.user,
                        current_password=body.current_password,
                        new_password=body.new_password,
                        passwords=passwords,
                        throttle=throttle,
                        client_address=client_address(request),
                        login_id=active.login.id,
                        now=now,
                    )
            except AppError as exc:
                form.fail(exc)
                status_code = exc.status_code
            else:
                return see_other("/account?done=password")
    return render_page(request, "account/password.html", {"form": form}, status_code=status_code)


@router.get("/account/second-factor/set-up")
async def enrol_page(request: Request, user: CurrentUser, db: DbDep, now: NowDep, settings: SettingsDep) -> Response:
    if (await second_factor.status(db, user=user, settings=settings)).enrolled:
        return see_other("/account")
    return await enrolment_page(
        request, db, user=user, settings=settings, now=now, action="/account/second-factor/set-up", next_url="/account"
    )


@router.post("/account/second-factor/set-up")
async def enrol_submit(
    request: Request, user: CurrentUser, db: DbDep, now: NowDep, settings: SettingsDep, throttle: ThrottleDep
) -> Response:
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
            if exc.code == "second_factor_already_enrolled":
                return see_other("/account")
            form.fail(exc)
        else:
            return recovery_codes_page(
                request, codes=codes, continue_url="/account?done=second_factor_on", first_time=True
            )
    return await enrolment_page(
        request,
        db,
        user=user,
        settings=settings,
        now=now,
        action="/account/second-factor/set-up",
        next_url="/account",
        form=form,
    )


@router.post("/account/second-factor/recovery-codes")
async def recovery_codes_submit(
    request: Request, user: CurrentUser, db: DbDep, now: NowDep, settings: SettingsDep, throttle: ThrottleDep
) -> Response:
    body, form = await read_form(request, SecondFactorCode, secret_fields=("code",))
    if body is not None:
        try:
            codes = await second_factor.regenerate_recovery_codes(
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
            return await _account_page(
                request, db, user=user, settings=settings, form=form, failed="codes", status_code=exc.status_code
            )
        return recovery_codes_page(request, codes=codes, continue_url="/account", first_time=False)
    return await _account_page(request, db, user=user, settings=settings, form=form, failed="codes", status_code=422)


@router.post("/account/second-factor/disable")
async def disable_submit(
    request: Request, user: CurrentUser, db: DbDep, now: NowDep, settings: SettingsDep, throttle: ThrottleDep
) -> Response:
    body, form = await read_form(request, SecondFactorCode, secret_fields=("code",))
    if body is not None:
        try:
            await second_factor.disable(
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
            return await _account_page(
                request, db, user=user, settings=settings, form=form, failed="disable", status_code=exc.status_code
            )
        return see_other("/account?done=second_factor_off")
    return await _account_page(request, db, user=user, settings=settings, form=form, failed="disable", status_code=422)


# A reload or Back after an error, or a typed address, meets the form's page, never a 405.
for _action in ("/account/second-factor/recovery-codes", "/account/second-factor/disable"):
    form_page(router, _action, lambda _params: "/account")
