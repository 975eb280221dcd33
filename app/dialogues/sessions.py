"""The rules for dialogue sessions: scheduling, editing, status, quotas, ground rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.dialogues import builtin_texts
from app.dialogues.agenda import agenda_of, apply_template
from app.dialogues.content import (
    builtin_in,
    edited_texts,
    language_list,
    languages_of,
    new_texts,
    programme_languages,
    required_text,
)
from app.dialogues.models import (
    FINISHED,
    PLANNING,
    DialogueSession,
    GroundRules,
    Seat,
    SeatQuota,
    SeatRole,
    SeatStatus,
    SessionStatus,
)
from app.dialogues.schemas import SessionCreate, SessionUpdate, TextWarning
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.log import append_event
from app.events.schemas import SessionStatusChanged
from app.messages import Msg, joined, status_word
from app.programmes.models import Community, MemberRole, Programme
from app.programmes.service import ProgrammeAccess, communities_of, programme_access
from app.programmes.texts import Texts, cleaned, missing_languages

# The built-in ground rules, one text per language (en, ru, az, hy); a programme keeps its own
# languages of them (app/dialogues/builtin_texts.py).
DEFAULT_GROUND_RULES: Texts = builtin_texts.DEFAULT_GROUND_RULES

# Where a session may go from each status. Anything else is refused.
TRANSITIONS: dict[SessionStatus, tuple[SessionStatus, ...]] = {
    SessionStatus.draft: (SessionStatus.scheduled, SessionStatus.cancelled),
    SessionStatus.scheduled: (SessionStatus.open, SessionStatus.cancelled),
    SessionStatus.open: (SessionStatus.live, SessionStatus.cancelled),
    SessionStatus.live: (SessionStatus.paused, SessionStatus.ended),
    SessionStatus.paused: (SessionStatus.live, SessionStatus.ended),
    SessionStatus.ended: (SessionStatus.archived,),
    SessionStatus.archived: (),
    SessionStatus.cancelled: (),
}
# Before these, the plan (time, quotas, settings) may still change.


@dataclass(frozen=True)
class SessionAccess:
    session: DialogueSession
    programme: Programme
    role: MemberRole

    @property
    def is_facilitator(self) -> bool:
        return self.role is MemberRole.facilitator


def _field_error(field: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, details=[{"field": field, "type": code, "message": message}])


async def session_access(db: AsyncSession, *, user: User, session_id: int, facilitator: bool = False) -> SessionAccess:
    """The caller's access to a session through its programme; NotFound when they have none."""
    session = await db.get(DialogueSession, session_id)
    if session is None:
        raise NotFound(Msg("There is no such session."))
    try:
        access = await programme_access(
            db,
            user=user,
            programme_id=session.programme_id,
            roles=(MemberRole.facilitator,) if facilitator else None,
        )
    except NotFound:
        raise NotFound(Msg("There is no such session.")) from None
    return SessionAccess(session=session, programme=access.programme, role=access.role)


async def list_sessions(db: AsyncSession, *, programme_id: int) -> list[DialogueSession]:
    rows = await db.exec(
        select(DialogueSession)
        .where(DialogueSession.programme_id == programme_id, col(DialogueSession.parent_id).is_(None))
        .order_by(col(DialogueSession.starts_at), col(DialogueSession.id))
    )
    return list(rows.all())


def to_utc(moment: datetime, zone: str) -> datetime:
    """A time with an offset is taken as it is; a bare one is local to `zone`, and must
    exist there (not skipped by a clock change)."""
    try:
        if moment.tzinfo is None:
            local = moment.replace(tzinfo=ZoneInfo(zone))
            utc = local.astimezone(ZoneInfo("UTC"))
            if utc.astimezone(ZoneInfo(zone)).replace(tzinfo=None) != moment:
                raise _field_error(
                    "starts_at",
                    Msg(
                        "{moment} does not exist in {zone} (the clocks change then).",
                        moment=f"{moment:%Y-%m-%d %H:%M}",
                        zone=zone,
                    ),
                    "nonexistent_local_time",
                )
            return utc
        return moment.astimezone(ZoneInfo("UTC"))
    except OverflowError:
        raise _field_error("starts_at", Msg("That date is out of range."), "date_out_of_range") from None


MAX_AHEAD = timedelta(days=5 * 366)


def check_start(starts_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise _field_error("starts_at", Msg("The start time is in the past."), "start_in_past")
    if starts_at > now + MAX_AHEAD:
        raise _field_error("starts_at", Msg("Sessions can be planned up to five years ahead."), "start_too_far")


def ends_at(session: DialogueSession) -> datetime:
    return session.starts_at + timedelta(minutes=session.planned_minutes)


def _planned_minutes(starts_at: datetime, data: SessionCreate) -> int:
    if data.ends_at is None:
        return data.planned_minutes or 120
    try:
        end = to_utc(data.ends_at, data.time_zone)
    except ValidationFailed:
        raise _field_error("ends_at", Msg("That end time is not valid."), "bad_end") from None
    if end <= starts_at:
        raise _field_error("ends_at", Msg("The session must end after it starts."), "end_before_start")
    minutes = int((end - starts_at).total_seconds() // 60)
    if minutes < 15 or minutes > 12 * 60:
        raise _field_error("ends_at", Msg("A session lasts between 15 minutes and 12 hours."), "bad_length")
    return minutes


def _resolve_quotas(communities: list[Community], capacity: int, quotas: dict[str, int] | None) -> dict[int, int]:
    """Seats per community id: parity when not given; every key must be the programme's."""
    by_key = {c.key: c for c in communities}
    if quotas is None:
        share = capacity // len(communities)
        return {c.id: share for c in communities}
    unknown = sorted(set(quotas) - set(by_key))
    if unknown:
        raise _field_error(
            "quotas",
            Msg(
                "'{key}' is not a community of this programme (it has {communities}).",
                key=unknown[0],
                communities=", ".join(sorted(by_key)),
            ),
            "unknown_community",
        )
    total = sum(quotas.values())
    if total > capacity:
        raise _field_error(
            "capacity",
            Msg(
                "The capacity ({capacity}) is below the community quotas, which add up to {total}.",
                capacity=capacity,
                total=total,
            ),
            "capacity_below_quotas",
        )
    return {by_key[key].id: quotas.get(key, 0) for key in by_key}


async def current_rules(db: AsyncSession, *, session_id: int) -> GroundRules:
    rules = (
        await db.exec(
            select(GroundRules).where(GroundRules.session_id == session_id).order_by(col(GroundRules.version).desc())
        )
    ).first()
    if rules is None:  # every session is created with a first version
        raise NotFound(Msg("This session has no ground rules."))
    return rules


async def set_ground_rules(
    db: AsyncSession, *, session: DialogueSession, text: Mapping[str, str], actor: User | None, now: datetime
) -> GroundRules:
    """Store the texts as a new version if they differ from the current one in any language:
    the rules are versioned as a whole, all languages together."""
    text = cleaned(text)
    try:
        latest: GroundRules | None = await current_rules(db, session_id=session.id)
    except NotFound:
        latest = None
    if latest is not None and latest.text == text:
        return latest
    rules = GroundRules(
        session_id=session.id,
        version=(latest.version + 1) if latest else 1,
        text=text,
        created_by=actor.id if actor else None,
        created_at=now,
    )
    db.add(rules)
    await db.flush()
    return rules


async def quotas_of(db: AsyncSession, *, session_id: int) -> dict[int, int]:
    rows = await db.exec(select(SeatQuota).where(SeatQuota.session_id == session_id))
    return {row.community_id: row.seats for row in rows.all()}


async def _store_quotas(db: AsyncSession, *, session_id: int, quotas: dict[int, int]) -> None:
    existing = {
        row.community_id: row
        for row in (await db.exec(select(SeatQuota).where(SeatQuota.session_id == session_id))).all()
    }
    for community_id, seats in quotas.items():
        row = existing.get(community_id) or SeatQuota(session_id=session_id, community_id=community_id, seats=seats)
        row.seats = seats
        db.add(row)
    await db.flush()


async def occupied_seats(db: AsyncSession, *, session_id: int) -> dict[int | None, int]:
    """Participants holding a place, by community: waiting in the lobby or admitted.
    Someone refused, removed, banned or gone frees their place."""
    rows = await db.exec(
        select(Seat.community_id, func.count())
        .where(
            Seat.session_id == session_id,
            Seat.role == SeatRole.participant,
            col(Seat.status).in_([SeatStatus.lobby, SeatStatus.admitted]),
        )
        .group_by(col(Seat.community_id))
    )
    return dict(rows.all())


async def schedule_session(
    db: AsyncSession, *, actor: User, access: ProgrammeAccess, data: SessionCreate, now: datetime
) -> DialogueSession:
    """A facilitator puts a new session (a draft) into the programme."""
    starts_at = to_utc(data.starts_at, data.time_zone)
    check_start(starts_at, now)
    communities = await communities_of(db, programme_id=access.programme.id)
    quotas = _resolve_quotas(communities, data.capacity, data.quotas)
    languages = programme_languages(access.programme)
    title = required_text("title", new_texts("title", data.title, languages))
    description = new_texts("description", data.description, languages)
    lobby_message = new_texts("lobby_message", data.lobby_message, languages)
    pause_message = new_texts("pause_message", data.pause_message, languages)
    if data.ground_rules is not None:
        rules = required_text("ground_rules", new_texts("ground_rules", data.ground_rules, languages))
    else:
        rules = builtin_in(DEFAULT_GROUND_RULES, languages)
    session = DialogueSession(
        programme_id=access.programme.id,
        title=title,
        description=description,
        lobby_message=lobby_message,
        pause_message=pause_message,
        starts_at=starts_at,
        time_zone=data.time_zone,
        planned_minutes=_planned_minutes(starts_at, data),
        capacity=data.capacity,
        show_communities=data.show_communities,
        speaking_mode=data.speaking_mode,
        admission=data.admission,
        keep_transcript=data.keep_transcript,
        created_by=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.add(session)
    await db.flush()
    await _store_quotas(db, session_id=session.id, quotas=quotas)
    await set_ground_rules(db, session=session, text=rules, actor=actor, now=now)
    if data.agenda_template:
        await apply_template(db, session=session, template=data.agenda_template, languages=languages)
    return session


async def update_session(
    db: AsyncSession, *, actor: User, access: SessionAccess, data: SessionUpdate, now: datetime
) -> DialogueSession:
    """Change a session's plan; time, size and settings only before it goes live.

    Everything is checked before anything changes, so a refused edit leaves the
    session exactly as it was."""
    session = access.session
    changes = data.model_dump(exclude_unset=True)
    if session.status in FINISHED:
        raise Conflict(
            Msg("The session is {status}; it can no longer change.", status=status_word(session.status)),
            code="session_finished",
        )
    languages = programme_languages(access.programme)
    texts: dict[str, Texts] = {}
    for name in ("title", "description", "lobby_message", "pause_message"):
        change = getattr(data, name)
        if change is not None:
            texts[name] = edited_texts(name, getattr(session, name), change, languages, required=name == "title")
    rules: Texts | None = None
    if data.ground_rules is not None:
        latest = await current_rules(db, session_id=session.id)
        rules = edited_texts("ground_rules", latest.text, data.ground_rules, languages, required=True)
        # Once the lobby is open people consent to these rules: they stay in every language.
        if session.status in (SessionStatus.open, SessionStatus.live, SessionStatus.paused):
            rules_complete(rules, languages, editing=True)
    # A new zone alone changes how the time is shown, not when the session happens.
    zone = data.time_zone or session.time_zone
    starts_at = session.starts_at
    if data.starts_at is not None:
        starts_at = to_utc(data.starts_at, zone)
        if starts_at != session.starts_at:
            check_start(starts_at, now)
    moved = {
        "starts_at": starts_at != session.starts_at,
        "time_zone": zone != session.time_zone,
        "planned_minutes": data.planned_minutes not in (None, session.planned_minutes),
        "capacity": data.capacity not in (None, session.capacity),
        "quotas": "quotas" in changes,
        **{
            name: getattr(data, name) not in (None, getattr(session, name))
            for name in ("show_communities", "speaking_mode", "admission", "keep_transcript")
        },
    }
    if session.status not in PLANNING and any(moved.values()):
        raise Conflict(
            Msg("Time, size and settings can change only before the session goes live."), code="session_underway"
        )
    occupied = await occupied_seats(db, session_id=session.id)
    if data.keep_transcript and not session.keep_transcript and sum(occupied.values()):
        raise Conflict(
            Msg("People have already joined without agreeing to a transcript; it cannot be switched on now."),
            code="transcript_after_consent",
        )
    quotas: dict[int, int] | None = None
    capacity = data.capacity or session.capacity
    if moved["capacity"] or moved["quotas"]:
        communities = await communities_of(db, programme_id=session.programme_id)
        if "quotas" in changes:
            quota_keys = data.quotas
        else:
            current = await quotas_of(db, session_id=session.id)
            by_id = {c.id: c.key for c in communities}
            quota_keys = {by_id[cid]: seats for cid, seats in current.items() if cid in by_id}
        quotas = _resolve_quotas(communities, capacity, quota_keys)
        if sum(occupied.values()) > capacity:
            raise _field_error(
                "capacity", Msg("More participants have already joined than this capacity."), "capacity_below_seats"
            )
        for community_id, seats in quotas.items():
            if occupied.get(community_id, 0) > seats:
                raise _field_error(
                    "quotas",
                    Msg("A quota is below the number of people of that community who have already joined."),
                    "quota_below_seats",
                )
    # Every check passed: apply.
    for name, value in texts.items():
        setattr(session, name, value)
    session.starts_at, session.time_zone, session.capacity = starts_at, zone, capacity
    if data.planned_minutes is not None:
        session.planned_minutes = data.planned_minutes
    if quotas is not None:
        await _store_quotas(db, session_id=session.id, quotas=quotas)
    for name in ("show_communities", "speaking_mode", "admission", "keep_transcript"):
        value = getattr(data, name)
        if value is not None:
            setattr(session, name, value)
    if rules is not None:
        await set_ground_rules(db, session=session, text=rules, actor=actor, now=now)
    session.updated_at = now
    db.add(session)
    await db.flush()
    return session


async def change_status(
    db: AsyncSession, *, session: DialogueSession, to: SessionStatus, reason: str | None, now: datetime
) -> DialogueSession:
    """Move a session along its life; any move not in TRANSITIONS is refused."""
    allowed = TRANSITIONS[session.status]
    if to not in allowed:
        final = Msg("nothing: it is final")
        options = joined([status_word(s) for s in allowed]) if allowed else final
        raise Conflict(
            Msg(
                "A {status} session cannot become {to} (it can become: {options}).",
                status=status_word(session.status),
                to=status_word(to),
                options=options,
            ),
            code="invalid_transition",
        )
    if to is SessionStatus.cancelled:
        if not reason or not reason.strip():
            raise _field_error("reason", Msg("Say why the session is cancelled."), "reason_required")
        session.cancel_reason = reason.strip()
    if to is SessionStatus.scheduled and session.starts_at <= now:
        raise _field_error("starts_at", Msg("Move the start time into the future before scheduling."), "start_in_past")
    if to is SessionStatus.open:
        await check_rules_complete(db, session=session)
    session.status = to
    session.updated_at = now
    db.add(session)
    await db.flush()
    shown_reason = (reason or "").strip() or None if to in (SessionStatus.paused, SessionStatus.cancelled) else None
    await append_event(
        db,
        session_id=session.id,
        now=now,
        event=SessionStatusChanged(status=to.value, reason=shown_reason),
    )
    return session


async def check_rules_complete(db: AsyncSession, *, session: DialogueSession) -> None:
    """People consent to rules they can read: a session opens only when its current ground
    rules are written in every language of the programme."""
    languages = await languages_of(db, session=session)
    rules = await current_rules(db, session_id=session.id)
    rules_complete(rules.text, languages)


def rules_complete(rules: Texts, languages: list[str], *, editing: bool = False) -> None:
    missing = missing_languages(rules, languages)
    if missing:
        if editing:
            message = Msg(
                "People are joining with these ground rules, so they stay written in every language; "
                "this change would leave out {languages}.",
                languages=language_list(missing),
            )
        else:
            message = Msg(
                "The ground rules are not yet written in {languages}. Add them before opening the session.",
                languages=language_list(missing),
            )
        raise Conflict(
            message,
            code="rules_missing_language",
            details=[
                {"field": "ground_rules", "type": "rules_missing_language", "message": message, "languages": missing}
            ],
        )


async def text_warnings(db: AsyncSession, *, session: DialogueSession) -> list[TextWarning]:
    """The session's texts still missing a language of the programme: the ground rules (which
    keep the session from opening) and, without blocking, its own texts and the agenda's.
    An empty text (no prompt at all, no lobby message) is not missing anything."""
    languages = await languages_of(db, session=session)
    warnings: list[TextWarning] = []

    def check(field: str, texts: Mapping[str, str], item_id: int | None = None, part: str | None = None) -> None:
        missing = missing_languages(texts, languages) if texts else []
        if missing:
            warnings.append(TextWarning(field=field, item_id=item_id, part=part, languages=missing))

    check("ground_rules", (await current_rules(db, session_id=session.id)).text)
    for name in ("title", "description", "lobby_message", "pause_message"):
        check(name, getattr(session, name))
    for item in await agenda_of(db, session_id=session.id):
        check("agenda", item.title, item.id, "title")
        check("agenda", item.prompt, item.id, "prompt")
    return warnings
