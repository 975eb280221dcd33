"""The rules for programmes: who belongs, which communities they have."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import Role, User
from app.db import publish_after_commit
from app.errors import BadRequest, Conflict, NotFound, PermissionDenied, ValidationFailed
from app.events.revocations import CLOSE_RIGHT_ENDED, Revoked
from app.messages import Msg, either, role_plural, role_word
from app.programmes.models import MIN_GROUP_FLOOR, Community, MemberRole, Programme, ProgrammeMember
from app.programmes.schemas import CommunityIn, CommunityLabels
from app.security.names import check_display_name


@dataclass(frozen=True)
class ProgrammeAccess:
    programme: Programme
    role: MemberRole


async def programme_access(
    db: AsyncSession, *, user: User, programme_id: int, roles: Iterable[MemberRole] | None = None
) -> ProgrammeAccess:
    """The caller's place in a programme. Not a member: NotFound, so nothing is revealed."""
    row = (
        await db.exec(
            select(Programme, ProgrammeMember)
            .join(ProgrammeMember, col(ProgrammeMember.programme_id) == col(Programme.id))
            .where(Programme.id == programme_id, ProgrammeMember.user_id == user.id)
        )
    ).first()
    if row is None or not user.is_active:
        raise NotFound(Msg("There is no such programme."))
    programme, member = row
    if roles is not None and member.role not in set(roles):
        raise PermissionDenied(
            Msg("Only the programme's {roles} may do this.", roles=either(role_plural(r) for r in roles))
        )
    return ProgrammeAccess(programme=programme, role=member.role)


async def list_programmes(db: AsyncSession, *, user: User) -> list[ProgrammeAccess]:
    """The programmes the user belongs to, newest first."""
    rows = (
        await db.exec(
            select(Programme, ProgrammeMember)
            .join(ProgrammeMember, col(ProgrammeMember.programme_id) == col(Programme.id))
            .where(ProgrammeMember.user_id == user.id)
            .order_by(col(Programme.created_at).desc(), col(Programme.id).desc())
        )
    ).all()
    return [ProgrammeAccess(programme=p, role=m.role) for p, m in rows]


async def communities_of(db: AsyncSession, *, programme_id: int) -> list[Community]:
    rows = await db.exec(
        select(Community)
        .where(Community.programme_id == programme_id)
        .order_by(col(Community.position), col(Community.id))
    )
    return list(rows.all())


async def members_of(db: AsyncSession, *, programme_id: int) -> list[tuple[ProgrammeMember, User]]:
    rows = await db.exec(
        select(ProgrammeMember, User)
        .join(User, col(User.id) == col(ProgrammeMember.user_id))
        .where(ProgrammeMember.programme_id == programme_id)
        .order_by(col(ProgrammeMember.role), col(User.username))
    )
    return list(rows.all())


async def create_programme(
    db: AsyncSession,
    *,
    actor: User,
    name: str,
    description: str,
    languages: list[str],
    communities: list[CommunityIn],
    now: datetime,
) -> Programme:
    """An organiser creates a programme and becomes its first organiser."""
    if actor.role is not Role.organiser:
        raise PermissionDenied(Msg("Only organisers create programmes."))
    programme = Programme(
        name=name.strip(),
        description=description.strip(),
        languages=languages,
        created_by=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.add(programme)
    await db.flush()
    for position, community in enumerate(communities):
        db.add(
            Community(
                programme_id=programme.id,
                key=community.key,
                labels=community.labels,
                position=position,
            )
        )
    db.add(
        ProgrammeMember(
            programme_id=programme.id,
            user_id=actor.id,
            role=MemberRole.organiser,
            added_at=now,
        )
    )
    await db.flush()
    return programme


async def update_programme(
    db: AsyncSession,
    *,
    programme: Programme,
    name: str | None,
    description: str | None,
    now: datetime,
    retention_days: int | None = None,
    keep_raw_statements: bool | None = None,
    withdrawal_hours: int | None = None,
    survey_min_group: int | None = None,
    survey_days: int | None = None,
    facilitators_see_answers: bool | None = None,
) -> Programme:
    """Rename or re-describe a programme; set how long raw statements are kept after a
    transcript's release, how long participants may withdraw after a session, and the
    outcomes' settings: the smallest group an aggregate describes (never below
    MIN_GROUP_FLOOR), how long the post-survey stays open, and whether facilitators may
    read their sessions' answers one respondent at a time."""
    if name is not None:
        programme.name = name.strip()
    if description is not None:
        programme.description = description.strip()
    if keep_raw_statements:
        programme.retention_days = None
    elif retention_days is not None:
        programme.retention_days = retention_days
    if withdrawal_hours is not None:
        programme.withdrawal_hours = withdrawal_hours
    if survey_min_group is not None:
        if survey_min_group < MIN_GROUP_FLOOR:
            message = Msg("Enter a number of at least {n}.", n=MIN_GROUP_FLOOR)
            raise ValidationFailed(
                message,
                code="min_group_too_small",
                details=[{"field": "survey_min_group", "type": "min_group_too_small", "message": message}],
            )
        programme.survey_min_group = survey_min_group
    if survey_days is not None:
        programme.survey_days = survey_days
    if facilitators_see_answers is not None:
        programme.facilitators_see_answers = facilitators_see_answers
    programme.updated_at = now
    db.add(programme)
    await db.flush()
    return programme


async def add_member(
    db: AsyncSession, *, programme: Programme, username: str, role: MemberRole, now: datetime
) -> tuple[ProgrammeMember, User]:
    """Add an organiser or facilitator account to the programme, in the role its account has."""
    user = (await db.exec(select(User).where(User.username == username.strip().lower()))).first()
    if user is None or not user.is_active:
        raise ValidationFailed(
            Msg("There is no active account '{username}'.", username=username),
            code="unknown_account",
            details=[{"field": "username", "type": "unknown_account", "message": Msg("No such active account.")}],
        )
    if user.role.value != role.value:
        raise ValidationFailed(
            Msg(
                "'{username}' has a {account_role} account and cannot be added as {role}.",
                username=user.username,
                account_role=role_word(user.role),
                role=role_word(role),
            ),
            code="wrong_account_role",
            details=[{"field": "role", "type": "wrong_account_role", "message": Msg("The account has another role.")}],
        )
    existing = (
        await db.exec(
            select(ProgrammeMember).where(
                ProgrammeMember.programme_id == programme.id, ProgrammeMember.user_id == user.id
            )
        )
    ).first()
    if existing is not None:
        raise Conflict(Msg("'{username}' is already in this programme.", username=user.username), code="already_member")
    member = ProgrammeMember(
        programme_id=programme.id,
        user_id=user.id,
        role=role,
        added_at=now,
    )
    db.add(member)
    await db.flush()
    return member, user


async def remove_member(db: AsyncSession, *, programme: Programme, actor: User, user_id: int) -> None:
    """Take an account out of the programme; the last organiser cannot leave."""
    member = (
        await db.exec(
            select(ProgrammeMember).where(
                ProgrammeMember.programme_id == programme.id, ProgrammeMember.user_id == user_id
            )
        )
    ).first()
    if member is None:
        raise NotFound(Msg("That account is not in this programme."))
    if member.role is MemberRole.organiser:
        organisers = [m for m, _ in await members_of(db, programme_id=programme.id) if m.role is MemberRole.organiser]
        if len(organisers) <= 1:
            raise BadRequest(Msg("A programme needs at least one organiser."), code="last_organiser")
    await db.delete(member)
    await db.flush()
    # The account's open connections to this programme's rooms close, on every instance.
    publish_after_commit(
        db, Revoked(code=CLOSE_RIGHT_ENDED, reason="removed_from_programme", member=(user_id, programme.id))
    )


async def add_community(db: AsyncSession, *, programme: Programme, community: CommunityIn) -> Community:
    """A further community (more than two must work)."""
    existing = await communities_of(db, programme_id=programme.id)
    if any(c.key == community.key for c in existing):
        raise Conflict(
            Msg("The programme already has a community '{key}'.", key=community.key), code="community_exists"
        )
    missing = [code for code in programme.languages if code not in community.labels]
    if missing:
        raise ValidationFailed(
            Msg("The community needs a label in {languages}.", languages=", ".join(missing)), code="missing_label"
        )
    row = Community(
        programme_id=programme.id,
        key=community.key,
        labels=community.labels,
        position=len(existing),
    )
    db.add(row)
    await db.flush()
    return row


def label_gaps(programme: Programme, labels: Mapping[str, Mapping[str, str]]) -> list[dict[str, Any]]:
    """The labels a relabelling leaves out (each community needs one in each of the
    programme's languages), one detail each at `labels.<key>.<language>`."""
    return [
        {
            "field": f"labels.{key}.{code}",
            "type": "missing_label",
            "message": Msg("Please fill this in."),
        }
        for key, given in labels.items()
        for code in programme.languages
        if not given.get(code, "").strip()
    ]


async def set_community_labels(
    db: AsyncSession, *, programme: Programme, labels: Mapping[str, CommunityLabels], now: datetime
) -> list[Community]:
    """Relabel the programme's communities (key → its new labels); keys and order stay, as
    everything recorded under a key does. Every community named needs a label in each of
    the programme's languages; one problem and nothing changes."""
    communities = await communities_of(db, programme_id=programme.id)
    by_key = {c.key: c for c in communities}
    unknown = [key for key in labels if key not in by_key]
    if unknown:
        raise NotFound(Msg("The programme has no community '{key}'.", key=unknown[0]))
    gaps = label_gaps(programme, {key: given.labels for key, given in labels.items()})
    if gaps:
        missing = ", ".join(dict.fromkeys(d["field"].rsplit(".", 1)[1] for d in gaps))
        raise ValidationFailed(
            Msg("Each community needs a label in {languages}.", languages=missing), code="missing_label", details=gaps
        )
    for key, given in labels.items():
        community = by_key[key]
        community.labels = {**community.labels, **given.labels}
        db.add(community)
    programme.updated_at = now
    db.add(programme)
    await db.flush()
    return communities


def community_label(community: Community, language: str) -> str:
    """The community's label in a language, falling back to any label it has."""
    return community.labels.get(language) or next(iter(community.labels.values()), community.key)


# A facilitator's name in the room ----------------------------------------------------------

DEFAULT_ROOM_NAME = "Facilitator"  # when the first name cannot be shown as a name


def default_room_name(user: User) -> str:
    """The first word of the account's full name, if it passes as a display name."""
    words = user.full_name.split()
    if words:
        try:
            return check_display_name(words[0], field="room_name", facilitator=True)[0]
        except ValidationFailed:
            pass
    return DEFAULT_ROOM_NAME


def room_name_for(member: ProgrammeMember, user: User) -> str:
    """What a facilitator's seat shows in the programme's rooms: their choice, else the default."""
    return member.room_name or default_room_name(user)


async def membership(db: AsyncSession, *, programme: Programme, user: User) -> ProgrammeMember:
    member = (
        await db.exec(
            select(ProgrammeMember).where(
                ProgrammeMember.programme_id == programme.id, ProgrammeMember.user_id == user.id
            )
        )
    ).first()
    if member is None:
        raise NotFound(Msg("There is no such programme."))
    return member


async def set_room_name(
    db: AsyncSession, *, programme: Programme, user: User, room_name: str | None
) -> ProgrammeMember:
    """A facilitator chooses the name their seat shows in this programme's rooms (the
    display-name rules apply: no other role's name, no pseudonym, nothing hidden); empty
    goes back to the default (their first name)."""
    member = await membership(db, programme=programme, user=user)
    if member.role is not MemberRole.facilitator:
        raise PermissionDenied(Msg("Only the programme's facilitators have a name in its rooms."))
    if room_name is None or not room_name.strip():
        member.room_name = None
    else:
        member.room_name = check_display_name(room_name, field="room_name", facilitator=True)[0]
    db.add(member)
    await db.flush()
    return member
