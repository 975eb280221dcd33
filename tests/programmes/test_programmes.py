"""Organisers set up programmes; members see only their own."""

from __future__ import annotations

from app.accounts.models import Role
from tests.factories import LABELS, api_login, make_programme

BODY = {
    "name": "Dialogue series 2027",
    "description": "Six meetings.",
    "languages": ["en", "ru", "az", "hy"],
    "communities": [{"key": "a", "labels": LABELS["a"]}, {"key": "b", "labels": LABELS["b"]}],
}


async def test_an_organiser_creates_a_programme_and_adds_a_facilitator(client, new_client, make_account):
    organiser = await make_account(Role.organiser)
    facilitator = await make_account(Role.facilitator)
    csrf = await api_login(client, organiser)
    created = await client.post("/api/programmes", json=BODY, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201, created.text
    programme = created.json()
    assert [c["key"] for c in programme["communities"]] == ["a", "b"]
    assert programme["my_role"] == "organiser"
    added = await client.post(
        f"/api/programmes/{programme['id']}/members",
        json={"username": facilitator.username, "role": "facilitator"},
        headers={"X-CSRF-Token": csrf},
    )
    assert added.status_code == 201
    their = new_client()
    await api_login(their, facilitator)
    listed = (await their.get("/api/programmes")).json()
    assert [p["id"] for p in listed] == [programme["id"]] and listed[0]["my_role"] == "facilitator"


async def test_three_communities_work_as_well_as_two(client, make_account):
    organiser = await make_account(Role.organiser)
    csrf = await api_login(client, organiser)
    body = {**BODY, "communities": [*BODY["communities"], {"key": "c", "labels": LABELS["c"]}]}
    created = await client.post("/api/programmes", json=body, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201
    assert len(created.json()["communities"]) == 3


async def test_people_see_only_the_programmes_they_belong_to(app, client, make_account):
    organiser = await make_account(Role.organiser)
    stranger = await make_account(Role.organiser)
    programme = await make_programme(app, organiser=organiser.user)
    await api_login(client, stranger)
    assert (await client.get("/api/programmes")).json() == []
    response = await client.get(f"/api/programmes/{programme.id}")
    assert response.status_code == 404  # not 403: its existence is not revealed


async def test_facilitators_and_admins_cannot_create_programmes(client, make_account):
    for role in (Role.facilitator, Role.admin):
        account = await make_account(role)
        csrf = await api_login(client, account)
        assert (await client.post("/api/programmes", json=BODY, headers={"X-CSRF-Token": csrf})).status_code == 403


async def test_bad_programmes_are_refused_with_the_reason(client, make_account):
    organiser = await make_account(Role.organiser)
    csrf = await api_login(client, organiser)
    cases = {
        "one community": {**BODY, "communities": BODY["communities"][:1]},
        "duplicate keys": {**BODY, "communities": [BODY["communities"][0], BODY["communities"][0]]},
        "missing label": {**BODY, "communities": [{"key": "a", "labels": {"en": "A"}}, BODY["communities"][1]]},
        "unknown language": {**BODY, "languages": ["en", "tlh"]},
        "bad key": {**BODY, "communities": [{"key": "Not A Key", "labels": LABELS["a"]}, BODY["communities"][1]]},
        "oversized name": {**BODY, "name": "x" * 500},
    }
    for name, body in cases.items():
        response = await client.post("/api/programmes", json=body, headers={"X-CSRF-Token": csrf})
        assert response.status_code == 422, name
        assert response.json()["error"]["message"], name
    assert (await client.get("/api/programmes")).json() == []


async def test_a_programme_keeps_at_least_one_organiser(app, client, make_account):
    organiser = await make_account(Role.organiser)
    programme = await make_programme(app, organiser=organiser.user)
    csrf = await api_login(client, organiser)
    response = await client.delete(
        f"/api/programmes/{programme.id}/members/{organiser.user.id}", headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "last_organiser"


async def test_members_must_be_added_in_their_account_role(app, client, make_account):
    organiser = await make_account(Role.organiser)
    facilitator = await make_account(Role.facilitator)
    programme = await make_programme(app, organiser=organiser.user)
    csrf = await api_login(client, organiser)
    wrong = await client.post(
        f"/api/programmes/{programme.id}/members",
        json={"username": facilitator.username, "role": "organiser"},
        headers={"X-CSRF-Token": csrf},
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "wrong_account_role"
    unknown = await client.post(
        f"/api/programmes/{programme.id}/members",
        json={"username": "nobody", "role": "facilitator"},
        headers={"X-CSRF-Token": csrf},
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_account"


async def test_a_further_community_can_be_added(app, client, make_account):
    organiser = await make_account(Role.organiser)
    programme = await make_programme(app, organiser=organiser.user)
    csrf = await api_login(client, organiser)
    added = await client.post(
        f"/api/programmes/{programme.id}/communities",
        json={"key": "c", "labels": LABELS["c"]},
        headers={"X-CSRF-Token": csrf},
    )
    assert added.status_code == 201
    again = await client.post(
        f"/api/programmes/{programme.id}/communities",
        json={"key": "c", "labels": LABELS["c"]},
        headers={"X-CSRF-Token": csrf},
    )
    assert again.status_code == 409
