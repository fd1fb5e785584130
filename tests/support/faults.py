"""Faults on demand: a TCP proxy between the app and a real server that a test can cut or slow.

The app is pointed at the proxy instead of the server (S3 or PostgreSQL on 127.0.0.1); the
test then stops the service as the app sees it (``cut``: open connections are reset and new
ones refused), brings it back on the same port (``restore``), delays every answer
(``delay``), or reacts to a request as it passes (``on_request``: e.g. cut the database the
moment an original is PUT to S3, or drop the DELETE that would clean it up). A proxy made
with ``postgres=True`` also follows the PostgreSQL wire protocol the client speaks, so that a
test can lose a transaction's COMMIT, or only its answer (``lose_commit``): the outcome the
app sees is then unknown, as when a connection drops at the worst moment.
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

from sqlalchemy import make_url

CHUNK = 64 * 1024


@dataclass
class _Rule:
    pattern: re.Pattern[bytes]
    action: Callable[[re.Match[bytes]], object] | None
    drop: bool


@dataclass
class _CommitRule:
    """Lose the next COMMIT sent after a statement matching ``after`` (or the answer to it)."""

    after: re.Pattern[bytes] | None
    deliver: bool  # the server gets the COMMIT (and commits); only its answer is lost
    then: Callable[[], object] | None
    done: threading.Event


STARTUP_ONLY = {80877103, 80877104}  # SSLRequest, GSSENCRequest: another startup packet follows


class PgMessages:
    """Split one direction of a PostgreSQL connection into messages as its bytes pass.

    ``feed`` returns each message completed by the chunk as (type, body, end), ``end`` being
    the offset in the chunk just past it. The client's first packets have no type byte
    (startup, SSL and GSS requests); a server stream must be fed from a message boundary.
    """

    def __init__(self, *, startup: bool) -> None:
        self._buffer = bytearray()
        self._startup = startup

    def feed(self, data: bytes) -> list[tuple[bytes, bytes, int]]:
        self._buffer += data
        before = len(self._buffer) - len(data)  # bytes of earlier chunks still buffered
        messages = []
        consumed = 0
        while True:
            header = 4 if self._startup else 5
            if len(self._buffer) - consumed < header:
                break
            kind = b"" if self._startup else bytes(self._buffer[consumed : consumed + 1])
            (length,) = struct.unpack("!I", self._buffer[consumed + header - 4 : consumed + header])
            total = length + (0 if self._startup else 1)
            if len(self._buffer) - consumed < total:
                break
            body = bytes(self._buffer[consumed + header : consumed + total])
            if self._startup and struct.unpack("!I", body[:4])[0] not in STARTUP_ONLY:
                self._startup = False
            consumed += total
            messages.append((kind, body, consumed - before))
        del self._buffer[:consumed]
        return messages


def _is_commit(kind: bytes, body: bytes) -> bool:
    return kind == b"Q" and body.rstrip(b"\0").strip().rstrip(b";").strip().upper() == b"COMMIT"


def _ends_transaction(kind: bytes, body: bytes) -> bool:
    text = body.rstrip(b"\0").strip().rstrip(b";").strip().upper()
    return kind == b"Q" and text in {b"COMMIT", b"ROLLBACK", b"END", b"ABORT"}


@dataclass
class _Link:
    """One proxied connection, and where it stands in the PostgreSQL protocol."""

    client: socket.socket
    upstream: socket.socket
    frontend: PgMessages | None
    armed: bool = False  # a statement matching the commit rule's ``after`` was sent
    losing: _CommitRule | None = None  # its COMMIT went through: the answer is to be lost
    backend: PgMessages | None = None


class TcpProxy:
    """Forward 127.0.0.1:<port> to a target, until told otherwise."""

    def __init__(self, host: str, port: int, *, postgres: bool = False) -> None:
        self.target = (host, port)
        self.postgres = postgres
        self._commit_rules: list[_CommitRule] = []
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
            self._commit_rules.clear()
            if self._listener is None:
                self._listener = self._listen(self.port, patience=2.0)

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

    def lose_commit(
        self,
        *,
        after: bytes | None = None,
        deliver: bool = True,
        then: Callable[[], object] | None = None,
    ) -> threading.Event:
        """Lose the next COMMIT (a Query message whose text is COMMIT) on a connection that
        sent a statement matching ``after`` since its last transaction ended.

        With ``deliver`` the COMMIT reaches the server, which commits, and the connection is
        reset once the server has answered, before the answer is relayed; without it the
        COMMIT never arrives. ``then`` runs just before the reset (e.g. ``cut``, so that the
        app cannot ask again at once). Only for a proxy made with ``postgres=True``; the
        returned event is set once the COMMIT was lost.
        """
        assert self.postgres, "lose_commit needs a proxy made with postgres=True"
        rule = _CommitRule(re.compile(after) if after else None, deliver, then, threading.Event())
        with self._lock:
            self._commit_rules.append(rule)
        return rule.done

    def close(self) -> None:
        self._closed.set()
        self.cut()
        self._thread.join(5)

    # --- the machinery -----------------------------------------------------------------

    def _listen(self, port: int, patience: float = 0.0) -> socket.socket:
        # A listener closed by ``cut`` lives on while the accepting thread still waits on it
        # (up to its 0.05 s timeout): binding its port again may have to wait for that.
        deadline = time.monotonic() + patience
        while True:
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                listener.bind(("127.0.0.1", port))
            except OSError:
                listener.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
                continue
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
            link = _Link(client, upstream, PgMessages(startup=True) if self.postgres else None)
            for upward in (True, False):
                threading.Thread(target=self._pump, args=(link, upward), daemon=True).start()

    def _pump(self, link: _Link, upward: bool) -> None:
        source, sink = (link.client, link.upstream) if upward else (link.upstream, link.client)
        try:
            while True:
                data = source.recv(CHUNK)
                if not data:
                    break
                if upward and self._matches_a_drop(data):
                    break
                if upward and link.frontend is not None:
                    data, lost = self._watch_client(link, data)
                    if data:
                        sink.sendall(data)
                    if lost:
                        break
                    continue
                if not upward and link.losing is not None:
                    if self._server_answered(link, data):
                        break
                    continue  # held back, never relayed
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

    def _watch_client(self, link: _Link, data: bytes) -> tuple[bytes, bool]:
        """What of the client's chunk to forward, and whether the connection is now lost."""
        assert link.frontend is not None
        for kind, body, end in link.frontend.feed(data):
            with self._lock:
                rules = list(self._commit_rules)
            if kind in (b"Q", b"P") and any(
                rule.after is not None and rule.after.search(body) for rule in rules
            ):
                link.armed = True
            if _is_commit(kind, body):
                rule = next((r for r in rules if r.after is None or link.armed), None)
                if rule is not None:
                    with self._lock:
                        self._commit_rules.remove(rule)
                    if rule.deliver:
                        link.losing = rule
                        link.backend = PgMessages(startup=False)
                        return data[:end], False  # the COMMIT goes through
                    self._lose(rule)
                    return data[: max(0, end - 5 - len(body))], True
            if _ends_transaction(kind, body):
                link.armed = False
        return data, False

    def _server_answered(self, link: _Link, data: bytes) -> bool:
        """Hold the server's answer to a lost COMMIT; True once it is complete (then lose it)."""
        assert link.backend is not None and link.losing is not None
        if any(kind in (b"C", b"E") for kind, _, _ in link.backend.feed(data)):
            self._lose(link.losing)
            return True
        return False

    def _lose(self, rule: _CommitRule) -> None:
        rule.done.set()  # first: ``then`` may reset the connection, and the app go on at once
        if rule.then is not None:
            rule.then()

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
def proxy_to(host: str, port: int, *, postgres: bool = False) -> Iterator[TcpProxy]:
    proxy = TcpProxy(host, port, postgres=postgres)
    try:
        yield proxy
    finally:
        proxy.close()


def through(proxy: TcpProxy, database_url: str) -> str:
    """The database URL, pointed at the proxy."""
    return make_url(database_url).set(host="127.0.0.1", port=proxy.port).render_as_string(False)
