"""Answering surveys: what is offered to whom and when, what is stored, and under which key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.dialogues import sessions as session_service
from app.dialogues.models import DialogueSession, Invitation, Seat, SeatRole, SessionStatus
from app.errors import Conflict, ValidationFailed
from app.facilitation.room import Actor
from app.outcomes import answers, questionnaires
from app.outcomes.models import ItemKind, Phase, SurveyAnswer, SurveyResponse, TextReview
from app.outcomes.schemas import Item
from tests.factories import seat_for


async def _offer(app, room, name, phase):
    async with app.state.db.unit_of_work() as db:
        seat = await db.get(Seat, room.people[name].seat_id)
        session = await db.get(DialogueSession, room.session_id)
        return await answers.offer(db, seat=seat, session=session, phase=phase, now=app.state.clock.now())


async def test_the_default_questionnaire_asks_about_every_community_alike(app, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=1, keys=("a", "b", "c"))
    offer = await _offer(app, surveyed.room, "aperson0", Phase.pre)
    assert offer is not None and offer.until is None
    keys = [item.key for item in offer.items]
    for community in ("a", "b", "c"):
        assert f"warmth_{community}" in keys and f"closeness_{community}" in keys
    for item in offer.items:
        assert set(item.text) == {"en", "ru", "az", "hy"}, item.key
        for option in item.options:
            assert set(option.text) == {"en", "ru", "az", "hy"}
    # Every thermometer is the same sentence, only its community differs.
    warmth = {item.text["en"] for item in offer.items if item.kind == "thermometer"}
    assert len(warmth) == 1


async def test_pre_and_post_answers_are_stored_under_one_key_without_seat_or_name(app, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=1)
    await surveyed.answer("aperson0", Phase.pre, {"warmth_b": "40", "trust": "3", "before": "never", "hopes": "Peace"})
    assert await _offer(app, surveyed.room, "aperson0", Phase.pre) is None  # answered: not offered again
    assert await _offer(app, surveyed.room, "aperson0", Phase.post) is None  # not ended yet
    await surveyed.end()
    assert (await _offer(app, surveyed.room, "aperson0", Phase.post)) is not None
    await surveyed.answer("aperson0", Phase.post, {"warmth_b": "65", "trust": "5", "again": "yes"})
    async with app.state.db.unit_of_work() as db:
        responses = (await db.exec(select(SurveyResponse))).all()
        assert {r.phase for r in responses} == {Phase.pre, Phase.post}
        assert len({r.person_key for r in responses}) == 1
        seat = await db.get(Seat, surveyed.room.people["aperson0"].seat_id)
        invitation = await db.get(Invitation, seat.invitation_id)
        assert responses[0].person_key == invitation.person_key
        assert len(responses[0].person_key) == 32  # random, and nothing else
        assert all(r.community_id == seat.community_id for r in responses)
        text = (await db.exec(select(SurveyAnswer).where(SurveyAnswer.item_key == "hopes"))).one()
        assert text.text == "Peace" and text.review is TextReview.pending and text.shown_text is None
        columns = set(SurveyResponse.model_fields) | set(SurveyAnswer.model_fields)
        assert not columns & {"seat_id", "invitation_id", "display_name", "user_id"}


async def test_a_skip_is_recorded_and_ends_the_offer(app, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=1)
    await surveyed.answer("bperson0", Phase.pre, None)
    assert await _offer(app, surveyed.room, "bperson0", Phase.pre) is None
    with pytest.raises(Conflict) as refused:
        await surveyed.answer("bperson0", Phase.pre, {"trust": "4"})
    assert refused.value.code == "survey_done"


async def test_bad_answers_are_refused_field_by_field(app, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=1)
    with pytest.raises(ValidationFailed) as refused:
        await surveyed.answer(
            "aperson0", Phase.pre, {"warmth_a": "101", "trust": "x", "before": "maybe", "hopes": "a\u202eb"}
        )
    fields = {d["field"] for d in refused.value.details or []}
    assert fields == {"warmth_a", "trust", "before", "hopes"}
    # Nothing was stored, and the survey is still offered.
    assert await _offer(app, surveyed.room, "aperson0", Phase.pre) is not None


async def test_the_post_survey_closes_after_the_programmes_days(app, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=1)
    await surveyed.end()
    offer = await _offer(app, surveyed.room, "aperson0", Phase.post)
    assert offer is not None and offer.until is not None
    app.state.clock.advance(timedelta(days=15))
    assert await _offer(app, surveyed.room, "aperson0", Phase.post) is None
    with pytest.raises(Conflict) as refused:
        await surveyed.answer("aperson0", Phase.post, {"trust": "4"})
    assert refused.value.code == "survey_closed"
    # The pre-survey is closed once the session ended.
    assert await _offer(app, surveyed.room, "bperson0", Phase.pre) is None


async def test_staff_and_interpreters_are_not_surveyed(app, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=1)
    interpreter = await surveyed.room.add_seat("Vera", community=None, role=SeatRole.interpreter)
    async with app.state.db.unit_of_work() as db:
        session = await db.get(DialogueSession, surveyed.room.session_id)
        for actor in (interpreter, surveyed.room.facilitator):
            seat = await db.get(Seat, actor.seat_id)
            assert (
                await answers.offer(db, seat=seat, session=session, phase=Phase.pre, now=app.state.clock.now()) is None
            )
            with pytest.raises(Conflict):
                await answers.submit(
                    db, seat=seat, session=session, phase=Phase.pre, values={}, now=app.state.clock.now()
                )


async def test_an_edit_before_the_first_answer_changes_the_version_and_after_it_makes_a_new_one(
    app, make_surveyed
) -> None:
    surveyed = await make_surveyed(per_community=1)
    programme = await surveyed.programme()
    now = app.state.clock.now()
    items = [Item(key="trust", kind=ItemKind.agreement, text={"en": "I trust them.", "hy": "Վստահում եմ նրանց։"})]
    async with app.state.db.unit_of_work() as db:
        first = await questionnaires.save(db, programme=programme, phase=Phase.pre, items=items, actor_id=None, now=now)
    async with app.state.db.unit_of_work() as db:
        again = await questionnaires.save(db, programme=programme, phase=Phase.pre, items=items, actor_id=None, now=now)
    assert (first.version, again.version, again.id) == (1, 1, first.id)
    await surveyed.answer("aperson0", Phase.pre, {"trust": "6"})
    async with app.state.db.unit_of_work() as db:
        made = await questionnaires.save(db, programme=programme, phase=Phase.pre, items=items, actor_id=None, now=now)
    assert made.version == 2 and made.id != first.id


async def test_an_edit_is_checked_against_the_programme(app, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=1)
    programme = await surveyed.programme()
    now = app.state.clock.now()
    cases = [
        [Item(key="w", kind=ItemKind.thermometer, text={"en": "Warm?"}, towards="zz")],
        [Item(key="w", kind=ItemKind.agreement, text={"de": "Ja?"})],
        [
            Item(key="w", kind=ItemKind.agreement, text={"en": "A"}),
            Item(key="w", kind=ItemKind.agreement, text={"en": "B"}),
        ],
    ]
    for items in cases:
        async with app.state.db.unit_of_work() as db:
            with pytest.raises(ValidationFailed):
                await questionnaires.save(db, programme=programme, phase=Phase.pre, items=items, actor_id=None, now=now)
    for raw in (
        [{"key": "c", "kind": "choice", "text": {"en": "One?"}, "options": [{"key": "x", "text": {"en": "X"}}]}],
        [{"key": "t", "kind": "text", "text": {"en": "Hi {name}"}}],
        [{"key": "t", "kind": "nope", "text": {"en": "Hi"}}],
    ):
        with pytest.raises(ValidationFailed) as refused:
            questionnaires.parse_items(raw)
        assert refused.value.message.startswith("Question 1")


async def test_a_removed_or_banned_seat_is_not_surveyed(app, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=1)
    room = surveyed.room
    await room.act(room.facilitator, "remove", seat_id=room.people["aperson0"].seat_id, reason="Test")
    await room.act(room.facilitator, "ban", seat_id=room.people["bperson0"].seat_id, reason="Test")
    for name in ("aperson0", "bperson0"):
        assert await _offer(app, room, name, Phase.pre) is None
        with pytest.raises(Conflict) as refused:
            await surveyed.answer(name, Phase.pre, {"trust": "4"})
        assert refused.value.code == "survey_not_offered"


async def test_the_post_survey_is_for_those_admitted_and_archiving_does_not_reopen_it(app, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=1)
    room = surveyed.room
    async with app.state.db.unit_of_work() as db:
        session = await db.get(DialogueSession, room.session_id)
    waiting = await seat_for(
        app, facilitator=room.facilitator_user, session=session, community="a", name="Waited", admit=False
    )
    room.people["waited"] = Actor(session_id=room.session_id, seat_id=waiting.seat_id)
    await surveyed.end()
    assert await _offer(app, room, "waited", Phase.post) is None  # never admitted: nothing to tell after
    assert await _offer(app, room, "aperson0", Phase.post) is not None
    app.state.clock.advance(timedelta(days=13))
    async with app.state.db.unit_of_work() as db:
        row = await db.get(DialogueSession, room.session_id)
        await session_service.change_status(
            db, session=row, to=SessionStatus.archived, reason=None, now=app.state.clock.now()
        )
    app.state.clock.advance(timedelta(days=2))  # 15 days after the end, 2 after archiving
    assert await _offer(app, room, "aperson0", Phase.post) is None
