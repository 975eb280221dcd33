"""A three-language session in real browsers (issue 14): a facilitator at a laptop, and on
phones an Azerbaijani and an Armenian participant who share no language, and an interpreter
who reads Russian.

Each reads the ground rules in their own language and consents to them; the session goes
live; a statement in Azerbaijani reaches the Armenian participant, waiting for translation,
and the interpreter's translation into Armenian follows under it, saying who translated it,
while the Azerbaijani participant goes on reading their own words; the same the other way.
The interpreter has no composer, only the Translate action. After the session the
facilitator's transcript review shows each original beside its translation.

Screenshots of every phone at the key moments go to /tmp/shots/e2e14-<who>-<step>.png
(ROUNDTABLE_E2E14_SHOTS=<folder> puts them elsewhere).
"""

from __future__ import annotations

import os
import re
import sqlite3
from contextlib import closing
from pathlib import Path

from app.dialogues.builtin_texts import DEFAULT_GROUND_RULES
from tests.e2e.conftest import DemoServer
from tests.e2e.test_join_in_a_browser import join, log_in, watch

SHOTS = Path(os.environ.get("ROUNDTABLE_E2E14_SHOTS") or "/tmp/shots")
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1366, "height": 900}
WAIT = 20_000  # milliseconds: the machine running these is often busy

AZ_STATEMENT = "Salam. Mən bu görüşə dinləmək və anlamaq üçün gəlmişəm."
AZ_INTO_HY = "Բարև։ Ես եկել եմ այս հանդիպմանը լսելու և հասկանալու համար։"
HY_STATEMENT = "Շնորհակալություն։ Ես էլ ուզում եմ լսել ձեր պատմությունը։"
HY_INTO_AZ = "Təşəkkür edirəm. Mən də sizin hekayənizi eşitmək istəyirəm."

TRANSLATED_BY_INTERPRETER = {  # frontend/static/i18n/<language>.json: translation.by_interpreter
    "az": "Tərcüməçi tərcümə edib",
    "hy": "Թարգմանել է թարգմանիչը",
}


def shot(page, who: str, step: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"e2e14-{who}-{step}.png"), full_page=True)


def connected(page) -> None:
    page.wait_for_selector("[data-part=connection][data-state=open]", timeout=WAIT)


def rule_lines(language: str) -> list[str]:
    return [line for line in DEFAULT_GROUND_RULES[language].splitlines() if line.strip()]


def join_on_a_phone(browser, server, link: str, *, who: str, language: str, name: str, problems: list[str]):
    """Follow a personal link on a phone: language, the rules in it and consent, name, lobby."""

    def rules_in_the_readers_language(page) -> None:
        # The rules themselves, not only the headings, are in the reader's language.
        rules = page.locator(".rules")
        rules_text = rules.inner_text()
        for line in rule_lines(language):
            assert line[3:] in rules_text, (language, line)  # each rule, without its number
        assert rule_lines("en")[1][3:] not in rules_text, "the English rules are not shown instead"
        assert rules.get_attribute("lang") in (None, language), "marked only when not the page's language"
        assert page.locator(".not-translated").count() == 0, "no fallback note: nothing is missing"
        # The consent is to this version in this language (the form sends both).
        assert page.locator("input[name=rules_language]").get_attribute("value") == language
        shot(page, who, "2-rules")

    context, page = join(
        browser,
        server,
        link,
        language=language,
        name=name,
        problems=problems,
        on_rules=rules_in_the_readers_language,
        phone={"viewport": PHONE, "is_mobile": True, "has_touch": True},
    )
    context.set_default_timeout(WAIT)
    shot(page, who, "3-waiting")
    return context, page


def statement_item(page, text: str):
    """The room's list item whose original words contain `text`."""
    return page.locator("li.statement").filter(has=page.locator(":scope > p.text", has_text=text))


def translate(page, original: str, *, language: str, text: str) -> None:
    """Use the Translate action under a statement: choose the language, write, send."""
    item = statement_item(page, original)
    item.locator(".statement-menu > summary").click()  # a statement's actions wait behind "⋯"
    item.locator("button[data-action=translate]").click()
    dialog = page.locator("dialog:has(form.translate)")
    dialog.wait_for()
    assert original in dialog.locator("blockquote.original").inner_text()
    page.select_option("#translate-language", language)
    page.fill("#translate-text", text)
    dialog.locator("button[type=submit]").click()
    dialog.wait_for(state="detached")


def test_a_session_between_two_languages_with_an_interpreter(browser, demo_server: DemoServer):
    problems: list[str] = []
    base, session = demo_server.base_url, demo_server.session_id
    room_url = f"{base}/sessions/{session}/room"

    # The facilitator logs in at a laptop. The demo programme speaks en, ru, az and hy, and
    # the session's ground rules (the built-in ones) exist in all of them.
    facilitator_context = browser.new_context(viewport=LAPTOP)
    facilitator_context.set_default_timeout(WAIT)
    host = facilitator_context.new_page()
    watch(host, problems)
    log_in(host, demo_server)
    csrf = host.request.get(base + "/api/auth/me").json()["csrf_token"]
    headers = {"X-CSRF-Token": csrf, "Origin": base}
    about = host.request.get(f"{base}/api/sessions/{session}").json()
    assert {"az", "hy", "ru"} <= set(about["languages"]), about["languages"]
    assert set(about["ground_rules"]) >= set(about["languages"]), "the rules exist in every language"
    for language in ("az", "hy", "ru"):
        assert about["ground_rules"][language].strip() == DEFAULT_GROUND_RULES[language].strip()

    # One participant of each community (the demo's links) and an interpreter, invited like anyone.
    made = host.request.post(
        f"{base}/api/sessions/{session}/invitations", data={"role": "interpreter"}, headers=headers
    )
    assert made.status == 201, made.text()
    assert made.json()["role"] == "interpreter" and made.json()["community"] is None
    interpreter_link = made.json()["link"]
    az_link = next(link for community, link in demo_server.links if community == "community-a")
    hy_link = next(link for community, link in demo_server.links if community == "community-b")
    host.goto(room_url)
    connected(host)

    az_context, az = join_on_a_phone(
        browser, demo_server, az_link, who="az", language="az", name="Ləman", problems=problems
    )
    hy_context, hy = join_on_a_phone(
        browser, demo_server, hy_link, who="hy", language="hy", name="Անահիտ", problems=problems
    )
    interpreter_context, interpreter = join_on_a_phone(
        browser, demo_server, interpreter_link, who="interpreter", language="ru", name="Ирина", problems=problems
    )

    # The console admits the three from its lobby.
    host.wait_for_selector("[data-part=lobby] button[data-action=admit] >> nth=2")
    shot(host, "facilitator", "1-lobby")
    for name in ("Ləman", "Անահիտ", "Ирина"):
        host.click(f"[data-part=lobby] button[aria-label='Admit: {name}']")
        host.wait_for_selector(f"[data-part=lobby] button[aria-label='Admit: {name}']", state="detached")
    for page in (az, hy, interpreter):
        page.reload()
        page.wait_for_url(re.compile(r"/room$"))
        connected(page)
    assert [p.locator("html").get_attribute("lang") for p in (az, hy, interpreter)] == ["az", "hy", "ru"]
    # The consent record holds the version and the language each one read the rules in.
    database = demo_server.env["ROUNDTABLE_DATABASE_URL"]
    if database.startswith("sqlite"):
        with closing(sqlite3.connect(database.split(":///", 1)[1])) as db:
            consents = dict(
                db.execute(
                    "SELECT display_name, role || ' ' || consent_rules_version || ' ' || consent_language"
                    " FROM seats WHERE session_id = ? AND role IN ('participant', 'interpreter')",
                    (session,),
                ).fetchall()
            )
        version = about["ground_rules_version"]
        assert consents == {
            "Ləman": f"participant {version} az",
            "Անահիտ": f"participant {version} hy",
            "Ирина": f"interpreter {version} ru",
        }, consents

    # The session goes live.
    host.click("button[data-action=session_start]")
    for page in (host, az, hy, interpreter):
        page.wait_for_selector("[data-part=session-status][data-status=live]")

    # The interpreter has no composer to post statements: a note points to the Translate action.
    interpreter.wait_for_selector("[data-part=interpreter-note]", state="visible")
    assert interpreter.locator("form.composer").is_hidden()
    assert interpreter.locator("#composer-text").is_hidden()
    assert interpreter.locator("[data-part=composer] textarea:visible").count() == 0
    for page in (az, hy):
        assert page.locator("#composer-text").is_enabled()
        assert page.locator("[data-part=interpreter-note]").is_hidden()
    for who, page in (("az", az), ("hy", hy), ("interpreter", interpreter)):
        shot(page, who, "4-live")

    # The Azerbaijani participant speaks. The Armenian participant sees the words arrive,
    # marked as waiting for translation (an interpreter is in the room).
    az.fill("#composer-text", AZ_STATEMENT)
    az.click(".composer button[type=submit]")
    for page in (host, hy, interpreter):
        statement_item(page, AZ_STATEMENT).wait_for()
    statement_item(hy, AZ_STATEMENT).locator("[data-part=translation-pending]").wait_for()
    shot(hy, "hy", "5-az-statement-arrived")
    # A participant may translate only their own statements: no Translate under someone else's.
    assert statement_item(hy, AZ_STATEMENT).locator("button[data-action=translate]").count() == 0
    shot(interpreter, "interpreter", "5-az-statement-arrived")

    # The interpreter translates it into Armenian; it appears under the original for the
    # Armenian reader, saying an interpreter translated it.
    translate(interpreter, AZ_STATEMENT, language="hy", text=AZ_INTO_HY)
    shown = statement_item(hy, AZ_STATEMENT).locator(".translation[data-language=hy]")
    shown.locator("p.text", has_text=AZ_INTO_HY).wait_for()
    assert shown.locator("p.text").get_attribute("lang") == "hy"
    assert shown.locator(".translated-by").inner_text().strip() == TRANSLATED_BY_INTERPRETER["hy"]
    assert AZ_STATEMENT in statement_item(hy, AZ_STATEMENT).locator(":scope > p.text").inner_text(), (
        "the original stays"
    )
    assert statement_item(hy, AZ_STATEMENT).locator("[data-part=translation-pending]").count() == 0
    shot(hy, "hy", "6-translation-arrived")

    # The Azerbaijani author reads their own words: the Armenian translation is not presented
    # to them (there is none into Azerbaijani).
    az.wait_for_timeout(1000)  # the translation frame reached every browser by now
    mine = statement_item(az, AZ_STATEMENT)
    assert mine.locator(".translation").count() == 0
    assert AZ_INTO_HY not in az.locator("[data-part=statements]").inner_text()
    assert AZ_STATEMENT in mine.locator(":scope > p.text").inner_text()
    shot(az, "az", "6-own-statement")

    # "Original only": the Armenian reader may hide translations, and bring them back.
    hy.check("#original-only")
    statement_item(hy, AZ_STATEMENT).locator(".translation").wait_for(state="detached")
    shot(hy, "hy", "7-original-only")
    hy.uncheck("#original-only")
    statement_item(hy, AZ_STATEMENT).locator(".translation[data-language=hy]").wait_for()

    # The other way: the Armenian participant answers, the interpreter translates into Azerbaijani.
    hy.fill("#composer-text", HY_STATEMENT)
    hy.click(".composer button[type=submit]")
    for page in (host, az, interpreter):
        statement_item(page, HY_STATEMENT).wait_for()
    statement_item(az, HY_STATEMENT).locator("[data-part=translation-pending]").wait_for()
    shot(az, "az", "8-hy-statement-arrived")
    translate(interpreter, HY_STATEMENT, language="az", text=HY_INTO_AZ)
    shown = statement_item(az, HY_STATEMENT).locator(".translation[data-language=az]")
    shown.locator("p.text", has_text=HY_INTO_AZ).wait_for()
    assert shown.locator("p.text").get_attribute("lang") == "az"
    assert shown.locator(".translated-by").inner_text().strip() == TRANSLATED_BY_INTERPRETER["az"]
    shot(az, "az", "9-translation-arrived")
    hy.wait_for_timeout(1000)
    assert statement_item(hy, HY_STATEMENT).locator(".translation").count() == 0
    assert HY_INTO_AZ not in hy.locator("[data-part=statements]").inner_text()
    shot(hy, "hy", "9-own-statement")
    # The interpreter (and a facilitator) follow the interpretation itself: every translation
    # shows under its original, each with its language; the originals stay.
    for page in (interpreter, host):
        for original, language, text in ((AZ_STATEMENT, "hy", AZ_INTO_HY), (HY_STATEMENT, "az", HY_INTO_AZ)):
            item = statement_item(page, original)
            assert AZ_STATEMENT in statement_item(page, AZ_STATEMENT).locator(":scope > p.text").inner_text()
            assert item.locator(f".translation[data-language={language}] p.text").inner_text() == text
    # Interpreters carry the words: no reactions under statements on their phone.
    assert interpreter.locator("li.statement .reactions").count() == 0
    shot(interpreter, "interpreter", "9-after-translating")
    shot(host, "facilitator", "2-console")

    # The session ends; the facilitator's transcript review shows originals and translations
    # side by side, with the translation's language and who made it.
    ended = host.request.post(f"{base}/api/sessions/{session}/status", data={"status": "ended"}, headers=headers)
    assert ended.ok, ended.text()
    host.goto(f"{base}/sessions/{session}/transcript")
    for original, translation, language in ((AZ_STATEMENT, AZ_INTO_HY, "hy"), (HY_STATEMENT, HY_INTO_AZ, "az")):
        pair = host.locator(".transcript .side-by-side").filter(has=host.locator(".original", has_text=original))
        assert pair.count() == 1, original
        rendered = pair.locator(f".translations .translation:has(p[lang={language}])")
        assert translation in rendered.inner_text()
        assert "Translated by an interpreter" in rendered.inner_text()
    draft = host.request.get(f"{base}/api/sessions/{session}/transcript").json()
    entries = [e for section in draft["document"]["sections"] for e in section["entries"] if e["type"] == "statement"]
    by_text = {e["text"]: e for e in entries}
    assert [(t["language"], t["text"]) for t in by_text[AZ_STATEMENT]["translations"]] == [("hy", AZ_INTO_HY)]
    assert [(t["language"], t["text"]) for t in by_text[HY_STATEMENT]["translations"]] == [("az", HY_INTO_AZ)]
    shot(host, "facilitator", "3-transcript-review")
    for page, who in ((az, "az"), (hy, "hy"), (interpreter, "interpreter")):
        shot(page, who, "10-ended")

    for context in (az_context, hy_context, interpreter_context, facilitator_context):
        context.close()
    assert problems == [], problems
