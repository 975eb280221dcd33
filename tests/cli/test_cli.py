"""The `roundtable` command, run as a real process."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROUNDTABLE_")}
    env["ROUNDTABLE_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    env["ROUNDTABLE_LOG_LEVEL"] = "WARNING"
    env.update(extra)
    return env


def roundtable(tmp_path: Path, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=env_for(tmp_path, **env),
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_migrate_brings_an_empty_database_to_the_latest_migration(tmp_path):
    result = roundtable(tmp_path, "migrate")
    assert result.returncode == 0, result.stderr
    assert re.search(r"Database is at migration \w+", result.stdout)
    assert (tmp_path / "cli.db").exists()


def test_create_admin_reads_the_password_from_stdin_and_refuses_weak_ones(tmp_path):
    weak = roundtable(tmp_path, "create-admin", "--username", "root.admin", "--password-stdin", stdin="short\n")
    assert weak.returncode == 1 and "at least 12 characters" in weak.stderr
    ok = roundtable(
        tmp_path, "create-admin", "--username", "Root.Admin", "--password-stdin", stdin="a long admin passphrase\n"
    )
    assert ok.returncode == 0, ok.stderr
    assert "root.admin" in ok.stdout
    again = roundtable(
        tmp_path, "create-admin", "--username", "root.admin", "--password-stdin", stdin="a long admin passphrase\n"
    )
    assert again.returncode == 1 and "taken" in again.stderr


def test_create_admin_without_a_terminal_asks_for_password_stdin(tmp_path):
    result = roundtable(tmp_path, "create-admin", "--username", "someone")
    assert result.returncode == 1 and "--password-stdin" in result.stderr


def test_production_without_a_secret_refuses_to_start_with_a_clear_message(tmp_path):
    result = roundtable(tmp_path, "serve", ROUNDTABLE_ENV="production")
    assert result.returncode == 2
    assert "ROUNDTABLE_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_demo_refuses_production(tmp_path):
    result = roundtable(
        tmp_path,
        "demo",
        "--no-serve",
        ROUNDTABLE_ENV="production",
        ROUNDTABLE_SECRET_KEY="k3J9-qX2p_Lm8Vt4zR7wYb1nC6sD0fGhA5eU",
        ROUNDTABLE_ALLOWED_ORIGINS="https://dialogue.example",
    )
    assert result.returncode == 1 and "refuses to run in production" in result.stderr


def test_serve_migrates_sqlite_starts_and_the_demo_logins_work(tmp_path):
    port = free_port()
    demo = roundtable(tmp_path, "demo", "--no-serve", ROUNDTABLE_PORT=str(port))
    assert demo.returncode == 0, demo.stderr
    logins = dict(re.findall(r"^\s+\w+\s+(demo-[a-z]+)\s+(\S+)$", demo.stdout, re.M))
    assert set(logins) == {"demo-admin", "demo-organiser", "demo-facilitator"}
    assert f"http://127.0.0.1:{port}/login" in demo.stdout

    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env_for(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        assert httpx.get(f"{base}/readyz").json()["status"] == "ready"
        with httpx.Client(base_url=base) as browser:
            response = browser.post(
                "/api/auth/login", json={"username": "demo-admin", "password": logins["demo-admin"]}
            )
            # Admins set up a second factor at their first login.
            assert response.status_code == 202
            assert response.json()["step"] == "second_factor_enrolment"
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=20)
    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    assert server.returncode in (0, -signal.SIGTERM)
    # What the server logged must not name passwords or the client's address.
    assert logins["demo-admin"] not in output
    assert "127.0.0.1:" not in output.replace(f"http://127.0.0.1:{port}", "")


def test_a_second_demo_run_issues_new_passwords(tmp_path):
    first = roundtable(tmp_path, "demo", "--no-serve")
    second = roundtable(tmp_path, "demo", "--no-serve")
    pw = re.compile(r"demo-admin\s+(\S+)")
    first_match, second_match = pw.search(first.stdout), pw.search(second.stdout)
    assert first_match and second_match
    assert first_match.group(1) != second_match.group(1)


@pytest.mark.parametrize("command", ["serve", "migrate", "create-admin", "demo", "purge"])
def test_every_command_has_help(tmp_path, command):
    result = roundtable(tmp_path, command, "--help")
    assert result.returncode == 0 and "usage: roundtable" in result.stdout


def test_purge_reports_what_it_removed(tmp_path):
    """On a database with nothing past retention it removes nothing, and says so."""
    assert roundtable(tmp_path, "demo", "--no-serve").returncode == 0
    result = roundtable(tmp_path, "purge")
    assert result.returncode == 0, result.stderr
    assert "Purged 0 session(s): 0 statement(s)" in result.stdout and "Released transcripts are kept." in result.stdout
