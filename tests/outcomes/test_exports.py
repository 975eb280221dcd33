"""The dashboard's exports: a CSV file of the aggregate tables (no per-person row, no cell a
spreadsheet would run) and a standalone printable document (no script, nothing fetched)."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
from contextlib import aclosing

import httpx

from app.outcomes import exports
from app.programmes.models import MemberRole
from app.security.spreadsheet import FORMULA_STARTS
from tests.outcomes.test_dashboard import known_session, member_client

FORMULAS = ['=HYPERLINK("x")', "+1+1", "-2+3", "@SUM(A1)", "Plain words"]


async def _exports(app, make_surveyed, make_account) -> dict[str, httpx.Response]:
    surveyed = await make_surveyed(per_community=5)
    await known_session(surveyed, notes=FORMULAS)  # five released notes, four trying to be formulas
    pid, sid = surveyed.programme_id, surveyed.room.session_id
    client = await member_client(app, pid, MemberRole.organiser, make_account)
    found = {}
    async with aclosing(client):
        for name, url in {
            "programme.csv": f"/programmes/{pid}/outcomes.csv",
            "session.csv": f"/programmes/{pid}/outcomes/sessions/{sid}.csv",
            "programme.html": f"/programmes/{pid}/outcomes/print",
            "session.html": f"/programmes/{pid}/outcomes/sessions/{sid}/print",
        }.items():
            found[name] = await client.get(url)
    return found


async def test_the_csv_holds_aggregate_rows_in_safe_cells(app, make_surveyed, make_account) -> None:
    found = await _exports(app, make_surveyed, make_account)
    for name in ("programme.csv", "session.csv"):
        response = found[name]
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert response.headers["content-disposition"].startswith("attachment; filename=")
        assert response.text.startswith(exports.BOM)
        rows = list(csv.reader(io.StringIO(response.text.removeprefix(exports.BOM))))
        assert rows[0] == ["Table", "Row", "Column", "Value"]
        for row in rows[1:]:
            assert len(row) == 4
            for cell in row:
                assert cell[:1] not in FORMULA_STARTS and cell.lstrip()[:1] not in FORMULA_STARTS, row
        values = {row[3] for row in rows}
        for text in FORMULAS[:4]:
            assert "'" + text in values  # the words, made text
        assert "Plain words" in values
        # Aggregates only: no person, pseudonym, seat or key in any row.
        assert not re.search(r"person\d|Participant \d|Aperson|Bperson", response.text)
        tables = {row[0] for row in rows[1:]}
        assert "Participants admitted, per community" in tables and "Poll: Useful?" in tables
        # Hidden groups have no number: a row for it says so, and nothing else.
        small = [row for row in rows if row[0] == "Poll: Small?"]
        assert small == [["Poll: Small?", "", "", "Too few answers to show"]]
        assert ["Participants admitted, per community", "Community A", "Participants", "5"] in rows


async def test_the_printable_document_stands_alone(app, make_surveyed, make_account) -> None:
    found = await _exports(app, make_surveyed, make_account)
    for name in ("programme.html", "session.html"):
        response = found[name]
        html = response.text
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
        assert response.headers["content-security-policy"] == exports.CONTENT_SECURITY_POLICY
        assert f'<meta http-equiv="Content-Security-Policy" content="{exports.DOCUMENT_POLICY}">' in html
        style = re.search(r"<style>(.*?)</style>", html, re.S)
        assert style is not None
        digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
        assert f"'sha256-{digest}'" in exports.DOCUMENT_POLICY  # the style the policy allows is this one
        assert html.count("<style") == 1
        # Nothing fetched, run or linked back: no script, stylesheet, image, frame, form or URL.
        for pattern in (
            r"<script",
            r"<link",
            r"<img",
            r"<iframe",
            r"<form",
            r"\bsrc=",
            r"\bhref=",
            r"url\(",
            r"@import",
        ):
            assert not re.search(pattern, html, re.I), pattern
        assert set(re.findall(r"https?://[^\s\"'<>]+", html)) <= {"http://www.w3.org/2000/svg"}
        assert not re.search(r"\son\w+=", html)
        # Nothing of the person who asked for it.
        assert "csrf" not in html.lower() and "organiser-" not in html and "Log out" not in html
        assert html.count("<svg") >= 3 and "Too few answers to show" in html
        assert "Community A" in html
        assert "<details" not in html or '<details class="disclosure" open>' in html  # printed open
