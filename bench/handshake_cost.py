"""What one room connection costs the server before its first frame, in one process and
without sockets: the welcome (`room_state`, in a read-only unit of work, as the endpoint
reads it) and the arrival (`presence.arrive` through the writer, in its batches),
a room's first connections together (each announced by `presence_joined`), then second
connections one after another.

    .venv/bin/python bench/handshake_cost.py                 # SQLite, a room of 20
    .venv/bin/python bench/handshake_cost.py --postgres
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import setup_room
from sqlmodel import select

from app.dialogues.models import Seat, SeatRole
from app.dialogues.seats import seat_by_cookie
from app.facilitation import presence
from app.facilitation.entry import check_can_enter, room_session
from app.facilitation.room_state import room_state
from app.main import create_app


async def measure(backend: str, seats: int) -> None:
    async with setup_room.scratch_database(backend) as url:
        made = await setup_room.make_rooms(url, rooms=2, seats=seats, log=False)
        application = create_app(setup_room.bench_settings(url))
        async with application.router.lifespan_context(application):
            state = application.state
            room = made[0]
            tokens = [cookie.split("=", 1)[1] for cookie in room.cookies]
            wall, cpu = time.perf_counter(), time.process_time()
            for token in tokens:
                async with state.db.reading() as db:
                    session = await room_session(db, session_id=room.session_id)
                    seat = await seat_by_cookie(db, session_id=room.session_id, token=token)
                    assert seat is not None
                    check_can_enter(session, seat)
                    await room_state(db, session=session, seat=seat, now=state.clock.now())
            report("welcome, one after another", len(tokens), wall, cpu)
            async with state.db.reading() as db:
                seat_ids = list(
                    (
                        await db.exec(
                            select(Seat.id).where(Seat.session_id == room.session_id, Seat.role == SeatRole.participant)
                        )
                    ).all()
                )

            def arrive(seat_id: int):  # as the endpoint does it
                connection_id = f"{time.time_ns() // 1_000_000:013d}-{uuid.uuid4().hex[:26]}"
                now = state.clock.now()
                return state.writer.run(
                    room.session_id,
                    lambda db: presence.arrive(
                        db,
                        connection_id=connection_id,
                        seat_id=seat_id,
                        instance_id=state.instance_id,
                        now=now,
                        per_seat=5,
                        per_account=5,
                    ),
                )

            await arrive(seat_ids[0])  # the instance's first: its row is made by the full path
            wall, cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(arrive(seat_id) for seat_id in seat_ids[1:]))
            report("arrival, the room together", len(seat_ids) - 1, wall, cpu)  # first ones: announced
            wall, cpu = time.perf_counter(), time.process_time()
            for seat_id in seat_ids:
                await arrive(seat_id)
            report("arrival, one after another", len(seat_ids), wall, cpu)  # second ones: not announced


def report(what: str, count: int, wall: float, cpu: float) -> None:
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"  {what:28} {1000 * wall / count:6.2f} ms wall, {1000 * cpu / count:6.2f} ms CPU each ({count})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--seats", type=int, default=20)
    args = parser.parse_args()
    backend = "postgresql" if args.postgres else "sqlite"
    print(f"{backend}, a room of {args.seats}")
    asyncio.run(measure(backend, args.seats))


if __name__ == "__main__":
    main()
