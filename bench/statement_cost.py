"""What one statement costs the database layer, without WebSocket, fan-out or contention.

Posts statements one after another through `post_statement`, each in its own unit of work
(as the endpoint does), on a scratch SQLite and PostgreSQL database, and prints the wall
and CPU time per statement, the same for a one-query unit of work, and the SQL one
statement runs. It explains the ceiling the room benchmarks hit: a single event loop can
post at most 1 / (CPU per statement) statements a second, before any delivery.

    .venv/bin/python bench/statement_cost.py [--count 400] [--no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import setup_room
from sqlalchemy import event

from app.clock import SystemClock
from app.db import Database
from app.dialogues.seats import seat_by_cookie
from app.events.log import last_seq
from app.facilitation.statements import post_statement


async def measure(backend: str, count: int, show_sql: bool) -> None:
    async with setup_room.scratch_database(backend) as url:
        room = (await setup_room.make_rooms(url, rooms=1, seats=2, log=False))[0]
        db = Database(url)
        try:
            clock = SystemClock()
            async with db.unit_of_work() as session:
                seat = await seat_by_cookie(session, session_id=room.session_id, token=room.cookies[0].split("=", 1)[1])
            assert seat is not None
            sql: list[str] = []
            event.listen(
                db.engine.sync_engine,
                "before_cursor_execute",
                lambda _c, _cur, statement, *_: sql.append(" ".join(statement.split()[:4])),
            )
            async with db.unit_of_work() as session:
                await post_statement(
                    session,
                    session_id=room.session_id,
                    seat_id=seat.id,
                    client_id="cost-first",
                    text="first",
                    reply_to=None,
                    now=clock.now(),
                )
            statements = len([line for line in sql if not line.startswith(("BEGIN", "COMMIT"))])
            if show_sql:
                for line in sql:
                    print(f"    {line[:100]}")
            wall, cpu = time.perf_counter(), time.process_time()
            for n in range(count):
                async with db.unit_of_work() as session:
                    await post_statement(
                        session,
                        session_id=room.session_id,
                        seat_id=seat.id,
                        client_id=f"cost-{n:08d}",
                        text="a statement",
                        reply_to=None,
                        now=clock.now(),
                    )
            post_wall, post_cpu = (time.perf_counter() - wall) / count, (time.process_time() - cpu) / count
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(count):
                async with db.unit_of_work() as session:
                    await last_seq(session, session_id=room.session_id)
            read_wall, read_cpu = (time.perf_counter() - wall) / count, (time.process_time() - cpu) / count
        finally:
            await db.dispose()
    print(
        f"  {backend}: one statement {post_wall * 1000:.2f} ms wall, {post_cpu * 1000:.2f} ms CPU of this process "
        f"(all threads; {statements} SQL statements in its transaction) -> at most {1 / post_cpu:.0f}/s on one "
        f"core; a one-query unit of work {read_wall * 1000:.2f} ms wall, {read_cpu * 1000:.2f} ms CPU",
        flush=True,
    )


async def main(args: argparse.Namespace) -> None:
    await measure("sqlite", args.count, show_sql=True)
    if not args.no_postgres:
        await measure("postgresql", args.count, show_sql=False)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--no-postgres", action="store_true")
    arguments = parser.parse_args()
    arguments.count = max(10, min(arguments.count, 10_000))
    asyncio.run(main(arguments))
