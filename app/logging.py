"""Structured logging that cannot carry passwords, tokens, cookies, IP addresses, names or
what people wrote, at any level.

JSON lines in production, readable lines in development. A log line outlives the session
it describes, so the guarantees are structural, not a list of known leaks:

- Roundtable's own events (structlog) keep their fields, except that fields with
  sensitive names are dropped, values that are not plain data are shown as their type,
  and anything that looks like an IP address or a request path is masked.
- Every other record comes from a library (SQLAlchemy, aiosqlite, asyncpg, uvicorn,
  websockets, httpx, asyncio, ...). Those are capped at WARNING (INFO for uvicorn's
  server lifecycle) whatever ROUNDTABLE_LOG_LEVEL says, and what they do print is only
  their message template: the first line of a string literal written in the library's
  source where it logged. Their arguments are never printed, only their kind (numbers
  stay, an address becomes [ip], a path [path], any other text [redacted]); a message
  the library built at run time (an f-string, a joined repr) is withheld.
- An exception is logged as its type and its stack frames (file:line in function),
  never its message, arguments or locals: an exception's message can quote user input.
- Rendering never crashes, and a line that cannot be written is reported as such,
  without Python's fallback that would print the record's message and arguments.
"""

from __future__ import annotations

import json as jsonlib
import linecache
import logging
import logging.config
import re
import sys
import traceback
from collections.abc import Mapping
from typing import Any, TextIO

import structlog

# Field names that are dropped wherever they appear, nested too: exact names, and
# any name containing one of the fragments.
SENSITIVE_KEYS = frozenset(
    {
        "ip",
        "client",
        "client_ip",
        "remote_addr",
        "peer",
        "host_address",
        "text",
        "statement",
        "body",
        "message_text",
        "prompt_answer",
        "reason",
        "csv",
        "link",
        "headers",
        "params",
        "parameters",
        "payload",
        "query",
        "sql",
        "frame",
    }
)
SENSITIVE_FRAGMENTS = (
    "password",
    "token",
    "secret",
    "cookie",
    "authorization",
    "csrf",
    "session_key",
    "name",  # display_name, real_name, full_name, username
    "contact",
    "email",
    "phone",
    "address",
    "url",  # a database URL holds its password
    "dsn",
)
REDACTED = "[redacted]"
WITHHELD = "[library message withheld]"

_IPV4 = r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])"
# IPv6: runs of hex groups with at least two colons, including :: forms.
_IPV6 = r"(?<![\w:])(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}(?![\w:])"
IP_PATTERN = re.compile(f"{_IPV4}|{_IPV6}")

# Libraries are capped here whatever the app's level: below it they print headers,
# SQL with its parameters, WebSocket frames. uvicorn's server lifecycle ("Started server
# process", "Application startup complete", "Shutting down") is at INFO on uvicorn.error.
THIRD_PARTY_LEVEL = logging.WARNING
THIRD_PARTY_LEVELS = {"uvicorn.error": logging.INFO}
# Set on these loggers too, so that their debug output is not even produced (websockets
# and aiosqlite decide at DEBUG to build a line per frame or per query). The guarantee
# does not depend on this list: the handler caps every record that is not Roundtable's.
QUIET_LIBRARIES = (
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "uvicorn",
    "websockets",
    "httpx",
    "httpcore",
    "starlette",
    "fastapi",
    "alembic",
    "asyncio",
    "multipart",
    "python_multipart",
    "redis",
    "watchfiles",
)
# Message templates uvicorn keeps in a variable or builds out of constants, so they are not
# a literal inside the logging call, yet hold no data (the arguments still show only their
# kinds). Compared with the message's first line.
KNOWN_TEMPLATES = frozenset(
    {
        "Started server process [%d]",
        "Finished server process [%d]",
        "Uvicorn running on %s://%s:%d (Press CTRL+C to quit)",
        "Uvicorn running on %s://[%s]:%d (Press CTRL+C to quit)",
        "Uvicorn running on socket %s (Press CTRL+C to quit)",
        "Uvicorn running on unix socket %s (Press CTRL+C to quit)",
        "Waiting for connections to close. (CTRL+C to force quit)",
        "Waiting for background tasks to complete. (CTRL+C to force quit)",
        "Exception in ASGI application",
        "Exception in 'lifespan' protocol",
        "ASGI 'lifespan' protocol appears unsupported.",
        "ASGI callable should return None, but returned '%s'.",
        "ASGI callable returned without starting response.",
        "ASGI callable returned without completing response.",
        "Invalid HTTP request received.",
        "Invalid HTTP status code '%d' in response.",
        "Unsupported upgrade request.",
        "Exceeded concurrency limit.",
    }
)
# Words a library argument may print as themselves.
SAFE_WORDS = frozenset(
    {"http", "https", "ws", "wss", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "WebSocket"}
)
MAX_LIBRARY_MESSAGE = 300
MAX_FRAMES = 12
_RESERVED_BY_RENDERERS = ("exception", "stack", "exc_info", "stack_info")
_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
_ADDRESS_ONLY = re.compile(r"\[?\[ip\]\]?(?::\d{1,5})?")


def mask_ips(text: str) -> str:
    def _replace(match: re.Match[str]) -> str:
        value = match.group(0)
        if ":" in value and value.count(":") < 2:
            return value
        # Clock times like 09:15:00 are not addresses.
        if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", value):
            return value
        return "[ip]"

    return IP_PATTERN.sub(_replace, text)


# uvicorn names the request path in some lines ('"WebSocket /ws/...?x=y" 403'); paths
# can hold invitation tokens, so only the method stays.
_REQUEST_LINE = re.compile(r'"(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|WebSocket) [^"\s]*(?: HTTP/[\d.]+)?"')


def mask_paths(text: str) -> str:
    return _REQUEST_LINE.sub(lambda m: f'"{m.group(1)} [path]"', text)


def is_sensitive(key: str) -> bool:
    lowered = key.lower()
    return lowered in SENSITIVE_KEYS or any(fragment in lowered for fragment in SENSITIVE_FRAGMENTS)


def _type_of(value: object) -> str:
    return f"<{type(value).__name__}>"


def _clean(value: Any) -> Any:
    """Plain data stays (strings masked); anything else is shown as its type only, since
    its repr could hold anything (a row with a name, an exception with its message)."""
    if isinstance(value, str):
        return mask_paths(mask_ips(value))
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, Mapping):
        keys = [k if isinstance(k, str) else str(int(k)) if isinstance(k, int) else _type_of(k) for k in value]
        return {key: REDACTED if is_sensitive(key) else _clean(v) for key, v in zip(keys, value.values(), strict=True)}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_clean(v) for v in value]
    return _type_of(value)


def _drop_sensitive(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    for key in list(event):
        if key in ("_record", "_from_structlog"):  # structlog's bookkeeping, never rendered
            continue
        if key in ("event", "timestamp", "level", "logger"):
            value = event[key]
            event[key] = mask_paths(mask_ips(value)) if isinstance(value, str) else _type_of(value)
        elif is_sensitive(key):
            event[key] = REDACTED
        else:
            event[key] = _clean(event[key])
    return event


def exception_summary(exc_info: Any) -> dict[str, Any]:
    """An exception as its qualified type and its frames; never its message or locals."""
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if not isinstance(exc_info, tuple) or len(exc_info) != 3 or not isinstance(exc_info[0], type):
        return {}
    exc_type, _exc, tb = exc_info
    frames = traceback.extract_tb(tb)[-MAX_FRAMES:] if tb is not None else []
    return {
        "exception_type": f"{exc_type.__module__}.{exc_type.__qualname__}",
        "exception_frames": [f"{f.filename}:{f.lineno} in {f.name}" for f in frames],
    }


def _safe_exception(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    exc_info = event.pop("exc_info", None)
    event.pop("stack_info", None)
    if exc_info:
        event.update(exception_summary(exc_info))
    return event


class _Shown(str):
    """A stand-in for an argument, printed the same by %s and %r."""

    def __repr__(self) -> str:
        return str(self)


def _safe_argument(value: Any) -> Any:
    """What a library's log argument may show of itself: its kind, not its content."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        if value in SAFE_WORDS:
            return _Shown(value)
        masked = mask_ips(value)
        if _ADDRESS_ONLY.fullmatch(masked):
            return _Shown(masked)
        if value.startswith("/"):
            return _Shown("[path]")
        return _Shown(REDACTED)
    return _Shown(f"[{type(value).__name__}]")


def _written_at_call_site(record: logging.LogRecord, text: str) -> bool:
    """Whether `text` opens a string literal in the logging call itself: its first line
    (record.lineno) and the few after it, where a call's arguments continue. A message
    kept in a variable, even one assigned from a literal just above, does not count."""
    if not text.strip() or not record.pathname or record.lineno <= 0:
        return False
    lines = linecache.getlines(record.pathname)
    call = "".join(lines[record.lineno - 1 : record.lineno + 4])
    return any(quote + text in call for quote in ('"', "'"))


def library_message(record: logging.LogRecord, args: Any) -> str:
    """The one line a library's record may print: its template, with its arguments' kinds."""
    template = record.msg
    if not isinstance(template, str):
        return f"[{type(template).__name__}]"
    first_line = template.split("\n", 1)[0]
    if first_line not in KNOWN_TEMPLATES and not _written_at_call_site(record, first_line):
        return WITHHELD
    text = template
    if args:
        safe: Any = (
            {k: _safe_argument(v) for k, v in args.items()}
            if isinstance(args, Mapping)
            else tuple(_safe_argument(v) for v in (args if isinstance(args, tuple) else (args,)))
        )
        try:
            text = template % safe
        except (TypeError, ValueError, KeyError):
            text = _PLACEHOLDER.sub(lambda m: "%" if m.group(0) == "%%" else REDACTED, template)
    line = text.split("\n", 1)[0].strip()
    return line if len(line) <= MAX_LIBRARY_MESSAGE else line[:MAX_LIBRARY_MESSAGE] + "…"


def _library_record(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    """First step for records that did not come through structlog: rebuild the message."""
    record = event.get("_record")
    args = event.pop("positional_args", None)
    if isinstance(record, logging.LogRecord):
        event["event"] = library_message(record, args)
    else:
        event["event"] = WITHHELD
    return event


def _guard_reserved(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    """Keys the renderers treat specially (ConsoleRenderer appends `stack` and `exception`
    as text) are kept as ordinary fields."""
    for key in _RESERVED_BY_RENDERERS:
        if key in event:
            event[f"{key}_field"] = _clean(event.pop(key))
    return event


class SafeRenderer:
    """Renders with `inner`; if that fails, writes the line's level, logger and event only."""

    def __init__(self, inner: Any, *, json: bool) -> None:
        self.inner = inner
        self.json = json

    def __call__(self, logger: Any, name: str, event: dict[str, Any]) -> str:
        try:
            rendered = self.inner(logger, name, dict(event))
            if isinstance(rendered, str):
                return rendered
            raise TypeError("the renderer returned no text")
        except Exception as exc:  # a log line must never take the request down with it
            return self.fallback(event, exc)

    def fallback(self, event: Mapping[str, Any], exc: BaseException) -> str:
        line = {
            key: event[key] if isinstance(event.get(key), str) else _type_of(event.get(key))
            for key in ("timestamp", "level", "logger", "event")
            if key in event
        }
        line["render_error"] = type(exc).__name__
        if self.json:
            return jsonlib.dumps(line)
        return " ".join(f"{k}={v}" for k, v in line.items())


def _from_structlog(record: logging.LogRecord) -> bool:
    return isinstance(record.msg, dict) and getattr(record, "_logger", None) is not None


def third_party_level(name: str) -> int:
    for prefix, level in THIRD_PARTY_LEVELS.items():
        if name == prefix or name.startswith(prefix + "."):
            return level
    return THIRD_PARTY_LEVEL


class ThirdPartyCap(logging.Filter):
    """Drops library records below their cap (WARNING; INFO for uvicorn's lifecycle)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return _from_structlog(record) or record.levelno >= third_party_level(record.name)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now, not what it was when logging was set up."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        return None

    def handleError(self, record: logging.LogRecord) -> None:
        # logging's own fallback prints the record's message and arguments: not here.
        error = sys.exc_info()[0]
        try:
            sys.stderr.write(
                f"roundtable: a log line from {record.name} could not be written "
                f"({error.__name__ if error else 'unknown error'})\n"
            )
        except Exception:
            return


def _level_number(level: str) -> int:
    number = logging.getLevelName(level.upper())
    return number if isinstance(number, int) else logging.INFO


def configure_logging(*, level: str = "INFO", json: bool = False) -> None:
    app_level = _level_number(level)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _safe_exception,
        _drop_sensitive,
    ]
    inner: Any = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=False, exception_formatter=lambda *_: None)
    )
    libraries: dict[str, Any] = {
        name: {"level": logging.getLevelName(max(third_party_level(name), app_level))} for name in QUIET_LIBRARIES
    }
    libraries["uvicorn.error"] = {"level": logging.getLevelName(max(third_party_level("uvicorn.error"), app_level))}
    # Our own access log replaces uvicorn's, which names the client's address.
    libraries["uvicorn.access"] = {"handlers": [], "propagate": False}
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"third_party_cap": {"()": ThirdPartyCap}},
            "formatters": {
                "structured": {
                    "()": structlog.stdlib.ProcessorFormatter,
                    "processors": [
                        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                        _guard_reserved,
                        SafeRenderer(inner, json=json),
                    ],
                    "foreign_pre_chain": [_library_record, *shared],
                    "use_get_message": False,
                    "pass_foreign_args": True,
                }
            },
            "handlers": {
                "default": {
                    "()": StderrHandler,
                    "formatter": "structured",
                    "filters": ["third_party_cap"],
                }
            },
            "root": {"handlers": ["default"], "level": logging.getLevelName(app_level)},
            "loggers": libraries,
        }
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
