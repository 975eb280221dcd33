"""The database: engine and sessions built at start-up, one unit of work per request."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, TypeVar

import structlog
from sqlalchemy import DateTime, String, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import ServiceUnavailable

T = TypeVar("T")

_log = structlog.get_logger(__name__)

# Constraint names that are the same on every backend, so migrations can name them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

# The largest id (and sequence number, and offset) any table holds: PostgreSQL's INTEGER.
# A larger number in a request names nothing, on either backend; it is refused before it
# reaches the database (SQLite would overflow, asyncpg would refuse to encode it).
MAX_ID = 2**31 - 1


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the backend.

    SQLite has no time zones and returns naive values; PostgreSQL returns aware ones.
    Storing naive UTC everywhere and attaching UTC on the way out keeps comparisons
    between stored and current times correct on both.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class EnumText(TypeDecorator[StrEnum]):
    """A StrEnum stored as plain text and read back as the enum member.

    Plain text (not a database enum type) keeps migrations simple when a value is
    added; reading back members keeps `is` and `==` comparisons honest in Python.
    """

    impl = String(20)
    cache_ok = True

    def __init__(self, enum_type: type[StrEnum], length: int = 20) -> None:
        super().__init__(length)
        self.enum_type = enum_type

    def process_bind_param(self, value: StrEnum | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return self.enum_type(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self.enum_type(value)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, say when transactions begin (see _begin_sqlite).
    dbapi_connection.isolation_level = None
    # WAL lets readers run beside the one writer; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Writers queue for SQLite's one write lock; under load a queue can be seconds long.
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


READING = "roundtable_reading"  # the execution option of `Database.reading()`'s engine


def _begin_sqlite(connection: Any) -> None:
    # BEGIN IMMEDIATE takes SQLite's write lock at the start, so concurrent
    # read-then-write transactions (a sequence number, a seat quota) queue behind
    # each other instead of failing with "database is locked" halfway. It also
    # makes SAVEPOINTs behave, which the sqlite3 module's implicit BEGIN does not.
    # A unit of work that only reads begins DEFERRED: it reads WAL's snapshot and never
    # waits for (or holds up) the writer.
    if connection.get_execution_options().get(READING):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_engine(url: str, **options: Any) -> AsyncEngine:
    _ensure_sqlite_directory(url)
    options.setdefault("hide_parameters", True)
    engine = create_async_engine(url, connect_args={"timeout": 30}, **options)
    event.listen(engine.sync_engine, "connect", _configure_sqlite)
    event.listen(engine.sync_engine, "begin", _begin_sqlite)
    return engine


def _sqlite_sync_engine(url: str) -> Engine:
    """A synchronous engine on the same SQLite file (the stdlib driver), set up alike."""
    engine = create_engine(make_url(url).set(drivername="sqlite"), hide_parameters=True, connect_args={"timeout": 30})
    event.listen(engine, "connect", _configure_sqlite)
    event.listen(engine, "begin", _begin_sqlite)
    return engine


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """`echo` is ROUNDTABLE_DEV_ECHO_SQL_WITH_PARAMETERS: statements and their parameters go
    to standard output through SQLAlchemy's own handler (development only; refused in
    production). Otherwise hide_parameters keeps parameters out of SQL errors too."""
    hide = not echo
    if url.startswith("sqlite"):
        return _sqlite_engine(url, echo=echo, hide_parameters=hide)
    return create_async_engine(
        url,
        echo=echo,
        hide_parameters=hide,
        pool_pre_ping=True,  # a connection that died with a restart of PostgreSQL is replaced, not used
        pool_size=10,
        max_overflow=10,
        pool_timeout=10,
        connect_args=POSTGRES_CONNECT_ARGS,
    )


# Nothing waits for ever: a lock held by a connection that is going away, or a server that
# stopped answering, becomes an error (then `try_again`) within seconds, not a hung command.
POSTGRES_CONNECT_ARGS: dict[str, Any] = {
    "timeout": 5,  # to connect
    "command_timeout": 15,
    "server_settings": {"lock_timeout": "5s", "idle_in_transaction_session_timeout": "60s"},
}


def make_unpooled_engine(url: str) -> AsyncEngine:
    """An engine for one-off work (migrations, CLI) that keeps no connections open."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, poolclass=NullPool)
    return create_async_engine(url, poolclass=NullPool, hide_parameters=True)


def _ensure_sqlite_directory(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


AFTER_COMMIT_KEY = "publish_after_commit"

# PostgreSQL's codes for "not now": connection lost or refused, the server shutting down or
# starting, too many connections, a serialization failure or deadlock (08P01, a protocol
# violation such as a NUL in a text, is not one: it fails again every time).
_TRANSIENT_SQLSTATES = frozenset({"08000", "08001", "08003", "08004", "08006", "57P01", "57P02", "57P03", "53300"})
_TRANSIENT_SQLSTATES |= {"40001", "40P01", "55P03", "57014"}  # and a lock or a command that timed out


def is_unavailable(exc: BaseException) -> bool:
    """Whether an error means the database cannot be reached or used just now (so the same
    request may succeed a moment later), rather than that the request itself is wrong or
    that the code is: only those are answered "try again"."""
    if isinstance(exc, DatabaseUnavailable):
        return True
    if isinstance(exc, sa_exc.TimeoutError | sa_exc.DisconnectionError):
        return True  # the pool's own
    if isinstance(exc, OSError | TimeoutError):
        return _raised_by_the_database(exc)  # refused, reset, timed out on the way to it
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        sqlstate = sqlstate_of(exc)
        if sqlstate is not None:
            return sqlstate in _TRANSIENT_SQLSTATES
        message = str(exc.orig).lower()
        if isinstance(exc, sa_exc.OperationalError):  # SQLite: busy, not a missing table or a full disk
            return any(words in message for words in _SQLITE_NOT_NOW)
        return isinstance(exc, sa_exc.InterfaceError) and "closed" in message
    return False


def sqlstate_of(exc: sa_exc.DBAPIError) -> str | None:
    """The SQLSTATE the server answered with (PostgreSQL's drivers); None for SQLite."""
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return str(code) if code else None


# SQLite's "not now": another writer holds the lock, or the file cannot be opened just now.
_SQLITE_NOT_NOW = ("database is locked", "database table is locked", "busy", "unable to open database file")
_DATABASE_CODE = ("/sqlalchemy/", "/asyncpg/", "/aiosqlite/", "/sqlite3/")


def _raised_by_the_database(exc: BaseException) -> bool:
    """An OSError or a timeout that the database driver or the pool raised (not one of the
    caller's own, from a file or a socket of its own, inside the unit of work)."""
    tb = exc.__traceback__
    while tb is not None:
        if any(part in tb.tb_frame.f_code.co_filename for part in _DATABASE_CODE):
            return True
        tb = tb.tb_next
    return False


class DatabaseUnavailable(ServiceUnavailable):
    """The database cannot be reached or used just now; nothing was changed."""


class Publishable(Protocol):
    """Something to hand to the publisher once its transaction committed (a room event)."""

    @property
    def stored(self) -> bool:
        """False when a savepoint around it rolled back: then it never happened."""
        ...


def publish_after_commit(session: AsyncSession, item: Publishable) -> None:
    """Keep `item` until the unit of work commits; it is dropped if the work rolls back."""
    session.info.setdefault(AFTER_COMMIT_KEY, []).append(item)


def _raise_unavailable(exc: Exception) -> None:
    """An error that means the database cannot be used just now becomes DatabaseUnavailable
    (a 503, or `try_again` in the room), whatever the backend; others are left to the caller."""
    if is_unavailable(exc) and not isinstance(exc, DatabaseUnavailable):
        _log.warning("database_unavailable", error_type=type(exc).__name__)
        raise DatabaseUnavailable() from exc


class Database:
    """The engine and session factory of one running app."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self.sessionmaker = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._reader = async_sessionmaker(
            self.engine.execution_options(**{READING: True}), class_=AsyncSession, expire_on_commit=False
        )
        self._sync_writer: Engine | None = None  # SQLite: run_in_transaction's own connection
        self._sync_thread: ThreadPoolExecutor | None = None
        # Set by the app: sends room events to the broker once their transaction committed.
        self.publisher: Callable[[list[Any]], Awaitable[None]] | None = None  # list[Publishable]

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """Yield a session; commit when the caller finishes cleanly, roll back otherwise.

        Room events appended in the session are published only after the commit
        succeeds, never for a transaction that rolled back. An error that means the
        database cannot be reached or used just now becomes DatabaseUnavailable (a 503, or
        `try_again` in the room), whatever the backend."""
        try:
            async with self.sessionmaker() as session:
                try:
                    yield session
                except BaseException:
                    session.info.pop(AFTER_COMMIT_KEY, None)
                    with contextlib.suppress(Exception):  # a connection that died cannot roll back
                        await session.rollback()
                    raise
                await session.commit()
                # Asked while the session is open: a closed one detaches what it held.
                committed = [item for item in session.info.pop(AFTER_COMMIT_KEY, []) if item.stored]
        except Exception as exc:
            _raise_unavailable(exc)
            raise
        if committed and self.publisher is not None:
            try:
                await self.publisher(committed)
            except Exception as exc:  # the log has them; readers catch up by sequence
                _log.warning("publish_failed", error_type=type(exc).__name__)

    async def run_in_transaction(self, work: Callable[[Connection], T]) -> T:
        """Run `work(connection)` in one transaction on a synchronous connection and commit:
        on SQLite in one thread hop (a dedicated thread and its own connection, instead of a
        hop per SQL statement through aiosqlite), on PostgreSQL inside the greenlet. For the
        room's hot path (app/facilitation/statement_batch.py). Errors as in `unit_of_work`."""
        try:
            if self.engine.dialect.name == "sqlite":
                if self._sync_writer is None:
                    self._sync_writer = _sqlite_sync_engine(self.url)
                    self._sync_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="room-writer")
                engine = self._sync_writer

                def in_thread() -> T:
                    with engine.begin() as connection:
                        return work(connection)

                return await asyncio.get_running_loop().run_in_executor(self._sync_thread, in_thread)
            async with self.engine.begin() as connection:
                return await connection.run_sync(work)
        except Exception as exc:
            _raise_unavailable(exc)
            raise

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A unit of work that only reads (the room's handshake, catch-up, fetch): it never
        commits, and on SQLite it takes no write lock (a deferred BEGIN reads WAL's snapshot),
        so readers neither wait for the writer nor hold it up. Errors as in `unit_of_work`."""
        try:
            # Closing the session ends its transaction (the pool rolls back on return) and
            # leaves what was read loaded, not expired as a rollback would.
            async with self._reader() as session:
                yield session
        except Exception as exc:
            _raise_unavailable(exc)
            raise

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._sync_writer is not None:
            self._sync_writer.dispose()
        if self._sync_thread is not None:
            self._sync_thread.shutdown(wait=True)
