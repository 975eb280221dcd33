"""Your turn cannot be missed, on a phone (360 × 740): when the facilitator gives Anahit the
floor, a banner with the turn's buttons and the time left sits inside the visible screen
whatever she has scrolled to; "I'm done" gives the floor back and the banner goes. She can
raise her hand in the open room and sees her place in the queue; the facilitator switches
the room to a speaking queue and back during the session. Paused, she reads the reason and
the agenda's clock stands still. Muted for five minutes, she is
told until when, and the others see no badge; sent to the lobby, she lands on the lobby
page with the facilitator's reason."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.e2e.conftest import DemoServer
from tests.e2e.test_console_in_a_browser import SEND, connected
from tests.e2e.test_join_in_a_browser import join, log_in, watch
from tests.e2e.test_room_in_a_browser import send

SHOTS = Path(os.environ.get("ROUNDTABLE_SCREENSHOTS") or "/tmp/shots")
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}


def in_viewport(page, selector: str) -> bool:
    box, height = page.locator(selector).bounding_box(), page.viewport_size["height"]
    return box is not None and box["height"] > 0 and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_the_turn_banner_stays_on_a_phone_screen_and_the_floor_adapts(browser, demo_server: DemoServer):
    problems: list[str] = []
    base, session = demo_server.base_url, demo_server.session_id
    host_context = browser.new_context(viewport=DESKTOP)
    host = host_context.new_page()
    watch(host, problems)
    log_in(host, demo_server)
    host.goto(f"{base}/sessions/{session}/room")
    connected(host)

    link = next(link for community, link in demo_server.links if community == "community-b")
    ani_context, ani = join(
        browser, demo_server, link, language="hy", name="Անահիտ", problems=problems, phone={"viewport": PHONE}
    )
    host.click("[data-part=lobby] button[aria-label='Admit: Անահիտ']")
    ani.wait_for_url(re.compile(r"/room$"))  # the lobby page moves by itself
    connected(ani)
    host.click("button[data-action=session_start]")
    host.wait_for_selector("[data-part=session-status][data-status=live]")
    ani.wait_for_selector("[data-part=session-status][data-status=live]")

    # In the open room Anahit may still raise her hand; she then sees her place.
    ani.click("[data-part=floor] button[data-action=hand_raise]")
    ani.wait_for_selector("[data-part=queue-place]")
    assert "1" in ani.inner_text("[data-part=queue-place]")

    # The facilitator switches to a speaking queue: her composer says where she stands.
    host.click("[data-part=floor] button[data-action=speaking_mode]")
    ani.wait_for_selector("#composer-reason:has-text('1')")

    # The floor is hers: the banner, inside the screen, wherever she scrolled.
    assert ani.locator("[data-part=turn]").is_hidden()
    host.click("[data-part=floor] button[data-action=floor_give]")
    ani.wait_for_selector("[data-part=turn]:not([hidden]) button[data-action=floor_done]")
    for scroll in ("0", "document.body.scrollHeight"):
        ani.evaluate(f"() => window.scrollTo(0, {scroll})")
        assert in_viewport(ani, "[data-part=turn]"), f"banner off screen at scroll {scroll}"
        assert in_viewport(ani, "[data-part=turn] button[data-action=floor_done]")
    assert ani.locator("[data-part=turn] [data-ends-at]").inner_text().strip()
    SHOTS.mkdir(parents=True, exist_ok=True)
    ani.screenshot(path=str(SHOTS / "turn-banner-hy-phone.png"))
    assert ani.title().startswith("Ձեր հերթն է")

    # "I'm done": the floor goes back, and the banner with it.
    ani.click("[data-part=turn] button[data-action=floor_done]")
    ani.wait_for_selector("[data-part=turn]", state="hidden")
    host.wait_for_selector(
        "[data-part=floor]:has-text('Ոչ ոք'), [data-part=floor]:not(:has(button[data-action=floor_take]))"
    )

    # Back to an open room.
    host.click("[data-part=floor] button[data-action=speaking_mode]")
    ani.wait_for_selector("[data-part=floor] h2:has-text('Խոսք խնդրել')")

    # Paused with a reason: she reads the facilitator's words, and the agenda's clock stops.
    path = f"/ws/sessions/{session}"
    assert host.evaluate(SEND, [path, [{"type": "agenda_next", "current_item_id": None}]]) == ["ok"]
    clock = "[data-part=agenda] [data-part=clock]"
    ani.wait_for_selector(f"{clock}:has-text(':')")
    reason = "Հինգ րոպե ընդմիջում"
    assert host.evaluate(SEND, [path, [{"type": "session_pause", "reason": reason}]]) == ["ok"]
    ani.wait_for_selector(f"[data-part=pause-reason]:has-text('{reason}')")
    stopped = ani.inner_text(clock)
    ani.wait_for_timeout(2100)
    assert ani.inner_text(clock) == stopped, "the clock stands still while paused"
    assert host.evaluate(SEND, [path, [{"type": "session_resume"}]]) == ["ok"]
    ani.wait_for_selector("[data-part=pause-message]", state="hidden")

    # Muted for five minutes: she reads until when; Leyla, another participant, sees no badge.
    other = next(link for community, link in demo_server.links if community == "community-a")
    leyla_context, leyla = join(
        browser, demo_server, other, language="az", name="Leyla", problems=problems, phone={"viewport": PHONE}
    )
    host.click("[data-part=lobby] button[aria-label='Admit: Leyla']")
    leyla.wait_for_url(re.compile(r"/room$"))
    connected(leyla)
    seats = host.request.get(f"{base}/api/sessions/{session}/seats").json()
    ani_seat = next(s["id"] for s in seats if s["display_name"] == "Անահիտ")
    assert host.evaluate(SEND, [path, [{"type": "mute", "seat_id": ani_seat, "minutes": 5}]]) == ["ok"]
    ani.wait_for_selector("#composer-reason:has-text(':')")  # "until 11:05", in her own clock
    host.wait_for_selector("[data-part=present] .muted-badge")
    leyla.wait_for_selector("[data-part=present] :has-text('Անահիտ')")
    assert leyla.locator("[data-part=present] .muted-badge").count() == 0, "no public 'can't write' badge"

    # Leyla reads back up the conversation: new words do not pull her down, a button counts them.
    for n in range(8):
        send(host, f"Statement number {n} of the morning, long enough to take a line or two on a phone.")
    leyla.wait_for_selector("[data-part=statements] li:has-text('Statement number 7')")
    # On a phone the page is the one scroll container: no scroll box inside it.
    assert (
        leyla.evaluate("() => getComputedStyle(document.querySelector('[data-part=statements]')).overflowY")
        == "visible"
    )
    leyla.evaluate("() => window.scrollTo(0, 0)")
    leyla.wait_for_timeout(300)  # the list's own scroll event
    send(host, "One more while Leyla reads.")
    send(host, "And another.")
    leyla.wait_for_selector("[data-part=statements] li:has-text('And another.')")
    jump = leyla.locator("[data-part=new-statements]")
    assert jump.inner_text().startswith("2 "), jump.inner_text()
    # How far the newest statement is below the composer's top (what she can see).
    from_end = (
        "() => document.querySelector('[data-part=statements]').getBoundingClientRect().bottom"
        " - document.querySelector('[data-part=composer]').getBoundingClientRect().top"
    )
    assert leyla.evaluate(from_end) > 200, "she was not pulled down"
    leyla.screenshot(path=str(SHOTS / "new-statements-az-phone.png"))
    jump.click()
    jump.wait_for(state="hidden")
    assert leyla.evaluate(from_end) < 60, "the button took her to the newest"

    # Sent to the lobby: her page is the lobby page, with the reason, not a stale room.
    reason = "Մի քիչ հանգստացեք"
    assert host.evaluate(SEND, [path, [{"type": "send_to_lobby", "seat_id": ani_seat, "reason": reason}]]) == ["ok"]
    ani.wait_for_url(re.compile(r"/waiting$"))
    ani.wait_for_selector(f"text={reason}")
    for context in (ani_context, leyla_context, host_context):
        context.close()
    assert not problems, problems
