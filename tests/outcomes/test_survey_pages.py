"""The survey pages as participants use them: the pre-survey in the join flow, the post-survey
after the session until its deadline, answering, skipping, bad answers, and who may open them."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from itertools import pairwise

import httpx
from sqlmodel import select

from app.dialogues.models import DialogueSession, Invitation, Seat, SeatRole
from app.outcomes import questionnaires
from app.outcomes.instruments import CLOSENESS, WARMTH
from app.outcomes.models import ItemKind, Phase, SurveyAnswer, SurveyResponse
from app.outcomes.schemas import Item
from app.web.survey_pages import IOS_PICTURES, IOS_R
from tests.factories import CSRF_META, LABELS, make_invitation, make_world, schedule, seat_for

TOKEN_FIELD = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def as_seat(client: httpx.AsyncClient, cookie: str) -> httpx.AsyncClient:
    name, _, value = cookie.partition("=")
    client.cookies.set(name, value)
    return client


def csrf_of(page: httpx.Response) -> str:
    match = CSRF_META.search(page.text)
    assert match, page.text[:500]
    return match.group(1)


def error_at(page: str, key: str) -> str:
    """The error message shown at one question."""
    match = re.search(rf'<p class="field-error" id="q-{re.escape(key)}-error">([^<]*)</p>', page)
    assert match, f"no error at {key}"
    return html.unescape(match.group(1))


async def responses(app) -> list[SurveyResponse]:
    async with app.state.db.unit_of_work() as db:
        return list((await db.exec(select(SurveyResponse))).all())


async def answers_of(app, response_id: int) -> dict[str, SurveyAnswer]:
    async with app.state.db.unit_of_work() as db:
        rows = (await db.exec(select(SurveyAnswer).where(SurveyAnswer.response_id == response_id))).all()
    return {row.item_key: row for row in rows}


async def test_the_join_flow_leads_a_participant_to_the_pre_survey_and_a_staff_seat_to_the_lobby(
    app, new_client, make_account
) -> None:
    world = await make_world(app, make_account)
    await schedule(app, world.session)
    session_id = world.session.id
    for role, community, name, next_page in (
        (SeatRole.participant, "a", "Nigar", f"/sessions/{session_id}/survey/pre"),
        (SeatRole.observer, None, "Vera", f"/sessions/{session_id}/waiting"),
    ):
        _invitation, token = await make_invitation(
            app, facilitator=world.facilitator.user, session=world.session, community=community, role=role
        )
        person = new_client()
        await person.get(f"/join/{token}")
        csrf = csrf_of(await person.get("/join/language"))
        await person.post("/join/language", data={"csrf_token": csrf, "language": "en"})
        agreed = await person.post(
            "/join/rules",
            data={"csrf_token": csrf, "rules_version": "1", "accept_rules": "1", "accept_transcript": "1"},
        )
        assert agreed.headers["location"] == "/join/name"
        seated = await person.post("/join/name", data={"csrf_token": csrf, "display_name": name})
        assert seated.status_code == 303 and seated.headers["location"] == next_page, role
        page = await person.get(next_page)
        assert page.status_code == 200
        if role is SeatRole.participant:
            text = page.text
            assert "This survey is optional." in text and "skip the whole survey" in text
            assert "stored without your name" in text and "before and after" in text
            assert "groups of at least 5 people" in text  # the programme's survey_min_group
            assert "read by the facilitators first" in text
            # The joining steps name the survey, between the name and the lobby.
            steps = re.search(r'<ol class="steps".*?</ol>', text, re.S)
            assert steps and re.search(r"Your name.*Survey.*Lobby", steps.group(0), re.S)
            assert 'aria-current="step">Survey<' in steps.group(0)
            # The lobby links to the pre-survey while it is still offered.
            lobby = await person.get(f"/sessions/{session_id}/waiting")
            assert f'href="/sessions/{session_id}/survey/pre"' in lobby.text
            assert ">Survey<" in lobby.text
        else:
            assert "You are in the lobby" in page.text
            assert "/survey/" not in page.text and ">Survey<" not in page.text


async def test_answers_are_stored_and_the_lobby_thanks_and_stops_offering(app, client, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=1, live=False)
    session_id = surveyed.room.session_id
    as_seat(client, surveyed.room.cookies["aperson0"])
    page = await client.get(f"/sessions/{session_id}/survey/pre")
    assert page.status_code == 200
    # Every kind is on the page: the thermometer with its anchors, the seven pictures, the
    # agreement scale, the choice and the free text.
    text = page.text
    assert 'type="number"' in text and 'min="0"' in text and 'max="100"' in text
    for anchor in ("very cold", "neither warm nor cold", "very warm"):
        assert anchor in text
    assert text.count('name="closeness_b" value=') == 7 and text.count("<svg") >= 14
    assert text.count("You</text>") >= 14 and text.count("Them</text>") >= 14
    for anchor in ("strongly disagree", "neither agree nor disagree", "strongly agree"):
        assert anchor in text
    assert 'name="before" value="never"' in text and "<textarea" in text
    assert "<fieldset" in text and "<legend" in text
    sent = await client.post(
        f"/sessions/{session_id}/survey/pre",
        data={
            "csrf_token": csrf_of(page),
            "warmth_b": "70",
            "closeness_b": "5",
            "trust": "6",
            "hope": "",  # left out
            "before": "once",
            "hopes": "To listen.",
        },
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"/sessions/{session_id}/waiting?survey=answered"
    [response] = await responses(app)
    assert response.phase is Phase.pre and not response.skipped
    stored = await answers_of(app, response.id)
    assert set(stored) == {"warmth_b", "closeness_b", "trust", "before", "hopes"}
    assert stored["warmth_b"].number == 70 and stored["closeness_b"].number == 5 and stored["trust"].number == 6
    assert stored["before"].choice == "once" and stored["hopes"].text == "To listen."
    lobby = await client.get(sent.headers["location"])
    assert "Thank you for your answers." in lobby.text
    assert "/survey/pre" not in lobby.text  # answered: not offered again
    again = await client.get(f"/sessions/{session_id}/survey/pre")
    assert again.status_code == 200 and "You have already answered or skipped this survey." in again.text
    assert "<form" not in again.text.split("<main", 1)[1].split("</main>", 1)[0]
    twice = await client.post(f"/sessions/{session_id}/survey/pre", data={"csrf_token": csrf_of(page), "trust": "1"})
    assert twice.status_code == 409 and "already answered" in twice.text
    assert len(await responses(app)) == 1


async def test_a_skip_is_recorded_and_the_survey_not_offered_again(app, client, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=1, live=False)
    session_id = surveyed.room.session_id
    as_seat(client, surveyed.room.cookies["bperson0"])
    page = await client.get(f"/sessions/{session_id}/survey/pre")
    assert f'action="/sessions/{session_id}/survey/pre/skip"' in page.text
    skipped = await client.post(f"/sessions/{session_id}/survey/pre/skip", data={"csrf_token": csrf_of(page)})
    assert skipped.status_code == 303
    assert skipped.headers["location"] == f"/sessions/{session_id}/waiting?survey=skipped"
    [response] = await responses(app)
    assert response.skipped and await answers_of(app, response.id) == {}
    lobby = await client.get(skipped.headers["location"])
    assert "You skipped the survey." in lobby.text and "/survey/pre" not in lobby.text
    # A reload of the skip action (a GET) goes back to the survey's page, which says it is done.
    reloaded = await client.get(f"/sessions/{session_id}/survey/pre/skip")
    assert reloaded.status_code == 303 and reloaded.headers["location"] == f"/sessions/{session_id}/survey/pre"
    done = await client.get(reloaded.headers["location"])
    assert "You have already answered or skipped this survey." in done.text


async def test_bad_answers_are_shown_at_their_questions_with_what_was_entered(app, client, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=1, live=False)
    session_id = surveyed.room.session_id
    as_seat(client, surveyed.room.cookies["aperson0"])
    page = await client.get(f"/sessions/{session_id}/survey/pre")
    refused = await client.post(
        f"/sessions/{session_id}/survey/pre",
        data={
            "csrf_token": csrf_of(page),
            "warmth_a": "150",
            "warmth_b": "40",
            "closeness_a": "9",
            "trust": "x",
            "before": "maybe",
            "hopes": "x" * 1001,
        },
    )
    assert refused.status_code == 422
    text = refused.text
    assert error_at(text, "warmth_a") == "Choose a number from 0 to 100."
    assert error_at(text, "closeness_a") == "Choose a number from 1 to 7."
    assert error_at(text, "trust") == "Choose a number from 1 to 7."
    assert error_at(text, "before") == "Choose one of the options."
    assert error_at(text, "hopes") == "This is too long: at most 1000 characters."
    assert 'id="q-warmth_b-error"' not in text
    # What was entered is still there, and each field with an error says so.
    assert re.search(r'name="warmth_a" type="number"[^>]*value="150"', text)
    assert re.search(r'name="warmth_b" type="number"[^>]*value="40"', text)
    assert re.search(r'id="q-warmth_a"[^>]*aria-describedby="[^"]*q-warmth_a-error"[^>]*aria-invalid="true"', text)
    assert "x" * 1001 in text
    assert "Some answers are not valid." in text
    assert await responses(app) == []  # nothing stored, and still offered
    assert (await client.get(f"/sessions/{session_id}/survey/pre")).status_code == 200
    assert "<textarea" in (await client.get(f"/sessions/{session_id}/survey/pre")).text


async def test_the_post_survey_is_offered_after_the_end_until_its_deadline(app, new_client, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=1)
    session_id = surveyed.room.session_id
    person = as_seat(new_client(), surveyed.room.cookies["aperson0"])
    early = await person.get(f"/sessions/{session_id}/survey/post")
    assert early.status_code == 200 and "This survey opens when the session has ended." in early.text
    assert 'name="warmth_b"' not in early.text
    refused = await person.post(f"/sessions/{session_id}/survey/post", data={"csrf_token": csrf_of(early)})
    assert refused.status_code == 409

    await surveyed.end()
    own = await person.get(f"/sessions/{session_id}/waiting")
    assert own.status_code == 200 and "This session has ended." in own.text
    assert f'href="/sessions/{session_id}/survey/post"' in own.text
    assert 'data-part="survey-until"' in own.text and str(app.state.clock.now().year) in own.text
    form = await person.get(f"/sessions/{session_id}/survey/post")
    assert form.status_code == 200 and 'name="again"' in form.text and "You can answer until" in form.text
    assert 'class="steps"' not in form.text  # not a joining step any more
    sent = await person.post(
        f"/sessions/{session_id}/survey/post", data={"csrf_token": csrf_of(form), "warmth_b": "80", "again": "yes"}
    )
    assert sent.headers["location"] == f"/sessions/{session_id}/waiting?survey=answered"
    after = await person.get(sent.headers["location"])
    assert "Thank you for your answers." in after.text and "This session has ended." in after.text
    assert "/survey/post" not in after.text
    [response] = await responses(app)
    assert response.phase is Phase.post

    # Another participant comes back after the deadline: closed, and no longer offered.
    late = as_seat(new_client(), surveyed.room.cookies["bperson0"])
    app.state.clock.advance(timedelta(days=15))
    closed = await late.get(f"/sessions/{session_id}/survey/post")
    assert closed.status_code == 200 and "This survey is closed." in closed.text
    assert "/survey/post" not in (await late.get(f"/sessions/{session_id}/waiting")).text
    gone = await late.post(f"/sessions/{session_id}/survey/post/skip", data={"csrf_token": csrf_of(closed)})
    assert gone.status_code == 409 and "This survey is closed." in gone.text
    # The pre-survey closed when the session ended.
    assert "This survey is closed." in (await late.get(f"/sessions/{session_id}/survey/pre")).text
    assert len(await responses(app)) == 1


async def test_staff_seats_are_not_surveyed(app, client, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=1, live=False)
    session_id = surveyed.room.session_id
    async with app.state.db.unit_of_work() as db:
        session = await db.get(DialogueSession, session_id)
    co = await seat_for(
        app,
        facilitator=surveyed.room.facilitator_user,
        session=session,
        community=None,
        name="Co",
        role=SeatRole.facilitator,
    )
    as_seat(client, co.cookie)
    page = await client.get(f"/sessions/{session_id}/survey/pre")
    assert page.status_code == 200 and "Surveys are for participants." in page.text
    assert 'name="warmth_a"' not in page.text
    refused = await client.post(f"/sessions/{session_id}/survey/pre/skip", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 409
    refused = await client.post(f"/sessions/{session_id}/survey/pre", data={"csrf_token": csrf_of(page), "trust": "4"})
    assert refused.status_code == 409
    lobby = await client.get(f"/sessions/{session_id}/waiting")
    assert "/survey/" not in lobby.text and ">Survey<" not in lobby.text
    assert await responses(app) == []


async def test_only_the_seat_of_this_session_opens_its_survey(app, new_client, make_surveyed) -> None:
    first = await make_surveyed(per_community=1, live=False)
    second = await make_surveyed(per_community=1, live=False)
    session_id = first.room.session_id
    stranger = as_seat(new_client(), second.room.cookies["aperson0"])
    for path in (f"/sessions/{session_id}/survey/pre", f"/sessions/{session_id}/survey/post"):
        assert (await stranger.get(path)).status_code == 404
    csrf = csrf_of(await stranger.get("/login"))
    for path in (f"/sessions/{session_id}/survey/pre", f"/sessions/{session_id}/survey/pre/skip"):
        assert (await stranger.post(path, data={"csrf_token": csrf, "trust": "4"})).status_code == 404
    nobody = new_client()
    assert (await nobody.get(f"/sessions/{session_id}/survey/pre")).status_code == 404
    assert await responses(app) == []
    # An unknown phase is not a survey.
    own = as_seat(new_client(), first.room.cookies["aperson0"])
    assert (await own.get(f"/sessions/{session_id}/survey/during")).status_code == 404
    assert (await own.get(f"/sessions/{session_id}/survey/pre")).status_code == 200


async def _armenian_seat(app, surveyed) -> str:
    async with app.state.db.unit_of_work() as db:
        session = await db.get(DialogueSession, surveyed.room.session_id)
    person = await seat_for(
        app, facilitator=surveyed.room.facilitator_user, session=session, community="a", name="Անի", language="hy"
    )
    return person.cookie


async def test_the_armenian_page_shows_the_armenian_questions(app, client, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=1, live=False)
    as_seat(client, await _armenian_seat(app, surveyed))
    page = await client.get(f"/sessions/{surveyed.room.session_id}/survey/pre")
    assert page.status_code == 200 and '<html lang="hy">' in page.text
    text = html.unescape(page.text)
    # Each community's name in the question, in Armenian.
    for key in ("a", "b"):
        assert WARMTH["hy"].replace("{community}", LABELS[key]["hy"]) in text
        assert CLOSENESS["hy"].replace("{community}", LABELS[key]["hy"]) in text
    assert "Նախկինում մասնակցե՞լ եք" in text and "Ոչ, առաջին անգամն է" in text
    assert WARMTH["en"].split("{")[0] not in text and "Not translated yet" not in text


async def test_a_question_not_yet_in_the_readers_language_is_marked(app, client, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=1, live=False)
    programme = await surveyed.programme()
    items = [Item(key="warm", kind=ItemKind.thermometer, text={"en": "Warmth towards {community}?"}, towards="b")]
    async with app.state.db.unit_of_work() as db:
        await questionnaires.save(
            db, programme=programme, phase=Phase.pre, items=items, actor_id=None, now=app.state.clock.now()
        )
    as_seat(client, await _armenian_seat(app, surveyed))
    page = await client.get(f"/sessions/{surveyed.room.session_id}/survey/pre")
    # The sentence is English, so is the community's name in it; the page says it is a fallback.
    assert '<span lang="en">Warmth towards Community B?</span>' in page.text
    assert "Դեռ թարգմանված չէ" in page.text  # "Not translated yet"


async def test_the_armenian_page_is_in_armenian_throughout(app, client, make_surveyed) -> None:
    """Needs the catalogs merged (the page's own words: /tmp/tr_answer.json)."""
    surveyed = await make_surveyed(per_community=1, live=False)
    as_seat(client, await _armenian_seat(app, surveyed))
    text = (await client.get(f"/sessions/{surveyed.room.session_id}/survey/pre")).text
    for english in ("This survey is optional.", "Skip the survey", "Send my answers", "very warm", "Them</text>"):
        assert english not in text, english


def test_the_seven_pictures_go_from_apart_to_almost_one_circle() -> None:
    distances = [picture.right - picture.left for picture in IOS_PICTURES]
    assert [picture.value for picture in IOS_PICTURES] == list(range(1, 8))
    assert distances[0] > 2 * IOS_R  # 1: apart
    assert all(a > b for a, b in pairwise(distances))  # each closer than the one before
    assert 0 < distances[-1] < 0.4 * IOS_R  # 7: almost the same circle
    for picture in IOS_PICTURES:  # each label inside its own circle, clear of the other label
        assert abs(picture.you_x - picture.left) < IOS_R and abs(picture.them_x - picture.right) < IOS_R
        assert picture.them_x - picture.you_x >= 34 or abs(picture.them_y - picture.you_y) >= 12


async def test_a_seat_whose_invitation_has_no_key_yet_gets_one_only_when_it_answers(app, client, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=1, live=False)
    as_seat(client, surveyed.room.cookies["aperson0"])
    page = await client.get(f"/sessions/{surveyed.room.session_id}/survey/pre")
    async with app.state.db.unit_of_work() as db:
        seat = await db.get(Seat, surveyed.room.people["aperson0"].seat_id)
        assert (await db.get(Invitation, seat.invitation_id)).person_key is None  # opening stores nothing
    await client.post(
        f"/sessions/{surveyed.room.session_id}/survey/pre", data={"csrf_token": csrf_of(page), "trust": "3"}
    )
    async with app.state.db.unit_of_work() as db:
        seat = await db.get(Seat, surveyed.room.people["aperson0"].seat_id)
        key = (await db.get(Invitation, seat.invitation_id)).person_key
    [response] = await responses(app)
    assert key and response.person_key == key
