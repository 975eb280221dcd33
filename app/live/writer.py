"""Group commit for room commands: one writer per database, one transaction per batch.

Every room command (statements, reactions, hands, facilitators' commands …) is handed to
the writer with `RoomWriter.run(session_id, work)`. The writer takes everything that is
waiting, runs each command's checks and writes in one transaction, each inside its own
SAVEPOINT (a command that fails its checks fails alone, the others commit), commits once,
publishes the batch's events and only then answers each caller. So "acknowledged means
committed" holds as before, and a batch of 100 statements costs one BEGIN and one COMMIT
(one fsync) instead of 100.

Order: commands of one session run in the order they arrived; the batch is sorted by
session (stably), so every batch locks sessions' rows in the same order and two instances'
batches on PostgreSQL cannot deadlock. A command that needs the database when it is away
fails with the rest of its batch as `try_again` (nothing was stored; clients resend with
the same client id, which the unique key on seat + client id keeps from being stored twice).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import structlog
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import Database, is_unavailable
from app.errors import AppError, ServiceUnavailable
from app.facilitation import room_facts
from app.facilitation.room import lock_session
from app.facilitation.statement_batch import Again, Asked, post_batch
from app.messages import Msg

log = structlog.get_logger(__name__)

T = TypeVar("T")
Work = Callable[[AsyncSession], Awaitable[Any]]

MAX_BATCH = 256  # commands in one transaction: enough for a burst, short enough to answer soon


@dataclass(slots=True)
class _Job:
    session_id: int
    work: Work
    future: asyncio.Future[Any]
    asked: Asked | None = None  # a statement the fast path may store
    # Its place in the batch: (main session, session). A breakout group's room locks its main
    # session first, so it sorts with it, and every batch takes locks in one order.
    order: tuple[int, int] = (0, 0)
    error: BaseException | None = None
    value: Any = field(default=None)


class WriterStopped(ServiceUnavailable):
    """The instance is shutting down: the command was not run (resend it, to another one)."""

    default_message = Msg("That could not be done; nothing was stored.")


class RoomWriter:
    """The one writer of room commands of this instance's database (see the module's text)."""

    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH) -> None:
        self.db = db
        self.max_batch = max_batch
        self._waiting: deque[_Job] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopped = False
        self.batches = 0  # for the tests and the benchmark: how many transactions were made
        self.commands = 0

    async def run(
        self,
        session_id: int,
        work: Callable[[AsyncSession], Awaitable[T]],
        *,
        statement: Asked | None = None,
        main_session_id: int | None = None,
    ) -> T:
        """Run `work` in the next batch's transaction; returns its value once that committed,
        or raises what the work raised (AppError), or DatabaseUnavailable for the batch.
        `statement`: the same work as a statement that the fast path may store instead
        (app/facilitation/statement_batch.py); `work` runs when it cannot. `main_session_id`:
        for a breakout group's room, its main session (the order its locks are taken in)."""
        if self._stopped:
            raise WriterStopped()
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        order = (main_session_id or session_id, session_id)
        self._waiting.append(_Job(session_id, work, future, statement, order=order))
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._loop(), name="room-writer")
        return await future

    async def close(self) -> None:
        """Stop taking commands; those still waiting are answered `try_again`."""
        self._stopped = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        while self._waiting:
            job = self._waiting.popleft()
            if not job.future.done():
                job.future.set_exception(WriterStopped())

    async def _loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._waiting:
                count = min(len(self._waiting), self.max_batch)
                batch = [self._waiting.popleft() for _ in range(count)]
                try:
                    rest = await self._fast(batch)
                    rest.sort(key=lambda job: job.order)  # stable: each session keeps its order
                    if rest:
                        await self._commit(rest)
                except BaseException as exc:  # cancelled while writing: nobody is left waiting
                    for job in batch:
                        if not job.future.done():
                            job.future.set_exception(
                                WriterStopped() if isinstance(exc, asyncio.CancelledError) else exc
                            )
                    if isinstance(exc, asyncio.CancelledError):
                        raise
                    log.error("writer_batch_failed", error_type=type(exc).__name__)

    async def _fast(self, batch: list[_Job]) -> list[_Job]:
        """Store the batch's statements that the cached facts allow in one transaction of a
        few plain SQL statements; return the jobs left for the full path, in order. Only the
        statements of a session that come before its first other command are tried here, so
        each session's commands keep their order."""
        cut: set[int] = set()  # sessions with an earlier command in the batch
        fast: list[_Job] = []
        for job in batch:
            if job.asked is not None and job.session_id not in cut and not job.future.done():
                fast.append(job)
            else:
                cut.add(job.session_id)
        if not fast:
            return batch
        facts = room_facts.cache_of(self.db.engine)
        asked = [job.asked for job in fast if job.asked is not None]
        try:
            results, published = await self.db.run_in_transaction(lambda c: post_batch(c, asked, facts))
        except Exception as exc:
            room_facts.forget(self.db.engine, {job.session_id for job in fast})
            if is_unavailable(exc):
                for job in fast:
                    if not job.future.done():
                        job.future.set_exception(exc)
                done = {id(job) for job in fast}
                return [job for job in batch if id(job) not in done]
            if not isinstance(exc, Again):
                log.error("statement_batch_failed", error_type=type(exc).__name__)
            return batch  # nothing was stored: everything takes the full path
        if published and self.db.publisher is not None:
            try:
                await self.db.publisher(list(published))
            except Exception as exc:  # the log has them; readers catch up by sequence
                log.warning("publish_failed", error_type=type(exc).__name__)
        stored = {id(job) for job, result in zip(fast, results, strict=True) if result is not None}
        for job, result in zip(fast, results, strict=True):
            if result is not None and not job.future.done():
                job.future.set_result(result)
        if stored:
            self.batches += 1
            self.commands += len(stored)
        return [job for job in batch if id(job) not in stored]

    async def _commit(self, batch: list[_Job]) -> None:
        try:
            async with self.db.unit_of_work() as db:
                for job in batch:
                    if job.future.done():  # its caller went away (cancelled): nothing to do
                        continue
                    try:
                        async with db.begin_nested():
                            if job.order[0] != job.session_id:
                                # A breakout group's room: its main session is locked first,
                                # whatever the job (app/facilitation/breakouts.py, the lock order).
                                await lock_session(db, job.order[0])
                            job.value = await job.work(db)
                    except AppError as exc:
                        job.error = exc
                    except Exception as exc:
                        if is_unavailable(exc):
                            raise  # the database is away: the whole batch is `try_again`
                        log.error("command_failed", error_type=type(exc).__name__)
                        job.error = exc
        except Exception as exc:
            # Nothing of the batch is stored: what the statement path keeps in memory about
            # these rooms may describe writes that never were, so it is read again next time.
            room_facts.forget(self.db.engine, {job.session_id for job in batch})
            for job in batch:
                if not job.future.done():
                    job.future.set_exception(exc)
            return
        self.batches += 1
        self.commands += len(batch)
        for job in batch:  # committed (and published): now each caller hears its answer
            if job.future.done():
                continue
            if job.error is not None:
                job.future.set_exception(job.error)
            else:
                job.future.set_result(job.value)
