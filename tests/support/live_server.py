"""The app on a free loopback port, served by werkzeug's threaded server, for tests that
need a real HTTP client (Chromium, concurrent requests).

werkzeug's development server skips closing a response's body when the client drops the
connection while the server drains the request (its ``finally`` reads the socket before it
calls ``close()``, and that read raises). A browser that leaves a page before an image has
arrived does exactly that, and the file behind the image is then left for the garbage
collector: a ResourceWarning at some random later moment. The handler below closes the body
whatever happened; production serves with gunicorn, which closes it itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

_BODY = "tests.response_body"


class _ClosingHandler(WSGIRequestHandler):
    def run_wsgi(self) -> None:
        try:
            super().run_wsgi()
        finally:
            body = getattr(self, "environ", {}).get(_BODY)
            if body is not None:
                body.close()


class _Body:
    """The app's response body with a ``close`` that may be called twice."""

    def __init__(self, inner: Iterable[bytes]) -> None:
        self._inner = inner
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._inner)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            close = getattr(self._inner, "close", None)
            if close is not None:
                close()


def _remember_body(app: Flask) -> Any:
    def wsgi(environ: dict[str, Any], start_response: Any) -> _Body:
        body = _Body(app(environ, start_response))
        environ[_BODY] = body
        return body

    return wsgi


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """The base URL of ``app`` served on 127.0.0.1 in a thread, until the block ends."""
    httpd = make_server(
        "127.0.0.1", 0, _remember_body(app), threaded=True, request_handler=_ClosingHandler
    )
    with in_thread(httpd, "vitrine-test-server") as url:
        yield url


@contextmanager
def in_thread(httpd: Any, name: str) -> Iterator[str]:
    """Serve ``httpd`` (a socketserver bound to 127.0.0.1) in a thread named ``name``, its
    base URL given, until the block ends; then shut it down and close its socket."""
    thread = threading.Thread(target=httpd.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()
