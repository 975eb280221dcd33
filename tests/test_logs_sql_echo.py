"""SQL echo with parameters is a developer's loudly named switch: refused in production,
announced at start-up in development, and off unless asked for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from app.config import Settings
from tests.servers import Server, server_env

STRONG = "k3J9-qX2p_Lm8Vt4zR7wYb1nC6sD0fGhA5eU"
SETTING = "ROUNDTABLE_DEV_ECHO_SQL_WITH_PARAMETERS"


def test_production_refuses_sql_echo_with_parameters():
    values: dict[str, Any] = {
        "env": "production",
        "secret_key": STRONG,
        "allowed_origins": "https://dialogue.example",
        "dev_echo_sql_with_parameters": True,
    }
    Settings(_env_file=None, **{**values, "dev_echo_sql_with_parameters": False})  # the rest is fine
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, **values)
    assert SETTING in str(caught.value) and "refuses to start in production" in str(caught.value)


def test_roundtable_serve_in_production_with_sql_echo_stops_with_a_clear_message(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROUNDTABLE_")}
    env.update(
        {
            "ROUNDTABLE_ENV": "production",
            "ROUNDTABLE_SECRET_KEY": STRONG,
            "ROUNDTABLE_ALLOWED_ORIGINS": "https://dialogue.example",
            "ROUNDTABLE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'echo.db'}",
            SETTING: "true",
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 2
    assert SETTING in result.stderr and "Turn it off" in result.stderr
    assert "Traceback" not in result.stderr


def test_development_announces_sql_echo_and_then_prints_statements_with_parameters(database_url, tmp_path: Path):
    server = Server(
        env=server_env(database_url, None, ROUNDTABLE_LOG_LEVEL="INFO", **{SETTING: "true"}), workdir=tmp_path
    )
    server.start()
    try:
        response = httpx.post(
            f"{server.base_url}/api/auth/login",
            json={"username": "echo-probe-user", "password": "not the right one at all"},
            headers={"Origin": server.base_url},
        )
        assert response.status_code in (401, 403)
    finally:
        server.stop()
    assert server.log is not None
    log = server.log.read_text()
    assert "SQL ECHO WITH PARAMETERS IS ON" in log
    assert "FROM users" in log and "echo-probe-user" in log  # the statement and its parameter


def test_without_the_switch_no_statement_reaches_the_log_even_at_debug(database_url, tmp_path: Path):
    server = Server(env=server_env(database_url, None, ROUNDTABLE_LOG_LEVEL="DEBUG"), workdir=tmp_path)
    server.start()
    try:
        httpx.post(
            f"{server.base_url}/api/auth/login",
            json={"username": "echo-probe-user", "password": "not the right one at all"},
            headers={"Origin": server.base_url},
        )
    finally:
        server.stop()
    assert server.log is not None
    log = server.log.read_text()
    assert "/api/auth/login" in log  # our access line, at DEBUG
    assert "SQL ECHO" not in log and "FROM users" not in log and "echo-probe-user" not in log
