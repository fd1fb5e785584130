"""The test server closes every response body, also when the client resets the connection
just after the response was written (how Chromium leaves a page with images in flight)."""

from __future__ import annotations

import gc
import socket
import struct
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, send_file

from tests.support.live_server import serving


def test_a_body_is_closed_when_the_client_resets_after_the_response(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = tmp_path / "small.bin"
    small.write_bytes(bytes(range(256)) * 12)  # fits the socket buffer: the write succeeds
    app = Flask(__name__)
    opened: list[Any] = []

    @app.get("/file")
    def file() -> Any:
        stream = small.open("rb")
        opened.append(stream)
        return send_file(stream, mimetype="application/octet-stream")

    unraisable: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: unraisable.append(repr(u.exc_value)))
    with serving(app) as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        for _ in range(20):
            client = socket.create_connection(("127.0.0.1", port))
            client.sendall(b"GET /file HTTP/1.1\r\nHost: test\r\n\r\n")
            client.recv(64)
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()  # a reset, not a FIN
        time.sleep(0.3)
    gc.collect()
    assert len(opened) == 20
    assert all(stream.closed for stream in opened)
    assert unraisable == []
