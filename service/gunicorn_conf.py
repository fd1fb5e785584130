"""Gunicorn settings for production: ``gunicorn -c service/gunicorn_conf.py``.

Each value can be changed through an environment variable, so one image serves a laptop and
a large host alike:

- ``VITRINE_BIND`` (``0.0.0.0:8000``): address(es) to listen on, comma-separated.
- ``VITRINE_WEB_WORKERS`` (2 x CPUs + 1, at most 8): worker processes.
- ``VITRINE_WEB_THREADS`` (4): threads per worker (the ``gthread`` worker when above 1).
- ``VITRINE_WEB_TIMEOUT`` (300): seconds a silent worker may live; a 200 MB upload on a
  slow link takes minutes.
- ``VITRINE_WEB_GRACEFUL_TIMEOUT`` (30): seconds a worker has to finish its requests when
  it is restarted or stopped.
- ``VITRINE_WEB_KEEPALIVE`` (5): seconds an idle keep-alive connection is held.
- ``VITRINE_WEB_MAX_REQUESTS`` (1000) and ``VITRINE_WEB_MAX_REQUESTS_JITTER`` (100): a worker
  is replaced after that many requests plus a random extra (0: never).
- ``VITRINE_FORWARDED_ALLOW_IPS`` (``127.0.0.1,::1``): proxies whose ``X-Forwarded-*``
  headers are trusted (``*``: any; only when nothing else can reach the port).
- ``VITRINE_WEB_LOG_LEVEL`` (``info``): gunicorn's own log level.
- ``VITRINE_WEB_CONTROL_SOCKET`` (none, disabled): path of gunicorn's control socket.

Access and error logs go to standard output and standard error, for the container runtime,
with line breaks and control characters from the request escaped (``EscapingLogger``; gunicorn
escapes quotes): a request line, referer or user agent cannot forge a log line or a field.
The application is built in each worker (no preload), so no database connection or S3 client
is shared across a fork.
"""

from __future__ import annotations

import math
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger

# Gunicorn reads every module-level name that matches one of its settings ("config" is one),
# so only the function is imported.
from service.config import web_server_settings
from service.ops.logs import EscapingFilter, escape_control


def available_cpus() -> int:
    """CPUs this process may use: its affinity, lowered by a cgroup v2 quota (containers)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            cpus = min(cpus, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass  # no cgroup v2 quota: the affinity stands
    return max(1, cpus)


wsgi_app = "service.app:create_app()"
proc_name = "vitrine"

_settings = web_server_settings(available_cpus())  # config reads the environment
bind = _settings["bind"]
workers = _settings["workers"]
threads = _settings["threads"]
worker_class = "gthread" if threads > 1 else "sync"

# Uploads run to VITRINE_MAX_UPLOAD_BYTES (200 MB): at 10 Mbit/s that is nearly three
# minutes of body, so a worker is not presumed dead before five.
timeout = _settings["timeout"]
graceful_timeout = _settings["graceful_timeout"]
keepalive = _settings["keepalive"]

# Recycling workers bounds the memory that image decoding may leave fragmented; but each
# recycle stalls a few requests (seen up to 13 s under bench/throughput.py at 1,000), so rarely.
max_requests = _settings["max_requests"]
max_requests_jitter = _settings["max_requests_jitter"]

forwarded_allow_ips = _settings["forwarded_allow_ips"]

preload_app = False


class EscapingLogger(Logger):  # type: ignore[misc]  # gunicorn has no type hints
    """Gunicorn's logger, escaping control characters in what callers chose: the access
    log's fields (gunicorn escapes their quotes itself) and the error log's messages."""

    def setup(self, cfg: Any) -> None:
        """Gunicorn's log setup, plus the escaping filter on the error and access logs."""
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            if not any(isinstance(f, EscapingFilter) for f in logger.filters):
                logger.addFilter(EscapingFilter())

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: timedelta) -> Any:
        """The access log's fields, control characters escaped in those that are text."""
        return {
            name: escape_control(value) if isinstance(value, str) else value
            for name, value in super().atoms(resp, req, environ, request_time).items()
        }


logger_class = EscapingLogger
accesslog = "-"
errorlog = "-"
loglevel = _settings["loglevel"]
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s"'

# Worker heartbeats on a memory file system: an overlay or network disk can stall them.
_SHM = Path("/dev/shm")  # noqa: S108  (gunicorn makes its own private files in it)
if _SHM.is_dir() and os.access(_SHM, os.W_OK):
    worker_tmp_dir = str(_SHM)

# Gunicorn 25.1+ opens a control socket under $HOME by default; containers run with a
# read-only home, so it is opt-in here.
control_socket_disable = _settings["control_socket"] is None
if not control_socket_disable:
    control_socket = _settings["control_socket"]
