"""Retention of survey answers: a purged session keeps its outcomes as aggregates only (its
dashboard still shows them), its answers are gone, and no free text or name is kept."""

from __future__ import annotations

import json

from sqlmodel import func, select

from app.outcomes.models import OutcomeSnapshot, SurveyAnswer, SurveyResponse
from app.outcomes.retention import purge_answers
from app.transcripts.retention import purge_session
from tests.outcomes.test_dashboard import document, group, known_session

NOTES = ["Aperson1 was kind", "Bperson0 made me think", "tea", "more time", "again soon"]


async def test_a_purged_session_keeps_its_aggregates_and_nothing_else(app, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=5)
    await known_session(surveyed, notes=NOTES)
    session_id, programme_id = surveyed.room.session_id, surveyed.programme_id
    before = await document(app, programme_id, session_id)

    async with app.state.db.unit_of_work() as db:
        deleted = await purge_answers(db, session_id=session_id, now=app.state.clock.now())
        await purge_session(db, session_id=session_id)  # the transcripts' part: statements go too
    assert deleted == 15  # 8 before (one a skip), 7 after
    async with app.state.db.unit_of_work() as db:
        assert (await db.exec(select(func.count()).select_from(SurveyResponse))).one() == 0
        assert (await db.exec(select(func.count()).select_from(SurveyAnswer))).one() == 0
        kept = (await db.exec(select(OutcomeSnapshot))).all()
    assert sorted(k.session_id or 0 for k in kept) == [0, session_id]
    stored = json.dumps([k.document for k in kept], ensure_ascii=False).casefold()
    for words in (*NOTES, "Mountains", "Apples", "Aperson1", "Bperson0"):
        assert words.casefold() not in stored, words

    after = await document(app, programme_id, session_id)
    # The same figures, from the snapshot: the balance (its statements are gone) and the change.
    assert after["balance"] == before["balance"]
    assert after["survey"]["changes"] == before["survey"]["changes"]
    warmth_b = next(c for c in after["survey"]["changes"] if c["key"] == "warmth_b")
    assert group(warmth_b, "a")["shown"] is True and group(warmth_b, "a")["change"] == 10
    assert after["survey"]["texts"] == [] and after["survey"]["as_of"]
    programme = await document(app, programme_id, None)
    assert programme["purged_sessions"] == 1 and programme["survey"]["as_of"]

    # A second run finds nothing more to do, and the snapshot stays as it was.
    async with app.state.db.unit_of_work() as db:
        assert await purge_answers(db, session_id=session_id, now=app.state.clock.now()) == 0
