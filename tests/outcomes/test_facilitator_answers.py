"""Answers one respondent at a time, for a session's facilitators, only where the programme
allows it: "Respondent 1", "Respondent 2", … with their community and each item's answer
before and after; never a name, a pseudonym or a key; free texts only once released;
organisers always refused."""

from __future__ import annotations

import html
import re

import pytest
from sqlmodel import select

from app.accounts.models import Role
from app.dialogues.models import DialogueSession, Invitation, Seat
from app.outcomes import review
from app.outcomes.models import Phase
from app.programmes.models import MemberRole, Programme
from tests.conftest import DEFAULT_PASSWORD
from tests.factories import Account, page_log_in
from tests.outcomes.conftest import Surveyed

TRUST = "I trust that the people of the other community in this dialogue mean what they say."


@pytest.fixture
async def surveyed(app, make_room) -> Surveyed:
    room = await make_room()
    async with app.state.db.unit_of_work() as db:
        session = await db.get(DialogueSession, room.session_id)
    made = Surveyed(room, session.programme_id)
    await made.answer("nigar", Phase.pre, {"trust": "3", "warmth_b": "40", "hopes": "Peace between us"})
    await made.answer("rauf", Phase.pre, None)
    await made.answer("ani", Phase.pre, {"trust": "4", "before": "never"})
    await made.end()
    await made.answer("nigar", Phase.post, {"trust": "6", "warmth_b": "75"})
    await made.answer("rauf", Phase.post, {"trust": "2"})
    return made


async def allow(app, surveyed: Surveyed, on: bool = True) -> None:
    async with app.state.db.unit_of_work() as db:
        programme = await db.get(Programme, surveyed.programme_id)
        programme.facilitators_see_answers = on
        db.add(programme)


def url(surveyed: Surveyed) -> str:
    return f"/sessions/{surveyed.room.session_id}/survey-answers"


def respondents_in(text: str) -> list[str]:
    return re.findall(r'<section class="card respondent".*?</section>', text, re.S)


def row_of(section: str, question: str) -> list[str]:
    found = re.search(rf"<th scope=\"row\"><span>{re.escape(question)}</span></th>(.*?)</tr>", section, re.S)
    assert found, question
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", found.group(1), re.S)]


async def test_off_by_default_and_refused_in_words(app, client, surveyed):
    await page_log_in(client, Account(surveyed.room.facilitator_user, DEFAULT_PASSWORD))
    refused = await client.get(url(surveyed))
    assert refused.status_code == 403
    assert "have not allowed facilitators to read survey answers one respondent at a time" in html.unescape(
        refused.text
    )
    nav = (await client.get(f"/sessions/{surveyed.room.session_id}/survey-texts")).text
    assert url(surveyed) not in nav


async def test_on_each_respondent_is_a_number_with_answers_before_and_after_and_no_name(app, client, surveyed):
    await allow(app, surveyed)
    await page_log_in(client, Account(surveyed.room.facilitator_user, DEFAULT_PASSWORD))
    page = await client.get(url(surveyed))
    assert page.status_code == 200
    text = html.unescape(page.text)
    sections = respondents_in(text)
    assert len(sections) == 3  # Nigar, Rauf, Ani; Lusine never answered
    for number, section in enumerate(sections, start=1):
        assert f"Respondent {number}" in section
    assert "Respondent 4" not in text
    # Answers: Nigar 3 → 6, Rauf skipped → 2, Ani 4 → nothing.
    trust = sorted(tuple(row_of(s, TRUST)) for s in sections)
    assert trust == sorted([("3", "6"), ("—", "2"), ("4", "—")])
    nigar = next(s for s in sections if tuple(row_of(s, TRUST)) == ("3", "6"))
    assert "Community A" in nigar
    assert "Skipped the survey before the session." in next(
        s for s in sections if tuple(row_of(s, TRUST)) == ("—", "2")
    )
    # The free text waits for its review.
    assert "Peace between us" not in text and "not reviewed yet" in nigar
    # Nothing that says who: no display name, pseudonym, key.
    async with app.state.db.unit_of_work() as db:
        seats = (await db.exec(select(Seat).where(Seat.session_id == surveyed.room.session_id))).all()
        keys = [
            k
            for k in (
                await db.exec(select(Invitation.person_key).where(Invitation.session_id == surveyed.room.session_id))
            ).all()
            if k
        ]
    for seat in seats:
        if seat.role.value == "participant":
            assert seat.display_name not in text and seat.pseudonym not in text
    assert keys and not any(key in page.text for key in keys)
    # The same order on every reading.
    assert respondents_in(html.unescape((await client.get(url(surveyed))).text)) == sections
    assert f'href="{url(surveyed)}"' in page.text  # the nav links here now

    # Released, the text shows as the facilitator left it.
    async with app.state.db.unit_of_work() as db:
        session = await db.get(DialogueSession, surveyed.room.session_id)
        (entry,) = await review.texts_for_review(db, session=session)
        await review.release(
            db,
            session=session,
            ref=entry.ref,
            text="Peace between [name]",
            user_id=surveyed.room.facilitator_user.id,
            now=app.state.clock.now(),
        )
    shown = html.unescape((await client.get(url(surveyed))).text)
    assert "Peace between [name]" in shown and "Peace between us" not in shown


async def test_organisers_are_always_refused(app, new_client, surveyed, make_account):
    organiser = await make_account(Role.organiser)
    await surveyed.add_member(organiser.username, MemberRole.organiser)
    outsider = await make_account(Role.facilitator)
    for on in (False, True):
        await allow(app, surveyed, on)
        for account, status in ((organiser, 403), (outsider, 404)):
            browser = new_client()
            await page_log_in(browser, account)
            response = await browser.get(url(surveyed))
            assert response.status_code == status, (on, account.username)
            assert "Respondent 1" not in response.text
