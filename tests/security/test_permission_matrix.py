"""The permission matrix, route by route: every route of the app is here, or this fails.

Columns, in order: admin, organiser of the programme, facilitator of the programme,
facilitator of another programme, participant of the session, participant of another
session, anonymous. A = allowed (any answer but 401/403/404 or a redirect to log in),
R = refused. docs/permissions.md is the same table for people.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from sqlmodel import func, select

from app.accounts.models import Role
from app.dialogues import seats as seat_service
from app.dialogues import sessions as session_service
from app.dialogues.agenda import agenda_of
from app.dialogues.models import DialogueSession, Invitation, Seat, SeatRole, SessionStatus
from app.dialogues.seat_cookie import seat_cookie_name
from app.events.models import Statement
from app.facilitation import lobby
from app.main import create_app
from app.outcomes import answers as survey_answers
from app.outcomes import review as text_review
from app.outcomes.models import Phase
from app.programmes.models import Programme
from app.transcripts.models import Redaction, TranscriptRelease
from tests.backends import make_settings
from tests.factories import CSRF_META, make_invitation, make_programme, make_session, schedule

ACTORS = ("admin", "organiser", "facilitator", "other_facilitator", "participant", "other_participant", "anonymous")
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class World:
    accounts: dict[str, Any]
    programme: Any
    session: Any
    other_session: Any
    spare: Any
    item_id: int
    second_session_id: int
    invitation_id: int
    seat_id: int
    seat_tokens: dict[str, tuple[int, str]]  # actor -> (session id, seat cookie)


@dataclass
class Rule:
    pattern: str
    body: dict[str, Any] | Callable[[Any, World], Awaitable[dict[str, Any]]] | None = None
    prepare: Callable[[Any, World, httpx.AsyncClient], Awaitable[dict[str, Any]]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


async def fresh_token(app, world: World, *, consent: bool = False) -> str:
    return (await fresh_invitation(app, world, consent=consent))[1]


async def fresh_invitation(
    app, world: World, *, consent: bool = False, role: SeatRole = SeatRole.participant
) -> tuple[Invitation, str]:
    """A new invitation (community b for a participant, none otherwise) and its token."""
    invitation, token = await make_invitation(
        app,
        facilitator=world.accounts["facilitator"].user,
        session=world.session,
        community="b" if role is SeatRole.participant else None,
        role=role,
    )
    if consent:
        async with app.state.db.unit_of_work() as db:
            row = await db.get(Invitation, invitation.id)
            await seat_service.give_consent(
                db,
                invitation=row,
                session=world.session,
                rules_version=1,
                accept_rules=True,
                accept_transcript=True,
                now=app.state.clock.now(),
            )
    return invitation, token


def token_body(**extra: Any) -> Callable[[Any, World], Awaitable[dict[str, Any]]]:
    async def make(app, world: World) -> dict[str, Any]:
        return {"token": await fresh_token(app, world, consent="display_name" in extra), **extra}

    return make


def join_cookie(*, consent: bool = False) -> Callable[[Any, World, httpx.AsyncClient], Awaitable[dict[str, Any]]]:
    async def prepare(app, world: World, client: httpx.AsyncClient) -> dict[str, Any]:
        client.cookies.set("rt_join", await fresh_token(app, world, consent=consent))
        return {}

    return prepare


async def room_opened(app, world: World, client: httpx.AsyncClient) -> dict[str, Any]:
    """Everyone waiting is admitted to the open room: a seat's waiting stream has nothing to
    wait for and closes after its first event (one that stays open would hold the request)."""
    async with app.state.db.unit_of_work() as db:
        row = await db.get(DialogueSession, world.session.id)
        if row.status is SessionStatus.scheduled:
            await session_service.change_status(
                db, session=row, to=SessionStatus.open, reason=None, now=app.state.clock.now()
            )
        await lobby.admit_all(db, session=row, now=app.state.clock.now())
    return {}


async def used_link_cookie(app, world: World, client: httpx.AsyncClient) -> dict[str, Any]:
    """A link already used on another device, held by this browser (web/device_pages.py)."""
    made, token = await fresh_invitation(app, world, consent=True, role=SeatRole.observer)
    async with app.state.db.unit_of_work() as db:
        invitation = await db.get(Invitation, made.id)
        await seat_service.claim_seat(
            db,
            invitation=invitation,
            session=world.session,
            display_name=f"Elsewhere {uuid.uuid4().hex[:6]}",
            now=app.state.clock.now(),
            admit=False,
        )
    client.cookies.set("rt_join", token)
    return {}


async def path_token(app, world: World, client: httpx.AsyncClient) -> dict[str, Any]:
    return {"token": await fresh_token(app, world)}


async def survey_phase(app, world: World, client: httpx.AsyncClient) -> dict[str, Any]:
    return {"phase": "pre"}


async def language_code(app, world: World, client: httpx.AsyncClient) -> dict[str, Any]:
    return {"code": "hy"}


async def questionnaire_phase(app, world: World, client: httpx.AsyncClient) -> dict[str, Any]:
    return {"phase": "post"}


async def survey_text(app, world: World, client: httpx.AsyncClient) -> dict[str, Any]:
    """A free-text answer of the world's participant (once), and the reference its page uses."""
    async with app.state.db.unit_of_work() as db:
        seat = await db.get(Seat, world.seat_id)
        session = await db.get(DialogueSession, world.session.id)
        now = app.state.clock.now()
        if await survey_answers.response_of(db, seat=seat, phase=Phase.pre) is None:
            await survey_answers.submit(
                db, seat=seat, session=session, phase=Phase.pre, values={"hopes": "Hope"}, now=now
            )
        (entry,) = await text_review.texts_for_review(db, session=session)
    return {"ref": entry.ref}


async def answers_shown(app, world: World, client: httpx.AsyncClient) -> dict[str, Any]:
    """The programme lets facilitators read answers per respondent (else they are refused too)."""
    async with app.state.db.unit_of_work() as db:
        programme = await db.get(Programme, world.programme.id)
        programme.facilitators_see_answers = True
        db.add(programme)
    return {}


LOGIN = {"username": "organiser-login", "password": "correct horse battery staple"}
NEW_ACCOUNT = {"username": "new.account", "full_name": "New", "role": "facilitator", "password": "a long enough secret"}
COMMUNITY = {"key": "c", "labels": {"en": "C", "ru": "C", "az": "C", "hy": "C"}}
PROGRAMME = {
    "name": "P2",
    "languages": ["en"],
    "communities": [{"key": "a", "labels": {"en": "A"}}, {"key": "b", "labels": {"en": "B"}}],
}
SESSION = {"title": "S2", "starts_at": "2030-01-01T10:00:00Z", "capacity": 4}
ITEM = {"kind": "round", "title": "Round", "planned_minutes": 5}
SESSION_FORM = {
    "title": "S2",
    "starts_at": "2030-01-01T10:00",
    "time_zone": "UTC",
    "planned_minutes": "90",
    "capacity": "4",
    "ground_rules": "Rules.",
}


async def transcript_things(app, world: World, client: httpx.AsyncClient) -> dict[str, Any]:
    """A statement, a hand-made redaction and a released version of the world's session."""
    now = app.state.clock.now()
    async with app.state.db.unit_of_work() as db:
        statement = Statement(
            session_id=world.session.id,
            seat_id=world.seat_id,
            client_id=uuid.uuid4().hex,
            text="Some words",
            seq=0,
            created_at=now,
        )
        db.add(statement)
        await db.flush()
        redaction = Redaction(
            session_id=world.session.id,
            statement_id=statement.id,
            start=0,
            end=4,
            kind="manual",
            replacement="[redacted]",
            reason="r",
            decided_at=now,
        )
        version = (
            await db.exec(
                select(func.count())
                .select_from(TranscriptRelease)
                .where(TranscriptRelease.session_id == world.session.id)
            )
        ).one() + 1
        document = {
            "schema": "roundtable.transcript/1",
            "version": version,
            "released_at": now.isoformat(),
            "released_by": "Facilitator 1",
            "summary": "",
            "agreed_points": [],
            "sections": [],
            "communities": [],
            "counts": {"statements": 0, "speakers": 0},
            "session": {
                "title": "S",
                "programme": "P",
                "starts_at": now.isoformat(),
                "time_zone": "UTC",
                "show_communities": True,
            },
        }
        release = TranscriptRelease(
            session_id=world.session.id,
            version=version,
            document=document,
            released_at=now,
            released_by_name="Facilitator 1",
        )
        db.add_all([redaction, release])
        await db.flush()
        return {"statement_id": statement.id, "redaction_id": redaction.id, "release_id": release.id, "fmt": "md"}


MATRIX: dict[tuple[str, str], Rule] = {
    # Open to everyone
    ("GET", "/healthz"): Rule("AAAAAAA"),
    ("GET", "/readyz"): Rule("AAAAAAA"),
    ("GET", "/api/openapi.json"): Rule("AAAAAAA"),
    ("GET", "/api/docs"): Rule("AAAAAAA"),
    ("GET", "/login"): Rule("AAAAAAA"),
    ("POST", "/login"): Rule("AAAAAAA", LOGIN),
    ("POST", "/logout"): Rule("AAAAAAA"),
    ("POST", "/api/auth/login"): Rule("AAAAAAA", LOGIN),
    ("POST", "/api/auth/logout"): Rule("AAAAAAA"),
    ("GET", "/language/{code}"): Rule("AAAAAAA", prepare=language_code),
    # Accounts
    ("GET", "/"): Rule("AAAARRR"),
    ("GET", "/api/auth/me"): Rule("AAAARRR"),
    ("GET", "/api/admin/users"): Rule("ARRRRRR"),
    ("POST", "/api/admin/users"): Rule("ARRRRRR", NEW_ACCOUNT),
    ("POST", "/api/admin/users/{user_id}/disable"): Rule("ARRRRRR"),
    ("POST", "/api/admin/users/{user_id}/enable"): Rule("ARRRRRR"),
    ("POST", "/api/admin/users/{user_id}/password"): Rule("ARRRRRR", {"password": "another long secret"}),
    ("GET", "/admin/users"): Rule("ARRRRRR"),
    ("POST", "/admin/users"): Rule("ARRRRRR", NEW_ACCOUNT),
    ("POST", "/admin/users/{user_id}/disable"): Rule("ARRRRRR"),
    ("POST", "/admin/users/{user_id}/enable"): Rule("ARRRRRR"),
    ("POST", "/admin/users/{user_id}/password"): Rule("ARRRRRR", {"password": "another long secret"}),
    ("POST", "/api/admin/users/{user_id}/second-factor/clear"): Rule("ARRRRRR"),
    ("POST", "/admin/users/{user_id}/second-factor/clear"): Rule("ARRRRRR"),
    # One's own account (a wrong current password or code: refused by the rules, not the right)
    ("POST", "/api/auth/password"): Rule(
        "AAAARRR", {"current_password": "not the password", "new_password": "another long secret"}
    ),
    ("GET", "/account"): Rule("AAAARRR"),
    ("GET", "/account/password"): Rule("AAAARRR"),
    ("POST", "/account/password"): Rule(
        "AAAARRR",
        {
            "current_password": "not the password",
            "new_password": "another long secret",
            "new_password_again": "another long secret",
        },
    ),
    ("GET", "/account/second-factor/set-up"): Rule("AAAARRR"),
    ("POST", "/account/second-factor/set-up"): Rule("AAAARRR", {"code": "000000"}),
    ("POST", "/account/second-factor/recovery-codes"): Rule("AAAARRR", {"code": "000000"}),
    ("POST", "/account/second-factor/disable"): Rule("AAAARRR", {"code": "000000"}),
    # A login's steps after its password: only with that login's pending-login cookie, which
    # none of these callers has
    ("GET", "/login/code"): Rule("RRRRRRR"),
    ("POST", "/login/code"): Rule("RRRRRRR", {"code": "000000"}),
    ("GET", "/login/new-password"): Rule("RRRRRRR"),
    ("POST", "/login/new-password"): Rule(
        "RRRRRRR", {"new_password": "another long secret", "new_password_again": "another long secret"}
    ),
    ("GET", "/login/set-up"): Rule("RRRRRRR"),
    ("POST", "/login/set-up"): Rule("RRRRRRR", {"code": "000000"}),
    ("POST", "/api/auth/login/second-factor"): Rule("RRRRRRR", {"code": "000000"}),
    ("POST", "/api/auth/login/password"): Rule("RRRRRRR", {"new_password": "another long secret"}),
    ("GET", "/api/auth/login/enrolment"): Rule("RRRRRRR"),
    ("POST", "/api/auth/login/enrolment/confirm"): Rule("RRRRRRR", {"code": "000000"}),
    # Programmes
    ("GET", "/api/programmes"): Rule("AAAARRR"),
    ("POST", "/api/programmes"): Rule("RARRRRR", PROGRAMME),
    ("GET", "/api/programmes/{programme_id}"): Rule("RAARRRR"),
    ("PATCH", "/api/programmes/{programme_id}"): Rule("RARRRRR", {"name": "Renamed"}),
    ("POST", "/api/programmes/{programme_id}/members"): Rule(
        "RARRRRR", {"username": "elsewhere-fac", "role": "facilitator"}
    ),
    ("PATCH", "/api/programmes/{programme_id}/members/me"): Rule("RRARRRR", {"room_name": "Ani"}),
    ("DELETE", "/api/programmes/{programme_id}/members/{user_id}"): Rule("RARRRRR"),
    ("POST", "/api/programmes/{programme_id}/communities"): Rule("RARRRRR", COMMUNITY),
    ("GET", "/programmes"): Rule("AAAARRR"),
    ("POST", "/programmes"): Rule(
        "RARRRRR",
        {
            "name": "P2",
            "lang_en": "1",
            "community_0_key": "a",
            "community_0_en": "A",
            "community_1_key": "b",
            "community_1_en": "B",
        },
    ),
    ("GET", "/programmes/{programme_id}"): Rule("RAARRRR"),
    ("POST", "/programmes/{programme_id}/members"): Rule(
        "RARRRRR", {"username": "elsewhere-fac", "role": "facilitator"}
    ),
    ("POST", "/programmes/{programme_id}/members/{user_id}/remove"): Rule("RARRRRR"),
    ("POST", "/programmes/{programme_id}/room-name"): Rule("RRARRRR", {"room_name": "Ani"}),
    ("POST", "/programmes/{programme_id}/communities"): Rule(
        "RARRRRR", {"key": "c", "label_en": "C", "label_ru": "C", "label_az": "C", "label_hy": "C"}
    ),
    ("GET", "/programmes/{programme_id}/settings"): Rule("RARRRRR"),
    ("POST", "/programmes/{programme_id}/settings"): Rule(
        "RARRRRR",
        {"name": "Renamed", "description": "", "retention": "keep", "withdrawal_hours": "72"}
        | {f"labels.{key}.{code}": key.upper() for key in ("a", "b") for code in ("en", "ru", "az", "hy")},
    ),
    # Sessions and agendas
    ("GET", "/api/programmes/{programme_id}/sessions"): Rule("RAARRRR"),
    ("POST", "/api/programmes/{programme_id}/sessions"): Rule("RRARRRR", SESSION),
    ("GET", "/api/sessions/{session_id}"): Rule("RAARRRR"),
    ("PATCH", "/api/sessions/{session_id}"): Rule("RRARRRR", {"title": "Renamed"}),
    ("POST", "/api/sessions/{session_id}/status"): Rule("RRARRRR", {"status": "open"}),
    ("GET", "/api/sessions/{session_id}/calendar.ics"): Rule("RAARRRR"),
    ("GET", "/api/sessions/{session_id}/agenda"): Rule("RAARRRR"),
    ("POST", "/api/sessions/{session_id}/agenda"): Rule("RRARRRR", ITEM),
    ("PATCH", "/api/sessions/{session_id}/agenda/{item_id}"): Rule("RRARRRR", {"title": "Edited"}),
    ("DELETE", "/api/sessions/{session_id}/agenda/{item_id}"): Rule("RRARRRR"),
    ("POST", "/api/sessions/{session_id}/agenda/{item_id}/move"): Rule("RRARRRR", {"position": 2}),
    ("POST", "/api/sessions/{session_id}/agenda/copy"): Rule("RRARRRR", {"from_session_id": "{second_session_id}"}),
    ("POST", "/api/sessions/{session_id}/agenda/template"): Rule("RRARRRR", {"template": "first_meeting"}),
    ("GET", "/programmes/{programme_id}/sessions/new"): Rule("RRARRRR"),
    ("POST", "/programmes/{programme_id}/sessions/new"): Rule("RRARRRR", SESSION_FORM),
    ("GET", "/sessions/{session_id}"): Rule("RAARRRR"),
    ("POST", "/sessions/{session_id}/edit"): Rule("RRARRRR", SESSION_FORM),
    ("POST", "/sessions/{session_id}/status"): Rule("RRARRRR", {"status": "open"}),
    ("GET", "/sessions/{session_id}/agenda"): Rule("RRARRRR"),
    ("POST", "/sessions/{session_id}/agenda"): Rule("RRARRRR", ITEM),
    ("POST", "/sessions/{session_id}/agenda/{item_id}/edit"): Rule("RRARRRR", {"title": "Edited"}),
    ("POST", "/sessions/{session_id}/agenda/{item_id}/move"): Rule("RRARRRR", {"direction": "down"}),
    ("POST", "/sessions/{session_id}/agenda/{item_id}/remove"): Rule("RRARRRR"),
    ("POST", "/sessions/{session_id}/agenda/copy"): Rule("RRARRRR", {"from_session_id": "{second_session_id}"}),
    ("POST", "/sessions/{session_id}/agenda/template"): Rule("RRARRRR"),
    # Invitations, seats and the lobby: facilitators of the session only
    ("GET", "/api/sessions/{session_id}/invitations"): Rule("RRARRRR"),
    ("POST", "/api/sessions/{session_id}/invitations"): Rule("RRARRRR", {"community": "a"}),
    ("POST", "/api/sessions/{session_id}/invitations/bulk"): Rule("RRARRRR", {"csv": "a,participant"}),
    ("POST", "/api/sessions/{session_id}/invitations/{invitation_id}/revoke"): Rule("RRARRRR"),
    ("POST", "/api/sessions/{session_id}/invitations/{invitation_id}/reissue"): Rule("RRARRRR"),
    ("GET", "/api/sessions/{session_id}/seats"): Rule("RRARRRR"),
    ("POST", "/api/sessions/{session_id}/seats/{seat_id}/admit"): Rule("RRARRRR"),
    ("POST", "/api/sessions/{session_id}/seats/{seat_id}/refuse"): Rule("RRARRRR", {"reason": "no"}),
    ("POST", "/api/sessions/{session_id}/lobby/admit-all"): Rule("RRARRRR"),
    ("PUT", "/api/sessions/{session_id}/lobby/message"): Rule("RRARRRR", {"lobby_message": "Soon"}),
    # The running session: facilitators of the session only
    ("GET", "/api/sessions/{session_id}/audit"): Rule("RRARRRR"),
    # Transcripts: the facilitators review and release; the programme's members read releases
    ("GET", "/api/sessions/{session_id}/transcript"): Rule("RRARRRR"),
    ("POST", "/api/sessions/{session_id}/transcript/decisions"): Rule("RRARRRR"),
    ("POST", "/api/sessions/{session_id}/transcript/decisions/accept-all"): Rule("RRARRRR"),
    ("POST", "/api/sessions/{session_id}/transcript/redactions"): Rule("RRARRRR"),
    ("DELETE", "/api/sessions/{session_id}/transcript/redactions/{redaction_id}"): Rule(
        "RRARRRR", prepare=transcript_things
    ),
    ("PUT", "/api/sessions/{session_id}/transcript/outcomes"): Rule("RRARRRR"),
    ("POST", "/api/sessions/{session_id}/transcript/release"): Rule("RRARRRR"),
    ("GET", "/api/programmes/{programme_id}/transcripts"): Rule("RAARRRR"),
    ("GET", "/api/transcripts/{release_id}"): Rule("RAARRRR", prepare=transcript_things),
    ("GET", "/sessions/{session_id}/transcript"): Rule("RRARRRR"),
    ("POST", "/sessions/{session_id}/transcript/decisions"): Rule("RRARRRR"),
    ("POST", "/sessions/{session_id}/transcript/decisions/accept-all"): Rule("RRARRRR"),
    ("POST", "/sessions/{session_id}/transcript/redactions"): Rule("RRARRRR"),
    ("POST", "/sessions/{session_id}/transcript/redactions/{redaction_id}/remove"): Rule(
        "RRARRRR", prepare=transcript_things
    ),
    ("POST", "/sessions/{session_id}/transcript/outcomes"): Rule("RRARRRR"),
    ("GET", "/sessions/{session_id}/transcript/release"): Rule("RRARRRR"),
    ("POST", "/sessions/{session_id}/transcript/release"): Rule("RRARRRR"),
    ("GET", "/programmes/{programme_id}/transcripts"): Rule("RAARRRR"),
    ("GET", "/transcripts/{release_id}"): Rule("RAARRRR", prepare=transcript_things),
    ("GET", "/transcripts/{release_id}/export.{fmt}"): Rule("RAARRRR", prepare=transcript_things),
    ("POST", "/sessions/{session_id}/statements/{statement_id}/withdraw"): Rule("RRRRARR", prepare=transcript_things),
    ("GET", "/sessions/{session_id}/invitations"): Rule("RRARRRR"),
    ("POST", "/sessions/{session_id}/invitations"): Rule("RRARRRR", {"role": "participant", "community": "a"}),
    ("POST", "/sessions/{session_id}/invitations/bulk"): Rule("RRARRRR", {"csv": "a,participant"}),
    ("POST", "/sessions/{session_id}/invitations/{invitation_id}/revoke"): Rule("RRARRRR"),
    ("POST", "/sessions/{session_id}/invitations/{invitation_id}/reissue"): Rule("RRARRRR"),
    ("GET", "/sessions/{session_id}/lobby"): Rule("RRARRRR"),
    ("POST", "/sessions/{session_id}/lobby/{seat_id}/admit"): Rule("RRARRRR"),
    ("POST", "/sessions/{session_id}/lobby/{seat_id}/refuse"): Rule("RRARRRR", {"reason": "no"}),
    ("POST", "/sessions/{session_id}/lobby/admit-all"): Rule("RRARRRR"),
    ("POST", "/sessions/{session_id}/lobby/message"): Rule("RRARRRR", {"lobby_message__en": "Soon"}),
    # Joining: whoever holds a link; one's own seat: its holder only
    ("POST", "/api/join"): Rule("AAAAAAA", token_body()),
    ("POST", "/api/join/language"): Rule("AAAAAAA", token_body(language="ru")),
    ("POST", "/api/join/consent"): Rule(
        "AAAAAAA", token_body(rules_version=1, accept_rules=True, accept_transcript=True)
    ),
    ("POST", "/api/join/claim"): Rule("AAAAAAA", token_body(display_name="Someone")),
    ("GET", "/api/sessions/{session_id}/me"): Rule("RRRRARR"),
    ("GET", "/join/{token}"): Rule("AAAAAAA", prepare=path_token),
    ("GET", "/join/language"): Rule("AAAAAAA", prepare=join_cookie()),
    ("POST", "/join/language"): Rule("AAAAAAA", {"language": "az"}, prepare=join_cookie()),
    ("GET", "/join/rules"): Rule("AAAAAAA", prepare=join_cookie()),
    ("POST", "/join/rules"): Rule(
        "AAAAAAA", {"rules_version": "1", "accept_rules": "1", "accept_transcript": "1"}, prepare=join_cookie()
    ),
    ("GET", "/join/name"): Rule("AAAAAAA", prepare=join_cookie(consent=True)),
    ("POST", "/join/name"): Rule("AAAAAAA", {"display_name": "Someone"}, prepare=join_cookie(consent=True)),
    # GET of a POST-only form action: a 303 to the form's page, for anyone (app/web/forms.py: form_page).
    ("GET", "/sessions/{session_id}/edit"): Rule("AAAAAAA"),
    ("GET", "/sessions/{session_id}/status"): Rule("AAAAAAA"),
    ("GET", "/sessions/{session_id}/agenda/{item_id}/edit"): Rule("AAAAAAA"),
    ("GET", "/sessions/{session_id}/agenda/{item_id}/move"): Rule("AAAAAAA"),
    ("GET", "/sessions/{session_id}/agenda/{item_id}/remove"): Rule("AAAAAAA"),
    ("GET", "/sessions/{session_id}/agenda/copy"): Rule("AAAAAAA"),
    ("GET", "/sessions/{session_id}/agenda/template"): Rule("AAAAAAA"),
    ("GET", "/sessions/{session_id}/invitations/bulk"): Rule("AAAAAAA"),
    ("GET", "/sessions/{session_id}/invitations/{invitation_id}/revoke"): Rule("AAAAAAA"),
    ("GET", "/sessions/{session_id}/invitations/{invitation_id}/reissue"): Rule("AAAAAAA"),
    ("GET", "/sessions/{session_id}/lobby/{seat_id}/admit"): Rule("AAAAAAA"),
    ("GET", "/sessions/{session_id}/lobby/{seat_id}/refuse"): Rule("AAAAAAA"),
    ("GET", "/sessions/{session_id}/lobby/admit-all"): Rule("AAAAAAA"),
    ("GET", "/sessions/{session_id}/lobby/message"): Rule("AAAAAAA"),
    ("GET", "/programmes/{programme_id}/members"): Rule("AAAAAAA"),
    ("GET", "/programmes/{programme_id}/members/{user_id}/remove"): Rule("AAAAAAA"),
    ("GET", "/programmes/{programme_id}/communities"): Rule("AAAAAAA"),
    ("GET", "/programmes/{programme_id}/room-name"): Rule("AAAAAAA"),
    ("GET", "/account/second-factor/recovery-codes"): Rule("AAAAAAA"),
    ("GET", "/account/second-factor/disable"): Rule("AAAAAAA"),
    ("GET", "/join/continue"): Rule("AAAAAAA", prepare=used_link_cookie),
    ("POST", "/join/continue"): Rule("AAAAAAA", prepare=used_link_cookie),
    ("GET", "/sessions/{session_id}/waiting"): Rule("RRRRARR"),
    ("GET", "/sessions/{session_id}/waiting/events"): Rule("RRRRARR", prepare=room_opened),
    ("GET", "/sessions/{session_id}/room"): Rule("RRARARR"),
    # Surveys: a participant's own seat only (the session is scheduled: the pre-survey is open)
    ("GET", "/sessions/{session_id}/survey/{phase}"): Rule("RRRRARR", prepare=survey_phase),
    ("POST", "/sessions/{session_id}/survey/{phase}"): Rule("RRRRARR", {"trust": "4"}, prepare=survey_phase),
    ("POST", "/sessions/{session_id}/survey/{phase}/skip"): Rule("RRRRARR", prepare=survey_phase),
    ("GET", "/sessions/{session_id}/survey/{phase}/skip"): Rule("AAAAAAA", prepare=survey_phase),
    # Questionnaires: the programme's organisers and facilitators edit them
    ("GET", "/api/programmes/{programme_id}/questionnaires/{phase}"): Rule("RAARRRR", prepare=questionnaire_phase),
    ("PUT", "/api/programmes/{programme_id}/questionnaires/{phase}"): Rule(
        "RAARRRR", {"items": []}, prepare=questionnaire_phase
    ),
    ("GET", "/programmes/{programme_id}/questionnaires/{phase}"): Rule("RAARRRR", prepare=questionnaire_phase),
    ("POST", "/programmes/{programme_id}/questionnaires/{phase}"): Rule("RAARRRR", prepare=questionnaire_phase),
    # The same person across a series: the session's facilitators (the world's invitation is
    # of this session, so the link is refused as not earlier: a 409, past the right's check)
    ("POST", "/api/sessions/{session_id}/invitations/{invitation_id}/same-person"): Rule(
        "RRARRRR", {"earlier_id": "{invitation_id}"}
    ),
    ("POST", "/sessions/{session_id}/invitations/{invitation_id}/same-person"): Rule(
        "RRARRRR", {"earlier_id": "{invitation_id}"}
    ),
    ("GET", "/sessions/{session_id}/invitations/{invitation_id}/same-person"): Rule("AAAAAAA"),
    # Survey answers: free texts reviewed by the session's facilitators; per respondent only
    # where the programme allows it; never organisers
    ("GET", "/sessions/{session_id}/survey-texts"): Rule("RRARRRR", prepare=survey_text),
    ("POST", "/sessions/{session_id}/survey-texts/{ref}/release"): Rule(
        "RRARRRR", {"text": "Released words"}, prepare=survey_text
    ),
    ("POST", "/sessions/{session_id}/survey-texts/{ref}/withhold"): Rule("RRARRRR", prepare=survey_text),
    ("GET", "/sessions/{session_id}/survey-texts/{ref}/release"): Rule("AAAAAAA", prepare=survey_text),
    ("GET", "/sessions/{session_id}/survey-texts/{ref}/withhold"): Rule("AAAAAAA", prepare=survey_text),
    ("GET", "/sessions/{session_id}/survey-answers"): Rule("RRARRRR", prepare=answers_shown),
    # The outcomes dashboard: aggregates for the programme's members, as transcripts are read
    ("GET", "/programmes/{programme_id}/outcomes"): Rule("RAARRRR"),
    ("GET", "/programmes/{programme_id}/outcomes.csv"): Rule("RAARRRR"),
    ("GET", "/programmes/{programme_id}/outcomes/print"): Rule("RAARRRR"),
    ("GET", "/programmes/{programme_id}/outcomes/sessions/{session_id}"): Rule("RAARRRR"),
    ("GET", "/programmes/{programme_id}/outcomes/sessions/{session_id}.csv"): Rule("RAARRRR"),
    ("GET", "/programmes/{programme_id}/outcomes/sessions/{session_id}/print"): Rule("RAARRRR"),
}


def app_routes(app) -> set[tuple[str, str]]:
    found = set()
    for route in iter_route_contexts(app.routes):
        for method in (route.methods or set()) - {"HEAD"}:
            assert route.path_format is not None
            found.add((method, route.path_format))
    return found


def test_every_route_is_in_the_matrix_and_in_the_docs():
    routes = app_routes(create_app(make_settings("sqlite+aiosqlite://", None)))
    assert routes - set(MATRIX) == set(), "routes missing from the permission matrix"
    assert set(MATRIX) - routes == set(), "the matrix names routes that do not exist"
    docs = (ROOT / "docs" / "permissions.md").read_text()
    missing = sorted(path for _, path in routes if f"`{path}`" not in docs and path not in docs)
    assert not missing, f"docs/permissions.md does not mention {missing}"


@pytest.fixture
def settings(database_url, redis_available):  # cheap passwords: this test logs in a lot
    return make_settings(
        database_url,
        redis_available,
        password_memory_kib=8 * 1024,
        password_time_cost=1,
        login_limit_per_client="1000/minute",
    )


async def build_world(app, make_account) -> World:
    admin = await make_account(Role.admin, username="admin-1")
    organiser = await make_account(Role.organiser, username="organiser-login")
    facilitator = await make_account(Role.facilitator)
    other_facilitator = await make_account(Role.facilitator, username="elsewhere-fac")
    spare = await make_account(Role.facilitator)
    other_organiser = await make_account(Role.organiser)
    programme = await make_programme(app, organiser=organiser.user, facilitators=[facilitator.user, spare.user])
    other_programme = await make_programme(app, organiser=other_organiser.user, facilitators=[other_facilitator.user])
    session = await make_session(app, facilitator=facilitator.user, programme=programme)
    other_session = await make_session(app, facilitator=other_facilitator.user, programme=other_programme)
    second_session = await make_session(app, facilitator=facilitator.user, programme=programme)
    await schedule(app, session)
    await schedule(app, other_session)
    seat_tokens = {}
    seat_id = 0
    for actor, (sess, fac) in {
        "participant": (session, facilitator),
        "other_participant": (other_session, other_facilitator),
    }.items():
        invitation, _token = await make_invitation(app, facilitator=fac.user, session=sess)
        async with app.state.db.unit_of_work() as db:
            row = await db.get(Invitation, invitation.id)
            await seat_service.give_consent(
                db,
                invitation=row,
                session=sess,
                rules_version=1,
                accept_rules=True,
                accept_transcript=True,
                now=app.state.clock.now(),
            )
            seat, cookie = await lobby.take_seat(
                db,
                invitation=row,
                session=sess,
                display_name=f"Seat {actor.replace('participant', 'person')}",
                now=app.state.clock.now(),
            )
        seat_tokens[actor] = (sess.id, cookie)
        if actor == "participant":
            seat_id = seat.id
    pending, _ = await make_invitation(app, facilitator=facilitator.user, session=session)
    async with app.state.db.unit_of_work() as db:
        item_id = (await agenda_of(db, session_id=session.id))[0].id
    return World(
        accounts={
            "admin": admin,
            "organiser": organiser,
            "facilitator": facilitator,
            "other_facilitator": other_facilitator,
        },
        programme=programme,
        session=session,
        other_session=other_session,
        spare=spare.user,
        item_id=item_id,
        second_session_id=second_session.id,
        invitation_id=pending.id,
        seat_id=seat_id,
        seat_tokens=seat_tokens,
    )


async def actor_client(app, world: World, actor: str) -> tuple[httpx.AsyncClient, str]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.50", 1000))
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    if actor in world.accounts:
        account = world.accounts[actor]
        response = await client.post(
            "/api/auth/login", json={"username": account.username, "password": account.password}
        )
        return client, response.json()["csrf_token"]
    if actor in world.seat_tokens:
        session_id, cookie = world.seat_tokens[actor]
        client.cookies.set(seat_cookie_name(session_id), cookie)
    page = await client.get("/login")
    csrf = CSRF_META.search(page.text)
    assert csrf
    return client, csrf.group(1)


def fill(template: str, world: World, values: dict[str, Any]) -> str:
    ids = {
        "programme_id": world.programme.id,
        "session_id": world.session.id,
        "item_id": world.item_id,
        "second_session_id": world.second_session_id,
        "invitation_id": world.invitation_id,
        "seat_id": world.seat_id,
        "user_id": world.spare.id,
        **values,
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), template)


def is_refusal(response: httpx.Response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    # Sent to log in first; a plain redirect to /login (after logging out) is an answer, not a refusal.
    return response.status_code in (302, 303) and response.headers.get("location", "").startswith("/login?next=")


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX), ids=lambda v: v)
async def test_route_permissions(app, make_account, method, path):
    rule = MATRIX[(method, path)]
    world = await build_world(app, make_account)
    # Refused actors first, so that an allowed change cannot hide a refusal.
    order = sorted(range(len(ACTORS)), key=lambda i: rule.pattern[i] == "A")
    outcomes = {}
    for index in order:
        actor = ACTORS[index]
        client, csrf = await actor_client(app, world, actor)
        try:
            values = await rule.prepare(app, world, client) if rule.prepare else {}
            body = await rule.body(app, world) if callable(rule.body) else dict(rule.body or {})
            body = {k: fill(v, world, values) if isinstance(v, str) else v for k, v in body.items()}
            body = {k: int(v) if k == "from_session_id" else v for k, v in body.items()}
            url = fill(path, world, values)
            headers = {"X-CSRF-Token": csrf, "Accept": "application/json" if path.startswith("/api") else "text/html"}
            if method in ("GET", "DELETE"):
                response = await client.request(method, url, headers=headers)
            elif path.startswith("/api/"):
                response = await client.request(method, url, json=body, headers=headers)
            else:
                response = await client.request(method, url, data={**body, "csrf_token": csrf}, headers=headers)
        finally:
            await client.aclose()
        outcomes[actor] = ("R" if is_refusal(response) else "A", response.status_code)
    got = "".join(outcomes[a][0] for a in ACTORS)
    assert got == rule.pattern, {a: outcomes[a] for a in ACTORS}
