"""A facilitated session in three real browsers: a facilitator at a desktop, two participants
from different communities on phones, in Azerbaijani and Armenian.

Join with consent, lobby admission from the console, the session started and the agenda
advanced, a go-around round with a pass, raised hand and the floor, statements seen by the
others, a mute that disables the composer, a hidden and a withdrawn statement, and a server
restart during which a participant sends a statement that arrives exactly once.

With ROUNDTABLE_SCREENSHOTS=<folder> it also saves the screenshots kept in docs/screenshots
(`scripts/screenshots` runs it that way).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from app.dialogues.builtin_texts import FIRST_MEETING_TEXTS
from tests.e2e.conftest import DemoServer
from tests.e2e.test_join_in_a_browser import join, log_in, watch

SHOTS = os.environ.get("ROUNDTABLE_SCREENSHOTS")
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1366, "height": 900}


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def connected(page) -> None:
    page.wait_for_selector("[data-part=connection][data-state=open]", timeout=15000)


def statements_with(page, text: str) -> int:
    return page.locator("li.statement .text", has_text=text).count()


def send(page, text: str) -> None:
    page.fill("#composer-text", text)
    page.click(".composer button[type=submit]")


def test_a_facilitated_session_in_three_browsers(browser, demo_server: DemoServer):
    problems: list[str] = []
    base, session = demo_server.base_url, demo_server.session_id
    room_url = f"{base}/sessions/{session}/room"

    # The facilitator logs in and makes the session run a speaking queue (allowed while open).
    facilitator_context = browser.new_context(viewport=DESKTOP)
    host = facilitator_context.new_page()
    watch(host, problems)
    log_in(host, demo_server)
    csrf = host.request.get(base + "/api/auth/me").json()["csrf_token"]
    changed = host.request.patch(
        f"{base}/api/sessions/{session}",
        data={"speaking_mode": "queued"},
        headers={"X-CSRF-Token": csrf, "Origin": base},
    )
    assert changed.ok, changed.text()
    host.goto(room_url)
    connected(host)

    # Two people join in their languages and wait in the lobby; the console shows them.
    a_link = next(link for community, link in demo_server.links if community == "community-a")
    b_link = next(link for community, link in demo_server.links if community == "community-b")
    a_context, nigar = join(
        browser,
        demo_server,
        a_link,
        language="az",
        name="Ləman",
        problems=problems,
        on_rules=lambda page: shot(page, "join-rules-az-phone"),
    )
    b_context, ani = join(browser, demo_server, b_link, language="hy", name="Անահիտ", problems=problems)
    host.wait_for_selector("button[data-action=admit] >> nth=1")
    shot(host, "console-lobby-en-desktop")
    for name in ("Ləman", "Անահիտ"):
        host.click(f"[data-part=lobby] button[aria-label='Admit: {name}']")
        host.wait_for_selector(f"[data-part=lobby] button[aria-label='Admit: {name}']", state="detached")

    # Admitted: their session page takes them into the room.
    for page in (nigar, ani):
        page.reload()
        page.wait_for_url(re.compile(r"/room$"))
        connected(page)
    assert nigar.locator("html").get_attribute("lang") == "az"
    assert ani.locator("html").get_attribute("lang") == "hy"

    # Start, and the first agenda item reaches everyone.
    host.click("button[data-action=session_start]")
    nigar.wait_for_selector("[data-part=session-status][data-status=live]")
    host.click("button[data-action=agenda_next]")
    # Each reads the item's title in their own language (the demo's agenda is the built-in
    # first-meeting template, written in all four).
    titles = FIRST_MEETING_TEXTS[0]["title"]
    host.wait_for_selector(f"[data-part=agenda] h2:has-text('{titles['en']}')")
    for page, language in ((nigar, "az"), (ani, "hy")):
        page.wait_for_selector(f"[data-part=agenda] h2:has-text('{titles[language]}')")

    # A go-around: community A opens round 1. Ləman passes, Anahit speaks and finishes.
    host.click("button[data-action=round_start]")
    nigar.wait_for_selector("button[data-action=round_pass]")
    assert ani.locator("#composer-text").is_disabled(), "not her turn yet"
    nigar.click("button[data-action=round_pass]")
    ani.wait_for_selector("button[data-action=round_done]")
    send(ani, "Բարև ձեզ։ Ես եկել եմ լսելու։")
    nigar.wait_for_selector("li.statement .text:has-text('Ես եկել եմ լսելու')")
    ani.click("button[data-action=round_done]")
    ani.wait_for_selector("[data-part=round]", state="hidden")
    shot(ani, "room-hy-phone")

    # The floor: Ləman raises her hand and is given the floor; Anahit's composer waits.
    nigar.click("button[data-action=hand_raise]")
    host.wait_for_selector("button[data-action=floor_give]")
    host.click("button[data-action=floor_give]")
    nigar.wait_for_selector("#composer-text:enabled")
    nigar.focus("#composer-text")  # from the keyboard: type, then Ctrl+Enter sends
    nigar.keyboard.type("Təşəkkür edirəm, mən də sizi eşidirəm.")
    nigar.keyboard.press("Control+Enter")
    for page in (host, ani):
        page.wait_for_selector("li.statement .text:has-text('sizi eşidirəm')")
    assert ani.locator("#composer-text").is_disabled()
    send(nigar, "Bu sözləri geri götürürəm.")
    host.wait_for_selector("li.statement .text:has-text('geri götürürəm')")
    shot(nigar, "room-az-phone")
    shot(host, "console-en-desktop")

    # Ləman withdraws her last statement: its words leave every screen.
    nigar.once("dialog", lambda dialog: dialog.accept())
    own = nigar.locator("li.statement.own", has_text="geri götürürəm")
    own.locator(".statement-menu > summary").click()  # a statement's actions wait behind "⋯"
    own.locator("button[data-action=withdraw]").click()
    for page in (host, ani, nigar):
        page.wait_for_selector("li.statement.withdrawn")
        assert statements_with(page, "geri götürürəm") == 0

    # A facilitator hides Anahit's statement, with a reason.
    heard = host.locator("li.statement", has_text="Ես եկել եմ լսելու")
    heard.locator(".statement-menu > summary").click()
    heard.locator("button[data-action=hide]").click()
    host.fill("#ask-input", "Test of hiding.")
    host.click("dialog button[value=ok]")
    for page in (nigar, ani):
        page.wait_for_selector("li.statement.hidden")
        assert statements_with(page, "Ես եկել եմ լսելու") == 0
    ani.wait_for_selector(".notices .notice.hidden")

    # The floor goes to Anahit; Ləman is muted and her composer is disabled with the reason.
    host.click("button[data-action=floor_take]")
    ani.click("button[data-action=hand_raise]")
    host.wait_for_selector("button[data-action=floor_give]")
    host.click("button[data-action=floor_give]")
    ani.wait_for_selector("#composer-text:enabled")
    host.click("[data-part=present] button[data-action=mute][aria-label$='Ləman']")
    host.fill("#ask-input", "A short pause, please.")
    host.click("dialog button[value=ok]")
    nigar.wait_for_selector("#composer-text:disabled")
    nigar.wait_for_selector(".notices .notice.muted")
    assert "A short pause, please." in nigar.locator(".notices").inner_text()

    # The server restarts; meanwhile Anahit sends a statement. It arrives exactly once.
    demo_server.stop()
    ani.wait_for_selector("[data-part=connection][data-state=offline]", timeout=15000)
    # Beside the pill, outside its live region: the countdown ("Reconnecting in 3 s…", with Try now) or "Trying again…".
    ani.wait_for_selector("[data-part=reconnect]:not([hidden])", timeout=5000)
    assert ani.locator("[data-part=reconnect]").inner_text().strip()
    send(ani, "Այս նախադասությունը 🕊️ գրվել է անջատման ժամանակ։")
    ani.wait_for_selector(".pending-item")
    demo_server.start()
    for page in (host, nigar, ani):
        connected(page)
        page.wait_for_selector("li.statement .text:has-text('անջատման ժամանակ')", timeout=20000)
    ani.wait_for_selector(".pending-item", state="detached")
    host.wait_for_timeout(1500)  # anything sent twice would have arrived by now
    for page in (host, nigar, ani):
        assert statements_with(page, "անջատման ժամանակ") == 1
        seqs = page.evaluate("[...document.querySelectorAll('li.statement')].map((li) => li.dataset.id)")
        assert len(seqs) == len(set(seqs)), "no statement shown twice"
    shot(ani, "room-after-restart-hy-phone")

    if SHOTS:  # the other sizes and languages for docs/screenshots
        nigar.set_viewport_size(DESKTOP)
        shot(nigar, "room-az-desktop")
        host.goto(f"{base}/language/ru?next=/sessions/{session}/room")
        connected(host)
        shot(host, "console-ru-desktop")
        host.set_viewport_size(PHONE)
        shot(host, "console-ru-phone")
        spare = next(link for community, link in demo_server.links[1:] if community == "community-a")
        visitor = browser.new_context(viewport=DESKTOP).new_page()
        visitor.goto(spare)
        shot(visitor, "join-language-en-desktop")
        visitor.click("button[value=ru]")
        visitor.wait_for_url(re.compile(r"/join/rules$"))
        shot(visitor, "join-rules-ru-desktop")
        visitor.context.close()
    for page in (host, nigar, ani):  # nothing kept in the browser's storage, secret or not
        assert page.evaluate("localStorage.length + sessionStorage.length") == 0

    # After the session, the facilitator hides a word by selecting it in the statement itself:
    # exactly those characters, although an emoji (two code points, three UTF-16 units) and
    # Armenian letters stand before it.
    ended = host.request.post(
        f"{base}/api/sessions/{session}/status", data={"status": "ended"}, headers={"X-CSRF-Token": csrf}
    )
    assert ended.ok, ended.text()
    # Each participant's room becomes a closing screen: thanks, what happens to the transcript,
    # the date until which they may withdraw their words and where; the composer is gone.
    for page in (ani, nigar):
        page.wait_for_selector("[data-part=closing]:not([hidden]) [data-part=withdraw-until]")
        assert page.locator("[data-part=composer]").is_hidden()
        assert page.locator("[data-part=closing] a[href$='/waiting']").is_visible()
    assert re.search(r"\d{4}", ani.inner_text("[data-part=withdraw-until]")), "a date with its year"
    shot(ani, "room-closing-hy-phone")
    host.goto(f"{base}/sessions/{session}/transcript")
    chosen = host.evaluate(
        """(word) => {
        const holder = [...document.querySelectorAll('.review-originals [data-statement-id]')]
          .find((element) => element.textContent.includes(word));
        const node = holder.firstChild, at = node.textContent.indexOf(word);
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + word.length);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        holder.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
        return holder.dataset.statementId;
      }""",
        "անջատման",
    )
    host.wait_for_function("document.querySelector('#r-words').value === 'անջատման'")
    assert host.input_value("#r-statement") == chosen
    host.fill("#r-reason", "Says when it was written")
    host.click("form[data-hide-form] button[type=submit]")
    # Sent in place: the page stays, and the form empties once the server has said yes.
    host.wait_for_selector("form[data-hide-form]:not([aria-busy=true]) #r-reason")
    host.wait_for_function("() => document.querySelector('#r-reason').value === ''")
    assert host.url.endswith("/transcript")
    draft = host.request.get(f"{base}/api/sessions/{session}/transcript").json()
    entries = [e for section in draft["document"]["sections"] for e in section["entries"]]
    texts = [e["text"] for e in entries if e["type"] == "statement" and e["text"].startswith("Այս նախադասությունը")]
    assert texts == ["Այս նախադասությունը 🕊️ գրվել է [redacted] ժամանակ։"], texts
    shot(host, "review-en-desktop")
    host.set_viewport_size(PHONE)
    shot(host, "review-en-phone")
    for context in (a_context, b_context, facilitator_context):
        context.close()
    # The only console errors allowed: the sockets refused while the server was down.
    assert all("ERR_CONNECTION_REFUSED" in p for p in problems), problems
