"""The transcript review in a real browser, decided in place: a facilitator accepts one
suggestion and rejects another without the page reloading (a value the test leaves on the
window survives), focus moves on to the next suggestion still undecided and the result is
announced; releasing asks in a dialog what will be released and to whom, and then says what
was released. The session's statements are made through the services, on the server's own
database."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlmodel import select

from app.accounts.models import User
from app.clock import SystemClock
from app.db import Database
from app.dialogues import sessions as session_service
from app.dialogues.models import DialogueSession, SessionStatus
from app.facilitation.statements import post_statement
from tests.e2e.conftest import DemoServer, _in_thread
from tests.e2e.test_join_in_a_browser import log_in, watch
from tests.factories import seat_for

SHOTS = Path(os.environ.get("ROUNDTABLE_SCREENSHOTS") or "/tmp/shots")
DESKTOP = {"width": 1280, "height": 900}


async def _said_and_ended(server: DemoServer) -> None:
    """Three people in the demo session, two statements naming people, the session ended."""
    db = Database(server.env["ROUNDTABLE_DATABASE_URL"])
    app: Any = SimpleNamespace(state=SimpleNamespace(db=db, clock=SystemClock()))
    try:
        async with db.unit_of_work() as session:
            facilitator = (await session.exec(select(User).where(User.username == "demo-facilitator"))).one()
            dialogue = await session.get(DialogueSession, server.session_id)
        people = {}
        for name, community in (("Nigar", "community-a"), ("Ani", "community-b"), ("Rauf", "community-a")):
            people[name] = await seat_for(
                app, facilitator=facilitator, session=dialogue, community=community, name=name
            )
        async with db.unit_of_work() as session:
            row = await session.get(DialogueSession, server.session_id)
            assert row is not None
            await session_service.change_status(
                session, session=row, to=SessionStatus.live, reason=None, now=app.state.clock.now()
            )
        for name, text in (("Nigar", "Thank you, Ani, and Rauf too."), ("Ani", "We spoke about bread and tea.")):
            async with db.unit_of_work() as session:
                await post_statement(
                    session,
                    session_id=server.session_id,
                    seat_id=people[name].seat_id,
                    client_id=uuid.uuid4().hex,
                    text=text,
                    reply_to=None,
                    now=app.state.clock.now(),
                )
        async with db.unit_of_work() as session:
            row = await session.get(DialogueSession, server.session_id)
            assert row is not None
            await session_service.change_status(
                session, session=row, to=SessionStatus.ended, reason=None, now=app.state.clock.now()
            )
    finally:
        await db.dispose()


def _mark_of(page, key: str):
    return page.locator(f'[data-review-suggestions] [data-mark="{key}"]')


def test_a_facilitator_decides_and_releases_without_a_reload(browser, demo_server: DemoServer) -> None:
    _in_thread(_said_and_ended(demo_server))
    problems: list[str] = []
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    watch(page, problems)
    log_in(page, demo_server)
    page.goto(f"{demo_server.base_url}/sessions/{demo_server.session_id}/transcript")
    page.evaluate("() => { window.__samePage = 'still here'; }")

    pending = page.locator('[data-review-suggestions] [data-mark][data-state="pending"]')
    assert pending.count() >= 2, page.content()
    first, second = pending.nth(0).get_attribute("data-mark"), pending.nth(1).get_attribute("data-mark")
    assert first and second

    # Accept the first: the row says "hidden", focus moves on to the next undecided one.
    _mark_of(page, first).locator("button[data-decision='1']").click()
    page.wait_for_selector(f'[data-review-suggestions] [data-mark="{first}"][data-state="accepted"]')
    page.wait_for_selector("[data-review-announce]:has-text('hidden')")
    focused = page.evaluate("() => document.activeElement?.closest('[data-mark]')?.getAttribute('data-mark')")
    assert focused == second, (focused, second)
    assert _mark_of(page, first).locator(".badge").inner_text() == "hidden"

    # Reject the second, from the keyboard (focus is already there: Tab to its "Reject").
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement?.textContent") == "Reject"
    page.keyboard.press("Enter")
    page.wait_for_selector(f'[data-review-suggestions] [data-mark="{second}"][data-state="rejected"]')
    page.wait_for_selector("[data-review-announce]:has-text('kept as written')")
    assert page.evaluate("() => window.__samePage") == "still here", "the page did not reload"
    kept_word = _mark_of(page, second).inner_text().split("»")[0].lstrip("«")
    assert kept_word in page.locator("[data-review-preview]").inner_text(), "the preview shows it kept"

    # Releasing asks first, saying what and to whom.
    page.click("form[data-release-open] button")
    dialog = page.locator("dialog[data-release-dialog]")
    dialog.wait_for(state="visible")
    assert dialog.locator('[data-release-count="statements"]').inner_text() == "2"
    assert "organisers of" in dialog.inner_text() and "anonymised" in dialog.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "review-dialog.png"))
    dialog.locator("button[type=submit]").click()
    summary = page.locator("[data-release-summary-slot] [data-release-summary]")
    summary.wait_for(state="visible")
    assert re.search(r"Version 1 was released on", summary.inner_text()), summary.inner_text()
    assert "Statements: 2" in summary.inner_text()
    assert not dialog.is_visible()
    assert page.evaluate("() => window.__samePage") == "still here"
    assert page.locator("[data-release-versions] a").count() == 1
    summary.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "review.png"), full_page=True)
    # On a phone, the summary fits the screen's width.
    page.set_viewport_size({"width": 360, "height": 740})
    summary.scroll_into_view_if_needed()
    box = summary.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    page.screenshot(path=str(SHOTS / "review-phone.png"))
    context.close()
    assert not problems, problems
