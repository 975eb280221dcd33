"""The `roundtable` command: serve, migrate, create-admin, demo."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import ipaddress
import sys
from collections.abc import Sequence
from typing import Any

import uvicorn
from pydantic import ValidationError

from app.accounts.models import Role
from app.accounts.service import create_user
from app.clock import SystemClock
from app.config import Environment, Settings
from app.db import Database
from app.demo import create_demo, print_demo
from app.errors import AppError
from app.logging import configure_logging
from app.migrations import current_revision, head_revision, upgrade
from app.outcomes.retention import purge
from app.security.passwords import Passwords


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        messages = [str(error.get("ctx", {}).get("error") or error["msg"]) for error in exc.errors()]
        fields = [".".join(str(p) for p in error["loc"]) for error in exc.errors()]
        for field, message in zip(fields, messages, strict=True):
            prefix = f"ROUNDTABLE_{field.upper()}: " if field else ""
            print(f"roundtable: {prefix}{message}", file=sys.stderr)
        raise SystemExit(2) from None


def _fail(message: str, code: int = 1) -> None:
    print(f"roundtable: {message}", file=sys.stderr)
    raise SystemExit(code)


async def _ensure_schema(settings: Settings, *, apply: bool) -> None:
    if apply:
        await upgrade(settings.database_url)
        return
    current, head = await current_revision(settings.database_url), head_revision()
    if current != head:
        _fail(
            f"the database is at migration {current or 'none'}, the code needs {head}. "
            "Run `roundtable migrate` first (or `serve --migrate`)."
        )


def cmd_migrate(args: argparse.Namespace) -> None:
    settings = load_settings()
    asyncio.run(upgrade(settings.database_url))
    print(f"Database is at migration {head_revision()}.")


def cmd_serve(args: argparse.Namespace) -> None:
    overrides = {
        k: v for k, v in {"host": args.host, "port": args.port, "workers": args.workers}.items() if v is not None
    }
    settings = load_settings(**overrides)
    configure_logging(level=settings.log_level, json=settings.json_logs)
    options = uvicorn_options(settings)
    # The embedded database is migrated on start so one command runs everything;
    # a shared PostgreSQL is migrated by a separate, deliberate step.
    asyncio.run(_ensure_schema(settings, apply=settings.is_sqlite or args.migrate))
    print(f"Starting Roundtable on http://{settings.host}:{settings.port}", flush=True)
    uvicorn.run("app.main:create_app", factory=True, **options)


def trusted_proxies(settings: Settings) -> str:
    """ROUNDTABLE_FORWARDED_ALLOW_IPS checked: "" (none), "*", or addresses and networks.

    uvicorn takes anything else silently as a literal that no client address ever equals,
    so a typo would quietly stop the proxy's headers from being believed."""
    value = settings.forwarded_allow_ips.strip()
    if value in ("", "*"):
        return value
    items = [item.strip() for item in value.split(",")]
    for item in items:
        try:
            if "/" in item:
                ipaddress.ip_network(item, strict=False)
            else:
                ipaddress.ip_address(item)
        except ValueError:
            _fail(
                f"ROUNDTABLE_FORWARDED_ALLOW_IPS: '{item}' is not an IP address or network. List the proxies' "
                "addresses (for example 172.29.80.2 or 10.0.0.0/24), separated by commas, or * for any peer.",
                code=2,
            )
    return ",".join(items)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """What `roundtable serve` asks of uvicorn, all from settings (docs/deployment.md, "What the
    proxy does and what the app does")."""
    proxies = trusted_proxies(settings)
    return {
        "host": settings.host,
        "port": settings.port,
        "workers": settings.workers,
        "log_config": None,
        "access_log": False,
        # X-Forwarded-For/-Proto are believed only from the proxies named. With none named the
        # middleware is left out; and the list is never None, which uvicorn reads as
        # "127.0.0.1, or $FORWARDED_ALLOW_IPS": every local process would be a trusted proxy.
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies,
        "http": settings.server_http,
        "h11_max_incomplete_event_size": settings.server_max_header_bytes,
        "limit_concurrency": settings.server_limit_concurrency,
        "backlog": settings.server_backlog,
        "timeout_keep_alive": settings.server_timeout_keep_alive_seconds,
        "timeout_graceful_shutdown": settings.server_timeout_graceful_shutdown_seconds,
        "ws": "websockets-sansio",
        "ws_per_message_deflate": False,
        "ws_max_size": 64 * 1024,
        "ws_ping_interval": settings.server_ws_ping_interval_seconds,
        "ws_ping_timeout": settings.server_ws_ping_timeout_seconds,
        "server_header": False,
    }


async def _create_admin(settings: Settings, username: str, full_name: str, password: str) -> None:
    db = Database(settings.database_url)
    passwords = Passwords(
        time_cost=settings.password_time_cost,
        memory_kib=settings.password_memory_kib,
        parallelism=settings.password_parallelism,
    )
    try:
        async with db.unit_of_work() as session:
            await create_user(
                session,
                username=username,
                full_name=full_name,
                role=Role.admin,
                password=password,
                passwords=passwords,
                now=SystemClock().now(),
            )
    except AppError as exc:
        _fail(exc.message)
    finally:
        await db.dispose()


def cmd_create_admin(args: argparse.Namespace) -> None:
    settings = load_settings()
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        if not sys.stdin.isatty():
            _fail("no terminal to ask for the password on; use --password-stdin.")
        password = getpass.getpass("Password for the new admin: ")
        if getpass.getpass("Same password again: ") != password:
            _fail("the two passwords differ; nothing was created.")
    asyncio.run(_ensure_schema(settings, apply=settings.is_sqlite))
    asyncio.run(_create_admin(settings, args.username, args.full_name or args.username, password))
    print(f"Admin account '{args.username.strip().lower()}' created.")


def cmd_demo(args: argparse.Namespace) -> None:
    settings = load_settings()
    if settings.env is Environment.production:
        _fail("the demo creates accounts with printed passwords; it refuses to run in production.")
    asyncio.run(_ensure_schema(settings, apply=True))
    demo = asyncio.run(create_demo(settings))
    print_demo(demo, base_url=f"http://{settings.host}:{settings.port}")
    if not args.no_serve:
        args.migrate = False
        args.host = args.port = args.workers = None
        cmd_serve(args)


async def _purge(settings: Settings) -> None:
    db = Database(settings.database_url)
    try:
        async with db.unit_of_work() as session:
            both = await purge(session, now=SystemClock().now())
    finally:
        await db.dispose()
    done = both.transcripts
    print(
        f"Purged {done.sessions} session(s): {done.statements} statement(s), {done.private_messages} private "
        f"message(s), {done.reports} report(s), {done.events} room event(s); names and contacts cleared on "
        f"{done.identities} invitation(s), display names replaced by pseudonyms; {both.survey_responses} survey "
        f"response(s) of {both.survey_sessions} session(s), kept as aggregates only. Released transcripts are kept."
    )


def cmd_purge(args: argparse.Namespace) -> None:
    settings = load_settings()
    asyncio.run(_ensure_schema(settings, apply=settings.is_sqlite))
    asyncio.run(_purge(settings))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="roundtable",
        description="Roundtable: facilitated, moderated dialogue between communities.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the web server")
    serve.add_argument("--host", help="address to listen on (ROUNDTABLE_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (ROUNDTABLE_PORT, default 8000)")
    serve.add_argument("--workers", type=int, help="worker processes (more than one needs Redis)")
    serve.add_argument("--migrate", action="store_true", help="apply pending migrations first (always on SQLite)")
    serve.set_defaults(func=cmd_serve)

    migrate = commands.add_parser("migrate", help="apply pending database migrations")
    migrate.set_defaults(func=cmd_migrate)

    admin = commands.add_parser("create-admin", help="create an admin account")
    admin.add_argument("--username", required=True)
    admin.add_argument("--full-name", default="")
    admin.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    admin.set_defaults(func=cmd_create_admin)

    demo = commands.add_parser("demo", help="create demo accounts and data, then serve")
    demo.add_argument("--no-serve", action="store_true", help="only create the demo data")
    demo.set_defaults(func=cmd_demo)

    purge = commands.add_parser(
        "purge", help="delete raw statements and survey answers past each programme's retention period"
    )
    purge.set_defaults(func=cmd_purge)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
