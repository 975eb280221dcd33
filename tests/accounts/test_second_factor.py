"""Staff accounts' second factor: an admin sets one up at the first login, later logins need
a code (never the same one twice) or a single-use recovery code, guesses are throttled, a
setting can require it of facilitators, and an admin can clear a lost one."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlmodel import col, func, select

from app.accounts.models import Role
from app.security.models import LoginSession, RecoveryCode, SecondFactor
from app.security.second_factor import PENDING_LOGIN_COOKIE
from tests.backends import make_settings
from tests.factories import CSRF_META, api_login, page_csrf


@pytest.fixture
def settings(request, database_url, redis_available):
    """Cheap passwords; the roles that need a second factor come from the test's parameter."""
    return make_settings(
        database_url,
        redis_available,
        require_totp_for=getattr(request, "param", ["admin"]),
        password_memory_kib=8 * 1024,
        password_time_cost=1,
        login_limit_per_client="1000/minute",
    )


def found(pattern: str | re.Pattern[str], text: str) -> str:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in the page"
    return match.group(1)


def code_now(secret: str, app, *, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(app.state.clock.now(), counter_offset=offset)


async def password_step(client, account) -> dict:
    response = await client.post("/api/auth/login", json={"username": account.username, "password": account.password})
    assert response.status_code == 202, response.text
    return response.json()


async def enrol(app, client, account) -> tuple[str, str, list[str]]:
    """Log in for the first time and set up the second factor; the CSRF token, secret and codes."""
    step = await password_step(client, account)
    assert step["step"] == "second_factor_enrolment"
    started = await client.get("/api/auth/login/enrolment")
    assert started.status_code == 200, started.text
    secret = started.json()["secret"]
    assert started.json()["otpauth_uri"].startswith("otpauth://totp/Roundtable:")
    done = await client.post("/api/auth/login/enrolment/confirm", json={"code": code_now(secret, app)})
    assert done.status_code == 200, done.text
    return done.json()["csrf_token"], secret, done.json()["recovery_codes"]


async def login_sessions(app) -> int:
    async with app.state.db.unit_of_work() as db:
        return (await db.exec(select(func.count()).select_from(LoginSession))).one()


async def test_an_admin_sets_up_a_second_factor_before_the_first_login_exists(app, client, make_account):
    admin = await make_account(Role.admin)
    step = await password_step(client, admin)
    assert step["next"] == "/api/auth/login/enrolment"
    # No login session yet: only a pending-login cookie, which holds no password.
    assert await login_sessions(app) == 0
    assert "rt_login" not in client.cookies
    pending = client.cookies[PENDING_LOGIN_COOKIE]
    assert admin.password not in pending and admin.password.replace(" ", "") not in pending
    me = await client.get("/api/auth/me")
    assert me.status_code == 401 and me.json()["error"]["code"] == "second_factor_enrolment_required"
    assert (await client.get("/api/admin/users")).status_code == 401

    _csrf, _secret, codes = await enrol(app, client, admin)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[2-9A-Z]{5}-[2-9A-Z]{5}", code) for code in codes)
    assert (await client.get("/api/auth/me")).status_code == 200
    assert PENDING_LOGIN_COOKIE not in client.cookies
    async with app.state.db.unit_of_work() as db:
        stored = (await db.exec(select(RecoveryCode.code_hash))).all()
        factor = (await db.exec(select(SecondFactor))).one()
    assert len(stored) == 10 and not set(codes) & set(stored)  # hashes only
    assert factor.confirmed_at is not None


async def test_later_logins_need_a_code_and_a_wrong_one_opens_nothing(app, client, new_client, make_account):
    admin = await make_account(Role.admin)
    _csrf, secret, _codes = await enrol(app, client, admin)
    app.state.clock.advance(seconds=30)

    browser = new_client()
    step = await password_step(browser, admin)
    assert step["step"] == "second_factor"
    me = await browser.get("/api/auth/me")
    assert me.status_code == 401 and me.json()["error"]["code"] == "second_factor_required"
    wrong = await browser.post("/api/auth/login/second-factor", json={"code": code_now(secret, app, offset=5)})
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "wrong_code"
    assert (await browser.get("/api/auth/me")).status_code == 401
    right = await browser.post("/api/auth/login/second-factor", json={"code": code_now(secret, app)})
    assert right.status_code == 200, right.text
    assert right.json()["user"]["username"] == admin.username
    assert (await browser.get("/api/auth/me")).status_code == 200


async def test_a_code_from_the_previous_step_is_still_accepted(app, client, new_client, make_account):
    admin = await make_account(Role.admin)
    _csrf, secret, _codes = await enrol(app, client, admin)
    app.state.clock.advance(seconds=60)
    browser = new_client()
    await password_step(browser, admin)
    late = await browser.post("/api/auth/login/second-factor", json={"code": code_now(secret, app, offset=-1)})
    assert late.status_code == 200, late.text


async def test_a_code_cannot_be_played_twice(app, client, new_client, make_account):
    admin = await make_account(Role.admin)
    _csrf, secret, _codes = await enrol(app, client, admin)
    app.state.clock.advance(seconds=30)
    code = code_now(secret, app)
    first = new_client()
    await password_step(first, admin)
    assert (await first.post("/api/auth/login/second-factor", json={"code": code})).status_code == 200

    # Someone who saw the code over the shoulder, within its 30 seconds:
    second = new_client(address="198.51.100.99")
    await password_step(second, admin)
    replayed = await second.post("/api/auth/login/second-factor", json={"code": code})
    assert replayed.status_code == 422 and replayed.json()["error"]["code"] == "wrong_code"
    assert "used already" in replayed.json()["error"]["message"]
    assert (await second.get("/api/auth/me")).status_code == 401
    # The code of the enrolment itself cannot open a login either (same step, already used).
    app.state.clock.advance(seconds=30)
    assert (await second.post("/api/auth/login/second-factor", json={"code": code_now(secret, app)})).status_code == 200


async def test_a_recovery_code_works_once_instead_of_a_code(app, client, new_client, make_account):
    admin = await make_account(Role.admin)
    _csrf, _secret, codes = await enrol(app, client, admin)
    browser = new_client()
    await password_step(browser, admin)
    # Typed the way people type: lower case, no dash.
    used = await browser.post("/api/auth/login/second-factor", json={"code": codes[3].lower().replace("-", "")})
    assert used.status_code == 200, used.text

    again = new_client()
    await password_step(again, admin)
    refused = await again.post("/api/auth/login/second-factor", json={"code": codes[3]})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "wrong_code"
    assert (await again.post("/api/auth/login/second-factor", json={"code": codes[4]})).status_code == 200
    async with app.state.db.unit_of_work() as db:
        spent = (
            await db.exec(select(func.count()).select_from(RecoveryCode).where(col(RecoveryCode.used_at).is_not(None)))
        ).one()
    assert spent == 2


async def test_code_guesses_are_throttled_and_the_password_does_not_refill_them(app, client, new_client, make_account):
    admin = await make_account(Role.admin)
    _csrf, secret, _codes = await enrol(app, client, admin)
    app.state.clock.advance(seconds=30)
    browser = new_client()
    wrong = code_now(secret, app, offset=7)
    for _ in range(3):
        await password_step(browser, admin)
        assert (await browser.post("/api/auth/login/second-factor", json={"code": wrong})).status_code == 422
    await password_step(browser, admin)  # a right password gives the password's budget back, not the code's
    for _ in range(2):
        assert (await browser.post("/api/auth/login/second-factor", json={"code": wrong})).status_code == 422
    throttled = await browser.post("/api/auth/login/second-factor", json={"code": code_now(secret, app)})
    assert throttled.status_code == 429 and "Retry-After" in throttled.headers
    assert (await browser.get("/api/auth/me")).status_code == 401


async def test_a_pending_login_expires_and_dies_with_a_password_reset(app, client, new_client, make_account):
    admin = await make_account(Role.admin)
    _csrf, secret, _codes = await enrol(app, client, admin)
    browser = new_client()
    await password_step(browser, admin)
    app.state.clock.advance(minutes=11)
    late = await browser.post("/api/auth/login/second-factor", json={"code": code_now(secret, app)})
    assert late.status_code == 401 and late.json()["error"]["code"] == "login_expired"

    await password_step(browser, admin)
    async with app.state.db.unit_of_work() as db:  # the password changes meanwhile
        from_db = await db.get(type(admin.user), admin.user.id)
        assert from_db is not None
        from_db.password_hash = await app.state.passwords.hash("an entirely different secret")
        db.add(from_db)
    app.state.clock.advance(seconds=30)
    stale = await browser.post("/api/auth/login/second-factor", json={"code": code_now(secret, app)})
    assert stale.status_code == 401 and stale.json()["error"]["code"] == "login_expired"


async def test_a_forged_pending_cookie_opens_nothing(app, client, make_account):
    admin = await make_account(Role.admin)
    await password_step(client, admin)
    token = client.cookies[PENDING_LOGIN_COOKIE]
    body, _, signature = token.rpartition(".")
    client.cookies.set(PENDING_LOGIN_COOKIE, body + "." + "0" * len(signature))
    started = await client.get("/api/auth/login/enrolment")
    assert started.status_code == 401 and started.json()["error"]["code"] == "login_expired"


async def test_facilitators_log_in_with_a_password_alone_unless_the_setting_says_otherwise(client, make_account):
    facilitator = await make_account(Role.facilitator)
    await api_login(client, facilitator)
    assert (await client.get("/api/auth/me")).status_code == 200


@pytest.mark.parametrize("settings", [["admin", "facilitator"]], indirect=True)
async def test_the_setting_requires_a_second_factor_of_facilitators(app, client, new_client, make_account):
    facilitator = await make_account(Role.facilitator)
    organiser = await make_account(Role.organiser)
    _csrf, secret, _codes = await enrol(app, client, facilitator)
    await api_login(new_client(), organiser)  # organisers are not in the list
    app.state.clock.advance(seconds=30)
    browser = new_client()
    assert (await password_step(browser, facilitator))["step"] == "second_factor"
    assert (
        await browser.post("/api/auth/login/second-factor", json={"code": code_now(secret, app)})
    ).status_code == 200


def test_production_keeps_admins_among_the_roles_that_need_a_second_factor():
    good = {
        "env": "production",
        "secret_key": "k" * 10 + "-Q7x!zR2pL9wE4tY6uI8oP0aS3dF5gH",
        "allowed_origins": "https://x.example",
    }
    with pytest.raises(ValueError, match="admins always need a second factor"):
        make_settings("sqlite+aiosqlite://", None, **good, require_totp_for="facilitator")
    assert make_settings(
        "sqlite+aiosqlite://", None, **good, require_totp_for="facilitator,admin"
    ).require_totp_for == [
        "admin",
        "facilitator",
    ]
    with pytest.raises(ValueError, match="unknown role"):
        make_settings("sqlite+aiosqlite://", None, require_totp_for="participant")


async def test_an_optional_second_factor_is_set_up_on_the_account_page_and_turned_off_with_a_code(
    app, client, new_client, make_account
):
    facilitator = await make_account(Role.facilitator)
    await api_login(client, facilitator)
    page = await client.get("/account/second-factor/set-up")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.text
    assert 'autocomplete="one-time-code"' in page.text and 'inputmode="numeric"' in page.text
    assert "img-src 'self' data:" in page.headers["content-security-policy"]
    secret = found(r'<code translate="no">([A-Z2-7 ]+)</code>', page.text).replace(" ", "")
    csrf = found(CSRF_META, page.text)
    done = await client.post("/account/second-factor/set-up", data={"csrf_token": csrf, "code": code_now(secret, app)})
    assert done.status_code == 200 and "ABCDE" not in done.text
    codes = re.findall(r"<li><code>([2-9A-Z]{5}-[2-9A-Z]{5})</code></li>", done.text)
    assert len(codes) == 10

    # The next login asks for a code.
    app.state.clock.advance(seconds=30)
    other = new_client()
    assert (await password_step(other, facilitator))["step"] == "second_factor"

    # Turning it off needs a code; a wrong one changes nothing.
    csrf = await page_csrf(client, "/account")
    refused = await client.post("/account/second-factor/disable", data={"csrf_token": csrf, "code": "000000"})
    assert refused.status_code == 422
    off = await client.post("/account/second-factor/disable", data={"csrf_token": csrf, "code": code_now(secret, app)})
    assert off.status_code == 303 and off.headers["location"] == "/account?done=second_factor_off"
    await api_login(new_client(), facilitator)


async def test_an_admin_cannot_turn_off_a_second_factor_the_role_requires(app, client, make_account):
    admin = await make_account(Role.admin)
    _csrf, secret, _codes = await enrol(app, client, admin)
    app.state.clock.advance(seconds=30)
    csrf = await page_csrf(client, "/account")
    refused = await client.post(
        "/account/second-factor/disable", data={"csrf_token": csrf, "code": code_now(secret, app)}
    )
    assert refused.status_code == 403
    async with app.state.db.unit_of_work() as db:
        assert (await db.exec(select(func.count()).select_from(SecondFactor))).one() == 1


async def test_new_recovery_codes_replace_the_old_ones(app, client, new_client, make_account):
    admin = await make_account(Role.admin)
    _csrf, secret, old_codes = await enrol(app, client, admin)
    app.state.clock.advance(seconds=30)
    csrf = await page_csrf(client, "/account")
    fresh = await client.post(
        "/account/second-factor/recovery-codes", data={"csrf_token": csrf, "code": code_now(secret, app)}
    )
    new_codes = re.findall(r"<li><code>([2-9A-Z]{5}-[2-9A-Z]{5})</code></li>", fresh.text)
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    browser = new_client()
    await password_step(browser, admin)
    assert (await browser.post("/api/auth/login/second-factor", json={"code": old_codes[0]})).status_code == 422
    assert (await browser.post("/api/auth/login/second-factor", json={"code": new_codes[0]})).status_code == 200


@pytest.mark.parametrize("settings", [["admin", "facilitator"]], indirect=True)
async def test_an_admin_clears_a_lost_second_factor_and_the_persons_logins_end(app, client, new_client, make_account):
    admin = await make_account(Role.admin)
    facilitator = await make_account(Role.facilitator)
    admin_csrf, _admin_secret, _ = await enrol(app, client, admin)
    their_browser = new_client()
    await enrol(app, their_browser, facilitator)
    assert (await their_browser.get("/api/auth/me")).status_code == 200

    cleared = await client.post(
        f"/api/admin/users/{facilitator.user.id}/second-factor/clear", headers={"X-CSRF-Token": admin_csrf}
    )
    assert cleared.status_code == 200
    assert (await their_browser.get("/api/auth/me")).status_code == 401
    async with app.state.db.unit_of_work() as db:
        assert (
            await db.exec(
                select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == facilitator.user.id)
            )
        ).one() == 0
    # Their role needs one, so the next login sets up a new one.
    assert (await password_step(new_client(), facilitator))["step"] == "second_factor_enrolment"

    # The same from the admin's page; somebody else cannot.
    page_csrf_token = await page_csrf(client, "/admin/users")
    assert (await client.get("/admin/users")).status_code == 200
    other = await client.post(
        f"/admin/users/{facilitator.user.id}/second-factor/clear", data={"csrf_token": page_csrf_token}
    )
    assert other.status_code == 303 and other.headers["location"] == "/admin/users?done=second_factor"
    organiser = await make_account(Role.organiser)
    theirs = new_client(address="198.51.100.77")
    csrf = await api_login(theirs, organiser)
    refused = await theirs.post(f"/api/admin/users/{admin.user.id}/second-factor/clear", headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 403


async def test_the_login_pages_take_the_code_step_and_keep_where_the_person_was_going(app, client, make_account):
    admin = await make_account(Role.admin)
    _csrf, secret, _codes = await enrol(app, client, admin)
    await client.post("/api/auth/logout", headers={"X-CSRF-Token": _csrf})
    app.state.clock.advance(seconds=30)

    csrf = await page_csrf(client, "/login")
    response = await client.post(
        "/login",
        data={"username": admin.username, "password": admin.password, "csrf_token": csrf, "next": "/admin/users"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/login/code?next=/admin/users"
    assert await login_sessions(app) == 1  # only the ended one from the enrolment
    # Any other page sends the person back to the step.
    elsewhere = await client.get("/programmes", follow_redirects=True)
    assert str(elsewhere.url).startswith("http://testserver/login/code")
    page = await client.get("/login/code?next=/admin/users")
    assert 'autocomplete="one-time-code"' in page.text and 'inputmode="numeric"' in page.text
    csrf = found(CSRF_META, page.text)
    wrong = await client.post("/login/code", data={"csrf_token": csrf, "next": "/admin/users", "code": "12345x"})
    assert wrong.status_code == 422 and 'aria-invalid="true"' in wrong.text
    right = await client.post(
        "/login/code", data={"csrf_token": csrf, "next": "/admin/users", "code": code_now(secret, app)}
    )
    assert right.status_code == 303 and right.headers["location"] == "/admin/users"
    assert (await client.get("/admin/users")).status_code == 200


async def test_the_enrolment_page_during_login_shows_the_codes_once_and_logs_in(app, client, make_account):
    admin = await make_account(Role.admin)
    csrf = await page_csrf(client, "/login")
    response = await client.post(
        "/login", data={"username": admin.username, "password": admin.password, "csrf_token": csrf, "next": "/"}
    )
    assert response.headers["location"] == "/login/set-up?next=/"
    page = await client.get("/login/set-up?next=/")
    assert page.status_code == 200 and 'src="data:image/svg+xml' in page.text
    assert "/logout" in page.text and 'href="/programmes"' not in page.text  # no way around the step
    secret = found(r'<code translate="no">([A-Z2-7 ]+)</code>', page.text).replace(" ", "")
    again = await client.get("/login/set-up?next=/")  # a reload shows the same secret
    assert secret in again.text.replace(" ", "")
    csrf = found(CSRF_META, again.text)
    done = await client.post("/login/set-up", data={"csrf_token": csrf, "next": "/", "code": code_now(secret, app)})
    assert done.status_code == 200
    assert len(re.findall(r"<li><code>([2-9A-Z]{5}-[2-9A-Z]{5})</code></li>", done.text)) == 10
    assert (await client.get("/api/auth/me")).status_code == 200
    assert (await client.get("/login/set-up?next=/", follow_redirects=False)).status_code == 303


async def test_the_log_never_carries_a_secret_or_a_code(app, client, make_account, capsys):
    admin = await make_account(Role.admin)
    _csrf, secret, codes = await enrol(app, client, admin)
    out = capsys.readouterr()
    logged = out.out + out.err
    assert "second_factor_enrolled" in logged
    assert secret not in logged and not any(code in logged for code in codes)
