"""Settings for Roundtable, read from ROUNDTABLE_* environment variables and .env."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Secrets that appear in examples and tutorials; a production deployment with one
# of these would be trivially forgeable.
PLACEHOLDER_SECRETS = frozenset(
    {
        "",
        "changeme",
        "change-me",
        "secret",
        "dev",
        "development",
        "insecure",
        "roundtable",
        "please-change-me",
        "replace-me-with-a-long-random-string",
    }
)
MIN_SECRET_LENGTH = 32
DEVELOPMENT_SECRET = "development-only-secret-not-for-production-use"
DEVELOPMENT_ORIGINS = ("http://127.0.0.1:8000", "http://localhost:8000")


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class LogFormat(StrEnum):
    auto = "auto"
    json = "json"
    console = "console"


class SettingsError(ValueError):
    """Settings that must not be used to start Roundtable."""


class Settings(BaseSettings):
    """Every knob Roundtable has. Each one is documented in .env.example."""

    model_config = SettingsConfigDict(
        env_prefix="ROUNDTABLE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    env: Environment = Environment.development
    secret_key: str = Field(default="", repr=False)

    database_url: str = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'roundtable.db'}"
    # Development only: every SQL statement with its parameters (names, contacts, what
    # participants wrote) on standard output. Refused in production.
    dev_echo_sql_with_parameters: bool = False
    redis_url: str | None = None
    redis_prefix: str = "roundtable:"

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=lambda: list(DEVELOPMENT_ORIGINS))
    # The proxies whose X-Forwarded-For/-Proto are believed (comma-separated addresses or
    # networks, "*" for any peer). Empty: none, so no client can choose its own address.
    forwarded_allow_ips: str = ""

    # The HTTP server `roundtable serve` runs (uvicorn), per worker process. What it cannot
    # do (time out a client that never finishes its request head) is the proxy's job:
    # docs/deployment.md, "What the proxy does and what the app does".
    # h11 limits the request head to server_max_header_bytes; httptools is faster but reads
    # headers of any size, so use it only behind a proxy that limits them.
    server_http: Literal["h11", "httptools"] = "h11"
    server_max_header_bytes: int = Field(default=16 * 1024, ge=4 * 1024, le=1024 * 1024)
    # Open connections (room WebSockets and half-sent requests included) past which new HTTP
    # requests are answered 503 at once instead of queueing; size it above the room
    # connections one worker holds.
    server_limit_concurrency: int = Field(default=1000, ge=10, le=100_000)
    server_backlog: int = Field(default=2048, ge=16, le=65_535)
    # An idle keep-alive connection is closed after this many seconds.
    server_timeout_keep_alive_seconds: int = Field(default=5, ge=1, le=300)
    # WebSocket pings: a browser that does not answer one within the timeout is disconnected.
    server_ws_ping_interval_seconds: float = Field(default=20.0, ge=1, le=300)
    server_ws_ping_timeout_seconds: float = Field(default=20.0, ge=1, le=300)
    server_timeout_graceful_shutdown_seconds: int = Field(default=10, ge=1, le=600)

    login_idle_minutes: int = Field(default=120, ge=1)
    login_absolute_hours: int = Field(default=12, ge=1)
    cookie_secure: bool | None = None  # None: Secure exactly when the request came over https

    login_limit_per_account: str = "5/15 minutes"
    login_limit_per_client: str = "30/15 minutes"
    # The roles whose accounts log in with a second factor (a TOTP code), comma-separated:
    # admin, organiser, facilitator. Production refuses a list without admin.
    require_totp_for: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["admin"])

    @field_validator("require_totp_for", mode="before")
    @classmethod
    def _split_roles(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @field_validator("require_totp_for")
    @classmethod
    def _known_roles(cls, value: list[str], info: ValidationInfo) -> list[str]:
        unknown = sorted(set(value) - {"admin", "organiser", "facilitator"})
        if unknown:
            raise ValueError(f"unknown role(s) {', '.join(unknown)}: use admin, organiser or facilitator")
        if info.data.get("env") is Environment.production and "admin" not in value:
            raise ValueError("admins always need a second factor in production; keep 'admin' in the list")
        return sorted(set(value))

    statement_rate: str = "6/10 seconds"
    presence_timeout_seconds: int = Field(default=20, ge=2, le=600)
    # Every open room connection's right (its login, its seat, its place in the programme)
    # is checked again this often, whatever signal may have been missed.
    revalidate_seconds: int = Field(default=30, ge=1, le=3600)
    # Open room connections at once: per seat (a phone and a laptop) and per staff login.
    # One more closes the oldest.
    connections_per_seat: int = Field(default=5, ge=1, le=100)
    connections_per_login: int = Field(default=10, ge=1, le=1000)

    password_time_cost: int = Field(default=2, ge=1)
    password_memory_kib: int = Field(default=19 * 1024, ge=8 * 1024)
    password_parallelism: int = Field(default=1, ge=1)

    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)

    log_level: str = "INFO"
    log_format: LogFormat = LogFormat.auto

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        return value

    @field_validator("redis_url", mode="before")
    @classmethod
    def _empty_redis_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env is Environment.production:
            problems = production_problems(self)
            if problems:
                raise SettingsError("Roundtable refuses to start in production mode: " + " ".join(problems))
        if self.workers > 1 and self.redis_url is None:
            raise SettingsError(
                "More than one worker needs ROUNDTABLE_REDIS_URL: the in-process broker "
                "cannot share a room between processes."
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def effective_secret(self) -> str:
        """The key for HMACs; development and tests fall back to a fixed, labelled one."""
        if self.secret_key:
            return self.secret_key
        return DEVELOPMENT_SECRET

    @property
    def json_logs(self) -> bool:
        if self.log_format is LogFormat.auto:
            return self.env is Environment.production
        return self.log_format is LogFormat.json


def production_problems(settings: Settings) -> list[str]:
    """What is wrong with these settings for a production deployment."""
    problems: list[str] = []
    secret = settings.secret_key
    if not secret:
        problems.append(
            "ROUNDTABLE_SECRET_KEY is not set. Generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
        )
    elif secret.lower() in PLACEHOLDER_SECRETS or len(set(secret)) < 10:
        problems.append("ROUNDTABLE_SECRET_KEY is a placeholder; generate a random one.")
    elif len(secret) < MIN_SECRET_LENGTH:
        problems.append(
            f"ROUNDTABLE_SECRET_KEY is too short ({len(secret)} characters; at least {MIN_SECRET_LENGTH} are needed)."
        )
    if settings.dev_echo_sql_with_parameters:
        problems.append(
            "ROUNDTABLE_DEV_ECHO_SQL_WITH_PARAMETERS is on: it prints every SQL statement with its "
            "parameters (real names, contacts, what participants wrote) to standard output. Turn it off."
        )
    if not settings.allowed_origins or set(settings.allowed_origins) == set(DEVELOPMENT_ORIGINS):
        problems.append(
            "ROUNDTABLE_ALLOWED_ORIGINS is not set; list the public origin(s) people open, "
            "for example https://dialogue.example.org."
        )
    return problems


@lru_cache
def get_settings() -> Settings:
    return Settings()
