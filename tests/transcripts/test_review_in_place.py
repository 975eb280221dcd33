"""The review page decided in place: the page's script sends each decision as the same form
post with `Accept: application/json` and gets the new state as JSON (what is left to decide,
the parts of the page to replace, a sentence to announce); a form post without script still
gets its redirect; errors come as readable JSON in the page's language, and the CSRF checks of
the form hold for the script's posts. Releasing goes through a confirmation step and then
says what was released."""

from __future__ import annotations

import re
from typing import Any

from app.accounts.models import User
from app.dialogues.models import Seat
from tests.factories import DEFAULT_PASSWORD, Account, api_login

JSON = {"Accept": "application/json"}


async def _draft(r: Any) -> dict[str, Any]:
    response = await r.facilitator.get(f"/api/sessions/{r.room.session_id}/transcript")
    assert response.status_code == 200, response.text
    return response.json()


def _marks(draft: dict[str, Any], statement_id: int) -> list[dict[str, Any]]:
    return next(s["marks"] for s in draft["statements"] if s["id"] == statement_id)


def _form(csrf: str, statement_id: int, mark: dict[str, Any], accept: bool, seen: str | None = None) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "statement_id": str(statement_id),
        "part": "0",
        "start": str(mark["start"]),
        "end": str(mark["end"]),
        "accept": "1" if accept else "0",
        "seen": seen or mark["state"],
    }


async def _names_said(r: Any) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """A statement naming two people, the session ended: its two name suggestions."""
    said = await r.room.say(r.room.people["nigar"], "Thank you, Ani, and Rauf too.")
    await r.end()
    names = [m for m in _marks(await _draft(r), said.statement_id) if m["kind"] == "name"]
    assert len(names) == 2, names
    return said.statement_id, names[0], names[1]


async def test_a_decision_from_the_page_script_is_answered_with_its_new_state(make_readers: Any) -> None:
    r = await make_readers()
    statement_id, ani, rauf = await _names_said(r)
    decide = f"/sessions/{r.room.session_id}/transcript/decisions"
    before = (await _draft(r))["counts"]

    accepted = await r.facilitator.post(decide, data=_form(r.facilitator_csrf, statement_id, ani, True), headers=JSON)
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    key = f"{statement_id}:0:{ani['start']}:{ani['end']}"
    assert body["key"] == key
    assert body["decision"]["state"] == "accepted" and body["decision"]["state_label"] == "hidden"
    assert body["counts"]["pending"] == before["pending"] - 1
    assert (
        body["message"].startswith("“Ani”: hidden.") and f"suggestions {body['counts']['pending']}," in body["message"]
    )
    assert f'data-mark="{key}" data-state="accepted"' in body["suggestions_html"]
    assert body["release"]["statements"] == 1 and body["release"]["pending"] == body["counts"]["pending"]
    assert "<html" not in body["suggestions_html"], "a part of the page, not a page"

    rejected = await r.facilitator.post(decide, data=_form(r.facilitator_csrf, statement_id, rauf, False), headers=JSON)
    assert rejected.status_code == 200, rejected.text
    body = rejected.json()
    assert body["decision"]["state"] == "rejected" and body["counts"]["pending"] == before["pending"] - 2
    # The preview shows the statement as organisers will read it now: Rauf kept, Ani hidden.
    assert "Rauf" in body["preview_html"] and "Ani," not in body["preview_html"]
    assert "Thank you, Ani" not in body["preview_html"]


async def test_a_form_post_without_script_still_gets_its_redirect(make_readers: Any) -> None:
    r = await make_readers()
    statement_id, ani, _rauf = await _names_said(r)
    answer = await r.facilitator.post(
        f"/sessions/{r.room.session_id}/transcript/decisions", data=_form(r.facilitator_csrf, statement_id, ani, False)
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/sessions/{r.room.session_id}/transcript"
    state = next(m for m in _marks(await _draft(r), statement_id) if m["start"] == ani["start"])["state"]
    assert state == "rejected"


async def test_a_decision_taken_meanwhile_by_another_facilitator_is_refused_in_the_page_language(
    make_readers: Any, new_client: Any
) -> None:
    r = await make_readers()
    statement_id, ani, _rauf = await _names_said(r)
    async with r.room.app.state.db.unit_of_work() as db:
        co_user = await db.get(User, (await db.get(Seat, r.room.co_facilitator.seat_id)).user_id)
    co = new_client("198.51.100.31")
    co_csrf = await api_login(co, Account(co_user, DEFAULT_PASSWORD))
    decide = f"/sessions/{r.room.session_id}/transcript/decisions"
    # Both pages show Ani's name pending; the co-facilitator keeps it as written first.
    assert (await co.post(decide, data=_form(co_csrf, statement_id, ani, False), headers=JSON)).status_code == 200

    r.facilitator.cookies.set("rt_lang", "ru")
    stale = await r.facilitator.post(
        decide, data=_form(r.facilitator_csrf, statement_id, ani, True, seen="pending"), headers=JSON
    )
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "decided_meanwhile"
    assert "фасилитатор" in error["message"] and "409" not in error["message"], error
    # The same decision the other facilitator took is no conflict.
    same = await r.facilitator.post(
        decide, data=_form(r.facilitator_csrf, statement_id, ani, False, seen="pending"), headers=JSON
    )
    assert same.status_code == 200

    # Without script: back to the page, which says so in words.
    await co.post(decide, data=_form(co_csrf, statement_id, ani, True, seen="rejected"), headers=JSON)
    form = await r.facilitator.post(decide, data=_form(r.facilitator_csrf, statement_id, ani, False, seen="rejected"))
    assert form.status_code == 303 and form.headers["location"].endswith("?error=decided_meanwhile")
    r.facilitator.cookies.set("rt_lang", "en")
    page = await r.facilitator.get(form.headers["location"])
    assert "Another facilitator decided on these words while you were reading" in page.text


async def test_errors_for_the_script_are_json_and_the_csrf_checks_hold(make_readers: Any, new_client: Any) -> None:
    r = await make_readers()
    statement_id, ani, _rauf = await _names_said(r)
    decide = f"/sessions/{r.room.session_id}/transcript/decisions"
    data = _form(r.facilitator_csrf, statement_id, ani, True)

    no_token = await r.facilitator.post(decide, data={**data, "csrf_token": ""}, headers=JSON)
    assert no_token.status_code == 403 and no_token.json()["error"]["code"] == "csrf_failed"
    other_site = await r.facilitator.post(decide, data=data, headers={**JSON, "Origin": "https://elsewhere.example"})
    assert other_site.status_code == 403 and other_site.json()["error"]["code"] == "cross_site_request"
    r.facilitator.cookies.set("rt_lang", "hy")
    unknown = await r.facilitator.post(decide, data={**data, "start": "0", "end": "1"}, headers=JSON)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_suggestion"
    assert re.search("[\u0531-\u0587]", unknown.json()["error"]["message"]), "in Armenian"
    # A login that ended (logged out in another tab): the page's token no longer holds.
    stale_page = new_client("198.51.100.32")
    for name, value in r.facilitator.cookies.items():
        if name != "rt_login":
            stale_page.cookies.set(name, value)
    ended = await stale_page.post(decide, data=data, headers=JSON)
    assert ended.status_code in (401, 403), ended.text
    assert ended.headers["content-type"].startswith("application/json") and ended.json()["error"]["message"]
    nothing = (await _draft(r))["counts"]
    assert next(m for m in _marks(await _draft(r), statement_id) if m["start"] == ani["start"])["state"] == "pending"
    assert nothing["pending"] >= 2


async def test_words_hidden_and_unhidden_in_place(make_readers: Any) -> None:
    r = await make_readers()
    said = await r.room.say(r.room.people["nigar"], "We met in Yerevan and Baku.")
    await r.end()
    hide = await r.facilitator.post(
        f"/sessions/{r.room.session_id}/transcript/redactions",
        data={
            "csrf_token": r.facilitator_csrf,
            "statement_id": str(said.statement_id),
            "words": "Baku",
            "reason": "A place",
        },
        headers=JSON,
    )
    assert hide.status_code == 200, hide.text
    body = hide.json()
    assert body["decision"]["kind"] == "manual" and body["message"].startswith("“Baku” is hidden.")
    assert "[redacted]" in body["preview_html"] and body["release"]["redactions"] >= 1
    missing = await r.facilitator.post(
        f"/sessions/{r.room.session_id}/transcript/redactions",
        data={
            "csrf_token": r.facilitator_csrf,
            "statement_id": str(said.statement_id),
            "words": "Tbilisi",
            "reason": "x",
        },
        headers=JSON,
    )
    assert missing.status_code == 422 and missing.json()["error"]["message"] == "Those words are not in the statement."
    manual = next(m for m in _marks(await _draft(r), said.statement_id) if m["kind"] == "manual")
    removed = await r.facilitator.post(
        f"/sessions/{r.room.session_id}/transcript/redactions/{manual['id']}/remove",
        data={"csrf_token": r.facilitator_csrf},
        headers=JSON,
    )
    assert removed.status_code == 200, removed.text
    assert removed.json()["message"].startswith("“Baku” is no longer hidden by hand.")
    assert "Baku" in removed.json()["preview_html"]
    again = await r.facilitator.post(
        f"/sessions/{r.room.session_id}/transcript/redactions/{manual['id']}/remove",
        data={"csrf_token": r.facilitator_csrf},
        headers=JSON,
    )
    assert again.status_code == 404 and again.json()["error"]["code"] == "unknown_redaction"


async def test_releasing_is_confirmed_first_and_then_says_what_was_released(make_readers: Any) -> None:
    r = await make_readers()
    statement_id, _ani, _rauf = await _names_said(r)
    session = r.room.session_id
    release = f"/sessions/{session}/transcript/release"

    review = (await r.facilitator.get(f"/sessions/{session}/transcript")).text
    assert f'<form method="get" action="{release}" data-release-open>' in review
    assert "<dialog" in review and 'name="confirmed" value="1"' in review

    # Without script: the button opens a confirmation page that says what will be released.
    confirm = await r.facilitator.get(release)
    assert confirm.status_code == 200
    assert 'data-release-count="statements">1<' in confirm.text
    assert 'data-release-count="redactions">2<' in confirm.text
    assert "organisers of" in confirm.text and "anonymised" in confirm.text
    unconfirmed = await r.facilitator.post(release, data={"csrf_token": r.facilitator_csrf})
    assert unconfirmed.status_code == 303 and unconfirmed.headers["location"] == release
    assert (await r.facilitator.get(f"/api/sessions/{session}/transcript")).json()["releases"] == []
    refused = await r.facilitator.post(release, data={"csrf_token": r.facilitator_csrf}, headers=JSON)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "release_not_confirmed"

    # With script: the dialog's form, answered with what was released.
    made = await r.facilitator.post(release, data={"csrf_token": r.facilitator_csrf, "confirmed": "1"}, headers=JSON)
    assert made.status_code == 200, made.text
    body = made.json()
    assert body["released"] is True and body["version"] == 1
    assert body["outline"] == {"statements": 1, "redactions": 2}
    assert body["message"] == "Version 1 was released. Statements: 1; words hidden: 2."
    assert (
        "Version 1 was released on" in body["summary_html"]
        and f'href="/transcripts/{body["id"]}"' in body["summary_html"]
    )
    assert f'href="/transcripts/{body["id"]}"' in body["versions_html"]

    # Without script: the redirect back says it too.
    form = await r.facilitator.post(release, data={"csrf_token": r.facilitator_csrf, "confirmed": "1"})
    assert form.status_code == 303 and form.headers["location"] == f"/sessions/{session}/transcript?released=2"
    page = (await r.facilitator.get(form.headers["location"])).text
    assert "Version 2 was released on" in page and "Statements: 1; words hidden: 2." in page
    assert statement_id


async def test_only_the_sessions_facilitators_see_the_confirmation_or_decide(make_readers: Any) -> None:
    r = await make_readers()
    statement_id, ani, _rauf = await _names_said(r)
    session = r.room.session_id
    assert (await r.organiser.get(f"/sessions/{session}/transcript/release")).status_code in (403, 404)
    answer = await r.organiser.post(
        f"/sessions/{session}/transcript/decisions", data=_form(r.organiser_csrf, statement_id, ani, True), headers=JSON
    )
    assert answer.status_code in (403, 404) and answer.json()["error"]["message"]
    released = await r.organiser.post(
        f"/sessions/{session}/transcript/release", data={"csrf_token": r.organiser_csrf, "confirmed": "1"}, headers=JSON
    )
    assert released.status_code in (403, 404)
    assert (await r.facilitator.get(f"/api/sessions/{session}/transcript")).json()["releases"] == []
