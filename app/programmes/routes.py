"""JSON API for programmes: create, read, members, communities."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, status

from app.accounts.models import Role
from app.deps import CurrentUser, DbDep, NowDep, PathId, require_csrf, require_role
from app.programmes import service
from app.programmes.deps import ProgrammeFacilitatorDep, ProgrammeMemberDep, ProgrammeOrganiserDep
from app.programmes.schemas import (
    CommunityIn,
    CommunityPublic,
    MemberAdd,
    MemberPublic,
    ProgrammeCreate,
    ProgrammeDetail,
    ProgrammePublic,
    ProgrammeUpdate,
    RoomNameIn,
    RoomNamePublic,
)
from app.programmes.service import ProgrammeAccess

router = APIRouter(prefix="/api/programmes", tags=["programmes"], dependencies=[Depends(require_csrf)])


async def _programme_fields(db: DbDep, access: ProgrammeAccess) -> dict[str, Any]:
    communities = await service.communities_of(db, programme_id=access.programme.id)
    return {
        "id": access.programme.id,
        "name": access.programme.name,
        "description": access.programme.description,
        "languages": access.programme.languages,
        "retention_days": access.programme.retention_days,
        "withdrawal_hours": access.programme.withdrawal_hours,
        "survey_min_group": access.programme.survey_min_group,
        "survey_days": access.programme.survey_days,
        "facilitators_see_answers": access.programme.facilitators_see_answers,
        "communities": [CommunityPublic(id=c.id, key=c.key, labels=c.labels) for c in communities],
        "my_role": access.role,
        "created_at": access.programme.created_at,
    }


async def programme_public(db: DbDep, access: ProgrammeAccess) -> ProgrammePublic:
    return ProgrammePublic(**await _programme_fields(db, access))


async def programme_detail(db: DbDep, access: ProgrammeAccess) -> ProgrammeDetail:
    base = await _programme_fields(db, access)
    members = await service.members_of(db, programme_id=access.programme.id)
    return ProgrammeDetail(
        **base,
        members=[
            MemberPublic(user_id=u.id, username=u.username, full_name=u.full_name, role=m.role) for m, u in members
        ],
    )


@router.get("")
async def list_programmes(user: CurrentUser, db: DbDep) -> list[ProgrammePublic]:
    """The programmes the caller belongs to."""
    return [await programme_public(db, access) for access in await service.list_programmes(db, user=user)]


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=[Depends(require_role(Role.organiser))])
async def create_programme(body: ProgrammeCreate, user: CurrentUser, db: DbDep, now: NowDep) -> ProgrammeDetail:
    """An organiser creates a programme with its communities and languages."""
    programme = await service.create_programme(
        db,
        actor=user,
        name=body.name,
        description=body.description,
        languages=body.languages,
        communities=body.communities,
        now=now,
    )
    access = await service.programme_access(db, user=user, programme_id=programme.id)
    return await programme_detail(db, access)


@router.get("/{programme_id}")
async def get_programme(access: ProgrammeMemberDep, db: DbDep) -> ProgrammeDetail:
    """A programme with its communities and members."""
    return await programme_detail(db, access)


@router.patch("/{programme_id}")
async def update_programme(
    body: ProgrammeUpdate, access: ProgrammeOrganiserDep, db: DbDep, now: NowDep
) -> ProgrammeDetail:
    """Rename or re-describe the programme, set its retention and withdrawal window, or its
    outcomes' settings: the smallest group a survey aggregate describes (at least 3), the
    days the post-survey stays open, whether facilitators read answers per respondent (organisers)."""
    await service.update_programme(
        db,
        programme=access.programme,
        name=body.name,
        description=body.description,
        now=now,
        retention_days=body.retention_days,
        keep_raw_statements=body.keep_raw_statements,
        withdrawal_hours=body.withdrawal_hours,
        survey_min_group=body.survey_min_group,
        survey_days=body.survey_days,
        facilitators_see_answers=body.facilitators_see_answers,
    )
    return await programme_detail(db, access)


@router.post("/{programme_id}/members", status_code=status.HTTP_201_CREATED)
async def add_member(body: MemberAdd, access: ProgrammeOrganiserDep, db: DbDep, now: NowDep) -> MemberPublic:
    """Add a facilitator or another organiser (organisers)."""
    member, user = await service.add_member(
        db, programme=access.programme, username=body.username, role=body.role, now=now
    )
    return MemberPublic(user_id=user.id, username=user.username, full_name=user.full_name, role=member.role)


@router.patch("/{programme_id}/members/me")
async def set_my_room_name(
    body: RoomNameIn, access: ProgrammeFacilitatorDep, user: CurrentUser, db: DbDep
) -> RoomNamePublic:
    """The name your seat shows in this programme's rooms (facilitators); null or empty: your
    first name. Rooms you entered before keep the name they showed."""
    member = await service.set_room_name(db, programme=access.programme, user=user, room_name=body.room_name)
    return RoomNamePublic(room_name=member.room_name, shown_as=service.room_name_for(member, user))


@router.delete("/{programme_id}/members/{user_id:int}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(user_id: PathId, access: ProgrammeOrganiserDep, user: CurrentUser, db: DbDep) -> None:
    """Take someone out of the programme (organisers)."""
    await service.remove_member(db, programme=access.programme, actor=user, user_id=user_id)


@router.post("/{programme_id}/communities", status_code=status.HTTP_201_CREATED)
async def add_community(body: CommunityIn, access: ProgrammeOrganiserDep, db: DbDep) -> CommunityPublic:
    """Add a further community to the programme (organisers)."""
    community = await service.add_community(db, programme=access.programme, community=body)
    return CommunityPublic(id=community.id, key=community.key, labels=community.labels)
