"""The room and the console by keyboard only, in a real browser: Tab, Shift+Tab, Enter and
Space reach and use everything a participant and a facilitator need (the statement box and
send, raising a hand, the reactions, the statement's menus and dialogs, the language menu;
admitting from the lobby, starting and advancing the agenda, the floor, marking an alert
done). At every step the focused element shows it (an outline or a box shadow), the focus is
never trapped, and a dialog gives the focus back to what opened it."""

from __future__ import annotations

import re

from tests.e2e.conftest import DemoServer
from tests.e2e.test_console_in_a_browser import SEND
from tests.e2e.test_join_in_a_browser import join, log_in

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
WAIT = 20_000
MAX_TABS = 150  # more than any page here has focusable elements

# What is focused, and whether it shows: the computed outline or box shadow of the element.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  const label = (el.getAttribute("aria-label") || el.textContent || el.id || "").trim().slice(0, 40);
  return { tag: el.tagName.toLowerCase(), label, visible: Boolean(outline || shadow),
           inDialog: Boolean(el.closest("dialog")) };
}"""


def focused_matches(page, selector: str) -> bool:
    return page.evaluate("(s) => Boolean(document.activeElement && document.activeElement.matches(s))", selector)


def tab_to(page, selector: str, *, back: bool = False, limit: int = MAX_TABS) -> list[str]:
    """Press Tab (or Shift+Tab) until the focused element matches `selector`; every element
    on the way must show its focus. Returns the labels passed, for messages."""
    passed: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue  # the document itself, between the end and the start of the tab order
        passed.append(f"{focused['tag']}:{focused['label']}")
        assert focused["visible"], f"the focus does not show on {focused} (after {passed[-6:]})"
        if focused_matches(page, selector):
            return passed
    raise AssertionError(f"{selector!r} is not reachable by {'Shift+' if back else ''}Tab; passed {passed}")


def start_at_top(page) -> None:
    """Start the tab order from the top of the page: the focus on the skip link, the first
    stop after loading a page."""
    page.evaluate("() => document.querySelector('.skip-link').focus()")


def connected(page) -> None:
    page.wait_for_selector("[data-part=connection][data-state=open]", timeout=WAIT)


def test_the_room_and_the_console_by_keyboard_only(browser, demo_server: DemoServer):
    problems: list[str] = []
    base, session = demo_server.base_url, demo_server.session_id

    host_context = browser.new_context(viewport=DESKTOP)
    host_context.set_default_timeout(WAIT)
    host = host_context.new_page()
    log_in(host, demo_server)
    csrf = host.request.get(base + "/api/auth/me").json()["csrf_token"]
    headers = {"X-CSRF-Token": csrf, "Origin": base}
    queued = host.request.patch(f"{base}/api/sessions/{session}", data={"speaking_mode": "queued"}, headers=headers)
    assert queued.ok, queued.text()
    host.goto(f"{base}/sessions/{session}/room")
    connected(host)

    a_link = next(link for community, link in demo_server.links if community == "community-a")
    b_link = next(link for community, link in demo_server.links if community == "community-b")
    laman_context, laman = join(
        browser, demo_server, a_link, language="en", name="Laman", problems=problems,
        phone={"viewport": PHONE, "is_mobile": True, "has_touch": True},
    )  # fmt: skip
    ani_context, ani = join(browser, demo_server, b_link, language="en", name="Ani", problems=problems)
    for context in (laman_context, ani_context):
        context.set_default_timeout(WAIT)

    # The facilitator admits both from the console's lobby, by keyboard.
    for name in ("Laman", "Ani"):
        admit = f"[data-part=lobby] button[aria-label='Admit: {name}']"
        host.wait_for_selector(admit)
        start_at_top(host)
        tab_to(host, admit)
        host.keyboard.press("Enter")
        host.wait_for_selector(admit, state="detached")
    for page in (laman, ani):
        page.reload()
        page.wait_for_url(re.compile(r"/room$"))
        connected(page)

    # Start the session (Enter) and advance the agenda (Space).
    start_at_top(host)
    tab_to(host, "button[data-action=session_start]")
    host.keyboard.press("Enter")
    host.wait_for_selector("[data-part=session-status][data-status=live]")
    start_at_top(host)
    tab_to(host, "button[data-action=agenda_next]")
    host.keyboard.press("Space")
    host.wait_for_selector("[data-part=agenda] h2")
    laman.wait_for_selector("[data-part=agenda] h2")

    # Laman raises her hand (Enter); the facilitator gives her the floor (Enter).
    start_at_top(laman)
    tab_to(laman, "button[data-action=hand_raise]")
    laman.keyboard.press("Enter")
    laman.wait_for_selector("button[data-action=hand_lower]")
    start_at_top(host)
    tab_to(host, "button[data-action=floor_give]")
    host.keyboard.press("Enter")

    # She writes in the statement box and sends it with the keyboard.
    laman.wait_for_selector("#composer-text:not([disabled])")
    start_at_top(laman)
    tab_to(laman, "#composer-text")
    laman.keyboard.type("Hello, I came to listen.")
    tab_to(laman, ".composer button[type=submit]")
    laman.keyboard.press("Enter")
    ani.wait_for_selector("li.statement .text:has-text('I came to listen')")

    # Ani reacts to it with Space; Shift+Tab goes back through the same controls.
    start_at_top(ani)
    tab_to(ani, "li.statement .reactions button")
    ani.keyboard.press("Space")
    ani.wait_for_selector("li.statement .reactions button[aria-pressed=true]")
    tab_to(ani, "li.statement button[data-action=report], li.statement summary, li.statement [aria-haspopup]")
    tab_to(ani, "li.statement .reactions button[aria-pressed=true]", back=True)

    # A statement's menu or dialog: opened by keyboard, the focus goes inside, Escape closes
    # it and the focus comes back to the button that opened it.
    opener = "li.statement button[data-action=report]"
    if ani.locator("li.statement summary, li.statement [aria-haspopup]").count():
        menu = "li.statement summary, li.statement [aria-haspopup]"
        tab_to(ani, menu)
        ani.keyboard.press("Enter")
        tab_to(ani, opener)
    else:
        tab_to(ani, opener)
    ani.keyboard.press("Enter")
    dialog = ani.locator("dialog[open]")
    dialog.wait_for()
    focused = ani.evaluate(FOCUSED)
    assert focused and focused["inDialog"], f"the dialog takes the focus: {focused}"
    ani.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert focused_matches(ani, opener), f"the focus went back to the report button, not to {ani.evaluate(FOCUSED)}"

    # Never trapped: from the statement box, Tab reaches the language menu in the footer;
    # Enter on it switches the interface's language.
    start_at_top(laman)
    tab_to(laman, "#composer-text")
    tab_to(laman, "footer a[hreflang=ru]")
    laman.keyboard.press("Enter")
    laman.wait_for_selector("html[lang=ru]")
    connected(laman)

    # Ani asks for a break; the facilitator marks the alert done by keyboard.
    assert ani.evaluate(SEND, [f"/ws/sessions/{session}", [{"type": "break_request"}]]) == ["ok"]
    host.wait_for_selector("[data-part=alerts] li.break_requested button[data-action=alert_done]")
    start_at_top(host)
    tab_to(host, "[data-part=alerts] li.break_requested button[data-action=alert_done]")
    host.keyboard.press("Enter")
    host.wait_for_selector("[data-part=alert-counters] .counter.break_requested", state="detached")

    # The console's seat menu opens and closes with Enter; ending the session asks first, the
    # focus is on cancel, Escape cancels and the focus returns to the end button.
    start_at_top(host)
    tab_to(host, "[data-part=present] details.seat-menu > summary")
    host.keyboard.press("Enter")
    host.wait_for_selector("[data-part=present] details.seat-menu[open] button[data-action=remove]")
    host.keyboard.press("Enter")
    host.wait_for_selector("[data-part=present] details.seat-menu:not([open])")
    end = ".actions.ending button[data-action=session_end]"
    start_at_top(host)
    tab_to(host, end)
    host.keyboard.press("Enter")
    host.locator("dialog[open]").wait_for()
    assert host.evaluate(FOCUSED)["inDialog"]
    host.keyboard.press("Escape")
    host.locator("dialog[open]").wait_for(state="detached")
    assert focused_matches(host, end), f"the focus went back to the end button, not to {host.evaluate(FOCUSED)}"
    assert host.locator("[data-part=session-status]").get_attribute("data-status") == "live"

    for context in (laman_context, ani_context, host_context):
        context.close()
    assert not [p for p in problems if "WebSocket" not in p], problems
