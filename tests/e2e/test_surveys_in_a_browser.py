"""The surveys in real browsers, on phones: a participant joins in Armenian and answers the
pre-survey (the thermometer's slider, a picture of two circles, an agreement, a choice);
another gives a bad answer, sees it marked at its question and skips the survey. After the
facilitator ends the session, the first answers the post-survey from the room's closing
screen, the second skips it from their own page; the organiser's dashboard then shows the
charts with the small-group rule applied.

With ROUNDTABLE_SCREENSHOTS=<folder> it saves the survey pages at phone size there.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx

from app.outcomes.instruments import CLOSENESS, WARMTH
from tests.e2e.conftest import DemoServer
from tests.e2e.test_accessibility import Audit, axe_source
from tests.e2e.test_join_in_a_browser import join, log_in, watch

SHOTS = os.environ.get("ROUNDTABLE_SCREENSHOTS")
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
# The demo's communities (app/demo.py) and their Armenian labels.
A, B = "community-a", "community-b"
HY_LABELS = {A: "Համայնք Ա", B: "Համայնք Բ"}
WAIT = 20_000


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def fits_the_phone(page) -> None:
    """Nothing wider than the screen: no sideways scrolling on a 360 px phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide"


def join_to_the_survey(browser, server: DemoServer, link: str, *, language: str, name: str, problems: list[str]):
    """Follow a link on a phone through language, consent and name: to the pre-survey."""
    return join(
        browser,
        server,
        link,
        language=language,
        name=name,
        problems=problems,
        phone={"viewport": PHONE, "locale": language},
        skip_survey=False,
    )


def pick(page, question: str, value: str) -> None:
    """Choose an option of a question by tapping its label (a picture, a number, a text)."""
    page.locator(f"[data-question='{question}'] label:has(input[value='{value}'])").click()
    assert page.locator(f"[data-question='{question}'] input[value='{value}']").is_checked()


def test_two_participants_answer_and_skip_the_surveys_on_phones(browser, demo_server: DemoServer):
    problems: list[str] = []
    base, session = demo_server.base_url, demo_server.session_id
    audit = Audit(axe_source())
    host = browser.new_context(viewport=DESKTOP).new_page()
    watch(host, problems)
    log_in(host, demo_server)
    csrf = host.request.get(base + "/api/auth/me").json()["csrf_token"]
    headers = {"X-CSRF-Token": csrf, "Origin": base}
    a_link = next(link for community, link in demo_server.links if community == A)
    b_link = next(link for community, link in demo_server.links if community == B)

    # Anahit joins in Armenian: after her name, the pre-survey, in Armenian, optional.
    ani_context, ani = join_to_the_survey(browser, demo_server, b_link, language="hy", name="Անահիտ", problems=problems)
    text = ani.inner_text("main")
    for key in (A, B):
        assert WARMTH["hy"].replace("{community}", HY_LABELS[key]) in text
        assert CLOSENESS["hy"].replace("{community}", HY_LABELS[key]) in text
    assert ani.locator("[data-question^=closeness_] svg circle").count() == 2 * 7 * 2
    assert ani.locator(f"[data-question=closeness_{A}] label.ios-option").count() == 7
    fits_the_phone(ani)
    shot(ani, "survey-pre-hy-phone")
    audit.check(ani, "survey (pre)", sizes=(PHONE,))

    # The thermometer by its slider (the number beside it follows) and by its number field.
    slider = ani.locator(f"[data-question=warmth_{A}] input[type=range]")
    assert slider.get_attribute("data-untouched") == "true"
    slider.fill("72")
    assert ani.input_value(f"#q-warmth_{A}") == "72"
    assert slider.get_attribute("data-untouched") == "false"
    ani.fill(f"#q-warmth_{B}", "64")
    pick(ani, f"closeness_{A}", "5")
    pick(ani, "trust", "5")
    pick(ani, "before", "never")
    ani.fill("#q-hopes", "Լսել և լսելի լինել։")
    shot(ani, "survey-pre-hy-phone-answered")
    ani.click("button[data-action=answer]")
    ani.wait_for_url(re.compile(r"/waiting\?survey=answered$"))
    ani.wait_for_selector("[data-part=survey-note]")
    assert ani.locator("[data-part=survey-offer]").count() == 0, "answered: not offered again"

    # Ləman joins in Azerbaijani; a warmth of 150 is refused at its question, with what she
    # typed kept; she then skips the survey.
    laman_context, laman = join_to_the_survey(
        browser, demo_server, a_link, language="az", name="Ləman", problems=problems
    )
    laman.fill(f"#q-warmth_{B}", "150")
    pick(laman, "hope", "2")
    laman.click("button[data-action=answer]")
    laman.wait_for_selector(f"#q-warmth_{B}-error")
    assert laman.input_value(f"#q-warmth_{B}") == "150"
    assert laman.locator("[data-question=hope] input[value='2']").is_checked()
    assert laman.get_attribute(f"#q-warmth_{B}", "aria-invalid") == "true"
    fits_the_phone(laman)
    shot(laman, "survey-pre-az-phone-error")
    laman.click("form.survey-skip button[data-action=skip]")
    laman.wait_for_url(re.compile(r"/waiting\?survey=skipped$"))
    laman.wait_for_selector("[data-part=survey-note]")

    # Two more people of community A join through the API (no survey there) and wait in the lobby.
    for n in range(2):
        made = host.request.post(f"{base}/api/sessions/{session}/invitations", data={"community": A}, headers=headers)
        assert made.ok, made.text()
        token = made.json()["link"].rsplit("/", 1)[1]
        with httpx.Client(base_url=base) as device:
            consent = {"token": token, "rules_version": 1, "accept_rules": True, "accept_transcript": True}
            assert device.post("/api/join/consent", json=consent).status_code == 200
            claimed = device.post("/api/join/claim", json={"token": token, "display_name": f"Extra {n}"})
            assert claimed.status_code == 200, claimed.text

    # The facilitator admits everyone; the two pages take them into the room; the session runs and ends.
    host.goto(f"{base}/sessions/{session}/lobby")
    host.click("text=Admit everyone")
    host.wait_for_load_state()
    for page in (ani, laman):
        page.wait_for_url(re.compile(r"/room$"), timeout=WAIT)
        page.wait_for_selector("[data-part=connection][data-state=open]", timeout=WAIT)
    for status in ("live", "ended"):
        changed = host.request.post(f"{base}/api/sessions/{session}/status", data={"status": status}, headers=headers)
        assert changed.ok, changed.text()

    # Anahit: from the room's closing screen to the post-survey, which she answers.
    survey_link = ani.locator("[data-part=closing]:not([hidden]) [data-part=closing-survey] a")
    survey_link.wait_for(timeout=WAIT)
    shot(ani, "room-closing-survey-hy-phone")
    survey_link.click()
    ani.wait_for_url(re.compile(r"/survey/post$"))
    assert ani.locator("[data-part=survey-until]").is_visible()
    assert re.search(r"\d{4}", ani.inner_text("[data-part=survey-until]")), "a date with its year"
    fits_the_phone(ani)
    shot(ani, "survey-post-hy-phone")
    ani.locator(f"[data-question=warmth_{A}] input[type=range]").fill("80")
    pick(ani, f"closeness_{A}", "6")
    pick(ani, "trust", "6")
    pick(ani, "again", "yes")
    ani.click("button[data-action=answer]")
    ani.wait_for_url(re.compile(r"/waiting\?survey=answered$"))
    assert ani.locator("[data-part=survey-note]").is_visible()
    assert ani.locator("[data-part=survey-offer]").count() == 0

    # Ləman: from her own page after the session, where the survey waits until its deadline; she skips it.
    laman.goto(f"{base}/sessions/{session}/waiting")
    offer = laman.locator("[data-part=survey-offer]")
    shot(laman, "waiting-ended-survey-az-phone")
    assert offer.locator("[data-part=survey-until]").is_visible()
    offer.locator(f"a[href='/sessions/{session}/survey/post']").click()
    laman.wait_for_url(re.compile(r"/survey/post$"))
    laman.click(".survey-actions button[formaction$='/survey/post/skip']")
    laman.wait_for_url(re.compile(r"/waiting\?survey=skipped$"))
    assert laman.locator("[data-part=survey-offer]").count() == 0

    # The organiser's dashboard, with the programme's smallest group set to 3 people: in this
    # session's, the attendance of community A (three people) is drawn on the server; community
    # B (one person) and every survey figure (one answer per community) say "Too few answers
    # to show".
    organiser = browser.new_context(viewport=PHONE).new_page()
    watch(organiser, problems)
    log_in(organiser, demo_server, "demo-organiser")
    programme = organiser.locator("main a[href^='/programmes/']").first.get_attribute("href")
    assert programme and re.fullmatch(r"/programmes/\d+", programme), programme
    token = organiser.request.get(base + "/api/auth/me").json()["csrf_token"]
    changed = organiser.request.patch(
        f"{base}/api{programme}", data={"survey_min_group": 3}, headers={"X-CSRF-Token": token, "Origin": base}
    )
    assert changed.ok, changed.text()
    organiser.goto(f"{base}{programme}/outcomes")  # the programme's, then this session's
    assert organiser.locator("main svg").count() > 0, "charts"
    organiser.goto(f"{base}{programme}/outcomes/sessions/{session}")
    assert organiser.locator("main svg").count() > 0, "charts"
    text = organiser.inner_text("main")
    assert "Too few answers to show" in text and "fewer than 3 people: Community B" in text
    for name in ("Անահիտ", "Ləman", "Լսել և լսելի լինել"):  # no name, no free text not reviewed
        assert name not in organiser.content()
    fits_the_phone(organiser)
    shot(organiser, "outcomes-en-phone")
    organiser.context.close()

    for context in (ani_context, laman_context):
        context.close()
    audit.assert_clean()
    assert problems == []
