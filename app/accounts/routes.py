"""JSON API for login and for the admin's account management."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response, status

from app.accounts import service
from app.accounts.models import User
from app.accounts.schemas import (
    LoginRequest,
    LoginResponse,
    PasswordReset,
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
    session_policy,
)
from app.security.csrf import csrf_token
from app.security.login_cookie import close_login, open_login

# API login is open to non-browser clients, which have no CSRF token yet. A JSON
# body cannot be sent cross-site without a CORS preflight, which Roundtable never
# grants, and the Origin check refuses browsers on other sites.
login_router = APIRouter(prefix="/api/auth", tags=["auth"], dependencies=[Depends(require_same_origin)])
auth_router = APIRouter(prefix="/api/auth", tags=["auth"], dependencies=[Depends(require_csrf)])
admin_router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(require_csrf)])


def _public(user: User) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


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
) -> LoginResponse:
    """Log in; sets the login cookie and returns the CSRF token for later changes."""
    user = await service.authenticate(
        db,
        username=body.username,
        password=body.password,
        client_address=client_address(request),
        passwords=passwords,
        throttle=throttle,
        now=now,
    )
    await open_login(request, response, db, user=user, now=now, settings=settings, policy=session_policy(settings))
    return LoginResponse(user=_public(user), csrf_token=csrf_token(request))


@auth_router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def api_logout(request: Request, response: Response, db: DbDep, now: NowDep, active: OptionalLogin) -> None:
    """End this login session."""
    await close_login(request, response, db, active=active, now=now)


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
