"""Leak tests, as a security boundary: people with generated names in Latin (Azerbaijani),
Cyrillic and Armenian scripts say things that contain those names with grammatical
endings, e-mails, phone numbers, handles and links. After release, nothing an organiser can
reach — the API, every page, every export — contains any display name, real name,
contact, invitation token or address of any seat.

Each example is a whole session in a fresh app on the test's database (real SQLite or
PostgreSQL), so the number of examples is kept small; the redaction rules themselves are
tested at length in tests/transcripts/test_redact.py.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import re
import uuid

import httpx
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.accounts.models import Role
from app.accounts.service import create_user
from app.clock import ManualClock
from app.config import PROJECT_ROOT
from app.dialogues import seats as seat_service
from app.dialogues.models import DialogueSession, Invitation, SessionStatus
from app.dialogues.sessions import change_status
from app.errors import ValidationFailed
from app.facilitation import lobby
from app.facilitation.statements import post_statement
from app.main import create_app
from app.security.names import check_display_name, name_key
from app.transcripts import service as transcripts
from app.transcripts.endings import ARMENIAN_SUFFIXES, AZERBAIJANI_SUFFIXES, RUSSIAN_SUFFIXES
from tests.backends import make_settings
from tests.factories import make_invitation, make_programme, make_session

ALPHABETS = {
    "az": ("abcçdeəfgğhxıijkqlmnoöprsştuüvyz", AZERBAIJANI_SUFFIXES),
    "ru": ("абвгдежзиклмнопрстуфхцчшщэюя", RUSSIAN_SUFFIXES),
    "hy": ("աբգդեզէըթժիլխծկհձղճմյնշոչպջռսվտրցւփքօֆ", ARMENIAN_SUFFIXES),
}
WORDS = [
    "we",
    "talked",
    "about",
    "the",
    "river",
    "and",
    "our",
    "grandparents",
    "today",
    "with",
    "many",
    "мы",
    "говорили",
    "о",
    "детстве",
    "и",
    "море",
    "biz",
    "danışdıq",
    "məktəb",
    "haqqında",
    "մենք",
    "խոսեցինք",
    "այգու",
    "մասին",
]
COUNTER = itertools.count()


@st.composite
def a_name(draw, script: str) -> tuple[str, str]:
    """A capitalised name in one script, and the same name with a grammatical ending."""
    letters, suffixes = ALPHABETS[script]
    body = draw(st.text(alphabet=letters, min_size=6, max_size=9))
    name = body[0].upper() + body[1:]
    return name, name + draw(st.sampled_from(("", *suffixes)))


@st.composite
def people(draw):
    scripts = draw(st.lists(st.sampled_from(sorted(ALPHABETS)), min_size=2, max_size=4))
    found = []
    for index, script in enumerate(scripts):
        display, inflected = draw(a_name(script))
        real, real_inflected = draw(a_name(script))
        user = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=5, max_size=8))
        digits = draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
        found.append(
            {
                "display": display,
                "inflected": inflected,
                "real": real,
                "real_inflected": real_inflected,
                "email": f"{user}{index}@mail{index}.org",
                "phone": f"+374 {digits[:2]} {digits[2:5]} {digits[5:]}",
                "handle": f"@{user}{index}x",
                "url": f"https://{user}{index}.example.net/page",
                "community": "a" if index % 2 == 0 else "b",
            }
        )
    words = draw(st.lists(st.sampled_from(WORDS), min_size=3, max_size=8))
    assume(all(_acceptable(p["display"]) for p in found))  # names the join flow refuses never get a seat
    assume(all(_not_a_word_of_the_app(p[k]) for p in found for k in ("display", "real")))
    assume(len({name_key(p["display"]) for p in found}) == len(found))  # no two look alike in a session
    return found, words


@functools.cache
def _app_words() -> frozenset[str]:
    """Every word the app itself may print (pages, messages, keys, every translation)."""
    sources = [*(PROJECT_ROOT / "frontend").glob("templates/**/*.html"), *(PROJECT_ROOT / "app").glob("**/*.py")]
    sources += (PROJECT_ROOT / "frontend" / "translations").glob("*/LC_MESSAGES/messages.po")
    return frozenset(w for path in sources for w in _words(path.read_text(encoding="utf-8")))


def _not_a_word_of_the_app(name: str) -> bool:
    """A generated name that is the app's own word ("Speaker") would be found in every page."""
    return not any(_stem_of(part, word) for part in _words(name) for word in _app_words())


def _stem_of(name: str, word: str) -> bool:
    return word.startswith(name) and word[len(name) :] in ENDINGS_OF_ANY_SCRIPT


def _acceptable(name: str) -> bool:
    try:
        check_display_name(name)
    except ValidationFailed:
        return False
    return True


def _statement(person: dict, other: dict, words: list[str]) -> str:
    middle = len(words) // 2
    return " ".join(
        [
            *words[:middle],
            other["inflected"],
            "and",
            other["real_inflected"],
            *words[middle:],
            person["email"],
            person["phone"],
            person["handle"],
            person["url"],
        ]
    )


async def _scenario(
    database_url: str, redis_url: str | None, found: list[dict], said: list[tuple[int, str]]
) -> tuple[list[str], list[str]]:
    """Run a session with these people, in which each (person's index, text) of `said` is
    said, release it, and read everything an organiser can."""
    clock = ManualClock()
    app = create_app(
        make_settings(
            database_url,
            redis_url,
            password_memory_kib=8 * 1024,
            password_time_cost=1,
            login_limit_per_client="1000/minute",
        ),
        clock=clock,
    )
    tokens: list[str] = []
    async with app.router.lifespan_context(app):
        tag = f"{next(COUNTER)}{uuid.uuid4().hex[:6]}"
        async with app.state.db.unit_of_work() as db:
            accounts = {}
            for role in (Role.organiser, Role.facilitator):
                accounts[role] = await create_user(
                    db,
                    username=f"{role.value}-{tag}",
                    full_name=f"Staff {tag}",
                    role=role,
                    password="a long enough secret",
                    passwords=app.state.passwords,
                    now=clock.now(),
                )
        programme = await make_programme(
            app, organiser=accounts[Role.organiser], facilitators=[accounts[Role.facilitator]]
        )
        session = await make_session(app, facilitator=accounts[Role.facilitator], programme=programme, capacity=8)
        async with app.state.db.unit_of_work() as db:
            row = await db.get(DialogueSession, session.id)
            for status in (SessionStatus.scheduled, SessionStatus.open, SessionStatus.live):
                await change_status(db, session=row, to=status, reason=None, now=clock.now())
        seat_ids = []
        for person in found:
            invitation, token = await make_invitation(
                app,
                facilitator=accounts[Role.facilitator],
                session=session,
                community=person["community"],
                real_name=person["real"],
                contact=person["email"],
            )
            tokens.append(token)
            async with app.state.db.unit_of_work() as db:
                inv = await db.get(Invitation, invitation.id)
                await seat_service.give_consent(
                    db,
                    invitation=inv,
                    session=session,
                    rules_version=1,
                    accept_rules=True,
                    accept_transcript=True,
                    now=clock.now(),
                )
                seat, _cookie = await lobby.take_seat(
                    db, invitation=inv, session=session, display_name=person["display"], now=clock.now()
                )
                await lobby.admit(db, seat=seat, now=clock.now())
                seat_ids.append(seat.id)
        for index, text in said:
            clock.advance(seconds=30)
            async with app.state.db.unit_of_work() as db:
                await post_statement(
                    db,
                    session_id=session.id,
                    seat_id=seat_ids[index],
                    client_id=uuid.uuid4().hex,
                    text=text,
                    reply_to=None,
                    now=clock.now(),
                )
        async with app.state.db.unit_of_work() as db:
            row = await db.get(DialogueSession, session.id)
            await change_status(db, session=row, to=SessionStatus.ended, reason=None, now=clock.now())
            await transcripts.release(db, session=row, user=accounts[Role.facilitator], now=clock.now())
        transport = httpx.ASGITransport(app=app, client=("203.0.113.77", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as organiser:
            login = await organiser.post(
                "/api/auth/login", json={"username": f"organiser-{tag}", "password": "a long enough secret"}
            )
            assert login.status_code == 200
            outputs = []
            listed = await organiser.get(f"/api/programmes/{programme.id}/transcripts")
            outputs.append(listed.text)
            release_id = listed.json()[0]["id"]
            for url in (
                f"/programmes/{programme.id}/transcripts",
                f"/api/transcripts/{release_id}",
                f"/transcripts/{release_id}",
                *(f"/transcripts/{release_id}/export.{f}" for f in ("md", "json", "csv", "html")),
            ):
                response = await organiser.get(url)
                assert response.status_code == 200, url
                outputs.append(response.text)
            for refused in (
                f"/api/sessions/{session.id}/transcript",
                f"/sessions/{session.id}/transcript",
                f"/api/sessions/{session.id}/seats",
                f"/api/sessions/{session.id}/invitations",
            ):
                assert (await organiser.get(refused)).status_code in (403, 404), refused
    return outputs, tokens


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(case=people())
def test_no_organiser_output_holds_a_name_contact_token_or_address(database_url, redis_available, case):
    found, words = case
    said = [(index, _statement(person, found[(index + 1) % len(found)], words)) for index, person in enumerate(found)]
    outputs, tokens = asyncio.run(_scenario(database_url, redis_available, found, said))
    assert_nothing_leaks(outputs, tokens, found)


ENDINGS_OF_ANY_SCRIPT = frozenset(
    e.casefold() for e in ("", *AZERBAIJANI_SUFFIXES, *RUSSIAN_SUFFIXES, *ARMENIAN_SUFFIXES)
)


def _words(text: str) -> set[str]:
    """The words of a text: runs of letters and their marks, case folded."""
    return {w.casefold() for w in re.findall(r"[^\W\d_]+(?:[\u0300-\u036f\u055f]*[^\W\d_]+)*", text)}


def assert_nothing_leaks(outputs: list[str], tokens: list[str], found: list[dict], also: tuple[str, ...] = ()) -> None:
    """No contact, token or address anywhere; no name as a word, with or without an ending
    (a name may be part of a longer word of the page, as "Speake" of "speaker", without leaking)."""
    seen = "\n".join(outputs).casefold()
    words = _words(seen)
    names = [*also]
    for person in found:
        names += [person["display"], *person["real"].split()]
        for secret in (
            person["email"],
            person["phone"],
            person["handle"],
            person["url"],
            person["url"].split("/")[2],
        ):
            assert secret.casefold() not in seen, (secret, person)
    for name in names:
        for part in _words(name):
            leaked = [w for w in words if _stem_of(part, w)]
            assert not leaked, (name, leaked)
    for token in tokens:
        assert token not in seen
    assert "203.0.113.77" not in seen


# The same person in the three scripts: how they registered, and how others may write them.
# Each name is registered in one script and said in all three, with grammatical endings.
SCRIPTS = ("az", "ru", "hy")
NAMES = {
    "nigar": {"az": ("Nigar", "Əliyeva"), "ru": ("Нигяр", "Алиева"), "hy": ("Նիգար", "Ալիևա")},
    "anahit": {"az": ("Anahit", "Sərkisyan"), "ru": ("Анаит", "Саркисян"), "hy": ("Անահիտ", "Սարգսյան")},
    "svetlana": {"az": ("Svetlana", "Orlova"), "ru": ("Светлана", "Орлова"), "hy": ("Սվետլանա", "Օրլովա")},
}
REGISTERED = {"nigar": "az", "anahit": "hy", "svetlana": "ru"}
ENDINGS = {"az": "nın", "ru": "е", "hy": "ի"}  # Nigarın / Нигяре / Նիգարի


def _three_people() -> list[dict]:
    found = []
    for index, (key, script) in enumerate(REGISTERED.items()):
        first, last = NAMES[key][script]
        found.append(
            {
                "key": key,
                "display": first,
                "real": f"{first} {last}",
                "email": f"{key}.{index}@mail{index}.org",
                "phone": f"+994 50 {index}12 34 5{index}",
                "handle": f"@{key}_{index}x",
                "url": f"https://{key}{index}.example.net/page",
                "community": "a" if index % 2 == 0 else "b",
            }
        )
    return found


def _mentions(found: list[dict], scripts_of: dict[str, tuple[str, ...]]) -> tuple[list[tuple[int, str]], set[str]]:
    """Each person speaks of every other, in the given scripts of each name: the whole name,
    the first name with an ending, the surname alone. Returns what was said and the forms."""
    said, forms = [], set()
    for index, person in enumerate(found):
        for other in found:
            if other is person:
                continue
            for script in scripts_of[other["key"]]:
                first, last = NAMES[other["key"]][script]
                forms |= {first, last}
                text = f"{first} {last} — {first}{ENDINGS[script]} words, {last} agreed. {person['email']}"
                said.append((index, text))
    return said, forms


async def test_names_said_in_the_script_they_were_registered_in_leak_nowhere(database_url, redis_available):
    found = _three_people()
    said, forms = _mentions(found, {key: (script,) for key, script in REGISTERED.items()})
    outputs, tokens = await _scenario(database_url, redis_available, found, said)
    assert_nothing_leaks(outputs, tokens, found, also=tuple(forms))
    assert "Participant" in outputs[2], "the transcript is there, with pseudonyms"


async def test_names_said_in_the_other_two_scripts_leak_nowhere(database_url, redis_available):
    """ "Nigar Əliyeva" registered in Latin and written "Нигяр Алиева" or "Նիգար Ալիևա" by
    others: the matcher must find a name across scripts (app/transcripts/redact.py)."""
    found = _three_people()
    others = {key: tuple(s for s in SCRIPTS if s != script) for key, script in REGISTERED.items()}
    said, forms = _mentions(found, others)
    outputs, tokens = await _scenario(database_url, redis_available, found, said)
    assert_nothing_leaks(outputs, tokens, found, also=tuple(forms))
