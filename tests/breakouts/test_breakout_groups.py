"""The groups a breakout proposes (pure rules, app/facilitation/breakout_groups.py): a caucus
per community, mixed groups of about N that balance the communities, or none to draw by hand."""

from __future__ import annotations

from collections import Counter
from itertools import product

import pytest

from app.facilitation.breakout_groups import MAX_GROUPS, Member, propose

A, B, C = 10, 20, 30  # community ids, in the programme's order


def members(*communities: int | None) -> list[Member]:
    """Members in seat order, seat ids 1, 2, ..."""
    return [Member(seat_id=n, community_id=c) for n, c in enumerate(communities, 1)]


def test_a_caucus_is_one_group_per_community_in_the_programme_s_order_people_in_seat_order():
    groups, unplaced = propose("caucus", group_size=4, members=members(B, A, B, A, A), communities=[A, B])
    assert [(g.community_id, g.seat_ids) for g in groups] == [(A, [2, 4, 5]), (B, [1, 3])]
    assert unplaced == []


def test_a_caucus_leaves_people_without_a_community_to_the_facilitator_and_skips_empty_communities():
    groups, unplaced = propose("caucus", group_size=4, members=members(A, None, A, 99), communities=[A, B, C])
    assert [(g.community_id, g.seat_ids) for g in groups] == [(A, [1, 3])], "nobody of B or C: no group"
    assert unplaced == [2, 4], "no community, or one the programme does not have"


def test_mixed_groups_of_four_from_eight_people_of_two_communities_are_two_plus_two():
    groups, unplaced = propose("mixed", group_size=4, members=members(A, B, A, B, A, B, A, B), communities=[A, B])
    assert unplaced == []
    assert [g.community_id for g in groups] == [None, None]
    assert [g.seat_ids for g in groups] == [[1, 5, 2, 6], [3, 7, 4, 8]], "each community dealt round the groups"


def test_mixed_groups_with_an_odd_number_differ_by_one_at_most():
    groups, _ = propose("mixed", group_size=3, members=members(A, B, A, B, A, B, A), communities=[A, B])
    assert [len(g.seat_ids) for g in groups] == [4, 3]
    of = {m.seat_id: m.community_id for m in members(A, B, A, B, A, B, A)}
    assert [Counter(of[s] for s in g.seat_ids) for g in groups] == [Counter({A: 2, B: 2}), Counter({A: 2, B: 1})]


def test_mixed_people_without_a_community_are_dealt_last():
    groups, _ = propose("mixed", group_size=2, members=members(None, A, B, A), communities=[A, B])
    assert [g.seat_ids for g in groups] == [[2, 3], [4, 1]]


@pytest.mark.parametrize(
    ("people", "size", "count"), [(1, 4, 1), (3, 4, 1), (8, 4, 2), (9, 3, 3), (12, 2, 6), (40, 2, MAX_GROUPS)]
)
def test_mixed_makes_about_people_over_size_groups_and_never_more_than_the_most(people, size, count):
    groups, _ = propose("mixed", group_size=size, members=members(*([A, B] * people)[:people]), communities=[A, B])
    assert len(groups) == count


def test_mixed_balances_every_room_of_any_make_up():
    for a, b, c, none, size in product(range(0, 7), range(0, 7), range(0, 4), range(0, 3), (2, 3, 4, 5)):
        people = members(*([A] * a + [C] * c + [None] * none + [B] * b))  # seat order mixes nothing up
        groups, unplaced = propose("mixed", group_size=size, members=people, communities=[A, B, C])
        assert unplaced == []
        if not people:
            assert groups == []
            continue
        placed = [s for g in groups for s in g.seat_ids]
        assert sorted(placed) == [m.seat_id for m in people], "everyone once"
        sizes = [len(g.seat_ids) for g in groups]
        assert max(sizes) - min(sizes) <= 1, (a, b, c, none, size, sizes)
        of = {m.seat_id: m.community_id for m in people}
        for community in (A, B, C, None):
            counts = [sum(of[s] == community for s in g.seat_ids) for g in groups]
            assert max(counts) - min(counts) <= 1, (a, b, c, none, size, community, counts)


def test_manual_proposes_nothing_and_leaves_everyone_to_be_drawn():
    groups, unplaced = propose("manual", group_size=4, members=members(A, B, A), communities=[A, B])
    assert groups == [] and unplaced == [1, 2, 3]


def test_nobody_to_place_proposes_no_group():
    for grouping in ("caucus", "mixed", "manual"):
        assert propose(grouping, group_size=4, members=[], communities=[A, B]) == ([], [])
