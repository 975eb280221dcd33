"""Logs never carry passwords, tokens, IP addresses or statement text."""

from __future__ import annotations

import json
import logging

import structlog

from app.accounts.models import Role
from app.logging import configure_logging, mask_ips
from tests.factories import api_login


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_sensitive_fields_are_dropped_whoever_logs_them(capsys):
    configure_logging(json=True)
    structlog.get_logger("test").info(
        "something",
        password="hunter2-hunter2",
        token="tok-abc",
        ip="203.0.113.9",
        text="my words in the room",
        display_name="Nar",
        seats=3,
    )
    line = json_lines(capsys.readouterr().err)[-1]
    assert line["seats"] == 3
    for key in ("password", "token", "ip", "text", "display_name"):
        assert line[key] == "[redacted]"
    raw = json.dumps(line)
    for secret in ("hunter2", "tok-abc", "203.0.113.9", "my words", 'Nar"'):
        assert secret not in raw


def test_ip_addresses_are_masked_in_library_messages(capsys):
    configure_logging(json=True)
    logging.getLogger("uvicorn.error").info('%s - "WebSocket /ws/x" [accepted]', "198.51.100.23:5123")
    logging.getLogger("uvicorn.error").info("peer [2001:db8::1]:443 went away")
    output = capsys.readouterr().err
    assert "198.51.100.23" not in output and "2001:db8::1" not in output
    assert "[ip]" in output


def test_request_paths_in_server_lines_are_dropped(capsys):
    configure_logging(json=True)
    logging.getLogger("uvicorn.error").info(
        '%s - "WebSocket %s" 403', "198.51.100.23:5123", "/ws/sessions/4?token=QUERYSECRET"
    )
    output = capsys.readouterr().err
    assert "QUERYSECRET" not in output and "/ws/sessions" not in output
    assert '\\"WebSocket [path]\\" 403' in output or '"WebSocket [path]" 403' in output


def test_sensitive_names_are_caught_by_fragment_and_when_nested(capsys):
    configure_logging(json=True)
    structlog.get_logger("test").info(
        "nested",
        invite_token="abc123",
        details={"user_password": "pw-1", "seat": 4, "people": [{"display_name": "Aram", "real_name": "Ali"}]},
    )
    line = json_lines(capsys.readouterr().err)[-1]
    assert line["invite_token"] == "[redacted]"
    assert line["details"]["user_password"] == "[redacted]" and line["details"]["seat"] == 4
    assert line["details"]["people"][0] == {"display_name": "[redacted]", "real_name": "[redacted]"}


def test_mask_ips_leaves_times_and_versions_alone():
    assert mask_ips("at 09:15:00 version 1.2.3") == "at 09:15:00 version 1.2.3"
    assert mask_ips("from 10.0.0.1 and ::1") == "from [ip] and [ip]"


def test_an_exception_is_logged_as_its_type_without_its_message(capsys):
    configure_logging(json=True)
    try:
        raise ValueError("statement text: we remember the village")
    except ValueError:
        structlog.get_logger("test").error("failed", exc_info=True)
    output = capsys.readouterr().err
    assert "we remember the village" not in output
    assert "builtins.ValueError" in output


def test_development_logs_are_readable_lines(capsys):
    configure_logging(json=False)
    structlog.get_logger("test").info("hello", seats=2)
    output = capsys.readouterr().err
    assert "hello" in output and "seats=2" in output and not output.lstrip().startswith("{")


async def test_the_access_log_names_the_route_not_the_path_or_the_client(client, make_account, capsys):
    admin = await make_account(Role.admin)
    capsys.readouterr()
    await api_login(client, admin)
    await client.post(f"/api/admin/users/{admin.user.id}/disable")
    await client.get("/no/such/secret-token-in-path")
    output = capsys.readouterr().err
    assert "/api/admin/users/{user_id}/disable" in output
    assert "secret-token-in-path" not in output
    assert "203.0.113.7" not in output  # the test client's address
    assert admin.password not in output
