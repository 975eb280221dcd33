"""Schemathesis against a real `roundtable serve`: no answer is a 5xx, and every answer (its
status, its content type, its body) is one the OpenAPI document describes. On the current
backend (SQLite, or PostgreSQL and Redis when tests/backends.py says so), for a bounded time.

Who is logged in for which route is in tests/web/api_schema_hooks.py.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.accounts.models import Role
from tests.factories import make_programme, make_session
from tests.servers import Server, server_env

ROOT = Path(__file__).resolve().parents[2]
# The whole run, coverage phase included; it runs in both CI passes.
MAX_SECONDS = 40
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "unsupported_method",
    )
)
# Ending the run's own login, or changing its password, would leave the rest of the run refused.
EXCLUDED = r"^/api/auth/(logout|password)$"


@pytest.fixture
def api_server(database_url, redis_available, tmp_path) -> Iterator[Server]:
    env = server_env(
        database_url,
        redis_available,
        ROUNDTABLE_REQUIRE_TOTP_FOR="",
        ROUNDTABLE_LOGIN_LIMIT_PER_ACCOUNT="100000/1 minute",
        ROUNDTABLE_LOGIN_LIMIT_PER_CLIENT="100000/1 minute",
        ROUNDTABLE_LOG_LEVEL="WARNING",
    )
    server = Server(env=env, workdir=tmp_path)
    server.start()
    yield server
    server.stop()


async def test_the_api_answers_as_its_openapi_document_says(app, make_account, api_server, tmp_path):
    admin = await make_account(Role.admin)
    organiser = await make_account(Role.organiser)
    facilitator = await make_account(Role.facilitator)
    programme = await make_programme(app, organiser=organiser.user, facilitators=[facilitator.user])
    await make_session(app, facilitator=facilitator.user, programme=programme)

    base = api_server.base_url
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.web.api_schema_hooks",
        "PYTHONPATH": str(ROOT),
        "RT_SCHEMA_BASE_URL": base,
        "RT_SCHEMA_ADMIN": admin.username,
        "RT_SCHEMA_ADMIN_PASSWORD": admin.password,
        "RT_SCHEMA_OWN_IDS": ",".join(str(a.user.id) for a in (admin, organiser, facilitator)),
        "RT_SCHEMA_FACILITATOR": facilitator.username,
        "RT_SCHEMA_FACILITATOR_PASSWORD": facilitator.password,
    }
    command = [
        *(sys.executable, "-m", "schemathesis.cli", "run", f"{base}/api/openapi.json"),
        *("--header", f"Origin: {base}"),
        *("--checks", CHECKS),
        *("--exclude-path-regex", EXCLUDED),
        *("--max-examples", "25", "--max-time", str(MAX_SECONDS)),
        *("--request-timeout", "10", "--no-color", "--output-truncate", "false"),
        *("--report", "junit", "--report-dir", str(tmp_path / "schemathesis")),
    ]
    result = await asyncio.to_thread(
        subprocess.run,
        command,
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=MAX_SECONDS + 90,
        check=False,
    )
    output = result.stdout + result.stderr
    server_log = api_server.log.read_text() if api_server.log else ""
    assert result.returncode == 0, output[-20000:] + "\n--- server log ---\n" + server_log[-5000:]
    assert "Tested:" in output, output[-5000:]
