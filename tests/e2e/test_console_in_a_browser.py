"""The facilitator's console under pressure, in a real browser: alerts that reach the
facilitator (counters in the header, listed until marked done, across a reload), safe
controls (ending the session behind a confirmation, sending someone away behind a menu, a
disabled control that says why) and a participant's check-in as its own thread, apart from
the facilitators' back-channel. Desktop and phone size."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

from tests.e2e.conftest import DemoServer
from tests.e2e.test_join_in_a_browser import join, log_in, watch

SHOTS = Path(os.environ.get("ROUNDTABLE_SCREENSHOTS") or "/tmp/shots")
DESKTOP = {"width": 1366, "height": 900}

# A participant's commands sent straight over the room's WebSocket from their own page (the
# seat cookie goes with it), so that this test does not depend on where the room puts its buttons.
SEND = """async ([path, commands]) => {
  const ws = new WebSocket(`ws://${location.host}${path}`);
  await new Promise((resolve, reject) => { ws.onmessage = (m) => { if (JSON.parse(m.data).type === "welcome") resolve(); };
                                           ws.onerror = reject; });
  const answers = [];
  for (const [i, command] of commands.entries()) {
    ws.send(JSON.stringify({ ...command, ref: `c${i}` }));
    answers.push(await new Promise((resolve) => {
      ws.addEventListener("message", function on(m) {
        const frame = JSON.parse(m.data);
        if (frame.ref === `c${i}`) { ws.removeEventListener("message", on); resolve(frame.type); }
      });
    }));
  }
  ws.close();
  return answers;
}"""


def reload(page) -> None:
    """Reload once the page has settled; a navigation the page was still making (seen once
    under CI's load: net::ERR_ABORTED) is waited out and the reload tried again."""
    page.wait_for_load_state("load")
    try:
        page.reload()
    except PlaywrightError as error:
        if "ERR_ABORTED" not in str(error):
            raise
        page.wait_for_load_state("load")
        page.reload()


def connected(page) -> None:
    page.wait_for_selector("[data-part=connection][data-state=open]", timeout=15000)


def counters(page) -> dict[str, int]:
    found = {}
    for badge in page.locator("[data-part=alert-counters] .counter").all():
        found[badge.get_attribute("data-kind")] = int(badge.locator(".count").inner_text())
    return found


def test_alerts_safe_controls_and_check_in_threads(browser, demo_server: DemoServer):
    problems: list[str] = []
    base, session = demo_server.base_url, demo_server.session_id
    context = browser.new_context(viewport=DESKTOP)
    host = context.new_page()
    watch(host, problems)
    log_in(host, demo_server)
    host.goto(f"{base}/sessions/{session}/room")
    connected(host)

    link = next(link for community, link in demo_server.links if community == "community-b")
    ani_context, ani = join(browser, demo_server, link, language="hy", name="Անահիտ", problems=problems)
    host.click("[data-part=lobby] button[aria-label='Admit: Անահիտ']")
    ani.reload()
    ani.wait_for_url(re.compile(r"/room$"))
    connected(ani)

    # Before the first item there is no previous one: the control is disabled and says why.
    host.click("button[data-action=session_start]")
    host.wait_for_selector("[data-part=session-status][data-status=live]")
    back = host.locator("button[data-action=agenda_back]")
    assert back.is_disabled()
    assert host.locator("#why-agenda_back").inner_text().strip()

    # Ending the session asks first; cancelling leaves it live. The end is apart from the rest.
    host.click(".actions.ending button[data-action=session_end]")
    dialog = host.locator("dialog")
    dialog.wait_for()
    assert dialog.locator("button:focus").inner_text() == host.locator("dialog button.secondary").inner_text(), (
        "the focus is on cancel"
    )
    dialog.locator("button.secondary").click()
    dialog.wait_for(state="detached")
    assert host.locator("[data-part=session-status]").get_attribute("data-status") == "live"

    # Remove and ban are not among the everyday buttons: behind the seat's menu.
    seat = host.locator("[data-part=present] .seat-controls").first
    seat.wait_for()
    assert not seat.locator("button[data-action=remove]").is_visible()
    seat.locator("details.seat-menu > summary").click()
    assert seat.locator("button[data-action=remove]").is_visible()
    assert seat.locator("button[data-action=ban]").is_visible()
    seat.locator("details.seat-menu > summary").click()

    # Anahit asks for a break, reports nothing, writes to the facilitators privately.
    answers = ani.evaluate(
        SEND,
        [f"/ws/sessions/{session}", [{"type": "break_request"}, {"type": "check_in", "text": "Կարո՞ղ ենք խոսել։"}]],
    )
    assert answers == ["ok", "ok"], answers
    host.wait_for_selector("[data-part=alert-counters] .counter.break_requested")
    host.wait_for_selector("[data-part=alert-counters] .counter.private_message")
    assert counters(host) == {"break_requested": 1, "private_message": 1}
    thread = host.locator("[data-part=check-ins] section.check-in-thread")
    assert "Անահիտ" in thread.locator("h2").inner_text()
    assert "Կարո՞ղ ենք խոսել" in thread.inner_text()
    assert "Կարո՞ղ ենք խոսել" not in host.locator("[data-part=backchannel]").inner_text(), (
        "the back-channel is the facilitators' own"
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    host.screenshot(path=str(SHOTS / "console-alerts-desktop.png"), full_page=True)

    # The break is done: it leaves the list and the counter; after a reload it stays done and
    # the check-in is still listed.
    host.click("[data-part=alerts] li.break_requested button[data-action=alert_done]")
    host.wait_for_selector("[data-part=alert-counters] .counter.break_requested", state="detached")
    reload(host)
    connected(host)
    host.wait_for_selector("[data-part=alert-counters] .counter.private_message")
    assert counters(host) == {"private_message": 1}
    assert host.locator("[data-part=alerts] li.break_requested").count() == 0

    # The facilitator answers in the thread; Anahit reads it.
    host.fill("[data-part=check-ins] input", "Այո, ընդմիջմանը։")
    host.click("[data-part=check-ins] button[type=submit]")
    # Stored and sent to the facilitators first (their thread shows it), then to her.
    host.wait_for_selector("[data-part=check-ins] li:has-text('ընդմիջմանը')")
    ani.wait_for_selector(".check-in li:has-text('ընդմիջմանը')", timeout=45000)

    # At phone size the console's header still shows the counters.
    host.set_viewport_size({"width": 360, "height": 740})
    host.evaluate("() => window.scrollTo(0, 0)")
    box = host.locator("[data-part=alert-counters]").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 361, box
    host.screenshot(path=str(SHOTS / "console-alerts-phone.png"), full_page=False)
    assert not problems, json.dumps(problems, ensure_ascii=False)
    ani_context.close()
    context.close()
