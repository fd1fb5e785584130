"""Faults on demand: a TCP proxy between the app and a real server that a test can cut or slow.

The app is pointed at the proxy instead of the server (S3 or PostgreSQL on 127.0.0.1); the
test then stops the service as the app sees it (``cut``: open connections are reset and new
ones refused), brings it back on the same port (``restore``), delays every answer
(``delay``), or reacts to a request as it passes (``on_request``: e.g. cut the database the
moment an original is PUT to S3, or drop the DELETE that would clean it up).
"""

from __future__ import annotations

import contextlib
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

CHUNK = 64 * 1024


@dataclass
class _Rule:
    pattern: re.Pattern[bytes]
    action: Callable[[re.Match[bytes]], object] | None
    drop: bool


class TcpProxy:
    """Forward 127.0.0.1:<port> to a target, until told otherwise."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.delay = 0.0  # seconds before each chunk of the server's answer is passed on
        self.accepted = 0
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._closed = threading.Event()
        self._listener: socket.socket | None = self._listen(0)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="tcp-proxy", daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    # --- what a test does --------------------------------------------------------------

    def cut(self) -> None:
        """The service goes away: connections reset, new ones refused."""
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        if listener is not None:
            listener.close()
        for sock in sockets:
            _reset(sock)

    def restore(self) -> None:
        """The service is back, on the same port, answering at full speed."""
        self.delay = 0.0
        with self._lock:
            self._rules.clear()
            if self._listener is None:
                self._listener = self._listen(self.port)

    def on_request(
        self,
        pattern: bytes,
        action: Callable[[re.Match[bytes]], object] | None = None,
        *,
        drop: bool = False,
    ) -> None:
        """When a chunk from the client matches, call action(match), then forward the chunk,
        or with ``drop`` reset the connection instead (the request never arrives)."""
        with self._lock:
            self._rules.append(_Rule(re.compile(pattern), action, drop))

    def close(self) -> None:
        self._closed.set()
        self.cut()
        self._thread.join(5)

    # --- the machinery -----------------------------------------------------------------

    def _listen(self, port: int) -> socket.socket:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(128)
        listener.settimeout(0.05)
        return listener

    def _serve(self) -> None:
        while not self._closed.is_set():
            listener = self._listener
            if listener is None:
                time.sleep(0.02)
                continue
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _reset(client)
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                if self._listener is None:  # cut while we were connecting
                    _reset(client)
                    _reset(upstream)
                    continue
                self._sockets |= {client, upstream}
                self.accepted += 1
            for source, sink, upward in ((client, upstream, True), (upstream, client, False)):
                threading.Thread(
                    target=self._pump, args=(source, sink, upward), daemon=True
                ).start()

    def _pump(self, source: socket.socket, sink: socket.socket, upward: bool) -> None:
        try:
            while True:
                data = source.recv(CHUNK)
                if not data:
                    break
                if upward and self._matches_a_drop(data):
                    break
                if not upward and self.delay:
                    time.sleep(self.delay)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._sockets -= {source, sink}
            _reset(source)
            _reset(sink)

    def _matches_a_drop(self, data: bytes) -> bool:
        with self._lock:
            rules = list(self._rules)
        dropped = False
        for rule in rules:
            match = rule.pattern.search(data)
            if match is None:
                continue
            if rule.action is not None:
                rule.action(match)
            dropped = dropped or rule.drop
        return dropped


def _reset(sock: socket.socket) -> None:
    """Close with a RST, as a dead peer or a dropped route would look."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


@contextlib.contextmanager
def proxy_to(host: str, port: int) -> Iterator[TcpProxy]:
    proxy = TcpProxy(host, port)
    try:
        yield proxy
    finally:
        proxy.close()
