"""JSON API for login and for the admin's account management."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response, status

from app.accounts import login_flow, second_factor, service
from app.accounts.login_steps import advance
from app.accounts.models import User
from app.accounts.schemas import (
    EnrolledLoginResponse,
    EnrolmentStart,
    LoginRequest,
    LoginResponse,
    LoginStepResponse,
    NewPassword,
    PasswordChange,
    PasswordReset,
    SecondFactorCode,
    UserCreate,
    UserPublic,
)
from app.deps import (
    AdminUser,
    CurrentLogin,
    DbDep,
    NowDep,
    OptionalLogin,
    PasswordsDep,
    PathId,
    SettingsDep,
    ThrottleDep,
    client_address,
    require_csrf,
    require_same_origin,
)
from app.security.csrf import csrf_token
from app.security.login_cookie import close_login
from app.security.pending_login import clear_pending_cookie, pending_cookie
from app.security.second_factor import LoginStep

# API login is open to non-browser clients, which have no CSRF token yet. A JSON
# body cannot be sent cross-site without a CORS preflight, which Roundtable never
# grants, and the Origin check refuses browsers on other sites.
login_router = APIRouter(prefix="/api/auth", tags=["auth"], dependencies=[Depends(require_same_origin)])
auth_router = APIRouter(prefix="/api/auth", tags=["auth"], dependencies=[Depends(require_csrf)])
admin_router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(require_csrf)])


def _public(user: User) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


# Where the API takes each step of a login that needs more than the password.
STEP_PATHS = {
    LoginStep.second_factor: "/api/auth/login/second-factor",
    LoginStep.password_change: "/api/auth/login/password",
    LoginStep.second_factor_enrolment: "/api/auth/login/enrolment",
}


async def _after_step(
    request: Request,
    response: Response,
    db: DbDep,
    *,
    user: User,
    factor_passed: bool,
    settings: SettingsDep,
    now: NowDep,
) -> LoginResponse | LoginStepResponse:
    step = await advance(request, response, db, user=user, factor_passed=factor_passed, settings=settings, now=now)
    if step is None:
        return LoginResponse(user=_public(user), csrf_token=csrf_token(request))
    response.status_code = status.HTTP_202_ACCEPTED
    return LoginStepResponse(step=step, message=login_flow.STEP_MESSAGES[step], next=STEP_PATHS[step])


@login_router.post("/login")
async def api_login(
    body: LoginRequest,
    request: Request,
    response: Response,
    db: DbDep,
    now: NowDep,
    settings: SettingsDep,
    passwords: PasswordsDep,
    throttle: ThrottleDep,
) -> LoginResponse | LoginStepResponse:
    """Log in; sets the login cookie and returns the CSRF token for later changes. An account
    that needs another step (a second-factor code, a new password, setting up a second factor)
    gets 202 with the step instead, and no login until it is done."""
    user = await service.authenticate(
        db,
        username=body.username,
        password=body.password,
        client_address=client_address(request),
        passwords=passwords,
        throttle=throttle,
        now=now,
    )
    return await _after_step(request, response, db, user=user, factor_passed=False, settings=settings, now=now)


@login_router.post("/login/second-factor")
async def api_login_second_factor(
    body: SecondFactorCode,
    request: Request,
    response: Response,
    db: DbDep,
    now: NowDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
) -> LoginResponse | LoginStepResponse:
    """The login's second step: a code from the authenticator app, or a recovery code."""
    user, pending = await login_flow.resume(db, token=pending_cookie(request), settings=settings, now=now)
    await login_flow.expect_step(db, user=user, pending=pending, settings=settings, step=LoginStep.second_factor)
    await second_factor.verify(
        db,
        user=user,
        code=body.code,
        settings=settings,
        throttle=throttle,
        client_address=client_address(request),
        now=now,
    )
    return await _after_step(request, response, db, user=user, factor_passed=True, settings=settings, now=now)


@login_router.post("/login/password")
async def api_login_new_password(
    body: NewPassword,
    request: Request,
    response: Response,
    db: DbDep,
    now: NowDep,
    settings: SettingsDep,
    passwords: PasswordsDep,
) -> LoginResponse | LoginStepResponse:
    """After an admin's reset: the new password of the person's own choosing."""
    user, pending = await login_flow.resume(db, token=pending_cookie(request), settings=settings, now=now)
    await login_flow.expect_step(db, user=user, pending=pending, settings=settings, step=LoginStep.password_change)
    await service.set_own_password(
        db, user=user, new_password=body.new_password, passwords=passwords, now=now, keep_login=None
    )
    return await _after_step(
        request, response, db, user=user, factor_passed=pending.factor_passed, settings=settings, now=now
    )


@login_router.get("/login/enrolment")
async def api_login_enrolment(request: Request, db: DbDep, now: NowDep, settings: SettingsDep) -> EnrolmentStart:
    """The secret of the second factor the role requires; confirm it with a code next."""
    user, pending = await login_flow.resume(db, token=pending_cookie(request), settings=settings, now=now)
    await login_flow.expect_step(
        db, user=user, pending=pending, settings=settings, step=LoginStep.second_factor_enrolment
    )
    enrolment = await second_factor.start_enrolment(db, user=user, settings=settings, now=now)
    return EnrolmentStart(secret=enrolment.secret, otpauth_uri=enrolment.uri)


@login_router.post("/login/enrolment/confirm")
async def api_login_enrolment_confirm(
    body: SecondFactorCode,
    request: Request,
    response: Response,
    db: DbDep,
    now: NowDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
) -> EnrolledLoginResponse:
    """Turn the second factor on with a first code; the login is then open."""
    user, pending = await login_flow.resume(db, token=pending_cookie(request), settings=settings, now=now)
    await login_flow.expect_step(
        db, user=user, pending=pending, settings=settings, step=LoginStep.second_factor_enrolment
    )
    codes = await second_factor.confirm_enrolment(
        db,
        user=user,
        code=body.code,
        settings=settings,
        throttle=throttle,
        client_address=client_address(request),
        now=now,
    )
    done = await _after_step(request, response, db, user=user, factor_passed=True, settings=settings, now=now)
    if not isinstance(done, LoginResponse):  # enrolment is the last step
        raise login_flow.login_expired()
    return EnrolledLoginResponse(user=done.user, csrf_token=done.csrf_token, recovery_codes=codes)


@auth_router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def api_logout(request: Request, response: Response, db: DbDep, now: NowDep, active: OptionalLogin) -> None:
    """End this login session (and any login still in its steps)."""
    if pending_cookie(request) is not None:
        clear_pending_cookie(request, response)
    await close_login(request, response, db, active=active, now=now)


@auth_router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
async def api_change_password(
    body: PasswordChange,
    request: Request,
    active: CurrentLogin,
    db: DbDep,
    now: NowDep,
    passwords: PasswordsDep,
    throttle: ThrottleDep,
) -> None:
    """Change one's own password; every other login of the account ends, this one goes on."""
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


@auth_router.get("/me")
async def api_me(request: Request, active: CurrentLogin) -> LoginResponse:
    """The logged-in account and a CSRF token for it."""
    return LoginResponse(user=_public(active.user), csrf_token=csrf_token(request))


@admin_router.get("/users")
async def api_list_users(_admin: AdminUser, db: DbDep) -> list[UserPublic]:
    """Every account."""
    return [_public(user) for user in await service.list_users(db)]


@admin_router.post("/users", status_code=status.HTTP_201_CREATED)
async def api_create_user(
    body: UserCreate, _admin: AdminUser, db: DbDep, now: NowDep, passwords: PasswordsDep
) -> UserPublic:
    """Create an organiser or facilitator account."""
    user = await service.create_user(
        db,
        username=body.username,
        full_name=body.full_name,
        role=body.role,
        password=body.password,
        passwords=passwords,
        now=now,
    )
    return _public(user)


@admin_router.post("/users/{user_id}/disable")
async def api_disable_user(user_id: PathId, admin: AdminUser, db: DbDep, now: NowDep) -> UserPublic:
    """Disable an account and end its login sessions."""
    return _public(await service.set_active(db, actor=admin, user_id=user_id, active=False, now=now))


@admin_router.post("/users/{user_id}/enable")
async def api_enable_user(user_id: PathId, admin: AdminUser, db: DbDep, now: NowDep) -> UserPublic:
    """Re-enable a disabled account."""
    return _public(await service.set_active(db, actor=admin, user_id=user_id, active=True, now=now))


@admin_router.post("/users/{user_id}/password")
async def api_reset_password(
    user_id: PathId,
    body: PasswordReset,
    _admin: AdminUser,
    db: DbDep,
    now: NowDep,
    passwords: PasswordsDep,
) -> UserPublic:
    """Set a new password; the account's login sessions end."""
    user = await service.reset_password(db, user_id=user_id, password=body.password, passwords=passwords, now=now)
    return _public(user)


@admin_router.post("/users/{user_id}/second-factor/clear")
async def api_clear_second_factor(user_id: PathId, admin: AdminUser, db: DbDep, now: NowDep) -> UserPublic:
    """Remove a person's second factor (a lost phone); their login sessions end."""
    return _public(await second_factor.clear_by_admin(db, actor=admin, user_id=user_id, now=now))
