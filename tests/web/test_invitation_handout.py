"""A facilitator makes links and hands them out: all copied at once, a CSV file for a
spreadsheet, a QR code each, and each link opening the join flow in its person's language.

The links are secrets shown once: the page that shows them is never cached, and nothing
that carries them is a request of its own or a log line.
"""

from __future__ import annotations

import csv
import html
import io
import logging
import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import pytest
import segno
from sqlmodel import col, select

from app.dialogues.models import Invitation
from app.security.spreadsheet import safe_cell
from app.web.handout import BOM, QR_BORDER, QR_SCALE
from tests.factories import make_world, page_log_in, schedule

LINK = re.compile(r'value="(http://testserver/join/[A-Za-z0-9_-]{43})"')
CSV_HREF = re.compile(r'href="(data:text/csv;charset=utf-8,[^"]+)" download="([^"]+)"')
QR_IMG = re.compile(r'<img class="qr" src="(data:image/svg\+xml[^"]+)" width="(\d+)" height="(\d+)" alt="([^"]+)">')
ALL_LINKS = re.compile(r'<textarea id="all-links"[^>]*>([^<]*)</textarea>')


@pytest.fixture
async def world(app, make_account):
    world = await make_world(app, make_account)
    await schedule(app, world.session)
    return world


log_in = page_log_in


def csv_rows(page: str) -> tuple[str, list[list[str]]]:
    """The CSV file of the page's download link: its raw text and its rows."""
    found = CSV_HREF.search(page)
    assert found, "no CSV download on the page"
    text = unquote(html.unescape(found.group(1)).split(",", 1)[1])
    return text, list(csv.reader(io.StringIO(text.removeprefix(BOM))))


def dark_modules(svg_uri: str) -> set[tuple[int, int]]:
    """Read the QR image back into its dark modules (row, column), from segno's SVG path:
    `M x y` moves, `m dx dy` moves on, `h n` draws n modules along the row at y - 0.5."""
    svg = ET.fromstring(unquote(html.unescape(svg_uri).split(",", 1)[1]))
    path = next(p for p in svg.iter() if p.tag.endswith("path") and p.get("stroke"))
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for op, a, b in re.findall(r"([MmHhVv])(-?[\d.]+)(?:\s(-?[\d.]+))?", path.get("d", "")):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        elif op == "h":
            for step in range(int(float(a))):
                dark.add((int(y - 0.5), int(x) + step))
            x += float(a)
    return dark


def expected_modules(link: str) -> set[tuple[int, int]]:
    code = segno.make(link, error="m")
    return {
        (r + QR_BORDER, c + QR_BORDER) for r, row in enumerate(code.matrix) for c, cell in enumerate(row) if cell & 1
    }


async def test_three_links_in_bulk_come_with_copy_all_a_csv_file_and_a_qr_code_each(app, client, world):
    csrf = await log_in(client, world.facilitator)
    made = await client.post(
        f"/sessions/{world.session.id}/invitations/bulk",
        data={
            "csrf_token": csrf,
            "csv": 'a,participant,Անի Պետրոսյան,,hy\nb,participant,=HYPERLINK("http://x"),,az\nb,observer,Нина Орлова',
        },
    )
    assert made.status_code == 201, made.text
    page = made.text
    links = LINK.findall(page)
    assert len(links) == 3
    # Links are secrets: never kept by a cache, on the page or anywhere on the way.
    assert made.headers["cache-control"] == "no-store"

    # "Copy all" copies the textarea, which is there as text for copying by hand too.
    assert 'data-copy="#all-links"' in page and "Copy all links" in page
    all_links = ALL_LINKS.search(page)
    assert all_links
    lines = html.unescape(all_links.group(1)).splitlines()
    assert lines == [
        f"Անի Պետրոսյան — {links[0]}",
        f'=HYPERLINK("http://x") — {links[1]}',
        f"Нина Орлова — {links[2]}",
    ]
    assert '<script type="module" src="/static/js/copy-link.js"></script>' in page

    # The CSV file: a BOM for Excel, a heading, one row each, no cell a spreadsheet would run.
    text, rows = csv_rows(page)
    assert text.startswith(BOM) and "\r\n" in text
    assert rows[0] == ["Name", "Community", "Language", "Personal link"]
    assert rows[1:] == [
        ["Անի Պետրոսյան", "Community A", "hy", links[0]],
        ['\'=HYPERLINK("http://x")', "Community B", "az", links[1]],
        ["Нина Орлова", "Community B", "", links[2]],
    ]
    assert all(cell == safe_cell(cell) or cell.startswith("'") for row in rows for cell in row)
    assert re.search(r'download="invitations-session-\d+-\d{8}-\d{4}\.csv"', page)

    # A QR code each, big enough for a phone camera, that reads back as exactly its link.
    images = QR_IMG.findall(page)
    assert len(images) == 3
    for (uri, width, height, alt), link in zip(images, links, strict=True):
        code = segno.make(link, error="m")
        assert int(width) == int(height) == (code.symbol_size(scale=1, border=QR_BORDER)[0]) * QR_SCALE
        assert int(width) >= 150 and QR_SCALE >= 3 and QR_BORDER >= 4  # a quiet zone of four modules
        assert dark_modules(uri) == expected_modules(link)
        assert alt.startswith("QR code of the link for ")
    assert "QR code of the link for Нина Орлова" in page

    # The links are shown once: not again, not in the CSV of a later page.
    again = await client.get(f"/sessions/{world.session.id}/invitations")
    assert not LINK.findall(again.text) and "data:text/csv" not in again.text


async def test_no_link_reaches_the_logs(app, client, world, caplog):
    csrf = await log_in(client, world.facilitator)
    with caplog.at_level(logging.DEBUG):
        made = await client.post(
            f"/sessions/{world.session.id}/invitations",
            data={"csrf_token": csrf, "role": "participant", "community": "a", "real_name": "Ani"},
        )
    assert made.status_code == 201
    token = LINK.findall(made.text)[0].rsplit("/", 1)[1]
    assert token not in caplog.text


async def test_the_page_in_armenian_labels_the_qr_codes_and_the_csv_headings_in_armenian(app, client, world):
    csrf = await log_in(client, world.facilitator)
    client.cookies.set("rt_lang", "hy")
    made = await client.post(
        f"/sessions/{world.session.id}/invitations",
        data={"csrf_token": csrf, "role": "participant", "community": "b", "real_name": "Ani"},
    )
    assert made.status_code == 201
    assert '<html lang="hy"' in made.text
    (image,) = QR_IMG.findall(made.text)
    assert "QR" in image[3] and "Ani" in image[3] and not image[3].startswith("QR code of")
    _text, rows = csv_rows(made.text)
    assert rows[0] != ["Name", "Community", "Language", "Personal link"] and rows[1][1] == "Համայնք Բ"


async def test_a_link_made_with_a_language_opens_the_join_flow_in_it(app, client, new_client, world):
    csrf = await log_in(client, world.facilitator)
    made = await client.post(
        f"/sessions/{world.session.id}/invitations",
        data={"csrf_token": csrf, "role": "participant", "community": "a", "language": "ru"},
    )
    assert made.status_code == 201, made.text
    (link,) = LINK.findall(made.text)
    person = new_client()
    start = await person.get(link.replace("http://testserver", ""))
    # The language step is already done: straight to the ground rules, in Russian.
    assert start.status_code == 303 and start.headers["location"] == "/join/rules"
    rules = await person.get("/join/rules")
    assert '<html lang="ru"' in rules.text
    # The person can still choose another: the language step stays open to them.
    choice = await person.get("/join/language")
    assert choice.status_code == 200
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', choice.text)
    assert token
    chosen = await person.post("/join/language", data={"csrf_token": token.group(1), "language": "az"})
    assert chosen.headers["location"] == "/join/rules"
    assert '<html lang="az"' in (await person.get("/join/rules")).text


async def test_a_bulk_line_s_language_opens_its_link_in_it_and_none_lets_the_person_choose(
    app, client, new_client, world
):
    csrf = await log_in(client, world.facilitator)
    made = await client.post(
        f"/sessions/{world.session.id}/invitations/bulk",
        data={"csrf_token": csrf, "csv": "a,participant,One,,Հայերեն\nb,participant,Two"},
    )
    assert made.status_code == 201, made.text
    first, second = LINK.findall(made.text)
    person = new_client()
    assert (await person.get(first.replace("http://testserver", ""))).headers["location"] == "/join/rules"
    assert '<html lang="hy"' in (await person.get("/join/rules")).text
    other = new_client()
    assert (await other.get(second.replace("http://testserver", ""))).headers["location"] == "/join/language"
    async with app.state.db.unit_of_work() as db:
        stored = (await db.exec(select(Invitation).order_by(col(Invitation.id)))).all()
    assert [i.language for i in stored] == ["hy", None]


async def test_the_single_form_offers_the_programme_s_languages_and_refuses_another(app, client, world):
    csrf = await log_in(client, world.facilitator)
    page = await client.get(f"/sessions/{world.session.id}/invitations")
    assert '<select id="f-language" name="language"' in page.text
    for code in ("en", "ru", "az", "hy"):
        assert f'<option value="{code}" lang="{code}"' in page.text
    refused = await client.post(
        f"/sessions/{world.session.id}/invitations",
        data={"csrf_token": csrf, "role": "participant", "community": "", "real_name": "Kept", "language": "fr"},
    )
    assert refused.status_code == 422
    # Both problems at once, each next to its field, what was typed kept.
    assert 'id="f-language-error"' in refused.text and "choose one of en, ru, az, hy" in refused.text
    assert 'id="f-community-error"' in refused.text
    assert 'value="Kept"' in refused.text
    assert not LINK.findall(refused.text)
    async with app.state.db.unit_of_work() as db:
        assert (await db.exec(select(Invitation))).all() == []


async def test_a_bulk_line_with_an_unknown_language_is_named_and_nothing_is_created(app, client, world):
    csrf = await log_in(client, world.facilitator)
    refused = await client.post(
        f"/sessions/{world.session.id}/invitations/bulk",
        data={"csrf_token": csrf, "csv": "a,participant,One,,en\nb,participant,Two,,klingon"},
    )
    assert refused.status_code == 422
    assert "line 2: “klingon” is not a language (en, ru, az, hy)." in html.unescape(refused.text)
    async with app.state.db.unit_of_work() as db:
        assert (await db.exec(select(Invitation))).all() == []


async def test_a_new_link_for_someone_keeps_their_language(app, client, world):
    csrf = await log_in(client, world.facilitator)
    made = await client.post(
        f"/sessions/{world.session.id}/invitations",
        data={"csrf_token": csrf, "role": "participant", "community": "a", "language": "az"},
    )
    assert made.status_code == 201
    async with app.state.db.unit_of_work() as db:
        invitation = (await db.exec(select(Invitation))).one()
    again = await client.post(
        f"/sessions/{world.session.id}/invitations/{invitation.id}/reissue", data={"csrf_token": csrf}
    )
    assert again.status_code == 201
    _text, rows = csv_rows(again.text)
    assert rows[1][2] == "az" and len(QR_IMG.findall(again.text)) == 1
    assert again.headers["cache-control"] == "no-store"


def test_the_qr_reader_reads_a_code_it_did_not_make():
    # The decoder above is not a copy of what it checks: another link reads differently.
    one, other = "http://testserver/join/" + "A" * 43, "http://testserver/join/" + "B" * 43
    uri = segno.make(one, error="m").svg_data_uri(scale=QR_SCALE, border=QR_BORDER)
    assert dark_modules(uri) == expected_modules(one) != expected_modules(other)
