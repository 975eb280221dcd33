"""A whole session against a real `roundtable serve` at DEBUG level leaves nothing personal in
its log: no cookie, CSRF or invitation token, no statement, check-in or report text, no real
name, contact or display name, no password or password hash. On SQLite, and on PostgreSQL
when ROUNDTABLE_TEST_DATABASE_URL is set; in the development (console) and the production
(JSON) log format."""

from __future__ import annotations

import json
import urllib.parse
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlmodel import select

from app.accounts.models import Role, User
from app.dialogues.seat_cookie import seat_cookie_name
from tests.factories import make_programme
from tests.live.room_client import RoomClient, open_room
from tests.servers import Server, server_env

# Three scripts, as the people in these rooms write them.
REAL_NAMES = ["Gulnara Zeynalova", "Светлана Кузнецова", "Անահիտ Սարգսյան"]
CONTACTS = ["gulnara.zeynalova@example.org", "+7 912 345 67 89", "anahit.sargsyan@example.am"]
DISPLAY_NAMES = ["Sunflowerfield", "Ромашковое поле", "Արևածաղիկ"]
STATEMENTS = [
    "We remember the orchard behind the old school",
    "Мы помним сад за старой школой",
    "Մենք հիշում ենք հին դպրոցի հետևի այգին",
]
CHECK_IN = "Are you all right after hearing that?"
CHECK_IN_REPLY = "I need a quiet minute, thank you"
REPORT_REASON = "This statement wounded my grandmother's memory"


def written_forms(secret: str) -> Iterator[str]:
    """The ways a log line could spell a value: as is, JSON-escaped, as UTF-8 bytes, URL-quoted."""
    yield secret
    yield json.dumps(secret)[1:-1]
    yield repr(secret.encode())[2:-1]
    yield urllib.parse.quote(secret)
    yield urllib.parse.quote_plus(secret)


def leaks(log: str, secrets: dict[str, list[str]]) -> list[str]:
    found = []
    for kind, values in secrets.items():
        for value in values:
            # A name or a contact counts also word by word: "Kuznetsova" alone identifies.
            parts = {value, *(w for w in value.split() if len(w) >= 5)} if kind in ("name", "contact") else {value}
            for part in parts:
                if any(form in log for form in written_forms(part)):
                    found.append(f"{kind}: {part!r}")
    return found


@pytest.fixture(params=["console", "json"])
def debug_server(request, database_url, redis_available, tmp_path) -> Iterator[Server]:
    env = server_env(database_url, redis_available, ROUNDTABLE_LOG_LEVEL="DEBUG", ROUNDTABLE_LOG_FORMAT=request.param)
    server = Server(env=env, workdir=tmp_path)
    server.start()
    yield server
    server.stop()


class Browser:
    """One person's browser against the server: its own cookies, Origin as a browser sends it."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.base_url, headers={"Origin": server.base_url}, timeout=20)
        self.csrf = ""

    def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf} if self.csrf else {}
        response = self.http.request(method, path, headers=headers, **kwargs)
        assert response.status_code == expect, response.text
        return response.json() if response.content else None

    def cookie_header(self, name: str) -> str:
        return f"{name}={self.http.cookies[name]}"


async def command(client: RoomClient, type: str, **fields: Any) -> Any:
    ref = uuid.uuid4().hex[:12]
    await client.socket.send(json.dumps({"type": type, "ref": ref, **fields}))
    answer = await client.until(lambda f: f.get("ref") == ref and f["type"] in ("ok", "error"))
    assert answer["type"] == "ok", answer
    return answer["result"]


async def test_a_whole_session_at_debug_level_leaves_nothing_personal_in_the_log(app, make_account, debug_server):
    server = debug_server
    organiser = await make_account(Role.organiser)
    facilitator = await make_account(Role.facilitator)
    programme = await make_programme(app, organiser=organiser.user, facilitators=[facilitator.user])
    browsers: list[Browser] = []

    # The facilitator logs in, schedules a session and invites three people, two of them in bulk.
    host = Browser(server)
    browsers.append(host)
    host.csrf = host.call(
        "POST", "/api/auth/login", json={"username": facilitator.username, "password": facilitator.password}
    )["csrf_token"]
    session = host.call(
        "POST",
        f"/api/programmes/{programme.id}/sessions",
        expect=201,
        json={"title": "Orchard memories", "starts_at": "2031-05-01T10:00:00+04:00", "capacity": 6},
    )
    session_id = session["id"]
    for status in ("scheduled", "open"):
        host.call("POST", f"/api/sessions/{session_id}/status", json={"status": status})
    single = host.call(
        "POST",
        f"/api/sessions/{session_id}/invitations",
        expect=201,
        json={"community": "a", "real_name": REAL_NAMES[0], "contact": CONTACTS[0]},
    )
    bulk_csv = "community,role,real name,contact\n" + "\n".join(
        f"b,participant,{name},{contact}" for name, contact in zip(REAL_NAMES[1:], CONTACTS[1:], strict=True)
    )
    bulk = host.call("POST", f"/api/sessions/{session_id}/invitations/bulk", expect=201, json={"csv": bulk_csv})
    tokens = [invitation["link"].rsplit("/", 1)[1] for invitation in [single, *bulk]]

    # Each person follows their link and takes a seat under a display name.
    people: list[Browser] = []
    for token, display_name, language in zip(tokens, DISPLAY_NAMES, ("en", "ru", "hy"), strict=True):
        person = Browser(server)
        browsers.append(person)
        person.http.get(f"/join/{token}")  # the link as a browser opens it
        rules = person.call("POST", "/api/join", json={"token": token})["rules_version"]
        person.call("POST", "/api/join/language", json={"token": token, "language": language})
        person.call(
            "POST",
            "/api/join/consent",
            json={"token": token, "rules_version": rules, "accept_rules": True, "accept_transcript": True},
        )
        person.csrf = person.call("POST", "/api/join/claim", json={"token": token, "display_name": display_name})[
            "csrf_token"
        ]
        people.append(person)
    admitted = host.call("POST", f"/api/sessions/{session_id}/lobby/admit-all")
    assert len(admitted) == 3

    # The room, over WebSockets with the login and seat cookies.
    seat = seat_cookie_name(session_id)
    console = await open_room(server, session_id, host.cookie_header("rt_login"))
    rooms = [await open_room(server, session_id, p.cookie_header(seat)) for p in people]
    for client in (console, *rooms):
        await client.until(lambda f: f["type"] == "welcome")
    await command(console, "session_start")
    said = []
    for client, text in zip(rooms, STATEMENTS, strict=True):
        await client.say(text)
        said.append(await client.until(lambda f: f["type"] == "ack"))
    third_seat = admitted[2]["id"]
    await command(console, "check_in", seat_id=third_seat, text=CHECK_IN)
    await command(rooms[2], "check_in", text=CHECK_IN_REPLY)
    await command(rooms[2], "report", statement_id=said[0]["statement_id"], reason=REPORT_REASON)
    await command(console, "session_end")
    for client in (console, *rooms):
        await client.socket.close()

    # The transcript is released.
    assert host.call("POST", f"/api/sessions/{session_id}/transcript/release")["released"] is True

    secrets = {
        "token": tokens,
        "cookie or CSRF token": [
            value for b in browsers for value in [b.csrf, *b.http.cookies.values()] if value and len(value) >= 16
        ],
        "password": [facilitator.password],
        "words": [*STATEMENTS, CHECK_IN, CHECK_IN_REPLY, REPORT_REASON],
        "name": [*REAL_NAMES, *DISPLAY_NAMES],
        "contact": CONTACTS,
    }
    async with app.state.db.unit_of_work() as db:
        hashes = (await db.exec(select(User.password_hash))).all()
    secrets["password hash"] = [*hashes, *(h.rsplit("$", 1)[1] for h in hashes)]
    for browser in browsers:
        browser.http.close()
    server.stop()

    assert server.log is not None
    log = server.log.read_text(encoding="utf-8", errors="backslashreplace")
    # The log was written, at DEBUG, through the whole session: an empty log would prove nothing.
    assert "/api/join/claim" in log and "/api/sessions/{session_id}/transcript/release" in log
    assert "Application startup complete" in log
    assert leaks(log, secrets) == []
