"""In a real browser at laptop size: a facilitator makes three links in one go and hands them
out: "Copy all links" puts all three on the clipboard, the CSV file downloads with a BOM,
and each link has its QR code."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.e2e.conftest import DemoServer
from tests.e2e.test_join_in_a_browser import log_in, watch

SHOTS = Path(os.environ.get("ROUNDTABLE_SCREENSHOTS") or "/tmp/shots")
LAPTOP = {"width": 1280, "height": 900}


def test_three_links_in_bulk_are_copied_at_once(browser, demo_server: DemoServer):
    problems: list[str] = []
    base, session = demo_server.base_url, demo_server.session_id
    context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    watch(page, problems)
    log_in(page, demo_server)
    page.goto(f"{base}/sessions/{session}/invitations")
    page.fill(
        "#f-csv",
        "community-a, participant, Անի Պետրոսյան, , hy\n"
        "community-b, participant, Leyla Aliyeva, , az\n"
        "community-b, observer, Нина Орлова",
    )
    page.click("form[action$='/invitations/bulk'] button[type=submit]")
    page.wait_for_selector("#new-links")

    links = [page.input_value(f"#{field.get_attribute('id')}") for field in page.locator(".handout input").all()]
    assert len(links) == 3 and all(re.fullmatch(rf"{re.escape(base)}/join/[A-Za-z0-9_-]{{43}}", link) for link in links)

    copy_all = page.locator("button[data-copy='#all-links']")
    assert copy_all.is_visible()  # the script showed it
    copy_all.click()
    page.wait_for_selector("button[data-copy='#all-links']:has-text('Copied')")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert [line.rsplit(" ", 1)[-1] for line in copied.splitlines()] == links
    assert "Անի Պետրոսյան" in copied and "Нина Орлова" in copied

    # A QR code for each link, drawn (an SVG data URI the CSP allows), with its alt text.
    images = page.locator(".handout img.qr")
    assert images.count() == 3
    for i in range(3):
        assert images.nth(i).evaluate("(img) => img.complete && img.naturalWidth > 100")
        assert images.nth(i).get_attribute("alt")

    # The CSV file downloads as a file, UTF-8 with a BOM.
    with page.expect_download() as download_info:
        page.click("a[download$='.csv']")
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert all(link in text for link in links) and "Нина Орлова" in text

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "invitations.png"), full_page=True)
    assert not problems, problems
    context.close()
