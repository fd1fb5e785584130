"""Container health checks, with nothing but the standard library (the image has no curl).

``python docker/healthcheck.py`` (web): GET /healthz on the first TCP address of
``VITRINE_BIND``; healthy on 200.

``python docker/healthcheck.py worker``: the broker named by ``VITRINE_BROKER_URL`` accepts a
TCP connection. Once the Celery worker exists, ``celery inspect ping`` against this host's
node is the stronger check.
"""

from __future__ import annotations

import os
import socket
import sys
import urllib.request
from urllib.parse import urlsplit

TIMEOUT = 4.0
BROKER_PORTS = {"redis": 6379, "rediss": 6379, "amqp": 5672, "amqps": 5671, "pyamqp": 5672}


def web_url(bind: str) -> str | None:
    """The /healthz URL of the first TCP address in a ``VITRINE_BIND`` value, or None."""
    for address in (part.strip() for part in bind.split(",")):
        if not address or address.startswith(("unix:", "fd://")):
            continue
        host, _, port = address.rpartition(":")
        if not port.isdigit():
            host, port = address, "8000"
        if host in {"", "0.0.0.0", "*"}:  # noqa: S104  (every interface: ask loopback)
            host = "127.0.0.1"
        elif host in {"[::]", "::"}:
            host = "[::1]"
        return f"http://{host}:{port}/healthz"
    return None


def check_web() -> int:
    url = web_url(os.environ.get("VITRINE_BIND", "0.0.0.0:8000"))
    if url is None:
        print("no TCP address in VITRINE_BIND to check")
        return 0
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310  (fixed http URL)
            healthy = response.status == 200
    except OSError as error:
        print(f"{url}: {error}")
        return 1
    return 0 if healthy else 1


def check_broker() -> int:
    url = os.environ.get("VITRINE_BROKER_URL", "")
    if not url:
        print("VITRINE_BROKER_URL is not set: tasks run inline in the web process")
        return 1
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = parts.port or BROKER_PORTS.get(parts.scheme, 6379)
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT):
            return 0
    except OSError as error:
        print(f"broker {host}:{port}: {error}")
        return 1


def main(argv: list[str]) -> int:
    role = argv[1] if len(argv) > 1 else "web"
    return check_broker() if role == "worker" else check_web()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
