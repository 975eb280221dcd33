"""Request and response models for accounts and login."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.accounts.models import Role
from app.security.second_factor import LoginStep

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,62}[a-z0-9]$"


class StrictModel(BaseModel):
    """A request body: unknown fields are refused rather than silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class UserCreate(StrictModel):
    username: str = Field(min_length=3, max_length=64, pattern=USERNAME_PATTERN)
    full_name: str = Field(min_length=1, max_length=200)
    role: Literal[Role.organiser, Role.facilitator]
    password: str = Field(min_length=1, max_length=1024)

    @field_validator("username", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class PasswordReset(StrictModel):
    password: str = Field(min_length=1, max_length=1024)


class PasswordChange(StrictModel):
    """The person's own change: the current password, then the new one."""

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class PasswordChangeForm(PasswordChange):
    new_password_again: str = Field(min_length=1, max_length=1024)


class NewPassword(StrictModel):
    """A new password chosen during login, after an admin's reset (the password step just passed)."""

    new_password: str = Field(min_length=1, max_length=1024)


class NewPasswordForm(NewPassword):
    new_password_again: str = Field(min_length=1, max_length=1024)


class SecondFactorCode(StrictModel):
    """Six digits from the authenticator app, or (where accepted) a recovery code."""

    code: str = Field(min_length=1, max_length=64)


class LoginRequest(StrictModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)


class UserPublic(BaseModel):
    id: int
    username: str
    full_name: str
    role: Role
    is_active: bool
    must_change_password: bool = False
    created_at: datetime


class LoginResponse(BaseModel):
    user: UserPublic
    csrf_token: str = Field(description="Send in the X-CSRF-Token header of every later change.")


class LoginStepResponse(BaseModel):
    """The password was right, but the login needs another step before it exists (HTTP 202).
    The pending-login cookie carries it; nothing else is reachable until it is done."""

    step: LoginStep
    message: str
    next: str = Field(
        description="Where the API takes the step (enrolment: GET it for the secret, then POST …/confirm)."
    )


class RecoveryCodes(BaseModel):
    recovery_codes: list[str] = Field(description="Shown once; each works once instead of a code.")


class EnrolledLoginResponse(LoginResponse, RecoveryCodes):
    """The login, and the recovery codes of the second factor it just set up (shown once)."""


class EnrolmentStart(BaseModel):
    secret: str = Field(description="Base32, for typing into an authenticator app.")
    otpauth_uri: str = Field(description="The same secret as an otpauth:// URI (what the QR code carries).")
