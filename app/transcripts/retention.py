"""Retention: raw words are deleted a programme's number of days after a transcript's
release; the released transcripts stay. `roundtable purge` runs it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.dialogues.models import DialogueSession, Invitation, Seat
from app.events.models import Statement
from app.facilitation.models import PrivateMessage, Report
from app.programmes.models import Programme
from app.transcripts.models import TranscriptRelease


@dataclass
class Purged:
    sessions: int = 0
    statements: int = 0
    private_messages: int = 0
    reports: int = 0
    identities: int = 0  # invitations and seats whose names and contacts were cleared


async def _count(
    db: AsyncSession, model: type[Statement] | type[PrivateMessage] | type[Report], session_id: int
) -> int:
    return (await db.exec(select(func.count()).select_from(model).where(model.session_id == session_id))).one()


async def purge(db: AsyncSession, *, now: datetime) -> Purged:
    """For every programme with a retention period: sessions whose first release is older
    than it lose their statements, private messages, reports, and the names and contacts of
    their people (seats keep only their pseudonyms)."""
    done = Purged()
    programmes = (await db.exec(select(Programme).where(col(Programme.retention_days).is_not(None)))).all()
    for programme in programmes:
        cutoff = now - timedelta(days=programme.retention_days or 0)
        first_release = (
            select(TranscriptRelease.session_id, func.min(TranscriptRelease.released_at).label("first"))
            .group_by(col(TranscriptRelease.session_id))
            .subquery()
        )
        sessions = (
            await db.exec(
                select(DialogueSession.id)
                .join(first_release, first_release.c.session_id == DialogueSession.id)
                .where(DialogueSession.programme_id == programme.id, first_release.c.first <= cutoff)
            )
        ).all()
        for session_id in sessions:
            statements = await _count(db, Statement, session_id)
            messages = await _count(db, PrivateMessage, session_id)
            reports = await _count(db, Report, session_id)
            identities = (
                await db.exec(
                    select(func.count())
                    .select_from(Invitation)
                    .where(
                        Invitation.session_id == session_id,
                        (col(Invitation.real_name).is_not(None)) | (col(Invitation.contact).is_not(None)),
                    )
                )
            ).one()
            if not (statements or messages or reports or identities):
                continue
            await db.exec(delete(Report).where(col(Report.session_id) == session_id))
            await db.exec(delete(PrivateMessage).where(col(PrivateMessage.session_id) == session_id))
            await db.exec(delete(Statement).where(col(Statement.session_id) == session_id))
            await db.exec(
                update(Invitation).where(col(Invitation.session_id) == session_id).values(real_name=None, contact=None)
            )
            await db.exec(
                update(Seat)
                .where(col(Seat.session_id) == session_id)
                .values(display_name=Seat.pseudonym, display_name_key=Seat.pseudonym)
            )
            done.sessions += 1
            done.statements += statements
            done.private_messages += messages
            done.reports += reports
            done.identities += identities
    return done
