"""Demo data for trying Roundtable on a laptop: accounts with freshly generated passwords."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlmodel import select

from app.accounts.models import Role, User
from app.accounts.service import create_user, reset_password
from app.clock import SystemClock
from app.config import Settings
from app.db import Database
from app.security.passwords import Passwords

DEMO_ACCOUNTS = [
    ("demo-admin", "Demo Administrator", Role.admin),
    ("demo-organiser", "Demo Organiser", Role.organiser),
    ("demo-facilitator", "Demo Facilitator", Role.facilitator),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role


def _demo_password() -> str:
    # Easy to type from the terminal, still 80+ bits.
    return "-".join(secrets.token_hex(3) for _ in range(4))


async def create_demo(settings: Settings) -> list[DemoLogin]:
    """Create (or refresh) the demo accounts; each run prints new passwords."""
    db = Database(settings.database_url)
    passwords = Passwords(
        time_cost=settings.password_time_cost,
        memory_kib=settings.password_memory_kib,
        parallelism=settings.password_parallelism,
    )
    now = SystemClock().now()
    logins: list[DemoLogin] = []
    try:
        async with db.unit_of_work() as session:
            for username, full_name, role in DEMO_ACCOUNTS:
                password = _demo_password()
                existing = (await session.exec(select(User).where(User.username == username))).first()
                if existing is None:
                    await create_user(
                        session,
                        username=username,
                        full_name=full_name,
                        role=role,
                        password=password,
                        passwords=passwords,
                        now=now,
                    )
                else:
                    existing.is_active = True
                    existing.disabled_at = None
                    await reset_password(
                        session,
                        user_id=existing.id,  # type: ignore[arg-type]
                        password=password,
                        passwords=passwords,
                        now=now,
                    )
                logins.append(DemoLogin(username=username, password=password, role=role))
    finally:
        await db.dispose()
    return logins


def print_demo_logins(logins: list[DemoLogin], *, base_url: str) -> None:
    width = max(len(login.username) for login in logins)
    print()
    print("Roundtable demo")
    print("===============")
    print(f"Open {base_url}/login and log in with one of these (new passwords each run):")
    print()
    for login in logins:
        print(f"  {login.role.value:<12} {login.username:<{width}}  {login.password}")
    print()
    print("These passwords are for this demo database only. Press Ctrl+C to stop.")
    print(flush=True)
