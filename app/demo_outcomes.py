"""Demo data for the outcomes dashboard: one earlier session of the demo programme that was
held and ended, with six participants per community who spoke and answered both surveys, so
an organiser who opens the dashboard of the demo sees charts. Made once; later runs keep it."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.dialogues import seats as seat_service
from app.dialogues.invitations import create_invitation
from app.dialogues.models import DialogueSession, Invitation, SessionStatus
from app.dialogues.schemas import InvitationCreate, SessionCreate
from app.dialogues.sessions import change_status, schedule_session
from app.facilitation import lobby
from app.facilitation.statements import post_statement
from app.outcomes import answers
from app.outcomes.models import Phase, SurveyAnswer, SurveyResponse, TextReview
from app.programmes.models import Programme
from app.programmes.service import programme_access

TITLE = {
    "en": "Demo session: an earlier meeting",
    "ru": "Демонстрационная встреча: прошлая встреча",
    "az": "Nümayiş görüşü: əvvəlki görüş",
    "hy": "Ցուցադրական հանդիպում. նախորդ հանդիպումը",
}
# Display names from neither community's language: words anyone might choose.
NAMES = {
    0: ("Amber", "Birch", "Cedar", "Dune", "Elm", "Fern"),
    1: ("Grove", "Hazel", "Iris", "Juniper", "Kestrel", "Linden"),
}
SAID = (
    "Thank you for having us. I came to listen first.",
    "I am glad we can talk about our families here.",
    "It is hard for me to hear this, but I want to understand it.",
    "What would help is meeting again, in smaller groups.",
)
HOPES = (
    "To understand how the others see the last years.",
    "To meet people I would never meet otherwise.",
    "That we find one thing we can do together.",
    "To be heard without being judged.",
    "To learn what daily life is like on the other side.",
)


async def ensure_held_session(db: AsyncSession, *, programme: Programme, facilitator: User, now: datetime) -> None:
    """The demo's held session with its answers, unless it exists already."""
    held = (
        await db.exec(
            select(DialogueSession.id).where(
                DialogueSession.programme_id == programme.id, col(DialogueSession.status) == SessionStatus.ended
            )
        )
    ).first()
    if held is not None:
        return
    rng = random.Random(17)  # the same demo every time
    access = await programme_access(db, user=facilitator, programme_id=programme.id)
    session = await schedule_session(
        db,
        actor=facilitator,
        access=access,
        now=now,
        data=SessionCreate(
            title=TITLE,
            starts_at=now + timedelta(hours=1),
            time_zone="UTC",
            planned_minutes=90,
            capacity=12,
            agenda_template="first_meeting",
        ),
    )
    held_at = (now - timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    for status in (SessionStatus.scheduled, SessionStatus.open):
        await change_status(db, session=session, to=status, reason=None, now=held_at)
    session.starts_at = held_at  # held a week ago: scheduled as if in the future, then moved back
    db.add(session)
    communities = [key for key, _ in sorted(NAMES.items())]
    seats = []
    for index in communities:
        for number, name in enumerate(NAMES[index]):
            invitation, _token = await create_invitation(
                db,
                session=session,
                actor=facilitator,
                now=held_at,
                data=InvitationCreate(community=("community-a", "community-b")[index]),
            )
            row = await db.get(Invitation, invitation.id)
            assert row is not None
            seat_service.choose_language(db, invitation=row, language=("en", "ru", "az", "hy")[number % 4])
            await seat_service.give_consent(
                db,
                invitation=row,
                session=session,
                rules_version=1,
                accept_rules=True,
                accept_transcript=True,
                now=held_at,
            )
            seat, _cookie = await lobby.take_seat(db, invitation=row, session=session, display_name=name, now=held_at)
            await lobby.admit(db, seat=seat, now=held_at)
            before = 35 + rng.randint(0, 25)
            await answers.submit(
                db,
                seat=seat,
                session=session,
                phase=Phase.pre,
                now=held_at,
                values={
                    "warmth_community-a": str(before + rng.randint(0, 20) if index == 0 else before),
                    "warmth_community-b": str(before + rng.randint(0, 20) if index == 1 else before),
                    "closeness_community-a": str(rng.randint(2, 4)),
                    "closeness_community-b": str(rng.randint(2, 4)),
                    "trust": str(rng.randint(2, 4)),
                    "hope": str(rng.randint(3, 5)),
                    "difference": str(rng.randint(3, 5)),
                    "before": rng.choice(("never", "never", "once", "several")),
                    "hopes": HOPES[(index * 6 + number) % len(HOPES)],
                },
            )
            seats.append((seat, before))
    await change_status(db, session=session, to=SessionStatus.live, reason=None, now=held_at)
    for turn in range(16):
        seat, _before = seats[(turn * 5) % len(seats)]
        await post_statement(
            db,
            session_id=session.id,
            seat_id=seat.id,
            client_id=uuid.uuid4().hex,
            text=SAID[turn % len(SAID)],
            reply_to=None,
            now=held_at + timedelta(minutes=5 + turn * 4),
        )
    ended = held_at + timedelta(minutes=95)
    await change_status(db, session=session, to=SessionStatus.ended, reason=None, now=ended)
    for seat, before in seats[:-1]:  # one person did not answer afterwards
        await answers.submit(
            db,
            seat=seat,
            session=session,
            phase=Phase.post,
            now=ended + timedelta(hours=2),
            values={
                "warmth_community-a": str(min(100, before + rng.randint(0, 25))),
                "warmth_community-b": str(min(100, before + rng.randint(0, 25))),
                "closeness_community-a": str(rng.randint(3, 5)),
                "closeness_community-b": str(rng.randint(3, 5)),
                "trust": str(rng.randint(3, 6)),
                "hope": str(rng.randint(4, 6)),
                "difference": str(rng.randint(4, 7)),
                "again": rng.choice(("yes", "yes", "yes", "unsure")),
            },
        )
    # The facilitators reviewed the free texts: released as written (they name no one).
    responses = select(SurveyResponse.id).where(SurveyResponse.session_id == session.id)
    texts = (
        await db.exec(
            select(SurveyAnswer).where(
                col(SurveyAnswer.response_id).in_(responses), col(SurveyAnswer.text).is_not(None)
            )
        )
    ).all()
    for answer in texts:
        answer.review, answer.shown_text, answer.reviewed_at = TextReview.released, answer.text, ended
        db.add(answer)
    await db.flush()
