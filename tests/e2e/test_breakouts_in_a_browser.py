"""A session that goes joint → caucuses → joint in a real browser: a facilitator opens one
group per community from the console's groups panel, three participants on phones find
themselves in their caucus (its header says which, and how long is left), talk there without
the other caucus hearing it, draft and agree a report, and are back in the main room with the
reports posted when the facilitator ends the groups."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.e2e.conftest import DemoServer
from tests.e2e.test_console_in_a_browser import connected, reload
from tests.e2e.test_join_in_a_browser import join, log_in, watch

SHOTS = Path(os.environ.get("ROUNDTABLE_SCREENSHOTS") or "/tmp/shots")
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
CAUCUS_TITLE = "Time apart: one group per community"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"breakout-{name}.png"))


def say(page, text: str) -> None:
    """Post a statement in the room the page shows (the group's, during a breakout)."""
    composer = page.locator("[data-part=composer]:visible").first
    composer.locator("textarea").fill(text)
    composer.locator("button[type=submit]").click()


def test_caucuses_report_back_into_the_main_room(browser, demo_server: DemoServer):
    problems: list[str] = []
    base, session = demo_server.base_url, demo_server.session_id
    host = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    watch(host, problems)
    log_in(host, demo_server)
    host.goto(f"{base}/sessions/{session}/room")
    connected(host)
    host.click("button[data-action=session_start]")
    host.wait_for_selector("[data-part=session-status][data-status=live]")

    a_links = [link for community, link in demo_server.links if community == "community-a"]
    b_link = next(link for community, link in demo_server.links if community == "community-b")
    people = {
        "Ləman": join(browser, demo_server, a_links[0], language="az", name="Ləman", problems=problems, phone=PHONE),
        "Рауф": join(browser, demo_server, a_links[1], language="ru", name="Рауф", problems=problems, phone=PHONE),
        "Անահիտ": join(browser, demo_server, b_link, language="hy", name="Անահիտ", problems=problems, phone=PHONE),
    }
    lobby = browser.new_context().new_page()
    log_in(lobby, demo_server)
    lobby.goto(f"{base}/sessions/{session}/lobby")
    lobby.click("text=Admit everyone")
    lobby.wait_for_load_state()
    lobby.context.close()
    pages = {}
    for name, (_context, page) in people.items():
        page.wait_for_url(re.compile(r"/room$"), timeout=10000)
        connected(page)
        pages[name] = page

    # The agenda moves on to the caucus item; the console proposes one group per community.
    while CAUCUS_TITLE not in host.locator("[data-part=agenda]").inner_text():
        host.click("button[data-action=agenda_next]")
        host.wait_for_timeout(300)
    panel = host.locator("[data-part=groups]")
    panel.get_by_role("button", name="Open the groups").wait_for()
    assert "Ləman" in panel.inner_text() and "Անահիտ" in panel.inner_text()
    shot(host, "console-proposal")
    panel.get_by_role("button", name="Open the groups").click()

    # Each phone switches to its caucus, with the header in its reader's language.
    headers = {
        "Ləman": re.compile(r"Kokus — .+ · .*\d+:\d\d"),
        "Рауф": re.compile(r"Кокус — .+ · .*\d+:\d\d"),
        "Անահիտ": re.compile(r"Կոկուս — .+ · .*\d+:\d\d"),
    }
    for name, page in pages.items():
        header = page.locator("[data-part=group-header]")
        header.wait_for(state="visible", timeout=10000)
        page.wait_for_function(
            "() => /\\d+:\\d\\d/.test(document.querySelector('[data-part=group-header]')?.innerText || '')"
        )
        assert headers[name].search(header.inner_text().replace("\n", " ")), header.inner_text()
    shot(pages["Рауф"], "phone-in-caucus")

    # What is said in one caucus stays in it.
    say(pages["Ləman"], "Biz su haqqında danışmaq istəyirik.")
    pages["Рауф"].wait_for_selector("text=Biz su haqqında danışmaq istəyirik.")
    say(pages["Անահիտ"], "Մենք ուզում ենք խոսել ճանապարհների մասին։")
    pages["Անահիտ"].wait_for_selector("text=Մենք ուզում ենք խոսել ճանապարհների մասին։")
    assert "Biz su haqqında" not in pages["Անահիտ"].content()
    assert "ճանապարհների" not in pages["Ləman"].content()
    assert "Biz su haqqında" not in host.content(), "the main room does not hear a caucus"

    # A late arrival waits in the main room, told why, until the facilitator places them.
    late_link = [link for community, link in demo_server.links if community == "community-b"][1]
    late_context, late = join(
        browser, demo_server, late_link, language="en", name="Arev", problems=problems, phone=PHONE
    )
    admit = browser.new_context().new_page()
    log_in(admit, demo_server)
    admit.goto(f"{base}/sessions/{session}/lobby")
    admit.click("text=Admit everyone")
    admit.wait_for_load_state()
    admit.context.close()
    late.wait_for_url(re.compile(r"/room$"), timeout=10000)
    late.wait_for_selector("text=The groups are meeting; a facilitator will place you.", timeout=10000)
    shot(late, "phone-late-arrival-waits")
    waiting = panel.locator(".breakout-unplaced form.groups-move").first
    waiting.locator("select").select_option(label="Caucus — Community B")
    waiting.get_by_role("button").click()
    late.locator("[data-part=group-header]").wait_for(state="visible", timeout=10000)
    late.locator("[data-part=statements]:visible").get_by_text("ճանապարհների").wait_for(timeout=10000)
    pages["Arev"] = late

    # A message from the facilitators reaches every group.
    host.fill("#groups-broadcast", "Five minutes left; finish your reports.")
    host.locator("form.groups-broadcast button[type=submit]").click()
    for page in pages.values():
        page.locator("[data-part=broadcast]").get_by_text("Five minutes left; finish your reports.").wait_for(
            timeout=10000
        )

    # The facilitator visits caucus A in its own console (a new tab) and hears it there.
    with host.context.expect_page() as opened:
        panel.locator("a.groups-visit").first.click()
    visit = opened.value
    watch(visit, problems)
    visit.locator("[data-part=statements]:visible").get_by_text("Biz su haqqında danışmaq istəyirik.").wait_for(
        timeout=10000
    )
    shot(visit, "console-visiting-a-caucus")
    # It is the facilitators' console of that room: its tools, no room nested in it.
    assert visit.locator("#group-room").count() == 0 and visit.locator("#room").is_visible()
    assert visit.locator("[data-part=present] button[data-action=mute]").count() == 2
    for part in ("groups", "agenda", "lobby"):  # the main room's, not a group's
        assert visit.locator(f"[data-part={part}]").is_hidden(), part
    assert visit.locator("button[data-action=session_end], button[data-action=agenda_next]").count() == 0
    visit.close()

    # Each caucus drafts its report; every member present says ready.
    reports = {"Ləman": "Su: birgə layihə istəyirik.", "Անահիտ": "Ճանապարհներ. ուզում ենք բաց սահման։"}
    for name, text in reports.items():
        page = pages[name]
        page.locator("[data-part=report] summary").click()  # folded on a phone
        page.locator("[data-part=report] textarea").fill(text)
        page.locator("button[data-action=report_save]").click()
        page.wait_for_function(
            "() => !document.querySelector('button[data-action=report_ready]').disabled", timeout=10000
        )
    pages["Рауф"].wait_for_function(
        f"() => document.querySelector('[data-part=report] textarea').value === {reports['Ləman']!r}"
    )
    pages["Рауф"].locator("[data-part=report] summary").click()
    pages["Arev"].locator("[data-part=report] summary").click()
    for name in ("Ləman", "Рауф", "Անահիտ", "Arev"):
        pages[name].locator("button[data-action=report_ready]").click()
        pages[name].wait_for_selector("button[data-action=report_ready][aria-pressed=true]")
    # Agreed once every member present said ready (both of caucus A; Anahit alone in B).
    pages["Ləman"].wait_for_selector("[data-part=report-readiness]:has-text('Razılaşdırılıb')")
    pages["Рауф"].wait_for_selector("[data-part=report-readiness]:has-text('Согласовано')")
    shot(pages["Ləman"], "phone-report-agreed")
    # Reconnecting lands where one is expected: a reload of a phone opens its caucus again.
    reload(pages["Рауф"])
    pages["Рауф"].locator("[data-part=group-header]").wait_for(state="visible", timeout=10000)
    pages["Рауф"].locator("[data-part=statements]:visible").get_by_text("Biz su haqqında").wait_for(timeout=10000)

    # The console sees every group at a glance: who is there, what was said, the report.
    host.wait_for_selector("[data-part=groups] :text('2 of 2 here · 1 statement')", timeout=15000)
    shot(host, "console-groups-open")
    host.set_viewport_size({"width": 360, "height": 740})  # a facilitator on a phone too
    panel.scroll_into_view_if_needed()
    shot(host, "console-phone-groups")
    host.set_viewport_size({"width": 1280, "height": 900})

    # The facilitator brings everyone back: the reports are statements of the groups.
    host.locator("button[data-action=breakout_end]").click()
    host.locator("dialog button[value=ok]").click()
    for page in pages.values():
        page.locator("[data-part=group-header]").wait_for(state="hidden", timeout=10000)
        for text in reports.values():
            page.wait_for_selector(f"text={text}", timeout=10000)
    host.wait_for_selector(f"text={reports['Ləman']}")
    shot(pages["Անահիտ"], "phone-back-in-main-room")
    for context, _page in people.values():
        context.close()
    late_context.close()
    assert problems == []
