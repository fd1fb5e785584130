"""Issue 11, abuse: logs cannot be forged. Line breaks and control characters in paths,
filenames, headers and any other value a caller chose are escaped in text logs (the app's
and gunicorn's); JSON logs stay one object per line by their encoding."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask, request

from service.ops import logs

ONE_SETUP = pytest.mark.parametrize(
    ("database_url", "blob_settings"), [("sqlite", "local")], indirect=True
)

FORGED = "2026-01-01 00:00:00,000 CRITICAL vitrine.auth: admin signed in"

HOSTILE = {
    "line feed": ("a\nb", "a\\nb"),
    "carriage return": ("a\r\nb", "a\\r\\nb"),
    "tab": ("a\tb", "a\\tb"),
    "escape sequence": ("\x1b[2J\x1b[31mred", "\\x1b[2J\\x1b[31mred"),
    "nul and del": ("a\x00b\x7f", "a\\x00b\\x7f"),
    "C1 next line": ("a\x85b", "a\\x85b"),
    "line separator": ("a\u2028b\u2029c", "a\\u2028b\\u2029c"),
    "bidi override": ("evil\u202egpj.exe", "evil\\u202egpj.exe"),
    "bidi isolate": ("a\u2066b\u2069", "a\\u2066b\\u2069"),
    "kept as it is": ("Café “quoted” 👩‍🔬 \\n", "Café “quoted” 👩‍🔬 \\n"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_control_characters_are_escaped(case: str) -> None:
    raw, shown = HOSTILE[case]
    assert logs.escape_control(raw) == shown


def record(message: str, *args: object, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError(f"bad filename {args[0]!s}")
        except ValueError:
            exc_info = sys.exc_info()
    return logging.LogRecord("vitrine.test", logging.WARNING, __file__, 1, message, args,
                             exc_info)  # fmt: skip


def test_a_text_record_is_one_line_and_a_traceback_cannot_start_one() -> None:
    formatter = logs.TextFormatter()
    name = f"photo.jpg\r\n{FORGED}\n"
    line = formatter.format(record("refused %s", name))
    assert "\n" not in line and "\r" not in line
    assert f"refused photo.jpg\\r\\n{FORGED}\\n" in line
    with_traceback = formatter.format(record("refused %s", name, exc=True)).split("\n")
    assert with_traceback[0].endswith(f"refused photo.jpg\\r\\n{FORGED}\\n")
    # Every further line is indented under "  | ": none starts at the margin like a record.
    assert all(part.startswith("  | ") for part in with_traceback[1:])
    assert any(FORGED in part for part in with_traceback[1:])


@pytest.fixture
def text_logs(app: Flask, capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[], list[str]]]:
    """The app's text log lines (standard error), with every INFO record."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)
    capsys.readouterr()

    def lines() -> list[str]:
        return capsys.readouterr().err.splitlines()

    yield lines
    root.setLevel(level)


@ONE_SETUP
def test_a_path_a_filename_and_a_header_cannot_forge_an_app_log_line(
    app: Flask, text_logs: Callable[[], list[str]]
) -> None:
    assert app.config.get("LOG_FORMAT", "text") == "text"

    @app.post("/api/v1/_echo")  # under /api/: a bearer-token route, no CSRF form check
    def echo() -> str:
        upload = request.files["file"]
        logging.getLogger("service.services.assets").warning(
            "refused %s from %s", upload.filename, request.headers.get("User-Agent")
        )
        return ""

    client = app.test_client()
    client.get(f"/nothing%0d%0a{FORGED.replace(' ', '%20')}")
    # A filename cannot hold a raw line break in a part's header, but RFC 2231 encodes one.
    name = quote(f"a.jpg\r\n{FORGED}")
    body = (
        '--b\r\nContent-Disposition: form-data; name="file"; '
        f"filename*=UTF-8''{name}\r\nContent-Type: image/jpeg\r\n\r\nx\r\n--b--\r\n"
    ).encode()
    client.post(
        "/api/v1/_echo",
        data=body,
        content_type="multipart/form-data; boundary=b",
        headers={"User-Agent": f"curl\x1b[8m\u2028{FORGED}"},
    )
    lines = text_logs()
    assert lines, "nothing was logged"
    assert not any(line.startswith(FORGED) for line in lines), lines
    assert not any(line.lstrip("\\nr").startswith("2026-01-01") for line in lines)
    joined = "\n".join(lines)
    assert f"/nothing\\r\\n{FORGED}" in joined  # the request's path, escaped
    assert f"refused a.jpg\\r\\n{FORGED} from curl\\x1b[8m\\u2028{FORGED}" in joined
    assert "\x1b" not in joined and "\u2028" not in joined


@ONE_SETUP
def test_json_logs_keep_a_hostile_path_inside_one_object(
    make_app: Callable[..., Flask], capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app(LOG_FORMAT="json")
    capsys.readouterr()
    app.test_client().get(f"/nothing%0d%0a{FORGED.replace(' ', '%20')}")
    lines = [line for line in capsys.readouterr().err.splitlines() if line]
    entries = [json.loads(line) for line in lines]  # every line is one whole object
    [entry] = [e for e in entries if e["logger"] == "vitrine.request"]
    assert entry["path"] == f"/nothing\r\n{FORGED}"
    make_app()  # back to text for the tests that follow


# ---------------------------------------------------------------- gunicorn's own logs


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_gunicorns_access_log_escapes_the_quotes_the_client_sent(tmp_path: Path) -> None:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    conf = Path(__file__).parents[2] / "service" / "gunicorn_conf.py"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VITRINE_", "FLASK_"))}
    env.update(
        VITRINE_DATABASE_URL=f"sqlite:///{tmp_path / 'v.db'}",
        VITRINE_BLOB_DIR=str(tmp_path / "blobs"),
        VITRINE_SECRET_KEY="k" * 32,
        VITRINE_BIND=f"127.0.0.1:{port}",
        VITRINE_WEB_WORKERS="1",
        VITRINE_WEB_THREADS="1",
    )
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [str(gunicorn), "-c", str(conf)], env=env, cwd=tmp_path, stdout=log, stderr=log
        )
    try:
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        # gunicorn refuses control characters in headers (400); quotes it lets through.
        agent = b'curl" 200 0 "-" "x'

        referer = f'http://a/" 500 1 "{FORGED}'.encode()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(
                b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                b"User-Agent: " + agent + b"\r\nReferer: " + referer + b"\r\n\r\n"
            )
            reply = b""
            while chunk := conn.recv(65536):
                reply += chunk
        assert reply.startswith(b"HTTP/1.1 200")
    finally:
        server.terminate()
        server.wait(30)
    text = log_path.read_text(errors="replace")
    [access] = [line for line in text.splitlines() if "/healthz" in line]
    assert '\\"' in access  # the quotes the client sent cannot close a field
    assert access.count('"') - access.count('\\"') == 6  # request, referer and agent fields
    assert 'curl\\" 200 0 \\"-\\" \\"x' in access
    assert "\x1b" not in text
