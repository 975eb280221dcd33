"""The groups a breakout proposes: one per community (a caucus), or mixed groups of about N
that balance the communities, or none (the facilitator draws them). Pure rules, no database:
the facilitator adjusts what is proposed before the groups open, and moves people after.

Balance is by construction, not by search: the people of each community are dealt in turn,
one community after the other, to the groups in turn, so every group gets as many of each
community as can be, and the groups' sizes differ by one at most. Nobody's place depends on
their name or their order of arrival beyond the seat order the room already shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

MAX_GROUPS = 12


@dataclass(frozen=True)
class Member:
    """An admitted participant who can be placed: their seat and community (None: unset)."""

    seat_id: int
    community_id: int | None


@dataclass
class Proposed:
    community_id: int | None  # a caucus's community; None for a mixed group
    seat_ids: list[int] = field(default_factory=list)


def propose(
    grouping: str, *, group_size: int, members: Sequence[Member], communities: Sequence[int]
) -> tuple[list[Proposed], list[int]]:
    """The proposed groups and the seats left unplaced (in seat order). `communities`: the
    programme's communities in their order."""
    if grouping == "caucus":
        return _caucuses(members, communities)
    if grouping == "mixed":
        return _mixed(members, communities, group_size=group_size), []
    return [], [m.seat_id for m in members]  # manual: the facilitator draws every group


def _caucuses(members: Sequence[Member], communities: Sequence[int]) -> tuple[list[Proposed], list[int]]:
    groups = {community: Proposed(community_id=community) for community in communities}
    unplaced: list[int] = []
    for member in members:
        group = groups.get(member.community_id) if member.community_id is not None else None
        if group is None:
            unplaced.append(member.seat_id)  # no community: the facilitator places them
        else:
            group.seat_ids.append(member.seat_id)
    return [g for g in groups.values() if g.seat_ids], unplaced


def _mixed(members: Sequence[Member], communities: Sequence[int], *, group_size: int) -> list[Proposed]:
    if not members:
        return []
    count = min(MAX_GROUPS, max(1, round(len(members) / max(1, group_size))))
    groups = [Proposed(community_id=None) for _ in range(count)]
    order = {community: i for i, community in enumerate(communities)}
    by_community: dict[int | None, list[int]] = {}
    for member in members:
        by_community.setdefault(member.community_id, []).append(member.seat_id)
    # Communities in the programme's order, people without one last; each dealt round the
    # groups, starting where the previous community stopped, so sizes stay within one.
    turn = 0
    for community in sorted(by_community, key=lambda c: order.get(c, len(order)) if c is not None else len(order) + 1):
        for seat_id in by_community[community]:
            groups[turn % count].seat_ids.append(seat_id)
            turn += 1
    return groups
