"""Tables for accounts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Column, String, false
from sqlmodel import Field, SQLModel

from app.db import EnumText, UTCDateTime


class Role(StrEnum):
    admin = "admin"
    organiser = "organiser"
    facilitator = "facilitator"


class Viewer(SQLModel):
    """A plain snapshot of the logged-in account for pages and error pages.

    It stays readable after the request's transaction rolls back, when the ORM
    object would try to reload itself.
    """

    id: int
    username: str
    full_name: str
    role: Role


class UserBase(SQLModel):
    username: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    full_name: str = Field(sa_column=Column(String(200), nullable=False))
    role: Role = Field(sa_column=Column(EnumText(Role), nullable=False))


class User(UserBase, table=True):
    __tablename__ = "users"

    id: int = Field(default=None, primary_key=True)
    password_hash: str = Field(sa_column=Column(String(255), nullable=False))
    is_active: bool = Field(default=True, nullable=False)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    disabled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # Set by an admin's reset: the next login must choose a new password before anything else.
    must_change_password: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
