"""Demo data for trying Roundtable on a laptop: accounts with fresh passwords, a neutral
programme with two communities, a session with the first-meeting agenda, and personal
invitation links (two per community), printed on start; an earlier session that was held,
with survey answers, for the outcomes dashboard (app/demo_outcomes.py)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import Role, User
from app.accounts.service import create_user, reset_password
from app.clock import SystemClock
from app.config import Settings
from app.db import Database
from app.demo_outcomes import ensure_held_session
from app.dialogues import agenda
from app.dialogues.invitations import create_invitation, list_invitations, revoke_invitation
from app.dialogues.models import AgendaKind, DialogueSession, SessionStatus
from app.dialogues.schemas import AgendaItemIn, BreakoutSettings, InvitationCreate, SessionCreate
from app.dialogues.sessions import change_status, schedule_session
from app.programmes.models import MemberRole, Programme
from app.programmes.schemas import CommunityIn
from app.programmes.service import add_member, create_programme, programme_access
from app.security.passwords import Passwords

DEMO_ACCOUNTS = [
    ("demo-admin", "Demo Administrator", Role.admin),
    ("demo-organiser", "Demo Organiser", Role.organiser),
    ("demo-facilitator", "Demo Facilitator", Role.facilitator),
]


DEMO_PROGRAMME = "Demo programme"
DEMO_COMMUNITIES = [
    ("community-a", {"en": "Community A", "ru": "Сообщество А", "az": "İcma A", "hy": "Համայնք Ա"}),
    ("community-b", {"en": "Community B", "ru": "Сообщество Б", "az": "İcma B", "hy": "Համայնք Բ"}),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role


@dataclass(frozen=True)
class DemoInvitation:
    community: str
    path: str


@dataclass(frozen=True)
class Demo:
    logins: list[DemoLogin]
    session_id: int
    invitations: list[DemoInvitation]


def _demo_password() -> str:
    # Easy to type from the terminal, still 80+ bits.
    return "-".join(secrets.token_hex(3) for _ in range(4))


async def create_demo(settings: Settings) -> Demo:
    """Create (or refresh) the demo; each run prints new passwords and new links."""
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
                        user_id=existing.id,
                        password=password,
                        passwords=passwords,
                        now=now,
                    )
                logins.append(DemoLogin(username=username, password=password, role=role))
            session_id, invitations = await _demo_session(session, now=now)
    finally:
        await db.dispose()
    return Demo(logins=logins, session_id=session_id, invitations=invitations)


async def _demo_session(db: AsyncSession, *, now: datetime) -> tuple[int, list[DemoInvitation]]:
    """The demo programme and its open session; old demo links are revoked, new ones made."""
    users = {u.username: u for u in (await db.exec(select(User))).all()}
    organiser, facilitator = users["demo-organiser"], users["demo-facilitator"]
    programme = (await db.exec(select(Programme).where(Programme.name == DEMO_PROGRAMME))).first()
    if programme is None:
        programme = await create_programme(
            db,
            actor=organiser,
            name=DEMO_PROGRAMME,
            description="A neutral demo: two communities, one facilitator, one session.",
            languages=["en", "ru", "az", "hy"],
            communities=[CommunityIn(key=key, labels=labels) for key, labels in DEMO_COMMUNITIES],
            now=now,
        )
        await add_member(db, programme=programme, username=facilitator.username, role=MemberRole.facilitator, now=now)
    await ensure_held_session(db, programme=programme, facilitator=facilitator, now=now)
    session = (
        await db.exec(
            select(DialogueSession).where(
                DialogueSession.programme_id == programme.id,
                col(DialogueSession.status).in_([SessionStatus.open, SessionStatus.scheduled]),
            )
        )
    ).first()
    if session is None:
        access = await programme_access(db, user=facilitator, programme_id=programme.id)
        start = (now + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
        session = await schedule_session(
            db,
            actor=facilitator,
            access=access,
            now=now,
            data=SessionCreate(
                title={
                    "en": "Demo session: first meeting",
                    "ru": "Демонстрационная встреча: первое знакомство",
                    "az": "Nümayiş görüşü: ilk tanışlıq",
                    "hy": "Ցուցադրական հանդիպում. առաջին ծանոթություն",
                },
                lobby_message={
                    "en": "Welcome. A facilitator will let you in shortly.",
                    "ru": "Добро пожаловать. Фасилитатор скоро впустит вас.",
                    "az": "Xoş gəlmisiniz. Fasilitator tezliklə sizi içəri buraxacaq.",
                    "hy": "Բարի գալուստ։ Ֆասիլիտատորը շուտով ձեզ ներս կթողնի։",
                },
                starts_at=start,
                time_zone="UTC",
                planned_minutes=120,
                capacity=8,
                agenda_template="first_meeting",
            ),
        )
        await _add_caucus(db, session=session)
        await change_status(db, session=session, to=SessionStatus.scheduled, reason=None, now=now)
        await change_status(db, session=session, to=SessionStatus.open, reason=None, now=now)
    for invitation, seat in await list_invitations(db, session_id=session.id):
        if seat is None:
            await revoke_invitation(db, invitation=invitation, now=now)
    made: list[DemoInvitation] = []
    for key, _labels in DEMO_COMMUNITIES:
        for _ in range(2):
            _invitation, token = await create_invitation(
                db,
                session=session,
                actor=facilitator,
                now=now,
                data=InvitationCreate(community=key),
            )
            made.append(DemoInvitation(community=key, path=f"/join/{token}"))
    return session.id, made


# Time apart before the check-out: each community in its own caucus, then a report back.
DEMO_CAUCUS = AgendaItemIn(
    kind=AgendaKind.breakout,
    title={
        "en": "Time apart: one group per community",
        "ru": "Время порознь: у каждого сообщества своя группа",
        "az": "Ayrıca vaxt: hər icmanın öz qrupu",
        "hy": "Առանձին ժամանակ․ յուրաքանչյուր համայնք իր խմբում",
    },
    prompt={
        "en": "Talk among yourselves about what you want the other group to hear, and write it in your group's report.",
        "ru": "Обсудите между собой, что вы хотите донести до другой группы, и запишите это в отчёт группы.",
        "az": "Öz aranızda digər qrupun nəyi eşitməsini istədiyinizi müzakirə edin və bunu qrupunuzun hesabatına yazın.",
        "hy": "Ձեր մեջ քննարկեք, թե ինչ եք ուզում, որ մյուս խումբը լսի, և գրեք դա ձեր խմբի հաշվետվության մեջ։",
    },
    planned_minutes=15,
    breakout=BreakoutSettings(grouping="caucus"),
)


async def _add_caucus(db: AsyncSession, *, session: DialogueSession) -> None:
    item = await agenda.add_item(db, session=session, data=DEMO_CAUCUS)
    items = await agenda.agenda_of(db, session_id=session.id)
    await agenda.move_item(db, session=session, item_id=item.id, position=max(0, len(items) - 2))


def print_demo(demo: Demo, *, base_url: str) -> None:
    logins = demo.logins
    width = max(len(login.username) for login in logins)
    print()
    print("Roundtable demo")
    print("===============")
    print(f"Open {base_url}/login and log in with one of these (new passwords each run):")
    print()
    for login in logins:
        print(f"  {login.role.value:<12} {login.username:<{width}}  {login.password}")
    print()
    print("Admins log in with a second factor: demo-admin sets up an authenticator app")
    print("(any TOTP app) at the first login (ROUNDTABLE_REQUIRE_TOTP_FOR).")
    print()
    print("The facilitator's console for the demo session (log in as demo-facilitator):")
    print(f"  {base_url}/sessions/{demo.session_id}/room")
    print()
    print("Personal invitation links for the demo session (open each in its own browser")
    print("or private window to join as a participant; the facilitator admits you from the")
    print(f"console or from {base_url}/sessions/{demo.session_id}/lobby):")
    print()
    for invitation in demo.invitations:
        print(f"  {invitation.community:<12} {base_url}{invitation.path}")
    print()
    print("These passwords and links are for this demo database only. Press Ctrl+C to stop.")
    print(flush=True)
