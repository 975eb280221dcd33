"""Logs never carry passwords, tokens, IP addresses or statement text."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
import structlog

from app.accounts.models import Role
from app.logging import SafeRenderer, StderrHandler, configure_logging, mask_ips
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


# At any level, in both formats: exceptions, libraries, values that are not plain data ------

REAL_NAME = "Светлана Кузнецова"


def rendered(text: str) -> str:
    """The output, with JSON escapes undone, so that a name is found however it was written."""
    lines = []
    for line in text.splitlines():
        lines.append(json.dumps(json.loads(line), ensure_ascii=False) if line.startswith("{") else line)
    return "\n".join(lines)


def assert_written_cleanly(output: str) -> None:
    assert "--- Logging error ---" not in output and "could not be written" not in output
    assert "Traceback" not in output


@pytest.mark.parametrize("json_format", [False, True], ids=["console", "json"])
def test_an_exception_naming_someone_is_logged_without_crashing_and_without_the_name(capsys, json_format):
    configure_logging(level="DEBUG", json=json_format)
    try:
        raise ValueError(f"Line 2: '{REAL_NAME}' is not a role")
    except ValueError as exc:
        structlog.get_logger("app.test").error("bulk_failed", exc_info=True)
        structlog.get_logger("app.test").exception("bulk_failed_again")
        structlog.get_logger("app.test").warning("bulk_failed_as_object", exc_info=exc)
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application\n")
    output = rendered(capsys.readouterr().err)
    assert_written_cleanly(output)
    assert REAL_NAME not in output and "Кузнецова" not in output and "is not a role" not in output
    assert output.count("builtins.ValueError") == 4
    assert "test_logging.py:" in output  # the frames: file and line, not the message
    for event in ("bulk_failed", "bulk_failed_again", "bulk_failed_as_object", "Exception in ASGI application"):
        assert event in output


@pytest.mark.parametrize("json_format", [False, True], ids=["console", "json"])
def test_fields_renderers_treat_specially_and_values_that_are_not_plain_data_are_safe(capsys, json_format):
    class Row:
        def __repr__(self) -> str:
            return f"Row(display_name={REAL_NAME!r})"

    configure_logging(level="DEBUG", json=json_format)
    structlog.get_logger("app.test").info(
        "odd_fields",
        stack=["frame one", "frame two"],
        exception=ValueError(REAL_NAME),
        row=Row(),
        raw=REAL_NAME.encode(),
        seats={3, 4},
    )
    output = rendered(capsys.readouterr().err)
    assert_written_cleanly(output)
    assert "odd_fields" in output and "<Row>" in output and "<bytes>" in output and "frame two" in output
    assert REAL_NAME not in output and "Кузнецова" not in output


def test_library_lines_below_warning_are_dropped_even_at_debug(capsys):
    configure_logging(level="DEBUG", json=True)
    secret = "rt_login=COOKIEVALUE123"
    logging.getLogger("sqlalchemy.engine.Engine").info("INSERT INTO seats (display_name) VALUES (?)")
    logging.getLogger("sqlalchemy.engine.Engine").info("[generated in 0.001s] %r", (REAL_NAME,))
    logging.getLogger("aiosqlite").debug("executing %s", f"partial(execute, 'INSERT', ('{REAL_NAME}',))")
    logging.getLogger("uvicorn.error").debug("< cookie: %s", secret)
    logging.getLogger("websockets.server").debug("< TEXT %r", '{"text": "we remember"}')
    logging.getLogger("asyncpg.pool").info("connection %s", secret)
    logging.getLogger("a.library.nobody.listed").info("hello %s", REAL_NAME)  # unknown ones too
    structlog.get_logger("app.test").debug("our_own_debug_line", seats=2)
    output = capsys.readouterr().err
    assert [line["event"] for line in json_lines(output)] == ["our_own_debug_line"]
    assert "COOKIEVALUE123" not in output and "INSERT" not in output and "we remember" not in output


def test_a_library_line_shows_its_template_and_only_the_kinds_of_its_arguments(capsys):
    configure_logging(level="DEBUG", json=True)
    logging.getLogger("some.library").warning(
        "could not deliver to %s after %d tries: %r from %s", REAL_NAME, 3, {"contact": "a@b.c"}, "10.1.2.3:4567"
    )
    logging.getLogger("some.library").warning("mapping %(who)s at %(port)d", {"who": REAL_NAME, "port": 5432})
    logging.getLogger("some.library").error("bad format %d", "not a number")
    events = [line["event"] for line in json_lines(capsys.readouterr().err)]
    assert events == [
        "could not deliver to [redacted] after 3 tries: [dict] from [ip]:4567",
        "mapping [redacted] at 5432",
        "bad format [redacted]",
    ]


def test_a_message_a_library_built_at_run_time_is_withheld(capsys):
    configure_logging(level="DEBUG", json=True)
    library = logging.getLogger("uvicorn.error")
    message = "Светлана Кузнецова"  # a message in a variable, even a literal one, is not a template
    library.warning(message)
    library.warning(f"could not parse {REAL_NAME}: %s", "x")
    library.warning(f"bad seat for {REAL_NAME}")
    loop = asyncio.new_event_loop()  # asyncio joins the context's reprs into its message
    loop.default_exception_handler(
        {"message": "Task exception was never retrieved", "exception": ValueError(REAL_NAME)}
    )
    loop.close()
    library.error(ValueError(REAL_NAME))
    library.info("Shutting down")  # a literal at the call site is shown
    output = rendered(capsys.readouterr().err)
    events = [line["event"] for line in json_lines(output)]
    assert events == [
        "[library message withheld]",
        "[library message withheld]",
        "[library message withheld]",
        "[library message withheld]",
        "[ValueError]",
        "Shutting down",
    ]
    assert REAL_NAME not in output
    assert json_lines(output)[3]["exception_type"] == "builtins.ValueError"


def test_a_line_that_cannot_be_rendered_says_so_without_its_content(capsys):
    def broken(*_args):
        raise TypeError("can only concatenate str (not 'list') to str")

    line = SafeRenderer(broken, json=False)(None, "info", {"event": "odd", "level": "info", "who": REAL_NAME})
    assert line == "level=info event=odd render_error=TypeError"
    handler = StderrHandler()
    record = logging.LogRecord("some.library", logging.ERROR, __file__, 1, "for %s", (REAL_NAME,), None)
    try:
        raise TypeError("broken")
    except TypeError:
        handler.handleError(record)
    output = capsys.readouterr().err
    assert "a log line from some.library could not be written (TypeError)" in output
    assert REAL_NAME not in output and "Traceback" not in output
