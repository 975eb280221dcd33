"""A facilitator pastes a list of people: whatever the paste, a clear answer naming every bad line.

Pastes come from spreadsheets (tabs, semicolons, a byte-order mark, CRLF), from old editors
(bare CR) and from people (quotes around a name with a comma, a stray NUL, a 50-character
first column). Nothing is created while any line is bad; nothing answers 500.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Coroutine
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from app.accounts.models import Role
from app.accounts.service import create_user
from app.clock import ManualClock
from app.dialogues.bulk_invitations import MAX_BULK_LINES, parse_bulk
from app.errors import ValidationFailed
from app.main import create_app
from tests.backends import make_settings
from tests.factories import DEFAULT_PASSWORD, Account, api_login, make_world, page_csrf, schedule

LINK = re.compile(r'value="(http://testserver/join/[A-Za-z0-9_-]{43})"')


@pytest.fixture
async def world(app, make_account):
    world = await make_world(app, make_account)
    await schedule(app, world.session)
    return world


@pytest.fixture
async def fac(client, world):
    return await api_login(client, world.facilitator)


async def paste(client, world, fac, csv: str) -> httpx.Response:
    return await client.post(
        f"/api/sessions/{world.session.id}/invitations/bulk", json={"csv": csv}, headers={"X-CSRF-Token": fac}
    )


async def invitation_count(app) -> int:
    async with app.state.db.engine.connect() as connection:
        return (await connection.execute(text("SELECT count(*) FROM invitations"))).scalar_one()


def lines_named(response: httpx.Response) -> dict[int, str]:
    details = response.json()["error"]["details"]
    return {d["line"]: d["type"] for d in details if "line" in d}


# --- What spreadsheets and editors produce is read ---------------------------------------


async def test_a_byte_order_mark_does_not_hide_the_heading(client, world, fac):
    made = await paste(
        client, world, fac, "\ufeffcommunity,role,real name,contact\r\na,participant,Nigar,n@example.org\r\n"
    )
    assert made.status_code == 201, made.text
    assert [(m["community"], m["real_name"]) for m in made.json()] == [("a", "Nigar")]


async def test_bare_carriage_returns_separate_lines(client, world, fac):
    made = await paste(client, world, fac, "a,participant,One\rb,participant,Two\rb,observer")
    assert made.status_code == 201, made.text
    assert [m["real_name"] for m in made.json()] == ["One", "Two", None]


async def test_cells_copied_from_a_spreadsheet_are_tab_separated(client, world, fac):
    made = await paste(client, world, fac, "Community\tRole\tName\na\tparticipant\tAni, Jr\nb\t\tTigran\t+374 00\n")
    assert made.status_code == 201, made.text
    assert [(m["community"], m["real_name"], m["contact"]) for m in made.json()] == [
        ("a", "Ani, Jr", None),
        ("b", "Tigran", "+374 00"),
    ]


async def test_semicolons_as_a_spreadsheet_saves_them_in_many_locales(client, world, fac):
    made = await paste(client, world, fac, "сообщество;роль;имя\na;участник;Иванов, Иван\nB;наблюдатель;")
    assert made.status_code == 201, made.text
    assert [(m["community"], m["role"], m["real_name"]) for m in made.json()] == [
        ("a", "participant", "Иванов, Иван"),
        ("b", "observer", None),
    ]


async def test_quoted_fields_may_hold_the_delimiter(client, world, fac):
    made = await paste(
        client, world, fac, 'a, participant, "Mammadova, Aysel", "tel; +994 00"\nb;"co-facilitator";"Ani; A."'
    )
    # One delimiter per paste: the first line decides for commas; the second line is then one column.
    assert made.status_code == 422
    made = await paste(client, world, fac, 'a, participant, "Mammadova, Aysel", "tel; +994 00"\nb,,"Petrosyan, Ani"')
    assert made.status_code == 201, made.text
    assert [(m["real_name"], m["contact"]) for m in made.json()] == [
        ("Mammadova, Aysel", "tel; +994 00"),
        ("Petrosyan, Ani", None),
    ]


async def test_names_in_cyrillic_armenian_and_azerbaijani_and_roles_in_every_language(client, world, fac):
    made = await paste(
        client,
        world,
        fac,
        "icma,rol,ad\na,İştirakçı,Günay Əliyeva\nb,մասնակից,Անահիտ Սարգսյան\na,ortaq fasilitator,Сергей Кузнецов",
    )
    assert made.status_code == 201, made.text
    assert [(m["role"], m["real_name"]) for m in made.json()] == [
        ("participant", "Günay Əliyeva"),
        ("participant", "Անահիտ Սարգսյան"),
        ("co_facilitator", "Сергей Кузнецов"),
    ]


async def test_a_fifth_column_names_the_language_each_link_opens_in(client, world, fac):
    made = await paste(
        client,
        world,
        fac,
        "community;role;name;contact;language\na;participant;Ləman;;Azərbaycan dili\nb;participant;Армен;;HY\n"
        "a;observer;;;русский\nb;participant;Someone",
    )
    assert made.status_code == 201, made.text
    assert [m["language"] for m in made.json()] == ["az", "hy", "ru", None]


async def test_one_invitation_through_the_api_may_name_its_language(client, world, fac):
    url = f"/api/sessions/{world.session.id}/invitations"
    made = await client.post(url, json={"community": "a", "language": "hy"}, headers={"X-CSRF-Token": fac})
    assert made.status_code == 201, made.text
    assert made.json()["language"] == "hy"
    refused = await client.post(url, json={"community": "a", "language": "fr"}, headers={"X-CSRF-Token": fac})
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["field"] == "language"


# --- Every bad line is named; nothing is created ----------------------------------------


async def test_every_bad_line_is_named_and_nothing_is_created(app, client, world, fac):
    pasted = "\n".join(
        [
            "community,role,real name,contact",  # 1: heading
            "a,participant,Good One",  # 2
            "x" * 41 + ",participant,Long Key",  # 3: an overlong first column
            "a,participant,Two  Spaces",  # 4: fine
            "a,king,Someone",  # 5
            "",  # 6: blank, skipped
            'a,participant,"unclosed',  # 7
            "zz,participant,Nobody",  # 8: no such community
            ",participant,Nobody",  # 9: a participant without a community
            "a,participant,One,two,hy,six",  # 10: six columns
            ",,,",  # 11: separators only
            "a,participant," + "n" * 201,  # 12
            "a,participant,Fine,x" + "y" * 1000,  # 13: longer than any line may be
        ]
    )
    refused = await paste(client, world, fac, pasted)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "bad_bulk_lines"
    assert lines_named(refused) == {
        3: "community_too_long",
        5: "unknown_role",
        7: "unbalanced_quotes",
        8: "unknown_community",
        9: "community_required",
        10: "too_many_columns",
        11: "empty_line",
        12: "real_name_too_long",
        13: "line_too_long",
    }
    for detail in error["details"]:
        assert detail["message"].startswith(f"line {detail['line']}: ")
        assert detail["field"] == "csv"
    assert await invitation_count(app) == 0


def test_a_nul_or_another_control_character_is_named_by_its_line() -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_bulk(
            "a,participant,Fine\na,participant,Nul\x00Name\nb\vparticipant\na,participant,x\ud800y\na\tparticipant"
        )
    assert {d["line"]: d["params"]["characters"] for d in refused.value.details or []} == {
        2: "U+0000",
        3: "U+000B",
        4: "U+D800",
        5: "U+0009",  # a tab in a comma-separated paste is no delimiter; it would hide in the cell
    }
    people = parse_bulk("a\tparticipant\tAni\nb\tobserver")
    assert [p.entry.community for p in people] == ["a", "b"]


# app/middleware.py (InputTextMiddleware) refuses a control character in any other field before a
# handler runs; the bulk list's `csv` is left to the line-by-line check, which names the line.


async def test_the_api_names_the_line_with_a_nul(app, client, world, fac):
    refused = await paste(client, world, fac, "a,participant,Fine\na,participant,Nul\x00Name")
    assert refused.status_code == 422
    assert lines_named(refused) == {2: "control_characters"}
    assert await invitation_count(app) == 0


async def test_the_page_names_the_line_with_a_nul_and_keeps_the_paste(app, client, world, fac):
    url = f"/sessions/{world.session.id}/invitations"
    csrf = await page_csrf(client, url)
    page = await client.post(f"{url}/bulk", data={"csrf_token": csrf, "csv": "a,participant,Ani\nb,participant,N\x00"})
    assert page.status_code == 422
    assert "line 2: it contains control characters (U+0000)" in page.text
    assert "a,participant,Ani" in page.text
    assert await invitation_count(app) == 0


async def test_a_nul_is_refused_with_a_4xx_and_nothing_is_created(app, client, world, fac):
    """Whichever layer answers, it is a 4xx naming the field, and nothing is stored."""
    refused = await paste(client, world, fac, "a,participant,Fine\na,participant,Nul\x00Name")
    assert refused.status_code == 422
    assert any(d["field"] == "csv" for d in refused.json()["error"]["details"])
    assert await invitation_count(app) == 0


async def test_a_long_paste_is_read_to_the_end_and_every_bad_line_reported(app, client, world, fac):
    rows = [f"a,participant,Person {n}" for n in range(1, 501)]
    for bad in (7, 250, 499):
        rows[bad - 1] = f"a,chair,Person {bad}"
    refused = await paste(client, world, fac, "\n".join(rows))
    assert refused.status_code == 422
    details = refused.json()["error"]["details"]
    assert any(d["type"] == "too_many_lines" and d["params"]["max"] == MAX_BULK_LINES for d in details)
    assert lines_named(refused) == {7: "unknown_role", 250: "unknown_role", 499: "unknown_role"}
    assert await invitation_count(app) == 0

    made = await paste(client, world, fac, "\n".join(rows[:MAX_BULK_LINES]).replace("chair", "observer"))
    assert made.status_code == 201 and len(made.json()) == MAX_BULK_LINES


async def test_an_empty_paste_is_a_clear_4xx(client, world, fac):
    for pasted in ("", "\n\r\n  \t\n", "\ufeff"):
        answer = await paste(client, world, fac, pasted)
        assert answer.status_code == 422, (pasted, answer.text)
    heading_only = await paste(client, world, fac, "community,role")
    assert heading_only.status_code == 422


# --- The page: the paste kept, every line listed next to the field, in the reader's language ---


async def test_the_page_keeps_the_paste_and_lists_each_bad_line(app, client, world, fac):
    url = f"/sessions/{world.session.id}/invitations"
    csrf = await page_csrf(client, url)
    pasted = "a,participant,Ani\r\n" + "y" * 60 + ',participant,Long\r\nb,king,Tigran\r\na,participant,"Open'
    page = await client.post(f"{url}/bulk", data={"csrf_token": csrf, "csv": pasted})
    assert page.status_code == 422
    assert "text/html" in page.headers["content-type"]
    assert "line 2: the community key is 60 characters long" in page.text
    assert "line 3: “king” is not a role" in page.text
    assert "line 4: its quotation marks do not pair up." in page.text
    assert "y" * 60 + ",participant,Long" in page.text  # the textarea keeps what was pasted
    assert not LINK.findall(page.text)
    assert await invitation_count(app) == 0

    made = await client.post(f"{url}/bulk", data={"csrf_token": csrf, "csv": "\ufeffa;participant;Ani\rb;;Tigran"})
    assert made.status_code == 201
    assert len(LINK.findall(made.text)) == 2


# --- Whatever is pasted: 2xx, or a 4xx that names its lines ------------------------------


def test_the_parser_answers_any_text_with_people_or_numbered_problems() -> None:
    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
    def check(pasted: str) -> None:
        try:
            people = parse_bulk(pasted)
        except ValidationFailed as exc:
            assert exc.details
            for detail in exc.details:
                assert detail["field"] == "csv" and detail["message"]
                if "line" in detail:
                    assert detail["message"].startswith(f"line {detail['line']}: ")
            return
        numbers = [p.number for p in people]
        assert numbers == sorted(set(numbers)) and people

    check()


class LoopThread:
    """One event loop in a thread for a whole property test, so that the app (and its
    database connections) are made once and every example is a request to it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


lines = st.lists(
    st.one_of(
        st.text(max_size=60),
        st.builds(
            lambda *cells: ",;\t"[len(cells[0]) % 3].join(cells),
            st.sampled_from(["a", "b", "zz", "", '"a"', "A"]),
            st.sampled_from(["participant", "observer", "co-facilitator", "", "king", "дир", '"x']),
            st.text(max_size=30),
            st.text(max_size=30),
        ),
    ),
    max_size=8,
)


def test_the_api_answers_any_paste_with_a_2xx_or_a_4xx_naming_its_lines(database_url, redis_available) -> None:
    runner = LoopThread()
    state: dict[str, Any] = {}

    async def start() -> None:
        app = create_app(make_settings(database_url, redis_available), clock=ManualClock())
        state["lifespan"] = app.router.lifespan_context(app)
        await state["lifespan"].__aenter__()

        async def make_account(role: Role = Role.facilitator, **_: Any) -> Account:
            count = state["accounts"] = state.get("accounts", 0) + 1
            async with app.state.db.unit_of_work() as db:
                user = await create_user(
                    db,
                    username=f"{role.value}-{count}",
                    full_name="Test",
                    role=role,
                    password=DEFAULT_PASSWORD,
                    passwords=app.state.passwords,
                    now=app.state.clock.now(),
                )
            return Account(user=user, password=DEFAULT_PASSWORD)

        world = await make_world(app, make_account)
        await schedule(app, world.session)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        state.update(app=app, world=world, client=client, csrf=await api_login(client, world.facilitator))

    async def post(pasted: str) -> httpx.Response:
        return await paste(state["client"], state["world"], state["csrf"], pasted)

    async def finish() -> None:
        await state["client"].aclose()
        await state["lifespan"].__aexit__(None, None, None)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(rows=lines, newline=st.sampled_from(["\n", "\r\n", "\r"]), bom=st.booleans())
    def check(rows: list[str], newline: str, bom: bool) -> None:
        pasted = ("\ufeff" if bom else "") + newline.join(rows)
        answer = runner.run(post(pasted))
        assert answer.status_code < 500, answer.text
        if answer.status_code >= 400:
            error = answer.json()["error"]
            assert error["code"] and error["message"]
            if error["code"] == "bad_bulk_lines":
                assert all(d["message"].startswith(f"line {d['line']}: ") for d in error["details"] if "line" in d)
        else:
            assert answer.status_code == 201

    runner.run(start())
    try:
        check()
    finally:
        runner.run(finish())
        runner.stop()


async def test_the_page_names_the_lines_in_the_readers_language(client, world, fac):
    url = f"/sessions/{world.session.id}/invitations"
    csrf = await page_csrf(client, url)
    for language, expected in (
        ("ru", "строка 1: «king» — не роль"),
        ("az", "sətir 1: “king” rol deyil"),
        ("hy", "տող 1․ «king»-ը դեր չէ"),
    ):
        page = await client.post(
            f"{url}/bulk", data={"csrf_token": csrf, "csv": "b,king,Tigran"}, headers={"Accept-Language": language}
        )
        assert page.status_code == 422
        assert expected in page.text, language
