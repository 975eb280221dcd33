"""Request and response models for accounts and login."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.accounts.models import Role

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


class LoginRequest(StrictModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)


class UserPublic(BaseModel):
    id: int
    username: str
    full_name: str
    role: Role
    is_active: bool
    created_at: datetime


class LoginResponse(BaseModel):
    user: UserPublic
    csrf_token: str = Field(description="Send in the X-CSRF-Token header of every later change.")
