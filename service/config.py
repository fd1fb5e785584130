"""Settings: each declared once with its default and why, read from ``VITRINE_*`` variables.

``load()`` layers three sources, later winning: the defaults below, the environment
(``VITRINE_MAX_PIXELS=50000000`` sets ``MAX_PIXELS``), then explicit overrides (tests).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

ENV_PREFIX = "VITRINE_"

DEFAULTS: dict[str, Any] = {
    # SQLite in WAL mode needs no setup; production points this at PostgreSQL.
    "DATABASE_URL": "sqlite:///var/vitrine.db",
    # Signs sessions and local blob URLs. The default only suits a laptop: `make run` warns.
    "SECRET_KEY": "dev-only-not-secret",
    # Where blobs live: "local" (a directory) or "s3" (any S3-compatible store).
    "BLOB_BACKEND": "local",
    "BLOB_DIR": "var/blobs",
    "S3_ENDPOINT_URL": None,
    "S3_REGION": "us-east-1",
    "S3_BUCKET": "vitrine",
    "S3_ACCESS_KEY": None,
    "S3_SECRET_KEY": None,
    # MinIO and Ceph want path-style addressing; AWS prefers virtual-hosted.
    "S3_PATH_STYLE": False,
    # Lets several deployments (or test runs) share one bucket.
    "S3_KEY_PREFIX": "",
    "S3_CONNECT_TIMEOUT": 5.0,
    "S3_READ_TIMEOUT": 60.0,
    # Convenient in development; production buckets are made by whoever owns the account.
    "S3_CREATE_BUCKET": False,
    # Uploads are spooled here (hashed on the way) before they are checked and stored.
    "SPOOL_DIR": None,
    # Bytes of one uploaded file. Museum TIFF masters run to 150 MB; 200 MB leaves room.
    "MAX_UPLOAD_BYTES": 200 * 1024 * 1024,
    # Width x height. Refusing above this before any decode is the defence against bombs.
    "MAX_PIXELS": 150_000_000,
    # How long a signed blob URL stays valid, in seconds.
    "SIGNED_URL_SECONDS": 900,
    # Largest page the list endpoint returns.
    "MAX_PAGE_SIZE": 200,
    # A render claimed longer ago than this is presumed dead and taken over.
    "RENDER_TIMEOUT_SECONDS": 120.0,
    # Renders one process runs at once (web or worker); unset, its CPU count. Each holds a
    # decoded image in memory and keeps a CPU busy, so more only queue for the same cores.
    "MAX_CONCURRENT_RENDERS": None,
    # How long a request waits for a free render slot before it answers 503 render-busy.
    "RENDER_WAIT_SECONDS": 10.0,
    # Bytes of decoded pixels one render may hold (Pillow keeps 4 bytes per RGB or RGBA pixel,
    # 2 per 16-bit grey, 1 per 8-bit grey or palette; a TIFF it turns as it loads counts
    # twice). Checked from the header; a render's peak memory is about this plus 300 MB.
    # 1 GiB admits every image MAX_PIXELS admits but a turned TIFF over 134 MP.
    "MAX_DECODED_BYTES": 1 << 30,
    # Failed sign-ins allowed per username and address within the window (shared in Redis when
    # the broker is Redis, else per web process).
    "SIGN_IN_ATTEMPTS": 5,
    "SIGN_IN_WINDOW_SECONDS": 900,
    # Send the session cookie only over HTTPS; turn on behind TLS.
    "SECURE_COOKIES": False,
    # Deleted assets can be restored for this many days; `vitrine purge` then removes them.
    "DELETED_RETENTION_DAYS": 30,
    # JSON object of preset overrides or additions, e.g. Bluesky's 2026 limits:
    # {"bluesky": {"width": 4000, "height": 4000, "max_bytes": 2000000}}
    "PRESETS": None,
    # TrueType/OpenType font for burned-in credit lines; unset, the shipped DejaVu Sans (Latin,
    # Greek, Cyrillic, Hebrew, Arabic...). Credits it cannot draw are refused, not boxed.
    "CREDIT_FONT": None,
    # Celery broker (redis://127.0.0.1:6379/0, amqp://...) for `vitrine worker`. Unset, the
    # background work (rendering ahead) runs inline in the web process after each commit.
    "BROKER_URL": None,
    # Presets rendered ahead after each upload, comma-separated; "" renders none ahead.
    # Unset means "thumb,web-large" (the library's thumbnails), or none in a TESTING app.
    "EAGER_PRESETS": None,
}

_INTEGERS = {
    "MAX_UPLOAD_BYTES",
    "MAX_PIXELS",
    "MAX_CONCURRENT_RENDERS",
    "MAX_DECODED_BYTES",
    "SIGNED_URL_SECONDS",
    "MAX_PAGE_SIZE",
    "DELETED_RETENTION_DAYS",
    "SIGN_IN_ATTEMPTS",
    "SIGN_IN_WINDOW_SECONDS",
}
_FLOATS = {
    "S3_CONNECT_TIMEOUT",
    "S3_READ_TIMEOUT",
    "RENDER_TIMEOUT_SECONDS",
    "RENDER_WAIT_SECONDS",
}
_BOOLEANS = {"S3_PATH_STYLE", "S3_CREATE_BUCKET", "SECURE_COOKIES"}


class ConfigError(ValueError):
    """A setting has a value Vitrine cannot use."""


def parse_value(name: str, raw: str) -> Any:
    """Turn one environment string into the type its default has."""
    if name in _INTEGERS:
        try:
            return int(raw.replace("_", ""))
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{name} must be a whole number, not {raw!r}") from None
    if name in _FLOATS:
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{name} must be a number, not {raw!r}") from None
    if name in _BOOLEANS:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{ENV_PREFIX}{name} must be true or false, not {raw!r}")
    return raw


def load(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Defaults, then ``VITRINE_*`` environment variables, then overrides."""
    environ = os.environ if environ is None else environ
    settings = dict(DEFAULTS)
    for name in DEFAULTS:
        raw = environ.get(ENV_PREFIX + name)
        if raw is not None:
            settings[name] = parse_value(name, raw)
    settings.update(overrides or {})
    if settings["BLOB_BACKEND"] not in {"local", "s3"}:
        raise ConfigError(f"{ENV_PREFIX}BLOB_BACKEND must be 'local' or 's3'")
    return settings
