"""In a real browser: a facilitator logs in, two people from different communities follow
their links through language, consent and name to the lobby, and are admitted."""

from __future__ import annotations

import re

import httpx

from tests.e2e.conftest import DemoServer


def watch(page, problems: list[str]) -> None:
    # Console errors include Content-Security-Policy refusals: there must be none. (A form
    # refused with 422 on purpose is logged by the browser too; that one is expected.)
    def on_console(message) -> None:
        if message.type == "error" and "status of 422" not in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))


def log_in(page, server: DemoServer, username: str = "demo-facilitator") -> None:
    """Log in as one of the demo's staff accounts, through the login page."""
    page.goto(server.base_url + "/login")
    page.fill("#username", username)
    page.fill("#password", server.logins[username])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/programmes$"))


def join(
    browser,
    server: DemoServer,
    link: str,
    *,
    language: str,
    name: str,
    problems: list[str],
    on_rules=None,
    phone: dict | None = None,
    skip_survey: bool = True,
):
    """Follow a link on a phone to the lobby; `on_rules(page)` runs on the rules page; `phone`
    is the browser context's options (a 360 × 780 viewport by default). A participant skips
    the pre-session survey, or with `skip_survey=False` stops at it."""
    context = browser.new_context(**(phone or {"viewport": {"width": 360, "height": 780}}))
    page = context.new_page()
    watch(page, problems)
    page.goto(link)
    assert page.url.endswith("/join/language")
    assert "/join/" + link.rsplit("/", 1)[1] not in page.url  # the token left the address bar
    page.click(f"button[value={language}]")
    page.wait_for_url(re.compile(r"/join/rules$"))
    assert page.locator("html").get_attribute("lang") == language, "the pages speak the chosen language"
    if on_rules:
        on_rules(page)
    page.click("form button[type=submit]")  # without ticking: refused, with the reason
    page.wait_for_selector(".field-error, [role=alert]")
    page.check("input[name=accept_rules]")
    page.check("input[name=accept_transcript]")
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/join/name$"))
    page.fill("#f-display_name", name)
    page.click("form button[type=submit]")
    # A participant is offered the pre-session survey (optional); the others go to the lobby.
    page.wait_for_url(re.compile(r"/(waiting|survey/pre)$"))
    if page.url.endswith("/survey/pre"):
        if not skip_survey:
            assert page.locator("html").get_attribute("lang") == language
            return context, page
        page.click("form.survey-skip button[data-action=skip]")
        page.wait_for_url(re.compile(r"/waiting\?survey=skipped$"))
    assert page.locator("html").get_attribute("lang") == language and name in page.content()
    return context, page


def test_two_people_join_and_are_admitted(browser, demo_server: DemoServer):
    problems: list[str] = []
    facilitator = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    watch(facilitator, problems)
    facilitator.goto(demo_server.base_url + "/login")
    facilitator.fill("#username", "demo-facilitator")
    facilitator.fill("#password", demo_server.logins["demo-facilitator"])
    facilitator.click("button[type=submit]")
    facilitator.wait_for_url(re.compile(r"/programmes$"))
    assert "Demo programme" in facilitator.content()

    a_link = next(link for community, link in demo_server.links if community == "community-a")
    b_link = next(link for community, link in demo_server.links if community == "community-b")
    first = join(browser, demo_server, a_link, language="az", name="Ləman", problems=problems)
    second = join(browser, demo_server, b_link, language="hy", name="Անահիտ", problems=problems)

    facilitator.goto(f"{demo_server.base_url}/sessions/{demo_server.session_id}/lobby")
    lobby = facilitator.content()
    assert "Ləman" in lobby and "Անահիտ" in lobby
    # A message to everyone waiting reaches their pages by itself (the waiting page's stream).
    said = {"az": "İki dəqiqəyə başlayırıq.", "hy": "Սկսում ենք երկու րոպեից։"}
    for code, text in said.items():
        facilitator.fill(f"#f-lobby_message__{code}", text)
    facilitator.click("form[action$='/lobby/message'] button[type=submit]")
    facilitator.wait_for_url(re.compile(r"/lobby\?done=message$"))
    for (_context, page), text in zip((first, second), said.values(), strict=True):
        page.wait_for_selector(f".lobby-message:has-text('{text}')")
    facilitator.click("text=Admit everyone")
    facilitator.wait_for_load_state()
    assert "Nobody is waiting." in facilitator.content()

    for context, page in (first, second):
        # Admitted, the demo room is open: pushed, no reload (the old page polled every 10 s).
        page.wait_for_url(re.compile(r"/room$"), timeout=5000)
        context.close()
    assert problems == []


def test_a_used_link_moves_the_seat_to_a_new_device_and_a_wrong_one_reveals_nothing(browser, demo_server: DemoServer):
    link = [link for community, link in demo_server.links if community == "community-b"][1]
    token = link.rsplit("/", 1)[1]
    session = demo_server.session_id
    with httpx.Client(base_url=demo_server.base_url) as other_device:
        other_device.post(
            "/api/join/consent",
            json={"token": token, "rules_version": 1, "accept_rules": True, "accept_transcript": True},
        )
        assert other_device.post("/api/join/claim", json={"token": token, "display_name": "Used"}).status_code == 200
        assert other_device.get(f"/api/sessions/{session}/me").status_code == 200
        # The same person opens the link again on a phone: "Continue as Used on this device?"
        context = browser.new_context(viewport={"width": 360, "height": 740})
        page = context.new_page()
        page.goto(link)
        page.wait_for_url(re.compile(r"/join/continue$"))
        assert "Used" in page.locator("main, body").first.inner_text()
        page.click("form[action='/join/continue'] button[type=submit]")
        page.wait_for_url(re.compile(r"/(waiting|room)$"))
        assert other_device.get(f"/api/sessions/{session}/me").status_code == 401, "the old device's seat ended"
        context.close()
    context = browser.new_context()
    page = context.new_page()
    page.goto(link[: -len(token)] + ("A" * 43))
    text = page.content()
    assert "This link cannot be used" in text and "Demo session" not in text and "Used" not in text
    context.close()


def test_the_server_log_holds_no_tokens_names_or_addresses(demo_server: DemoServer):
    log = demo_server.log.read_text()
    for _community, link in demo_server.links:
        assert link.rsplit("/", 1)[1] not in log
    for secret in (*demo_server.logins.values(), "Ləman", "Անահիտ", "127.0.0.1:"):
        assert secret not in log.replace(demo_server.base_url, "")
