"""Invitations and the way in: link → language → consent → name → lobby → admitted."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.factories import api_login, make_session, make_world, schedule

NOT_USABLE = "This invitation link cannot be used."


@pytest.fixture
async def world(app, make_account):
    world = await make_world(app, make_account)
    await schedule(app, world.session)
    return world


@pytest.fixture
async def fac(client, world):
    return await api_login(client, world.facilitator)


async def invite(client, world, fac, **body):
    response = await client.post(
        f"/api/sessions/{world.session.id}/invitations",
        json={"role": "participant", "community": "a", **body},
        headers={"X-CSRF-Token": fac},
    )
    assert response.status_code == 201, response.text
    return response.json()


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


async def join(browser, token, name, *, rules_version=1, language="hy"):
    """Follow an invitation through the JSON API, as another client would."""
    info = await browser.post("/api/join", json={"token": token})
    assert info.status_code == 200, info.text
    await browser.post("/api/join/language", json={"token": token, "language": language})
    consent = await browser.post(
        "/api/join/consent",
        json={"token": token, "rules_version": rules_version, "accept_rules": True, "accept_transcript": True},
    )
    assert consent.status_code == 200, consent.text
    return await browser.post("/api/join/claim", json={"token": token, "display_name": name})


async def test_an_invitation_carries_a_256_bit_token_stored_only_as_its_hash(app, client, world, fac):
    created = await invite(client, world, fac, real_name="Real Person", contact="+000 111")
    token = token_of(created["link"])
    assert len(token) == 43  # 32 random bytes in base64url
    assert created["real_name"] == "Real Person" and created["state"] == "pending"
    async with app.state.db.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT * FROM invitations"))).all()
    assert all(token not in str(value) for row in rows for value in row)
    listed = (await client.get(f"/api/sessions/{world.session.id}/invitations")).json()
    assert listed[0]["link"] is None  # shown once, never again


async def test_two_people_per_community_join_and_are_admitted(client, new_client, world, fac):
    people = [("a", "Nigar"), ("a", "Rauf"), ("b", "Ani"), ("b", "Tigran")]
    seats = []
    for community, name in people:
        token = token_of((await invite(client, world, fac, community=community))["link"])
        browser = new_client()
        claimed = await join(browser, token, name)
        assert claimed.status_code == 200, claimed.text
        assert claimed.json()["status"] == "lobby"
        assert browser.cookies.get(f"rt_seat_{world.session.id}")
        seats.append((browser, claimed.json()))
    lobby = (await client.get(f"/api/sessions/{world.session.id}/seats")).json()
    assert sorted(s["display_name"] for s in lobby) == sorted(n for _, n in people)
    assert all(s["pseudonym"].startswith("Participant ") for s in lobby)
    assert len({s["pseudonym"] for s in lobby}) == 4
    for s in lobby:
        assert s["display_name"] not in s["pseudonym"]
    admitted = await client.post(f"/api/sessions/{world.session.id}/lobby/admit-all", headers={"X-CSRF-Token": fac})
    assert len(admitted.json()) == 4
    for browser, _seat in seats:
        me = await browser.get(f"/api/sessions/{world.session.id}/me")
        assert me.json()["status"] == "admitted"


async def test_an_auto_admit_session_lets_people_straight_in(client, new_client, world, fac):
    await client.patch(f"/api/sessions/{world.session.id}", json={"admission": "auto"}, headers={"X-CSRF-Token": fac})
    token = token_of((await invite(client, world, fac))["link"])
    claimed = await join(new_client(), token, "Leyla")
    assert claimed.json()["status"] == "admitted"


async def test_display_names_are_unique_whatever_their_case_and_spacing(client, new_client, world, fac):
    first = token_of((await invite(client, world, fac))["link"])
    second = token_of((await invite(client, world, fac, community="b"))["link"])
    assert (await join(new_client(), first, "Sona")).status_code == 200
    clash = await join(new_client(), second, "  sona ")
    assert clash.status_code == 422
    assert clash.json()["error"]["code"] == "display_name_taken"
    retry = await new_client().post("/api/join/claim", json={"token": second, "display_name": "Sona B"})
    assert retry.status_code == 200


@pytest.mark.parametrize("name", ["x", "Facilitator", "Participant 3", "12345", "a\u202eb", "x" * 41])
async def test_unusable_display_names_are_refused_with_a_reason(client, new_client, world, fac, name):
    token = token_of((await invite(client, world, fac))["link"])
    response = await join(new_client(), token, name)
    assert response.status_code == 422
    assert response.json()["error"]["message"]


async def test_a_community_quota_is_enforced_with_a_clear_message(client, new_client, world, fac):
    # Capacity 4, parity: two seats for community a.
    for name in ("One", "Two"):
        token = token_of((await invite(client, world, fac))["link"])
        assert (await join(new_client(), token, name)).status_code == 200
    token = token_of((await invite(client, world, fac))["link"])
    full = await join(new_client(), token, "Three")
    assert full.status_code == 409 and full.json()["error"]["code"] == "community_full"
    # The link was not used up by the refusal.
    assert (await new_client().post("/api/join", json={"token": token})).status_code == 200


async def test_capacity_counts_every_participant(client, new_client, world, fac):
    await client.patch(
        f"/api/sessions/{world.session.id}",
        json={"capacity": 2, "quotas": {"a": 2, "b": 0}},
        headers={"X-CSRF-Token": fac},
    )
    for name in ("One", "Two"):
        token = token_of((await invite(client, world, fac))["link"])
        assert (await join(new_client(), token, name)).status_code == 200
    token = token_of((await invite(client, world, fac))["link"])
    assert (await join(new_client(), token, "Three")).json()["error"]["code"] == "session_full"


async def test_observers_do_not_take_participant_seats(client, new_client, world, fac):
    token = token_of((await invite(client, world, fac, role="observer", community=None))["link"])
    claimed = await join(new_client(), token, "Guest")
    assert claimed.status_code == 200 and claimed.json()["role"] == "observer"
    seats = (await client.get(f"/api/sessions/{world.session.id}/seats")).json()
    assert seats[0]["pseudonym"].startswith("Observer ")


async def test_consent_is_needed_and_names_the_current_rules(client, new_client, world, fac):
    token = token_of((await invite(client, world, fac))["link"])
    browser = new_client()
    skipped = await browser.post("/api/join/claim", json={"token": token, "display_name": "Eager"})
    assert skipped.status_code == 409 and skipped.json()["error"]["code"] == "consent_required"
    refused = await browser.post(
        "/api/join/consent", json={"token": token, "rules_version": 1, "accept_rules": True, "accept_transcript": False}
    )
    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "accept_transcript"
    await browser.post(
        "/api/join/consent", json={"token": token, "rules_version": 1, "accept_rules": True, "accept_transcript": True}
    )
    # The facilitator changes the rules before the person finishes: they must read them again.
    await client.patch(
        f"/api/sessions/{world.session.id}", json={"ground_rules": "New rules."}, headers={"X-CSRF-Token": fac}
    )
    stale = await browser.post("/api/join/claim", json={"token": token, "display_name": "Eager"})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "consent_required"
    old_version = await browser.post(
        "/api/join/consent", json={"token": token, "rules_version": 1, "accept_rules": True, "accept_transcript": True}
    )
    assert old_version.status_code == 409 and old_version.json()["error"]["code"] == "rules_changed"
    claimed = await join(browser, token, "Eager", rules_version=2)
    assert claimed.status_code == 200


async def test_consent_is_stored_with_the_rules_version_and_time(app, client, new_client, world, fac, clock):
    token = token_of((await invite(client, world, fac))["link"])
    await join(new_client(), token, "Kamala")
    async with app.state.db.engine.connect() as connection:
        row = (await connection.execute(text("SELECT consent_rules_version, consented_at, language FROM seats"))).one()
    assert row[0] == 1 and row[1] is not None and row[2] == "hy"


async def bad_link_answers(browser, token):
    response = await browser.post("/api/join", json={"token": token})
    return response.status_code, response.json()


async def test_every_unusable_link_gets_the_same_answer_revealing_nothing(app, client, new_client, world, fac, clock):
    claimed = token_of((await invite(client, world, fac))["link"])
    await join(new_client(), claimed, "First")
    revoked_inv = await invite(client, world, fac)
    await client.post(
        f"/api/sessions/{world.session.id}/invitations/{revoked_inv['id']}/revoke", headers={"X-CSRF-Token": fac}
    )
    expiring = token_of(
        (await invite(client, world, fac, expires_at=(clock.now() + timedelta(hours=1)).isoformat()))["link"]
    )
    clock.advance(hours=2)
    unknown = "A" * 43
    answers = [
        await bad_link_answers(new_client(), t) for t in (claimed, token_of(revoked_inv["link"]), expiring, unknown)
    ]
    assert all(status == 404 for status, _ in answers)
    assert len({str(body) for _, body in answers}) == 1
    body = answers[0][1]
    assert body["error"]["code"] == "invalid_invitation"
    assert world.session.title["en"] not in str(body)
    wrong_shape = await new_client().post("/api/join", json={"token": "short"})
    assert wrong_shape.status_code == 422  # not even a token: the schema says so


async def test_a_new_link_replaces_the_old_and_brings_a_person_back_to_their_seat(client, new_client, world, fac):
    created = await invite(client, world, fac)
    old = token_of(created["link"])
    first_browser = new_client()
    await join(first_browser, old, "Aysel")
    reissued = await client.post(
        f"/api/sessions/{world.session.id}/invitations/{created['id']}/reissue", headers={"X-CSRF-Token": fac}
    )
    new = token_of(reissued.json()["link"])
    assert new != old and reissued.json()["state"] == "reissued"
    assert (await new_client().post("/api/join", json={"token": old})).status_code == 404
    phone = new_client()
    back = await phone.post("/api/join/claim", json={"token": new, "display_name": "ignored"})
    assert back.status_code == 200 and back.json()["display_name"] == "Aysel"
    # The seat now answers to the new browser only.
    assert (await phone.get(f"/api/sessions/{world.session.id}/me")).status_code == 200
    assert (await first_browser.get(f"/api/sessions/{world.session.id}/me")).status_code == 401
    assert (await new_client().post("/api/join", json={"token": new})).status_code == 404


async def test_bulk_invitations_are_all_or_nothing(client, world, fac):
    bad = await client.post(
        f"/api/sessions/{world.session.id}/invitations/bulk",
        json={"csv": "a,participant,One\nzz,participant,Two\nb,king,Three"},
        headers={"X-CSRF-Token": fac},
    )
    assert bad.status_code == 422
    message = bad.json()["error"]["message"]
    assert "Line 2" in message or "Line 3" in message
    assert (await client.get(f"/api/sessions/{world.session.id}/invitations")).json() == []
    good = await client.post(
        f"/api/sessions/{world.session.id}/invitations/bulk",
        json={"csv": 'community,role,name,contact\na,participant,Name One,one@example.org\nb,,"Two, Jr",\nb,observer'},
        headers={"X-CSRF-Token": fac},
    )
    assert good.status_code == 201, good.text
    made = good.json()
    assert [m["community"] for m in made] == ["a", "b", "b"]
    assert made[1]["real_name"] == "Two, Jr" and made[2]["role"] == "observer"
    assert all(m["link"] for m in made)


async def test_an_invitation_for_an_unknown_community_is_refused(client, world, fac):
    response = await client.post(
        f"/api/sessions/{world.session.id}/invitations",
        json={"role": "participant", "community": "zz"},
        headers={"X-CSRF-Token": fac},
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "unknown_community"
    no_community = await client.post(
        f"/api/sessions/{world.session.id}/invitations", json={"role": "participant"}, headers={"X-CSRF-Token": fac}
    )
    assert no_community.status_code == 422 and no_community.json()["error"]["code"] == "community_required"


async def test_facilitators_refuse_someone_in_the_lobby_with_a_reason_they_see(client, new_client, world, fac):
    token = token_of((await invite(client, world, fac))["link"])
    browser = new_client()
    seat = (await join(browser, token, "Unknown")).json()
    refused = await client.post(
        f"/api/sessions/{world.session.id}/seats/{seat['id']}/refuse",
        json={"reason": "We do not recognise this name."},
        headers={"X-CSRF-Token": fac},
    )
    assert refused.json()["status"] == "removed"
    me = (await browser.get(f"/api/sessions/{world.session.id}/me")).json()
    assert me["status"] == "removed" and me["status_reason"] == "We do not recognise this name."


async def test_a_refused_person_frees_their_place_for_someone_else(client, new_client, world, fac):
    first = (await join(new_client(), token_of((await invite(client, world, fac))["link"]), "One")).json()
    await join(new_client(), token_of((await invite(client, world, fac))["link"]), "Two")
    full = await join(new_client(), token_of((await invite(client, world, fac))["link"]), "Three")
    assert full.json()["error"]["code"] == "community_full"
    await client.post(
        f"/api/sessions/{world.session.id}/seats/{first['id']}/refuse",
        json={"reason": "wrong room"},
        headers={"X-CSRF-Token": fac},
    )
    again = await join(new_client(), token_of((await invite(client, world, fac))["link"]), "Four")
    assert again.status_code == 200


async def test_a_draft_sessions_links_cannot_be_followed_yet(app, client, new_client, world, fac):
    draft = await make_session(app, facilitator=world.facilitator.user, programme=world.programme)
    made = await client.post(
        f"/api/sessions/{draft.id}/invitations", json={"community": "a"}, headers={"X-CSRF-Token": fac}
    )
    response = await new_client().post("/api/join", json={"token": token_of(made.json()["link"])})
    assert response.status_code == 404 and response.json()["error"]["code"] == "invalid_invitation"


async def test_the_transcript_cannot_be_switched_on_after_people_joined_without_it(client, new_client, world, fac):
    await client.patch(
        f"/api/sessions/{world.session.id}", json={"keep_transcript": False}, headers={"X-CSRF-Token": fac}
    )
    token = token_of((await invite(client, world, fac))["link"])
    browser = new_client()
    await browser.post(
        "/api/join/consent", json={"token": token, "rules_version": 1, "accept_rules": True, "accept_transcript": False}
    )
    assert (await browser.post("/api/join/claim", json={"token": token, "display_name": "Quiet"})).status_code == 200
    switched = await client.patch(
        f"/api/sessions/{world.session.id}", json={"keep_transcript": True}, headers={"X-CSRF-Token": fac}
    )
    assert switched.status_code == 409 and switched.json()["error"]["code"] == "transcript_after_consent"


async def test_the_same_link_used_in_two_browsers_at_once_gives_one_seat(client, new_client, world, fac):
    token = token_of((await invite(client, world, fac))["link"])
    first, second = new_client(), new_client()
    for browser in (first, second):
        await browser.post(
            "/api/join/consent",
            json={"token": token, "rules_version": 1, "accept_rules": True, "accept_transcript": True},
        )
    answers = await asyncio.gather(
        first.post("/api/join/claim", json={"token": token, "display_name": "Same Link"}),
        second.post("/api/join/claim", json={"token": token, "display_name": "Same Link Too"}),
    )
    assert sorted(a.status_code for a in answers) == [200, 404]
    seats = (await client.get(f"/api/sessions/{world.session.id}/seats")).json()
    assert len(seats) == 1


async def test_look_alike_names_count_as_the_same_name(client, new_client, world, fac):
    await join(new_client(), token_of((await invite(client, world, fac))["link"]), "Nare")
    clash = await join(new_client(), token_of((await invite(client, world, fac, community="b"))["link"]), "Ｎａｒｅ")
    assert clash.status_code == 422 and clash.json()["error"]["code"] == "display_name_taken"
    long_fold = await join(new_client(), token_of((await invite(client, world, fac, community="b"))["link"]), "ﬃ" * 40)
    assert long_fold.status_code == 200  # folds to 120 characters and is stored


async def test_facilitators_see_who_is_who_behind_each_display_name(client, new_client, world, fac):
    invited = {"Նարե Հակոբյան": "Լուսաբաց", "Нигяр Алиева": "Nigar"}
    for real_name, display_name in invited.items():
        token = token_of((await invite(client, world, fac, real_name=real_name))["link"])
        joined = await join(new_client(), token, display_name)
        assert joined.status_code == 200, joined.text
    anonymous = token_of((await invite(client, world, fac, community="b"))["link"])
    joined = await join(new_client(), anonymous, "Somebody new")
    assert joined.status_code == 200, joined.text
    listed = (await client.get(f"/api/sessions/{world.session.id}/seats")).json()
    assert {s["display_name"]: s["invited_as"] for s in listed} == {
        "Լուսաբաց": "Նարե Հակոբյան",
        "Nigar": "Нигяр Алиева",
        "Somebody new": None,
    }
