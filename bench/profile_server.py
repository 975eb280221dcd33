"""`roundtable serve` under cProfile: where a benchmark's server time goes.

Runs the app the way `python -m app.cli serve` does (same uvicorn options, settings from
the ROUNDTABLE_* environment, one worker) with the main thread profiled, and writes the
profile when the server stops (SIGTERM). bench/run.py uses it with --profile:

    .venv/bin/python bench/run.py --quick --only saturation --profile /tmp/rt.prof
    .venv/bin/python -m pstats /tmp/rt.prof      # then: sort tottime, stats 30

Only the event loop's thread is profiled: SQLite itself runs in aiosqlite's threads, so
time spent waiting for the database shows up as idle time here, not as a function.
"""

from __future__ import annotations

import cProfile
import os
import signal
import sys
import time

import uvicorn

from app.cli import load_settings
from app.logging import configure_logging


def _exit(*_: object) -> None:
    raise SystemExit(0)


def main() -> None:
    out = sys.argv[1]
    settings = load_settings()
    configure_logging(level=settings.log_level, json=settings.json_logs)
    print(f"Starting Roundtable (profiled) on http://{settings.host}:{settings.port}", flush=True)
    # uvicorn handles SIGTERM, shuts down, then raises the signal again with the handler that
    # was there before: make that one end the process through `finally`, not at once.
    signal.signal(signal.SIGTERM, _exit)
    profiler = cProfile.Profile(time.thread_time)  # CPU of the event loop thread, not wall time
    profiler.enable()
    try:
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=1,
            log_config=None,
            access_log=False,
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            ws="websockets-sansio",
            ws_per_message_deflate=False,
            ws_max_size=64 * 1024,
            timeout_graceful_shutdown=10,
            server_header=False,
        )
    finally:
        profiler.disable()
        profiler.dump_stats(out)
        print(f"profile written to {out}", flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
