"""Settings: each declared once with its default and why, read from ``VITRINE_*`` variables.

``load()`` layers three sources, later winning: the defaults below, the environment
(``VITRINE_MAX_PIXELS=50000000`` sets ``MAX_PIXELS``), then explicit overrides (tests).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ENV_PREFIX = "VITRINE_"

DEFAULTS: dict[str, Any] = {
    # SQLite in WAL mode needs no setup; production points this at PostgreSQL.
    "DATABASE_URL": "sqlite:///var/vitrine.db",
    # Signs session cookies; local blob URLs and variant names use keys derived from it. It
    # has no default: outside tests and debug the app refuses to start without a good one.
    "SECRET_KEY": None,
    # A file holding the secret key, used when VITRINE_SECRET_KEY is unset: made (mode 0600,
    # a fresh random key) when missing, refused when others may read it. `make run` uses
    # var/secret-key, so a laptop needs no setup; one host only (each host would make its own).
    "SECRET_KEY_FILE": None,
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
    # Assets one audit may cover (API, CLI, audit page), checked by counting before any row
    # is read. The API and CLI stream audits a chunk at a time in constant memory, so the cap
    # bounds how long one runs (10,000: about 2.5 s on PostgreSQL, bench/audits.py) and the
    # audit page, which is not streamed.
    "MAX_AUDIT_ASSETS": 10_000,
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
    # Per address (IPv6: per /64), across usernames, within the window: catches spraying one
    # password over many accounts.
    "SIGN_IN_ADDRESS_ATTEMPTS": 50,
    # Send the session cookie only over HTTPS, and HSTS; turn on behind TLS.
    "SECURE_COOKIES": False,
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed
    # (werkzeug's ProxyFix). 0 believes none: a client could claim any address or scheme.
    "TRUSTED_PROXIES": 0,
    # Bearer token /metrics asks for. Unset, /metrics answers only loopback callers (and
    # anyone in debug): behind a proxy on the same host, set it or TRUSTED_PROXIES.
    "METRICS_TOKEN": None,
    # Bytes of a JSON request body; larger ones answer 413 before they are read.
    "MAX_JSON_BYTES": 1024 * 1024,
    # Deleted assets can be restored for this many days; `vitrine purge` then removes them.
    "DELETED_RETENTION_DAYS": 30,
    # JSON object of preset overrides or additions, e.g. Bluesky's pre-2026 limits:
    # {"bluesky": {"width": 2000, "height": 2000, "max_bytes": 976560}}
    "PRESETS": None,
    # TrueType/OpenType font for burned-in credit lines; unset, the shipped DejaVu Sans (Latin,
    # Greek, Cyrillic, Hebrew, Arabic...). Credits it cannot draw are refused, not boxed.
    "CREDIT_FONT": None,
    # Celery broker (redis://127.0.0.1:6379/0, amqp://...) for `vitrine worker`. Unset, the
    # background work (rendering ahead) runs inline in the web process after each commit.
    "BROKER_URL": None,
    # Publishable presets rendered ahead after each upload, comma-separated (none by default:
    # the gate renders them on first request).
    "EAGER_PRESETS": None,
    # Channels where a photograph nobody has said shows (or does not show) recognisable people
    # fails the publish gate's people_consent check, comma-separated; elsewhere it warns. Social
    # media by default: consent for people online is the GDPR's hard case. Empty: warn everywhere.
    "PEOPLE_UNKNOWN_BLOCKS": "social",
    # Render the internal previews (library thumbnail, asset page image) after each upload.
    # Unset means yes, except in a TESTING app, where tests see only what they ask for.
    "EAGER_PREVIEWS": None,
    # Seconds each dependency (database, blob store, broker) has to answer /readyz; they are
    # asked side by side, so the probe answers in about this time even when one hangs, and a
    # dependency slower than this is reported as not ready.
    "READY_TIMEOUT_SECONDS": 0.5,
    # The scheme, host and any path prefix public URLs (IIIF ids) are written with, such as
    # https://images.museum.org; unset, those of each request (behind a proxy, trust it with
    # TRUSTED_PROXIES so that its scheme and host are believed).
    "PUBLIC_URL": None,
    # --- IIIF presentation: who publishes the manifests, and how long caches keep them.
    # The museum named as each manifest's and collection's provider (unset: none named), and
    # its homepage (an http(s) address).
    "IIIF_PROVIDER_NAME": None,
    "IIIF_PROVIDER_URL": None,
    # The largest image the IIIF image service answers, on either side (px): `max` means this
    # for a larger original. Tiles give every pixel of the original; this bounds the memory
    # and time of one answer (a 4096 x 4096 one is 48 MB of pixels).
    "IIIF_MAX_EDGE": 4096,
    # Seconds a shared cache may keep a IIIF answer; never past the end of an image's rights.
    "IIIF_MAX_AGE": 3600,
    # --- IIIF images: the shortest edge, in px, of an image served with the credit burned in
    # (where the policy asks for it). The credit's font is 2.6% of an image's size but never
    # under 12 px (render.credit_font_size), so above ~460 px the British Museum's credit box
    # keeps ~2% of the area and 38% of the width; at 400 px it takes 2.6% and half the width,
    # at 256 px 83% of the width (a longer credit wraps). Smaller images carry the rights in
    # their metadata only.
    "IIIF_CREDIT_MIN_EDGE": 400,
    # "text" (a readable line per record) or "json" (one object per line, for collectors).
    "LOG_FORMAT": "text",
    # Port and address `vitrine worker` serves its Prometheus metrics on (unset: none).
    "WORKER_METRICS_PORT": None,
    "WORKER_METRICS_HOST": "127.0.0.1",
    # Not a VITRINE_ variable: prometheus_client's own name for the directory where the
    # processes of a prefork pool (or gunicorn's workers) add up their counts.
    "PROMETHEUS_MULTIPROC_DIR": None,
}

# Settings read from a variable of another name than VITRINE_<setting>.
_ENV_NAMES = {"PROMETHEUS_MULTIPROC_DIR": "PROMETHEUS_MULTIPROC_DIR"}

_INTEGERS = {
    "MAX_UPLOAD_BYTES",
    "MAX_PIXELS",
    "MAX_CONCURRENT_RENDERS",
    "MAX_DECODED_BYTES",
    "SIGNED_URL_SECONDS",
    "MAX_PAGE_SIZE",
    "MAX_AUDIT_ASSETS",
    "DELETED_RETENTION_DAYS",
    "SIGN_IN_ATTEMPTS",
    "SIGN_IN_WINDOW_SECONDS",
    "SIGN_IN_ADDRESS_ATTEMPTS",
    "TRUSTED_PROXIES",
    "MAX_JSON_BYTES",
    "WORKER_METRICS_PORT",
    "IIIF_MAX_AGE",
    "IIIF_CREDIT_MIN_EDGE",
    "IIIF_MAX_EDGE",
}
_FLOATS = {
    "S3_CONNECT_TIMEOUT",
    "S3_READ_TIMEOUT",
    "RENDER_TIMEOUT_SECONDS",
    "RENDER_WAIT_SECONDS",
    "READY_TIMEOUT_SECONDS",
}
_BOOLEANS = {"S3_PATH_STYLE", "S3_CREATE_BUCKET", "SECURE_COOKIES", "EAGER_PREVIEWS"}


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
        raw = environ.get(_ENV_NAMES.get(name, ENV_PREFIX + name))
        if raw is not None:
            settings[name] = parse_value(name, raw)
    settings.update(overrides or {})
    if settings["BLOB_BACKEND"] not in {"local", "s3"}:
        raise ConfigError(f"{ENV_PREFIX}BLOB_BACKEND must be 'local' or 's3'")
    if not 0 < float(settings["READY_TIMEOUT_SECONDS"]) <= 60:
        raise ConfigError(f"{ENV_PREFIX}READY_TIMEOUT_SECONDS must be between 0 and 60 seconds")
    if int(settings["MAX_AUDIT_ASSETS"]) < 1:
        raise ConfigError(f"{ENV_PREFIX}MAX_AUDIT_ASSETS must be at least 1")
    if not 512 <= int(settings["IIIF_MAX_EDGE"]) <= 65_535:
        raise ConfigError(f"{ENV_PREFIX}IIIF_MAX_EDGE must be 512 to 65535 pixels")
    if int(settings["IIIF_MAX_AGE"]) < 0:
        raise ConfigError(f"{ENV_PREFIX}IIIF_MAX_AGE must be 0 or more seconds")
    provider_url = settings["IIIF_PROVIDER_URL"]
    if provider_url and not str(provider_url).startswith(("http://", "https://")):
        raise ConfigError(f"{ENV_PREFIX}IIIF_PROVIDER_URL must be an http:// or https:// address")
    log_format = str(settings["LOG_FORMAT"] or "text").strip().lower()
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"{ENV_PREFIX}LOG_FORMAT must be 'text' or 'json', not {log_format!r}")
    settings["LOG_FORMAT"] = log_format
    return settings


LOG_FORMATS = ("text", "json")


# ---------------------------------------------------------------- the web server (gunicorn)

MAX_DEFAULT_WORKERS = 8  # each worker may hold a large image in memory while rendering


def web_server_settings(cpus: int, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Gunicorn's settings from ``VITRINE_BIND``, ``VITRINE_WEB_*`` and
    ``VITRINE_FORWARDED_ALLOW_IPS`` (``service/gunicorn_conf.py`` lists them)."""
    environ = os.environ if environ is None else environ

    def whole_number(name: str, default: int, minimum: int = 0) -> int:
        raw = environ.get(ENV_PREFIX + name, "").strip()
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{name} must be a whole number, not {raw!r}") from None
        if value < minimum:
            raise ConfigError(f"{ENV_PREFIX}{name} must be at least {minimum}, not {value}")
        return value

    bind = environ.get(ENV_PREFIX + "BIND", "0.0.0.0:8000")
    return {
        "bind": [address.strip() for address in bind.split(",") if address.strip()],
        "workers": whole_number("WEB_WORKERS", min(2 * cpus + 1, MAX_DEFAULT_WORKERS), 1),
        "threads": whole_number("WEB_THREADS", 4, minimum=1),
        "timeout": whole_number("WEB_TIMEOUT", 300, minimum=1),
        "graceful_timeout": whole_number("WEB_GRACEFUL_TIMEOUT", 30, minimum=1),
        "keepalive": whole_number("WEB_KEEPALIVE", 5),
        "max_requests": whole_number("WEB_MAX_REQUESTS", 10_000),
        "max_requests_jitter": whole_number("WEB_MAX_REQUESTS_JITTER", 1_000),
        "forwarded_allow_ips": environ.get(ENV_PREFIX + "FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
        "loglevel": environ.get(ENV_PREFIX + "WEB_LOG_LEVEL", "info"),
        "control_socket": environ.get(ENV_PREFIX + "WEB_CONTROL_SOCKET"),
    }


# ---------------------------------------------------------------- the secret key

MIN_SECRET_BYTES = 32
# Keys published with Vitrine at one time or another: as good as no key at all.
PUBLIC_SECRET_KEYS = frozenset({"dev-only-not-secret"})
MAKE_A_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


def secret_key_problem(key: str | None) -> str | None:
    """Why ``key`` cannot sign anything, or None when it can."""
    if not key:
        return "is not set"
    if key in PUBLIC_SECRET_KEYS:
        return "is the public development key that shipped with Vitrine"
    if len(key.encode()) < MIN_SECRET_BYTES:
        return f"is shorter than {MIN_SECRET_BYTES} bytes"
    return None


def resolve_secret_key(settings: Mapping[str, Any], *, lenient: bool) -> str:
    """The secret key to run with: VITRINE_SECRET_KEY, else VITRINE_SECRET_KEY_FILE (made when
    missing). Outside tests and debug (``lenient``), a missing, short or public key stops the
    start with a ConfigError saying how to make one; in them, a random key for this process."""
    key = settings.get("SECRET_KEY")
    source = f"{ENV_PREFIX}SECRET_KEY"
    if not key and settings.get("SECRET_KEY_FILE"):
        path = Path(settings["SECRET_KEY_FILE"])
        key = read_or_create_key_file(path)
        source = f"the key file {path} ({ENV_PREFIX}SECRET_KEY_FILE)"
    problem = secret_key_problem(key)
    if problem is None:
        assert key is not None
        return str(key)
    if lenient and not key:
        return secrets.token_urlsafe(48)  # sessions and signed URLs last as long as the process
    if lenient and key:
        return str(key)  # tests may use short keys of their own
    raise ConfigError(
        f"{source} {problem}: it signs sessions and blob URLs, so it must be a long random "
        f"secret. Make one with\n    {MAKE_A_KEY}\nand set it as {ENV_PREFIX}SECRET_KEY (or "
        f"put it in a file readable only by the service and set {ENV_PREFIX}SECRET_KEY_FILE)."
    )


def read_or_create_key_file(path: Path) -> str:
    """The key in ``path``; a fresh random one written there (mode 0600) when it is missing.

    The file appears whole or not at all (written aside, then linked into place), so that
    several processes starting together all read the one key that won. A key file that
    anyone but its owner may read or write is refused: that key is no longer a secret.
    """
    try:
        return _read_key_file(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates the file 0600 from the first instant: never readable by others.
    fd, aside = tempfile.mkstemp(prefix=".secret-key-", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            os.link(aside, path)
    finally:
        os.unlink(aside)
    return _read_key_file(path)


def _read_key_file(path: Path) -> str:
    with path.open("rb") as stream:
        mode = os.fstat(stream.fileno()).st_mode
        if mode & 0o077:
            raise ConfigError(
                f"{ENV_PREFIX}SECRET_KEY_FILE {path} may be read or written by others (mode "
                f"{stat.S_IMODE(mode):04o}): run `chmod 600 {path}`, and make a new key if "
                "anyone else could have read it."
            )
        key = stream.read().decode("utf-8", "strict").strip()
    return key
