"""Structured logging that cannot carry passwords, tokens, IP addresses or statement text.

JSON lines in production, readable lines in development. Two guards, because a log
line outlives the session it describes:
- fields with sensitive names are dropped, whoever logs them;
- anything that looks like an IP address is masked, also in messages from libraries
  (uvicorn names the client address in some of its lines).
Exceptions are logged as their type and stack frames only: an exception's message
can quote user input.
"""

from __future__ import annotations

import logging
import logging.config
import re
import sys
import traceback
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
        "real_name",
        "contact",
        "display_name",
        "email",
        "phone",
    }
)
SENSITIVE_FRAGMENTS = ("password", "token", "secret", "cookie", "authorization", "csrf", "session_key")
REDACTED = "[redacted]"

_IPV4 = r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])"
# IPv6: runs of hex groups with at least two colons, including :: forms.
_IPV6 = r"(?<![\w:])(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}(?![\w:])"
IP_PATTERN = re.compile(f"{_IPV4}|{_IPV6}")


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


def is_sensitive(key: str) -> bool:
    lowered = key.lower()
    return lowered in SENSITIVE_KEYS or any(fragment in lowered for fragment in SENSITIVE_FRAGMENTS)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return mask_paths(mask_ips(value))
    if isinstance(value, dict):
        return {k: REDACTED if is_sensitive(str(k)) else _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


# uvicorn names the request path in some lines ('"WebSocket /ws/...?x=y" 403'); paths
# can hold invitation tokens, so only the method stays.
_REQUEST_LINE = re.compile(r'"(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|WebSocket) [^"\s]*(?: HTTP/[\d.]+)?"')


def mask_paths(text: str) -> str:
    return _REQUEST_LINE.sub(lambda m: f'"{m.group(1)} [path]"', text)


def _drop_sensitive(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    for key in list(event):
        if key in ("event", "timestamp", "level", "logger"):
            if isinstance(event[key], str):
                event[key] = mask_paths(mask_ips(event[key]))
        elif is_sensitive(key):
            event[key] = REDACTED
        else:
            event[key] = _clean(event[key])
    return event


def _safe_exception(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    exc_info = event.pop("exc_info", None)
    if not exc_info:
        return event
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    exc_type, _exc, tb = exc_info
    if exc_type is None:
        return event
    frames = traceback.extract_tb(tb)
    event["exception"] = f"{exc_type.__module__}.{exc_type.__qualname__}"
    event["stack"] = [f"{f.filename}:{f.lineno} in {f.name}" for f in frames[-12:]]
    return event


class _MaskingFilter(logging.Filter):
    """Masks IP addresses in records from libraries that do not log through structlog."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict):  # from structlog: already cleaned by its processors
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not stop logging
            return True
        record.msg = mask_paths(mask_ips(message))
        record.args = None
        if record.exc_info:
            exc_type = record.exc_info[0]
            name = exc_type.__qualname__ if exc_type else "Exception"
            record.msg = f"{record.msg} [{name}]"
            record.exc_info = None
            record.exc_text = None
        return True


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


def configure_logging(*, level: str = "INFO", json: bool = False) -> None:
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _safe_exception,
        _drop_sensitive,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=False, exception_formatter=lambda *_: None)
    )
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"mask": {"()": _MaskingFilter}},
            "formatters": {
                "structured": {
                    "()": structlog.stdlib.ProcessorFormatter,
                    "processors": [
                        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                        renderer,
                    ],
                    "foreign_pre_chain": shared,
                }
            },
            "handlers": {
                "default": {
                    "()": StderrHandler,
                    "formatter": "structured",
                    "filters": ["mask"],
                }
            },
            "root": {"handlers": ["default"], "level": level.upper()},
            "loggers": {
                # Our own access log replaces uvicorn's, which names the client's address.
                "uvicorn.access": {"handlers": [], "propagate": False},
                "uvicorn.error": {"level": level.upper()},
                "sqlalchemy.engine": {"level": "WARNING"},
                # HTTP client libraries log full URLs, which can hold tokens.
                "httpx": {"level": "WARNING"},
                "httpcore": {"level": "WARNING"},
            },
        }
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
