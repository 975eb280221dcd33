"""Tables for server-side login sessions and staff accounts' second factor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime


class LoginSession(SQLModel, table=True):
    """One login of one account. The cookie holds a token; only its hash is stored here."""

    __tablename__ = "login_sessions"

    id: int = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_seen_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    revoked_reason: str | None = Field(default=None, sa_column=Column(String(40)))


class SecondFactor(SQLModel, table=True):
    """A staff account's TOTP authenticator. Unconfirmed until the first code from it is
    entered; `last_used_step` is the newest time step accepted, so no code counts twice."""

    __tablename__ = "staff_second_factors"

    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    )
    secret: str = Field(sa_column=Column(String(255), nullable=False))  # sealed (app/security/second_factor.py)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    confirmed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_used_step: int | None = Field(default=None, sa_column=Column(BigInteger()))


class RecoveryCode(SQLModel, table=True):
    """One single-use recovery code of a staff account, stored only as a keyed hash."""

    __tablename__ = "staff_recovery_codes"
    __table_args__ = (UniqueConstraint("user_id", "code_hash", name="uq_staff_recovery_codes_user_code"),)

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    code_hash: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
