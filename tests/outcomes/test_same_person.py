"""The same person across a series: a facilitator marks an invitation as the same person as a
participant's invitation of an earlier session of the programme, so one programme-level
pseudonymous key links their survey answers; each wrong link is refused in words; the key
itself is shown to nobody."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlmodel import select

from app.dialogues import seats as seat_service
from app.dialogues.models import DialogueSession, Invitation, Seat, SeatRole
from app.facilitation import lobby
from app.outcomes import answers
from app.outcomes.models import Phase, SurveyResponse
from tests.factories import api_login, make_invitation, make_session, make_world, page_log_in, schedule


@pytest.fixture
async def series(app, make_account):
    world = await make_world(app, make_account)
    later = await make_session(
        app,
        facilitator=world.facilitator.user,
        programme=world.programme,
        title="Second meeting",
        starts_at=app.state.clock.now() + timedelta(days=9),
    )
    await schedule(app, world.session)
    await schedule(app, later)
    world.later = later  # type: ignore[attr-defined]
    return world


async def invite(app, world, session, name: str | None, role: SeatRole = SeatRole.participant) -> Invitation:
    invitation, _token = await make_invitation(
        app,
        facilitator=world.facilitator.user,
        session=session,
        community="a" if role is SeatRole.participant else None,
        role=role,
        real_name=name,
    )
    return invitation


async def reread(app, invitation_id: int) -> Invitation:
    async with app.state.db.unit_of_work() as db:
        return await db.get(Invitation, invitation_id)


async def answer(app, invitation: Invitation, name: str) -> None:
    """The person takes their seat with the invitation and answers the pre-survey."""
    now = app.state.clock.now()
    async with app.state.db.unit_of_work() as db:
        row = await db.get(Invitation, invitation.id)
        session = await db.get(DialogueSession, row.session_id)
        await seat_service.give_consent(
            db, invitation=row, session=session, rules_version=1, accept_rules=True, accept_transcript=True, now=now
        )
        seat, _cookie = await lobby.take_seat(db, invitation=row, session=session, display_name=name, now=now)
        seat = await db.get(Seat, seat.id)
        await answers.submit(db, seat=seat, session=session, phase=Phase.pre, values={"trust": "5"}, now=now)


def link_url(world, invitation: Invitation, *, api: bool = True) -> str:
    base = "/api/sessions" if api else "/sessions"
    return f"{base}/{invitation.session_id}/invitations/{invitation.id}/same-person"


async def test_a_facilitator_links_two_invitations_and_answers_share_one_key(app, client, series):
    earlier = await invite(app, series, series.session, "Nigar Aliyeva")
    later = await invite(app, series, series.later, "Nigar Aliyeva")
    csrf = await api_login(client, series.facilitator)
    linked = await client.post(link_url(series, later), json={"earlier_id": earlier.id}, headers={"X-CSRF-Token": csrf})
    assert linked.status_code == 200, linked.text
    earlier, later = await reread(app, earlier.id), await reread(app, later.id)
    assert earlier.person_key is not None and len(earlier.person_key) == 32
    assert later.person_key == earlier.person_key
    assert earlier.person_key not in linked.text  # the key is never shown

    await answer(app, earlier, "Nigar")
    await answer(app, later, "Nigar")
    async with app.state.db.unit_of_work() as db:
        responses = (await db.exec(select(SurveyResponse))).all()
    assert {r.session_id for r in responses} == {series.session.id, series.later.id}
    assert {r.person_key for r in responses} == {earlier.person_key}

    # Marking it again is no change; the invitations page says who is linked, never the key.
    again = await client.post(link_url(series, later), json={"earlier_id": earlier.id}, headers={"X-CSRF-Token": csrf})
    assert again.status_code == 200
    page = await client.get(f"/sessions/{series.later.id}/invitations")
    text = html.unescape(page.text)
    assert "Same person as Nigar Aliyeva in “First meeting”." in text
    assert earlier.person_key not in page.text
    listing = await client.get(f"/api/sessions/{series.later.id}/invitations")
    assert earlier.person_key not in listing.text


async def test_an_invitation_is_created_as_the_same_person_by_the_api_and_the_page(app, client, series):
    earlier = await invite(app, series, series.session, "Ani")
    csrf = await api_login(client, series.facilitator)
    made = await client.post(
        f"/api/sessions/{series.later.id}/invitations",
        json={"community": "a", "real_name": "Ani", "same_person_as": earlier.id},
        headers={"X-CSRF-Token": csrf},
    )
    assert made.status_code == 201, made.text
    assert (await reread(app, made.json()["id"])).person_key == (await reread(app, earlier.id)).person_key

    browser_csrf = await page_log_in(client, series.facilitator)
    form = await client.get(f"/sessions/{series.later.id}/invitations")
    assert 'name="same_person_as"' in form.text
    assert f'<option value="{earlier.id}"' in form.text and "Ani (Community A)" in html.unescape(form.text)
    other = await invite(app, series, series.session, "Rauf")
    created = await client.post(
        f"/sessions/{series.later.id}/invitations",
        data={"csrf_token": browser_csrf, "role": "participant", "community": "b", "same_person_as": str(other.id)},
    )
    assert created.status_code == 201, created.text
    async with app.state.db.unit_of_work() as db:
        rauf_key = (await db.get(Invitation, other.id)).person_key
        keys = (await db.exec(select(Invitation.person_key).where(Invitation.session_id == series.later.id))).all()
    assert rauf_key is not None and rauf_key in keys

    # A refused link refuses the whole invitation, in words, with nothing created.
    refused = await client.post(
        f"/sessions/{series.later.id}/invitations",
        data={"csrf_token": browser_csrf, "role": "participant", "community": "b", "same_person_as": str(other.id)},
    )
    assert refused.status_code == 422
    assert "Another invitation of this session is already marked as this person." in html.unescape(refused.text)
    async with app.state.db.unit_of_work() as db:
        count = len((await db.exec(select(Invitation).where(Invitation.session_id == series.later.id))).all())
    assert count == 2


async def test_every_wrong_link_is_refused_in_words(app, client, new_client, series, make_account):
    earlier = await invite(app, series, series.session, "Lusine")
    later = await invite(app, series, series.later, "Lusine")
    csrf = await api_login(client, series.facilitator)
    headers = {"X-CSRF-Token": csrf}

    async def refused(target: Invitation, earlier_id: int, status: int, words: str) -> None:
        response = await client.post(link_url(series, target), json={"earlier_id": earlier_id}, headers=headers)
        assert response.status_code == status, response.text
        assert words in response.json()["error"]["message"]

    # Not earlier: the same session, or a later one.
    same_session = await invite(app, series, series.later, "Someone else")
    await refused(later, same_session.id, 409, "a session that starts before this one")
    await refused(earlier, later.id, 409, "a session that starts before this one")
    # Not a participant, on either side.
    observer = await invite(app, series, series.session, "Watcher", role=SeatRole.observer)
    await refused(later, observer.id, 409, "Only participants' invitations")
    later_observer = await invite(app, series, series.later, "Watcher", role=SeatRole.observer)
    await refused(later_observer, earlier.id, 409, "Only participants' invitations")
    # Another programme's invitation, or none at all.
    elsewhere = await make_session(
        app,
        facilitator=series.outsider.user,
        programme=series.other_programme,
        starts_at=app.state.clock.now() + timedelta(hours=1),
    )
    foreign, _ = await make_invitation(app, facilitator=series.outsider.user, session=elsewhere, community="a")
    await refused(later, foreign.id, 404, "There is no such invitation in this programme.")
    await refused(later, 2**31 - 1, 404, "There is no such invitation in this programme.")
    bad = await client.post(link_url(series, later), json={"earlier_id": "x"}, headers=headers)
    assert bad.status_code == 422
    # Two invitations of one session cannot both be the same earlier person.
    assert (
        await client.post(link_url(series, later), json={"earlier_id": earlier.id}, headers=headers)
    ).status_code == 200
    await refused(same_session, earlier.id, 409, "Another invitation of this session is already marked as this person.")
    # Once this invitation's answers are stored under its own key, they cannot be moved.
    answered_here = await invite(app, series, series.later, "Answered")
    await answer(app, answered_here, "Answered")
    other_earlier = await invite(app, series, series.session, "Answered")
    await refused(answered_here, other_earlier.id, 409, "already answered a survey of this session")
    assert (await reread(app, answered_here.id)).person_key != (await reread(app, other_earlier.id)).person_key
    # Nothing refused changed a key.
    assert (await reread(app, same_session.id)).person_key is None
    assert (await reread(app, observer.id)).person_key is None

    # Organisers never reach it, nor facilitators of other programmes.
    for account, status in ((series.organiser, 403), (series.outsider, 404)):
        other = new_client()
        other_csrf = await api_login(other, account)
        response = await other.post(
            link_url(series, later), json={"earlier_id": earlier.id}, headers={"X-CSRF-Token": other_csrf}
        )
        assert response.status_code == status


async def test_the_page_action_links_and_says_why_not(app, client, series):
    earlier = await invite(app, series, series.session, "Rauf Mammadov")
    later = await invite(app, series, series.later, None)
    csrf = await page_log_in(client, series.facilitator)
    page = await client.get(f"/sessions/{series.later.id}/invitations")
    assert f'action="{link_url(series, later, api=False)}"' in page.text
    assert "Rauf Mammadov (Community A)" in html.unescape(page.text)
    # The earlier session lists nobody earlier: no action there.
    assert "/same-person" not in (await client.get(f"/sessions/{series.session.id}/invitations")).text

    empty = await client.post(link_url(series, later, api=False), data={"csrf_token": csrf, "earlier_id": ""})
    assert empty.status_code == 422
    assert "Choose the person from an earlier session." in html.unescape(empty.text)
    done = await client.post(
        link_url(series, later, api=False), data={"csrf_token": csrf, "earlier_id": str(earlier.id)}
    )
    assert done.status_code == 303
    assert (await reread(app, later.id)).person_key == (await reread(app, earlier.id)).person_key
    shown = html.unescape((await client.get(f"/sessions/{series.later.id}/invitations")).text)
    assert "Same person as Rauf Mammadov in “First meeting”." in shown
    backwards = await client.post(
        link_url(series, earlier, api=False), data={"csrf_token": csrf, "earlier_id": str(later.id)}
    )
    assert backwards.status_code == 422
    assert "Choose an invitation of a session that starts before this one." in html.unescape(backwards.text)


async def test_later_invitations_marked_as_this_one_follow_a_correction(app, client, series, make_account):
    """A marked as the same person as B's invitation is corrected to C: an invitation of a
    still later session that was marked as A's follows, so the series stays one person."""
    third = await make_session(
        app,
        facilitator=series.facilitator.user,
        programme=series.programme,
        starts_at=app.state.clock.now() + timedelta(days=20),
    )
    await schedule(app, third)
    wrong = await invite(app, series, series.session, "Wrong")
    right = await invite(app, series, series.session, "Right")
    middle = await invite(app, series, series.later, "Right")
    last = await invite(app, series, third, "Right")
    csrf = await api_login(client, series.facilitator)
    headers = {"X-CSRF-Token": csrf}
    assert (
        await client.post(link_url(series, middle), json={"earlier_id": wrong.id}, headers=headers)
    ).status_code == 200
    assert (
        await client.post(link_url(series, last), json={"earlier_id": middle.id}, headers=headers)
    ).status_code == 200
    assert (await reread(app, last.id)).person_key == (await reread(app, wrong.id)).person_key
    assert (
        await client.post(link_url(series, middle), json={"earlier_id": right.id}, headers=headers)
    ).status_code == 200
    key = (await reread(app, right.id)).person_key
    assert (await reread(app, middle.id)).person_key == key and (await reread(app, last.id)).person_key == key
    assert (await reread(app, wrong.id)).person_key != key


async def test_a_correction_that_would_make_two_of_one_session_the_same_person_is_refused(app, client, series):
    third = await make_session(
        app,
        facilitator=series.facilitator.user,
        programme=series.programme,
        starts_at=app.state.clock.now() + timedelta(days=20),
    )
    await schedule(app, third)
    wrong = await invite(app, series, series.session, "Wrong")
    right = await invite(app, series, series.session, "Right")
    middle = await invite(app, series, series.later, "Right")
    last = await invite(app, series, third, "Right")
    twin = await invite(app, series, third, "Right again")
    headers = {"X-CSRF-Token": await api_login(client, series.facilitator)}
    for target, earlier in ((middle, wrong), (last, middle), (twin, right)):
        response = await client.post(link_url(series, target), json={"earlier_id": earlier.id}, headers=headers)
        assert response.status_code == 200, response.text
    refused = await client.post(link_url(series, middle), json={"earlier_id": right.id}, headers=headers)
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == "Another invitation of this session is already marked as this person."
    assert (await reread(app, middle.id)).person_key == (await reread(app, wrong.id)).person_key
