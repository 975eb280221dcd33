"""Facilitators schedule sessions: times, quotas, ground rules, status, calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import api_login, make_world


@pytest.fixture
async def world(app, make_account):
    return await make_world(app, make_account)


@pytest.fixture
async def fac(client, world):
    return await api_login(client, world.facilitator)


def plan(clock, **fields):
    return {
        "title": "Listening session",
        "starts_at": (clock.now() + timedelta(days=3)).isoformat(),
        "capacity": 6,
        **fields,
    }


async def test_a_facilitator_schedules_a_session_with_parity_by_default(client, world, fac, clock):
    response = await client.post(
        f"/api/programmes/{world.programme.id}/sessions",
        json=plan(clock, agenda_template="first_meeting"),
        headers={"X-CSRF-Token": fac},
    )
    assert response.status_code == 201, response.text
    session = response.json()
    assert session["status"] == "draft"
    assert session["quotas"] == [{"community_key": "a", "seats": 3}, {"community_key": "b", "seats": 3}]
    assert session["ground_rules_version"] == 1 and "Speak for yourself" in session["ground_rules"]["en"]
    assert list(session["ground_rules"]) == ["en", "ru", "az", "hy"] == session["languages"]
    agenda = (await client.get(f"/api/sessions/{session['id']}/agenda")).json()
    assert next(i["kind"] for i in agenda) == "check_in" and len(agenda) == 7


async def test_a_local_time_is_read_in_the_sessions_time_zone_and_stored_in_utc(client, world, fac, clock):
    local = (clock.now() + timedelta(days=5)).replace(tzinfo=None, hour=18, minute=0, second=0, microsecond=0)
    response = await client.post(
        f"/api/programmes/{world.programme.id}/sessions",
        json=plan(clock, starts_at=local.isoformat(), time_zone="Asia/Tbilisi"),
        headers={"X-CSRF-Token": fac},
    )
    starts = datetime.fromisoformat(response.json()["starts_at"])
    assert starts.utcoffset() == timedelta(0)
    assert starts.hour == 14  # 18:00 in Tbilisi (UTC+4)


async def test_ends_at_can_stand_in_for_the_planned_length(client, world, fac, clock):
    start = clock.now() + timedelta(days=1)
    response = await client.post(
        f"/api/programmes/{world.programme.id}/sessions",
        json=plan(
            clock,
            starts_at=start.isoformat(),
            ends_at=(start + timedelta(minutes=90)).isoformat(),
            planned_minutes=None,
        ),
        headers={"X-CSRF-Token": fac},
    )
    assert response.status_code == 201 and response.json()["planned_minutes"] == 90


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"starts_at": "2020-01-01T10:00:00Z"}, "start_in_past", "starts_at"),
        ("end_before_start", "end_before_start", "ends_at"),
        ({"capacity": 4, "quotas": {"a": 3, "b": 3}}, "capacity_below_quotas", "capacity"),
        ({"quotas": {"a": 2, "zz": 2}}, "unknown_community", "quotas"),
        ({"time_zone": "Mars/Olympus"}, "validation_failed", "time_zone"),
        ({"title": "x" * 201}, "validation_failed", "title"),
        ({"ground_rules": "x" * 10_001}, "validation_failed", "ground_rules"),
        ({"capacity": "lots"}, "validation_failed", "capacity"),
        ({"colour": "red"}, "validation_failed", "colour"),
    ],
)
async def test_bad_plans_get_a_specific_error_and_change_nothing(client, world, fac, clock, change, code, field):
    if change == "end_before_start":
        start = clock.now() + timedelta(days=1)
        change = {"starts_at": start.isoformat(), "ends_at": (start - timedelta(hours=1)).isoformat()}
    before = (await client.get(f"/api/programmes/{world.programme.id}/sessions")).json()
    response = await client.post(
        f"/api/programmes/{world.programme.id}/sessions", json=plan(clock, **change), headers={"X-CSRF-Token": fac}
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert field in [d["field"] for d in error.get("details", [])]
    assert (await client.get(f"/api/programmes/{world.programme.id}/sessions")).json() == before


async def test_the_status_moves_only_along_its_path(client, world, fac):
    sid = world.session.id

    async def move(to, **extra):
        return await client.post(
            f"/api/sessions/{sid}/status", json={"status": to, **extra}, headers={"X-CSRF-Token": fac}
        )

    refused = await move("live")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "invalid_transition"
    assert "draft" in refused.json()["error"]["message"] and "scheduled" in refused.json()["error"]["message"]
    for status in ("scheduled", "open", "live", "paused", "live", "ended", "archived"):
        response = await move(status)
        assert response.status_code == 200, (status, response.text)
        assert response.json()["status"] == status
    assert (await move("live")).status_code == 409


async def test_cancelling_needs_a_reason_and_is_final(client, world, fac):
    sid = world.session.id
    no_reason = await client.post(
        f"/api/sessions/{sid}/status", json={"status": "cancelled"}, headers={"X-CSRF-Token": fac}
    )
    assert no_reason.status_code == 422 and no_reason.json()["error"]["code"] == "reason_required"
    ok = await client.post(
        f"/api/sessions/{sid}/status",
        json={"status": "cancelled", "reason": "Venue unavailable"},
        headers={"X-CSRF-Token": fac},
    )
    assert ok.status_code == 200 and ok.json()["cancel_reason"] == "Venue unavailable"
    again = await client.post(
        f"/api/sessions/{sid}/status", json={"status": "scheduled"}, headers={"X-CSRF-Token": fac}
    )
    assert again.status_code == 409


async def test_changed_ground_rules_become_a_new_version(client, world, fac):
    sid = world.session.id
    same = await client.patch(f"/api/sessions/{sid}", json={"title": "Renamed"}, headers={"X-CSRF-Token": fac})
    assert same.json()["ground_rules_version"] == 1 and same.json()["title"] == {"en": "Renamed"}
    changed = await client.patch(
        f"/api/sessions/{sid}", json={"ground_rules": "1. Be kind."}, headers={"X-CSRF-Token": fac}
    )
    # A plain string is the programme's first language; the other languages are kept.
    assert changed.json()["ground_rules_version"] == 2 and changed.json()["ground_rules"]["en"] == "1. Be kind."
    assert "Խոսեք" in changed.json()["ground_rules"]["hy"]
    unchanged = await client.patch(
        f"/api/sessions/{sid}", json={"ground_rules": "1. Be kind."}, headers={"X-CSRF-Token": fac}
    )
    assert unchanged.json()["ground_rules_version"] == 2


async def test_time_and_size_are_fixed_once_the_session_is_live(client, world, fac, clock):
    sid = world.session.id
    for status in ("scheduled", "open", "live"):
        await client.post(f"/api/sessions/{sid}/status", json={"status": status}, headers={"X-CSRF-Token": fac})
    moved = await client.patch(f"/api/sessions/{sid}", json={"capacity": 10}, headers={"X-CSRF-Token": fac})
    assert moved.status_code == 409 and moved.json()["error"]["code"] == "session_underway"
    renamed = await client.patch(f"/api/sessions/{sid}", json={"title": "Still fine"}, headers={"X-CSRF-Token": fac})
    assert renamed.status_code == 200


async def test_quotas_can_be_changed_and_are_checked_against_capacity(client, world, fac):
    sid = world.session.id
    ok = await client.patch(
        f"/api/sessions/{sid}", json={"capacity": 8, "quotas": {"a": 4, "b": 4}}, headers={"X-CSRF-Token": fac}
    )
    assert ok.status_code == 200 and ok.json()["quotas"][0]["seats"] == 4
    bad = await client.patch(f"/api/sessions/{sid}", json={"capacity": 6}, headers={"X-CSRF-Token": fac})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "capacity_below_quotas"


async def test_the_calendar_entry_downloads_as_ics(client, world, fac):
    response = await client.get(f"/api/sessions/{world.session.id}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    body = response.text
    assert "BEGIN:VCALENDAR" in body and "BEGIN:VEVENT" in body and "SUMMARY:First meeting" in body
    start = world.session.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in body
    assert "\r\n" in body


async def test_organisers_see_sessions_but_cannot_schedule_or_change_them(app, client, world, clock):
    csrf = await api_login(client, world.organiser)
    listed = await client.get(f"/api/programmes/{world.programme.id}/sessions")
    assert listed.status_code == 200 and len(listed.json()) == 1
    scheduled = await client.post(
        f"/api/programmes/{world.programme.id}/sessions", json=plan(clock), headers={"X-CSRF-Token": csrf}
    )
    assert scheduled.status_code == 403
    changed = await client.patch(
        f"/api/sessions/{world.session.id}", json={"title": "x"}, headers={"X-CSRF-Token": csrf}
    )
    assert changed.status_code == 403


async def test_a_facilitator_of_another_programme_finds_nothing(client, world):
    csrf = await api_login(client, world.outsider)
    assert (await client.get(f"/api/sessions/{world.session.id}")).status_code == 404
    moved = await client.post(
        f"/api/sessions/{world.session.id}/status", json={"status": "scheduled"}, headers={"X-CSRF-Token": csrf}
    )
    assert moved.status_code == 404


@pytest.mark.parametrize(
    ("starts_at", "time_zone", "code"),
    [
        ("9999-12-31T23:00:00Z", "UTC", "start_too_far"),
        ("0001-01-01T00:30:00", "Asia/Tokyo", "date_out_of_range"),
        ("2031-03-30T02:30:00", "Europe/Berlin", "nonexistent_local_time"),
    ],
)
async def test_impossible_dates_are_refused_with_a_reason(client, world, fac, clock, starts_at, time_zone, code):
    response = await client.post(
        f"/api/programmes/{world.programme.id}/sessions",
        json=plan(clock, starts_at=starts_at, time_zone=time_zone),
        headers={"X-CSRF-Token": fac},
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code


async def test_a_refused_edit_changes_nothing(client, world, fac):
    before = (await client.get(f"/api/sessions/{world.session.id}")).json()
    response = await client.patch(
        f"/api/sessions/{world.session.id}",
        json={"title": "Should not stick", "capacity": 2, "quotas": {"a": 2, "b": 2}},
        headers={"X-CSRF-Token": fac},
    )
    assert response.status_code == 422
    assert (await client.get(f"/api/sessions/{world.session.id}")).json() == before


async def test_scheduled_cannot_go_back_to_draft(client, world, fac):
    sid = world.session.id
    await client.post(f"/api/sessions/{sid}/status", json={"status": "scheduled"}, headers={"X-CSRF-Token": fac})
    back = await client.post(f"/api/sessions/{sid}/status", json={"status": "draft"}, headers={"X-CSRF-Token": fac})
    assert back.status_code == 409
