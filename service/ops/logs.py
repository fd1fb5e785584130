"""Request ids and structured logs: one JSON object per line on standard error.

Every request gets an id: the caller's ``X-Request-ID`` when it is sane (at most 64 of
``A-Z a-z 0-9 . _ -``), else a fresh one. It is echoed in the response's ``X-Request-ID``
and carried by every log line written while the request is served, so a proxy's, the
app's and a worker's lines can be joined.

``VITRINE_LOG_FORMAT`` picks the format: ``text`` (the default, for ``make run``: one line
per record on standard error, at the level the root logger has, WARNING unless set) or
``json`` (for containers: the root logger writes to standard error at INFO, one object per
line, with one ``vitrine.request`` line per request)::

    {"time": "2026-03-01T12:00:00.123+00:00", "level": "INFO", "logger": "vitrine.request",
     "message": "GET /api/v1/assets/<int:asset_id> 200", "request_id": "4f0c...",
     "method": "GET", "path": "/api/v1/assets/7", "status": 200, "duration_ms": 12.4}

Logs cannot be forged: a path, filename, header or any other value a caller chose may hold
line breaks and control characters, so the text format escapes them (``\\n``, ``\\r``,
``\\t``, ``\\xNN`` for other C0 and C1 controls, ``\\uNNNN`` for Unicode line separators
and bidi overrides) in every record's message and request fields, and indents the lines of a
traceback under ``  | ``: a line that starts at the margin is always a record of its own.
JSON is safe by its encoding. ``EscapingFilter`` does the same for loggers whose handlers
are not ours (gunicorn's).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any, TextIO

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
FORMATS = ("text", "json")

request_log = logging.getLogger("vitrine.request")


def log_format(app: Flask) -> str:
    """``LOG_FORMAT`` from the app's settings (``VITRINE_LOG_FORMAT``, checked by config)."""
    value = str(app.config.get("LOG_FORMAT") or "text").strip().lower()
    if value not in FORMATS:
        from service.config import ConfigError

        raise ConfigError(f"VITRINE_LOG_FORMAT must be 'text' or 'json', not {value!r}")
    return value


def init_app(app: Flask) -> None:
    """Give each request an id and a start time, echo the id, and log the request's end."""
    if log_format(app) == "json":
        configure_json_logging()
    else:
        configure_text_logging()
    # First of the app's before-request hooks, so that a hook refusing the request is timed.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request(_end_request)


def _start_request() -> None:
    g.request_started = time.perf_counter()
    sent = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = sent if SANE_REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex


def request_id() -> str | None:
    """The current request's id, or None outside a request."""
    if not has_request_context():
        return None
    value = g.get("request_id")
    return value if isinstance(value, str) else None


def request_seconds() -> float | None:
    """Seconds since the current request began, or None if it was never started."""
    started = g.get("request_started") if has_request_context() else None
    return time.perf_counter() - started if isinstance(started, float) else None


def _end_request(response: Response) -> Response:
    if "request_id" not in g:  # refused before our hook ran (another app's hook, say)
        _start_request()
    response.headers[REQUEST_ID_HEADER] = g.request_id
    seconds = request_seconds() or 0.0
    rule = request.url_rule.rule if request.url_rule is not None else "unmatched"
    request_log.info(
        "%s %s %s",
        request.method,
        rule,
        response.status_code,
        extra={"status": response.status_code, "duration_ms": round(seconds * 1000, 1)},
    )
    return response


class JsonFormatter(logging.Formatter):
    """One JSON object per record; the request's id, method and path when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one JSON line."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        if has_request_context():
            entry["request_id"] = entry["request_id"] or request_id()
            entry["method"] = request.method
            entry["path"] = request.path
        for name in ("status", "duration_ms"):
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


# Characters that could end a log line or disguise one: C0 and C1 controls (CR, LF, ESC...),
# DEL, Unicode's line and paragraph separators and the bidi embeddings, overrides and isolates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_control(text: str) -> str:
    """``text`` on one line, its control characters shown as escapes (``\\n``, ``\\x1b``)."""
    return _UNSAFE.sub(_escaped, text)


def _indented(block: str) -> str:
    """A traceback's lines, each escaped and indented, so none passes for a record."""
    return "\n".join("  | " + escape_control(line) for line in block.splitlines())


class TextFormatter(logging.Formatter):
    """One line per record: time, level, logger, message and, within a request, its id,
    method and path; everything a caller could have chosen escaped."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one escaped line, any traceback or stack indented under it."""
        line = (
            f"{self.formatTime(record)} {record.levelname} {escape_control(record.name)}: "
            f"{escape_control(record.getMessage())}"
        )
        if has_request_context():
            rid = getattr(record, "request_id", None) or request_id() or "-"
            line += f" [{escape_control(rid)} {escape_control(request.method)} "
            line += f"{escape_control(request.path)}]"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line += "\n" + _indented(record.exc_text)
        if record.stack_info:
            line += "\n" + _indented(self.formatStack(record.stack_info))
        return line


class EscapingFilter(logging.Filter):
    """Escapes the message of each record it sees, for handlers that format it themselves."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Escape the record's message in place; every record goes through."""
        message = record.getMessage()
        escaped = escape_control(message)
        if escaped != message:
            record.msg, record.args = escaped, None
        return True


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        """Standard error as it is now."""
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        """Ignored: the handler always writes to the current standard error."""
        pass


def configure_json_logging(level: int = logging.INFO) -> logging.Handler:
    """Send every logger's records to standard error as JSON lines; safe to call again."""
    handler = _stderr_handler(JsonFormatter())
    root = logging.getLogger()
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    return handler


def configure_text_logging() -> logging.Handler:
    """Send every logger's records to standard error as escaped text lines, at the level the
    root logger has; safe to call again."""
    from werkzeug import serving

    # The development server colours its own lines with escape sequences, which would show
    # as text once escaped: plain lines instead (it escapes the request line itself).
    if hasattr(serving, "_log_add_style"):
        serving._log_add_style = False
    return _stderr_handler(TextFormatter())


def _stderr_handler(formatter: logging.Formatter) -> logging.Handler:
    """The root logger's one standard-error handler, with this formatter (logging is per
    process: the last app made sets the format). Flask's own handler, should an app's logger
    have one, formats the same way."""
    from flask.logging import default_handler

    default_handler.setFormatter(formatter)
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, StderrHandler):
            handler.setFormatter(formatter)
            return handler
    handler = StderrHandler()
    handler.setFormatter(formatter)
    root.addHandler(handler)
    return handler
