"""What the benches share to run a server: a free port, and waiting until it is ready.

Imported as ``serving`` by the bench scripts (run as ``python bench/x.py``, whose folder is
on ``sys.path``).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Return once ``{base}/readyz`` answers 200; exit with the server's log if it dies, or
    stop it and exit if it is not ready within a minute."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    server.terminate()
    sys.exit(f"gunicorn was not ready within 60 s:\n{log.read_text()[-3000:]}")
