"""The two-facilitator release rule cannot be lifted by the facilitator who approved alone:
changing it clears the approvals and goes into the audit log, and switching it off after an
approval needs the other facilitator (the one who did not approve); 409 otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from app.accounts.models import User
from app.dialogues.models import Seat
from tests.factories import DEFAULT_PASSWORD, Account, api_login


@dataclass
class Two:
    session_id: int
    first: Any  # the session's facilitator, over HTTP
    first_csrf: str
    second: Any  # the programme's other facilitator
    second_csrf: str

    async def rule(self, who: str, on: bool, summary: str = "") -> Any:
        client, csrf = (self.first, self.first_csrf) if who == "first" else (self.second, self.second_csrf)
        return await client.put(
            f"/api/sessions/{self.session_id}/transcript/outcomes",
            headers={"X-CSRF-Token": csrf},
            json={"summary": summary, "agreed_points": [], "two_to_release": on},
        )

    async def release(self, who: str) -> Any:
        client, csrf = (self.first, self.first_csrf) if who == "first" else (self.second, self.second_csrf)
        return await client.post(f"/api/sessions/{self.session_id}/transcript/release", headers={"X-CSRF-Token": csrf})

    async def audit(self) -> list[dict[str, Any]]:
        response = await self.first.get(f"/api/sessions/{self.session_id}/audit")
        assert response.status_code == 200
        return response.json()


@pytest.fixture
async def two(make_readers, new_client) -> Two:
    r = await make_readers()
    room = r.room
    await room.say(room.people["nigar"], "Something worth keeping.")
    await r.end()
    async with room.app.state.db.unit_of_work() as db:
        co_seat = await db.get(Seat, room.co_facilitator.seat_id)
        co_user = await db.get(User, co_seat.user_id)
    co = new_client("198.51.100.31")
    co_csrf = await api_login(co, Account(co_user, DEFAULT_PASSWORD))
    return Two(room.session_id, r.facilitator, r.facilitator_csrf, co, co_csrf)


async def test_the_facilitator_who_approved_cannot_switch_the_rule_off(two):
    assert (await two.rule("first", True)).status_code == 200
    approved = await two.release("first")
    assert approved.json()["released"] is False
    refused = await two.rule("first", False)
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "release_rule_locked" and "facilitator who has not approved" in error["message"]
    still = await two.release("first")
    assert still.json()["released"] is False, "one facilitator is still one"


async def test_editing_first_does_not_open_a_way_round_the_rule(two):
    await two.rule("first", True)
    await two.release("first")
    edited = await two.rule("first", True, summary="A new summary clears the approvals")
    assert edited.status_code == 200
    refused = await two.rule("first", False)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "release_rule_locked"


async def test_the_other_facilitator_may_switch_it_off_and_the_approvals_are_cleared(two):
    await two.rule("first", True)
    await two.release("first")
    lifted = await two.rule("second", False)
    assert lifted.status_code == 200 and lifted.json()["two_to_release"] is False
    draft = (await two.first.get(f"/api/sessions/{two.session_id}/transcript")).json()
    assert draft["approvals"] == []
    released = await two.release("second")
    assert released.json()["released"] is True


async def test_every_change_of_the_rule_is_in_the_audit_log(two):
    await two.rule("first", True)
    await two.release("first")
    await two.rule("second", False)
    entries = [e for e in await two.audit() if e["action"].startswith("transcript_")]
    assert [(e["action"], e["details"].get("two_to_release")) for e in entries] == [
        ("transcript_release_rule", True),
        ("transcript_approve", None),
        ("transcript_release_rule", False),
    ]
    assert entries[0]["actor_user_id"] != entries[2]["actor_user_id"]
    assert entries[2]["details"]["approvals_cleared"] == [entries[1]["actor_user_id"]]


async def test_with_no_approval_either_may_switch_it_and_sending_it_unchanged_is_no_change(two):
    assert (await two.rule("first", True)).status_code == 200
    assert (await two.rule("first", True, summary="Same rule")).status_code == 200
    assert (await two.rule("first", False)).status_code == 200
    rule_changes = [e for e in await two.audit() if e["action"] == "transcript_release_rule"]
    assert [e["details"]["two_to_release"] for e in rule_changes] == [True, False]


async def test_after_a_release_the_approvers_start_afresh(two):
    await two.rule("first", True)
    await two.release("first")
    assert (await two.release("second")).json()["released"] is True
    assert (await two.rule("first", False)).status_code == 200
