"""The baseline: a bare `websockets` server that broadcasts every text message to its room.

No database, no authentication, no protocol: a connection joins the room named by its
path (the query string is ignored, so the Roundtable URLs work unchanged) and every text
message it sends goes to everyone in that room, itself included, through
`websockets.broadcast()`. Same transport settings as `roundtable serve`: uvloop when
installed (uvicorn's default), permessage-deflate off, 64 KiB frame limit, pings every
20 s.

    .venv/bin/python bench/bare_server.py --port 8765
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from collections import defaultdict

from websockets.asyncio.server import ServerConnection, broadcast, serve

rooms: dict[str, set[ServerConnection]] = defaultdict(set)


async def handler(connection: ServerConnection) -> None:
    assert connection.request is not None  # the handler runs after the opening handshake
    name = connection.request.path.split("?", 1)[0]
    room = rooms[name]
    room.add(connection)
    try:
        async for message in connection:
            if isinstance(message, str):
                broadcast(room, message)
    finally:
        room.discard(connection)
        if not room:
            rooms.pop(name, None)


async def main(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    stop = loop.create_future()

    def request_stop() -> None:
        if not stop.done():
            stop.set_result(None)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, request_stop)
    async with serve(
        handler, host, port, compression=None, max_size=64 * 1024, ping_interval=20, ping_timeout=20, backlog=4096
    ):
        print(f"bare websockets server on ws://{host}:{port}", flush=True)
        await stop


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-uvloop", action="store_true", help="the standard asyncio loop instead")
    args = parser.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the benchmark server listens on loopback only")
    factory = None
    if not args.no_uvloop:
        try:
            import uvloop

            factory = uvloop.new_event_loop
        except ImportError:
            pass
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(main(args.host, args.port))
