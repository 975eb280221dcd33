"""The facilitators' review of free-text survey answers: every text of the session with its
question and no name, the transcripts' redaction suggestions applied in an editable field
(names across scripts, contacts), release and withhold; organisers never reach it."""

from __future__ import annotations

import html
import re

import pytest
from sqlmodel import select

from app.accounts.models import Role
from app.dialogues.models import DialogueSession, Seat
from app.outcomes import review
from app.outcomes.models import Phase, SurveyAnswer, TextReview
from app.programmes.models import MemberRole
from tests.conftest import DEFAULT_PASSWORD
from tests.factories import Account, make_invitation, page_log_in
from tests.outcomes.conftest import Surveyed

HOPE = "Я надеюсь, что Լուսինե и я останемся друзьями. Пишите: hope@example.org"


@pytest.fixture
async def surveyed(app, make_room) -> Surveyed:
    """Nigar, Ani, Rauf and Lusine in a live room; someone invited by real name never came."""
    room = await make_room()
    async with app.state.db.unit_of_work() as db:
        session = await db.get(DialogueSession, room.session_id)
    await make_invitation(app, facilitator=room.facilitator_user, session=session, real_name="Armen Petrosyan")
    return Surveyed(room, session.programme_id)


def facilitator(surveyed: Surveyed) -> Account:
    return Account(surveyed.room.facilitator_user, DEFAULT_PASSWORD)


def url(surveyed: Surveyed) -> str:
    return f"/sessions/{surveyed.room.session_id}/survey-texts"


def refs_in(text: str) -> list[str]:
    return re.findall(r'<li class="card survey-text state-\w+" id="text-([0-9a-f]+)"', text)


def field_of(text: str, ref: str) -> str:
    found = re.search(rf'<textarea id="text-field-{ref}" name="text"[^>]*>(.*?)</textarea>', text, re.S)
    assert found, ref
    return html.unescape(found.group(1))


async def texts(app) -> list[SurveyAnswer]:
    async with app.state.db.unit_of_work() as db:
        return list((await db.exec(select(SurveyAnswer).where(SurveyAnswer.text.is_not(None)))).all())  # type: ignore[union-attr]


async def test_the_page_lists_every_text_with_the_matchers_suggestions_and_no_name(app, client, surveyed):
    await surveyed.answer("nigar", Phase.pre, {"hopes": HOPE, "trust": "5"})
    await surveyed.answer("ani", Phase.pre, {"hopes": "Армен сказал главное."})
    await surveyed.answer("rauf", Phase.pre, {"hopes": "Nothing to hide here."})
    await surveyed.end()
    await surveyed.answer("lusine", Phase.post, {"note": "Рауфу спасибо"})
    await page_log_in(client, facilitator(surveyed))
    page = await client.get(url(surveyed))
    assert page.status_code == 200
    text = html.unescape(page.text)
    refs = refs_in(page.text)
    assert len(refs) == 4
    by_original = {}
    for ref in refs:
        block = text.split(f'id="text-{ref}"', 1)[1].split("</li>", 1)[0]
        original = re.search(r'<blockquote class="prewrap">(.*?)</blockquote>', block, re.S)
        assert original
        by_original[original.group(1)] = field_of(page.text, ref)
    # An Armenian name inside Russian (Lusine's display name is Latin), and a contact.
    assert by_original[HOPE] == "Я надеюсь, что [name] и я останемся друзьями. Пишите: [email]"
    # The real name of someone invited who never came, in Cyrillic.
    assert by_original["Армен сказал главное."] == "[name] сказал главное."
    # A name in its case ending.
    assert by_original["Рауфу спасибо"] == "[name] спасибо"
    assert by_original["Nothing to hide here."] == "Nothing to hide here."
    # Each with its question, and nothing that says who wrote it.
    assert text.count("What do you hope this dialogue will bring?") == 3
    assert text.count("Is there anything you would like the organisers to know?") == 1
    async with app.state.db.unit_of_work() as db:
        seats = (await db.exec(select(Seat).where(Seat.session_id == surveyed.room.session_id))).all()
    for seat in [s for s in seats if s.role.value == "participant"]:
        if seat.display_name not in ("Lusine", "Rauf"):  # named inside answers, as written
            assert seat.display_name not in text, seat.display_name
        assert seat.pseudonym not in text
    assert "not reviewed" in text and "Not reviewed: 4" in text
    # Stable from one reading to the next, by the documented rule (not the order of submission).
    again = await client.get(url(surveyed))
    assert refs_in(again.text) == refs == sorted(refs)
    # The session's nav links here for facilitators.
    assert f'href="{url(surveyed)}"' in (await client.get(f"/sessions/{surveyed.room.session_id}")).text


async def test_release_withhold_and_withhold_again(app, client, surveyed):
    await surveyed.answer("nigar", Phase.pre, {"hopes": HOPE})
    csrf = await page_log_in(client, facilitator(surveyed))
    (ref,) = refs_in((await client.get(url(surveyed))).text)
    assert str((await texts(app))[0].id) != ref

    empty = await client.post(f"{url(surveyed)}/{ref}/release", data={"csrf_token": csrf, "text": "   "})
    assert empty.status_code == 422
    assert "Write the words to release, or withhold the answer." in html.unescape(empty.text)
    hidden = await client.post(f"{url(surveyed)}/{ref}/release", data={"csrf_token": csrf, "text": "a\u202eb"})
    assert hidden.status_code == 422 and "hidden direction controls" in hidden.text
    (answer,) = await texts(app)
    assert answer.review is TextReview.pending and answer.shown_text is None

    edited = "Я надеюсь, что [name] и я останемся друзьями."
    released = await client.post(f"{url(surveyed)}/{ref}/release", data={"csrf_token": csrf, "text": edited})
    assert released.status_code == 303
    (answer,) = await texts(app)
    assert (answer.review, answer.shown_text, answer.text) == (TextReview.released, edited, HOPE)
    assert answer.reviewed_by == surveyed.room.facilitator_user.id and answer.reviewed_at is not None
    page = await client.get(url(surveyed))
    assert field_of(page.text, ref) == edited  # the field shows what organisers read
    assert "Released: 1" in page.text

    for _ in range(2):  # a released text withheld; withholding twice is no harm
        withheld = await client.post(f"{url(surveyed)}/{ref}/withhold", data={"csrf_token": csrf})
        assert withheld.status_code == 303
        (answer,) = await texts(app)
        assert (answer.review, answer.shown_text) == (TextReview.withheld, None)
    # And released again, from what the field suggests.
    page = await client.get(url(surveyed))
    suggested = field_of(page.text, ref)
    assert "[email]" in suggested
    assert (
        await client.post(f"{url(surveyed)}/{ref}/release", data={"csrf_token": csrf, "text": suggested})
    ).status_code == 303
    (answer,) = await texts(app)
    assert answer.review is TextReview.released and answer.shown_text == suggested

    unknown = await client.post(f"{url(surveyed)}/{'0' * 24}/release", data={"csrf_token": csrf, "text": "x"})
    assert unknown.status_code == 404
    # A reload of an action's address meets the page.
    reload = await client.get(f"{url(surveyed)}/{ref}/release")
    assert reload.status_code == 303 and reload.headers["location"] == url(surveyed)


async def test_the_service_suggests_with_the_transcripts_matcher(app, surveyed):
    async with app.state.db.unit_of_work() as db:
        session = await db.get(DialogueSession, surveyed.room.session_id)
        matcher = await review.session_matcher(db, session=session)
    suggested, hidden, _possible = review.suggestion(matcher, "Նիգարը и Ани, +374 91 123456")
    assert suggested == "[name] и [name], [phone]"
    assert hidden == ["name", "name", "phone"]


async def test_organisers_and_others_cannot_reach_it(app, client, new_client, surveyed, make_account):
    await surveyed.answer("nigar", Phase.pre, {"hopes": HOPE})
    organiser = await make_account(Role.organiser)
    await surveyed.add_member(organiser.username, MemberRole.organiser)
    csrf = await page_log_in(client, facilitator(surveyed))
    (ref,) = refs_in((await client.get(url(surveyed))).text)
    outsider = await make_account(Role.facilitator)
    for account, status in ((organiser, 403), (outsider, 404)):
        browser = new_client()
        other_csrf = await page_log_in(browser, account)
        assert (await browser.get(url(surveyed))).status_code == status
        for action in ("release", "withhold"):
            posted = await browser.post(f"{url(surveyed)}/{ref}/{action}", data={"csrf_token": other_csrf, "text": "x"})
            assert posted.status_code == status
    anonymous = new_client()
    assert (await anonymous.get(url(surveyed))).headers["location"].startswith("/login?next=")
    (answer,) = await texts(app)
    assert answer.review is TextReview.pending
    assert csrf


async def test_the_review_speaks_the_readers_language(app, client, surveyed):
    """Passes once the lead merged /tmp/tr_editing.json into the catalogs."""
    await surveyed.answer("nigar", Phase.pre, {"hopes": HOPE})
    await page_log_in(client, facilitator(surveyed))
    russian = html.unescape((await client.get(url(surveyed), headers={"Accept-Language": "ru"})).text)
    assert "Тексты опросов" in russian and "Не публиковать" in russian
    azerbaijani = html.unescape((await client.get(url(surveyed), headers={"Accept-Language": "az"})).text)
    assert "Sorğu mətnləri" in azerbaijani and "Yazıldığı kimi" in azerbaijani
