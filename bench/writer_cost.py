"""The statement path with group commit, in one process, without WebSocket: how many
statements per second the writer (app/live/writer.py) commits, and the CPU each costs.

N seats (rooms × seats) each keep one statement in flight through `RoomWriter.run`, as
connections do, for a fixed number of statements. That is the database layer's ceiling
under the room benchmarks' load (bench/run.py --only acks), without the sockets.

    .venv/bin/python bench/writer_cost.py                       # SQLite, 50 rooms × 4, 6,000 statements
    .venv/bin/python bench/writer_cost.py --postgres            # a scratch PostgreSQL database
    .venv/bin/python bench/writer_cost.py --profile /tmp/w.prof # and where the time goes (cProfile)
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import setup_room
from sqlmodel import select

from app.dialogues.models import Seat, SeatRole
from app.facilitation.room import Actor
from app.live.commands import COMMANDS
from app.live.dispatch import asked, run_command
from app.main import create_app


async def measure(backend: str, *, rooms: int, seats: int, count: int, profile: str | None) -> dict[str, float]:
    async with setup_room.scratch_database(backend) as url:
        made = await setup_room.make_rooms(url, rooms=rooms, seats=seats, log=False)
        application = create_app(setup_room.bench_settings(url))
        async with application.router.lifespan_context(application):
            state = application.state
            async with state.db.unit_of_work() as db:
                rows = (
                    await db.exec(
                        select(Seat.id, Seat.session_id).where(
                            Seat.role == SeatRole.participant,
                            Seat.session_id.in_([r.session_id for r in made]),  # type: ignore[attr-defined]
                        )
                    )
                ).all()
            actors = [Actor(session_id=session_id, seat_id=seat_id) for seat_id, session_id in rows]
            per_seat = max(1, count // len(actors))
            latencies: list[float] = []

            async def speak(actor: Actor) -> None:
                for n in range(per_seat):
                    command = COMMANDS.validate_python(
                        {"type": "statement", "client_id": uuid.uuid4().hex, "text": f"Statement {n} of a benchmark."}
                    )
                    now = state.clock.now()
                    sent = time.perf_counter()
                    await state.writer.run(
                        actor.session_id,
                        lambda db, command=command, now=now: run_command(db, actor=actor, command=command, now=now),
                        statement=asked(actor, command, now),
                    )
                    latencies.append(time.perf_counter() - sent)

            await asyncio.gather(*(speak(a) for a in actors[:8]))  # warm: caches, pools, statements
            latencies.clear()
            batches, commands = state.writer.batches, state.writer.commands
            profiler = cProfile.Profile() if profile else None
            cpu, wall = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            await asyncio.gather(*(speak(a) for a in actors))
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            done = per_seat * len(actors)
            if profiler and profile:
                profiler.dump_stats(profile)
                pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            latencies.sort()
            return {
                "statements": done,
                "per_second": done / wall,
                "cpu_ms_per_statement": 1000 * cpu / done,
                "batches": state.writer.batches - batches,
                "mean_batch": (state.writer.commands - commands) / max(1, state.writer.batches - batches),
                "p50_ms": 1000 * statistics.median(latencies),
                "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1],
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--seats", type=int, default=4)
    parser.add_argument("--count", type=int, default=6000)
    parser.add_argument("--profile")
    args = parser.parse_args()
    figures = asyncio.run(
        measure(
            "postgresql" if args.postgres else "sqlite",
            rooms=args.rooms,
            seats=args.seats,
            count=args.count,
            profile=args.profile,
        )
    )
    print(f"{'postgres' if args.postgres else 'sqlite'} {args.rooms} rooms × {args.seats}, nproc {os.cpu_count()}")
    for key, value in figures.items():
        print(f"  {key:22} {value:,.2f}")


if __name__ == "__main__":
    main()
