"""An automated accessibility audit in a real browser: axe-core (pinned in package.json,
installed into node_modules by `npm ci`, which scripts/check-js runs) is injected into every
page a person can reach, and the room and the console with statements, a raised hand and an
alert, in all four languages, at phone size (360 × 740) and at desktop size. A finding with
impact "serious" or "critical" fails the test, with its rule, element, page and language.

The pages forbid inline scripts (Content-Security-Policy: script-src 'self'), so axe is not
added as a <script> element: its source is evaluated through the DevTools protocol
(page.evaluate), which the page's policy does not govern. Nothing is bypassed for the pages.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from pathlib import Path

import pyotp
import pytest

from tests.e2e.conftest import DemoServer
from tests.e2e.test_console_in_a_browser import SEND
from tests.e2e.test_join_in_a_browser import join, log_in

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
LANGUAGES = ("en", "ru", "az", "hy")
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
WAIT = 20_000  # milliseconds: the machine running these is often busy
FAILING_IMPACTS = ("serious", "critical")

# Findings in files this audit's author could not change at the time (the room, the console's
# script, room.css, the invitations, programme and transcript pages were being edited by
# others). Each entry is (axe rule id, page name as passed to `Audit.check`); an entry is
# allowed at that page only, in every language and size. TEMPORARY: remove an entry once its
# finding is fixed (the test then fails again if it comes back). Empty when there are none.
KNOWN_FINDINGS: frozenset[tuple[str, str]] = frozenset()

RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return {
    lang: document.documentElement.lang,
    violations: result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 6).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
      })),
  };
}"""


def axe_source() -> str:
    if not AXE.exists():
        message = (
            f"{AXE} is missing: the accessibility audit needs axe-core from package.json "
            "(run `npm ci`, which ./scripts/check-js does when node_modules is incomplete)"
        )
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


class Audit:
    """Runs axe on pages and gathers what it finds, to fail once at the end with all of it."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.findings: list[str] = []
        self.allowed: set[tuple[str, str]] = set()
        self.languages: dict[str, set[str]] = defaultdict(set)  # page -> languages it was audited in

    def check(self, page, name: str, *, sizes=(PHONE, DESKTOP)) -> None:
        page.wait_for_load_state("load")
        for size in sizes:
            page.set_viewport_size(size)
            if page.evaluate("() => typeof window.axe") == "undefined":
                page.evaluate(self.source)
            result = page.evaluate(RUN_AXE)
            language = result["lang"] or "?"
            self.languages[name].add(language)
            for violation in result["violations"]:
                if (violation["id"], name) in KNOWN_FINDINGS:
                    self.allowed.add((violation["id"], name))
                    continue
                for node in violation["nodes"]:
                    self.findings.append(
                        f"{violation['impact']} {violation['id']} on {name!r} [{language}, "
                        f"{size['width']}x{size['height']}] at {node['target']}: {violation['help']}"
                        f" | {(node['summary'] or '').splitlines()[-1:]}"
                    )

    def check_in_languages(self, context, page, name: str, url: str | None = None, *, sizes=(PHONE, DESKTOP)) -> None:
        """The page at `url` (or the current one, reloaded) once per interface language."""
        for language in LANGUAGES:
            set_language(context, language)
            page.goto(url) if url else page.reload()
            self.check(page, name, sizes=sizes)

    def assert_clean(self) -> None:
        unique = list(dict.fromkeys(self.findings))
        assert not unique, f"{len(unique)} serious or critical accessibility findings:\n" + "\n".join(unique)


def set_language(context, language: str) -> None:
    base = context.pages[0].url.split("/", 3)[:3] if context.pages and context.pages[0].url.startswith("http") else None
    url = "/".join(base) if base else None
    assert url, "the context has a page on the server"
    context.add_cookies([{"name": "rt_lang", "value": language, "url": url}])


def connected(page) -> None:
    page.wait_for_selector("[data-part=connection][data-state=open]", timeout=WAIT)


def csrf_headers(page, base: str) -> dict[str, str]:
    csrf = page.request.get(base + "/api/auth/me").json()["csrf_token"]
    return {"X-CSRF-Token": csrf, "Origin": base}


@pytest.fixture(scope="module")
def audit() -> Audit:
    return Audit(axe_source())


def test_every_page_passes_the_audit_in_every_language(browser, demo_server: DemoServer, audit: Audit):
    base, session = demo_server.base_url, demo_server.session_id
    a_links = [link for community, link in demo_server.links if community == "community-a"]
    b_links = [link for community, link in demo_server.links if community == "community-b"]

    # Anyone: home, login, a page that does not exist, a link that cannot be used.
    visitor_context = browser.new_context(viewport=DESKTOP)
    visitor_context.set_default_timeout(WAIT)
    visitor = visitor_context.new_page()
    visitor.goto(base + "/")
    audit.check_in_languages(visitor_context, visitor, "home", base + "/")
    audit.check_in_languages(visitor_context, visitor, "login", base + "/login")
    for language in LANGUAGES:  # a refused login: the form with its error
        set_language(visitor_context, language)
        visitor.goto(base + "/login")
        visitor.fill("#username", "nobody")
        visitor.fill("#password", "wrong password")
        visitor.click("form button[type=submit]")
        visitor.wait_for_selector("[role=alert], .field-error")
        audit.check(visitor, "login (refused)")
    audit.check_in_languages(visitor_context, visitor, "error 404", base + "/no-such-page")
    audit.check_in_languages(
        visitor_context, visitor, "join: invalid link", a_links[0].rsplit("/", 1)[0] + "/" + "A" * 43
    )
    visitor_context.close()

    # The join flow on a phone in each language: language, rules (also refused), name. The
    # link stays unclaimed until the last step, so one link serves all four languages.
    for language in LANGUAGES:
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        context.set_default_timeout(WAIT)
        page = context.new_page()
        page.goto(a_links[1])  # the token goes into a cookie; after a first consent it may skip ahead
        set_language(context, language)
        page.goto(base + "/join/language")
        audit.check(page, "join: language")
        page.click(f"button[value={language}]")
        page.wait_for_url(re.compile(r"/join/rules$"))
        audit.check(page, "join: rules")
        page.click("form button[type=submit]")
        page.wait_for_selector(".field-error, [role=alert]")
        audit.check(page, "join: rules (refused)")
        page.check("input[name=accept_rules]")
        page.check("input[name=accept_transcript]")
        page.click("form button[type=submit]")
        page.wait_for_url(re.compile(r"/join/name$"))
        audit.check(page, "join: name")
        context.close()

    # Two people wait in the lobby: the waiting page; the link opened again elsewhere asks to continue.
    problems: list[str] = []
    laman_context, laman = join(browser, demo_server, a_links[0], language="az", name="Ləman", problems=problems)
    ani_context, ani = join(browser, demo_server, b_links[0], language="hy", name="Անահիտ", problems=problems)
    for context in (laman_context, ani_context):
        context.set_default_timeout(WAIT)
    audit.check_in_languages(laman_context, laman, "join: waiting")
    # The continue page speaks the language the person chose (az, hy here), not the cookie's.
    for link in (a_links[0], b_links[0]):
        elsewhere_context = browser.new_context(viewport=PHONE)
        elsewhere_context.set_default_timeout(WAIT)
        elsewhere = elsewhere_context.new_page()
        elsewhere.goto(link)
        elsewhere.wait_for_url(re.compile(r"/join/continue$"))
        audit.check(elsewhere, "join: continue")
        elsewhere_context.close()

    # The facilitator: their pages while two people wait, and the console with the lobby.
    host_context = browser.new_context(viewport=DESKTOP)
    host_context.set_default_timeout(WAIT)
    host = host_context.new_page()
    log_in(host, demo_server)
    headers = csrf_headers(host, base)
    programme = host.request.get(f"{base}/api/sessions/{session}").json()["programme_id"]
    for name, path in (
        ("programmes", "/programmes"),
        ("programme", f"/programmes/{programme}"),
        ("session: schedule", f"/programmes/{programme}/sessions/new"),
        ("session", f"/sessions/{session}"),
        ("session: agenda", f"/sessions/{session}/agenda"),
        ("session: invitations", f"/sessions/{session}/invitations"),
        ("session: lobby", f"/sessions/{session}/lobby"),
        ("account", "/account"),
        ("account: password", "/account/password"),
        ("account: second factor", "/account/second-factor/set-up"),
        ("error 403", "/admin/users"),
    ):
        audit.check_in_languages(host_context, host, name, base + path)
    for language in LANGUAGES:  # a schedule form sent empty: every error at its field
        set_language(host_context, language)
        host.goto(f"{base}/programmes/{programme}/sessions/new")
        host.fill("form input[name=title]", "") if host.locator("form input[name=title]").count() else None
        host.locator("main form button[type=submit]").last.click()
        host.wait_for_load_state("load")
        audit.check(host, "session: schedule (refused)")
    changed = host.request.patch(f"{base}/api/sessions/{session}", data={"speaking_mode": "queued"}, headers=headers)
    assert changed.ok, changed.text()
    set_language(host_context, "en")
    host.goto(f"{base}/sessions/{session}/room")
    connected(host)
    host.wait_for_selector("[data-part=lobby] button[data-action=admit] >> nth=1")
    audit.check_in_languages(host_context, host, "console: lobby", sizes=(DESKTOP,))

    # Both admitted; the session runs: an agenda item, statements, a raised hand, an alert.
    set_language(host_context, "en")
    host.reload()
    connected(host)
    for name in ("Ləman", "Անահիտ"):
        host.click(f"[data-part=lobby] button[aria-label='Admit: {name}']")
        host.wait_for_selector(f"[data-part=lobby] button[aria-label='Admit: {name}']", state="detached")
    for page in (laman, ani):
        page.reload()
        page.wait_for_url(re.compile(r"/room$"))
        connected(page)
    host.click("button[data-action=session_start]")
    host.wait_for_selector("[data-part=session-status][data-status=live]")
    host.click("button[data-action=agenda_next]")
    # Queued speaking (set before the session went live): Ləman is given the floor and
    # speaks; Anahit's hand stays raised; she asks for a break.
    laman.click("button[data-action=hand_raise]")
    host.click("button[data-action=floor_give]")
    laman.fill("#composer-text", "Salam. Mən dinləməyə gəlmişəm.")
    laman.click(".composer button[type=submit]")
    host.wait_for_selector("li.statement .text:has-text('Salam')")
    answers = ani.evaluate(SEND, [f"/ws/sessions/{session}", [{"type": "hand_raise"}, {"type": "break_request"}]])
    assert answers == ["ok", "ok"], answers
    host.wait_for_selector("[data-part=alert-counters] .counter.break_requested")

    # The room as a participant, on a phone, in every language; the console likewise.
    for language in LANGUAGES:
        set_language(laman_context, language)
        laman.reload()
        connected(laman)
        laman.wait_for_selector("li.statement")
        audit.check(laman, "room (participant)")
        set_language(host_context, language)
        host.reload()
        connected(host)
        host.wait_for_selector("[data-part=alert-counters] .counter.break_requested")
        audit.check(host, "console (facilitator)")
    set_language(host_context, "en")

    # The session ends: the transcript's review and release, the released transcript, its
    # list and its export.
    ended = host.request.post(f"{base}/api/sessions/{session}/status", data={"status": "ended"}, headers=headers)
    assert ended.ok, ended.text()
    laman.reload()
    audit.check(laman, "room (ended)")
    audit.check_in_languages(host_context, host, "transcript: review", f"{base}/sessions/{session}/transcript")
    audit.check_in_languages(host_context, host, "transcript: release", f"{base}/sessions/{session}/transcript/release")
    host.request.post(f"{base}/api/sessions/{session}/transcript/decisions/accept-all", headers=headers)
    released = host.request.post(f"{base}/api/sessions/{session}/transcript/release", headers=headers)
    assert released.ok, released.text()
    release_id = released.json()["id"]
    audit.check_in_languages(host_context, host, "transcripts", f"{base}/programmes/{programme}/transcripts")
    audit.check_in_languages(host_context, host, "transcript: read", f"{base}/transcripts/{release_id}")
    # The export is a download (Content-Disposition: attachment): shown inline here, with its
    # own headers otherwise, its own Content-Security-Policy included.
    export_url = f"{base}/transcripts/{release_id}/export.html"

    def inline(route) -> None:
        response = route.fetch()
        kept = {k: v for k, v in response.headers.items() if k.lower() != "content-disposition"}
        route.fulfill(response=response, headers=kept)

    host.route(export_url, inline)
    audit.check_in_languages(host_context, host, "transcript: export", export_url)
    host.unroute(export_url)
    for context in (laman_context, ani_context, host_context):
        context.close()

    # An admin: the second factor set up at the first login, the recovery codes, the users;
    # then a second login asks for the code.
    admin_context = browser.new_context(viewport=DESKTOP)
    admin_context.set_default_timeout(WAIT)
    admin = admin_context.new_page()
    admin.goto(base + "/login")
    admin.fill("#username", "demo-admin")
    admin.fill("#password", demo_server.logins["demo-admin"])
    admin.click("button[type=submit]")
    admin.wait_for_url(re.compile(r"/login/set-up"))
    audit.check_in_languages(admin_context, admin, "login: set up a second factor")
    secret = re.sub(r"[^A-Z2-7]", "", (admin.locator("main dd code[translate=no]").first.text_content() or "").upper())
    admin.fill("form input[name=code]", pyotp.TOTP(secret).now())
    admin.locator("form:has(input[name=code]) button[type=submit]").click()
    admin.wait_for_selector("main li code")
    recovery = admin.locator("main li code").first.inner_text()
    audit.check(admin, "account: recovery codes")
    audit.check_in_languages(admin_context, admin, "admin: users", base + "/admin/users")
    admin_context.close()
    again_context = browser.new_context(viewport=DESKTOP)
    again_context.set_default_timeout(WAIT)
    again = again_context.new_page()
    again.goto(base + "/login")
    again.fill("#username", "demo-admin")
    again.fill("#password", demo_server.logins["demo-admin"])
    again.click("button[type=submit]")
    again.wait_for_url(re.compile(r"/login/code"))
    audit.check_in_languages(again_context, again, "login: second factor")
    if again.locator("details:has(#recovery-code)").count():
        again.locator("details:has(#recovery-code) > summary").click()
    again.fill("#recovery-code", recovery)
    again.locator("form:has(#recovery-code) button[type=submit]").click()
    again.wait_for_url(re.compile(r"/(programmes|admin/users|)$"))
    again_context.close()

    missing = {
        name: sorted(set(LANGUAGES) - found) for name, found in audit.languages.items() if set(LANGUAGES) - found
    }
    missing.pop("room (ended)", None)
    missing.pop("account: recovery codes", None)
    # The continue page speaks the participant's chosen language (az and hy above), not the cookie's.
    missing.pop("join: continue", None)
    assert not missing, f"pages not audited in every language: {json.dumps(missing, ensure_ascii=False)}"
    audit.assert_clean()
    unused = KNOWN_FINDINGS - audit.allowed
    assert not unused, f"KNOWN_FINDINGS entries no longer found, remove them: {sorted(unused)}"
