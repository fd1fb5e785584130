"""Routes for machines: health probes, metrics, the OpenAPI document, signed local blob URLs."""

from __future__ import annotations

import hmac
import ipaddress
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Response, abort, current_app, request, send_file

from service.http.database import get_session
from service.ops import metrics
from service.ops.probes import Probes
from service.rules import filenames
from service.rules.problems import Forbidden, Unauthenticated
from service.services import variants
from service.storage import db
from service.storage.blobs import BlobNotFound, StorageUnavailable
from service.storage.local import LocalBlobStore
from service.web import bp
from service.web.common import store

OPENAPI_PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"
BROKER_PORTS = {"amqp": 5672, "amqps": 5671, "pyamqp": 5672}


@bp.get("/openapi.yaml")
def openapi() -> Response:
    """The OpenAPI document of the JSON API."""
    return send_file(OPENAPI_PATH, mimetype="application/yaml", max_age=0)


@bp.get("/healthz")
def healthz() -> dict[str, Any]:
    """The process is up; nothing else is checked, so a slow dependency never restarts it."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    """Ready to serve: the database, the blob store and the broker (when set) all answer.

    The checks run side by side, each given VITRINE_READY_TIMEOUT_SECONDS: a dependency slower
    than that is reported as not ready, and the probe itself answers in about that time.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    timeout = float(app.config["READY_TIMEOUT_SECONDS"])
    blob_store = store()
    checks: dict[str, Callable[[], None]] = {
        "database": lambda: db.ping(app),
        "blob_store": lambda: blob_store.check(timeout),
    }
    broker = metrics.broker_url(app)
    if broker is not None:
        checks["broker"] = lambda: _check_broker(broker, timeout)
    probes: Probes = app.extensions.setdefault("vitrine.probes", Probes())
    results = probes.run(checks, timeout, _reason)
    ready = all(value == "ok" for value in results.values())
    return {"status": "ok" if ready else "unavailable", "checks": results}, 200 if ready else 503


def _reason(error: BaseException) -> str:
    # The blob store's messages are written for operators; other errors are named by type.
    return str(error) if isinstance(error, StorageUnavailable) else type(error).__name__


def _check_broker(url: str, timeout: float) -> None:
    """Redis answers PING; another broker (RabbitMQ) accepts a connection."""
    if metrics.is_redis(url):
        client = metrics.redis_client(url)
        try:
            client.ping()
        finally:
            client.close()
    else:
        parts = urlsplit(url)
        port = parts.port or BROKER_PORTS.get(parts.scheme, 5672)
        with socket.create_connection((parts.hostname or "localhost", port), timeout):
            pass


@bp.get("/metrics", endpoint="metrics")
def prometheus_metrics() -> Response:
    """Prometheus metrics: behind a bearer token when VITRINE_METRICS_TOKEN is set; else only
    for a caller on loopback (the same host), or anyone in debug.

    The caller's address is the one the connection came from, or with VITRINE_TRUSTED_PROXIES
    the one the trusted proxies forwarded: a proxy on the same host with no trusted hops would
    make every visitor look local, so behind one set the token or the trusted hops.
    """
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        sent = request.headers.get("Authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            raise Unauthenticated("/metrics needs the bearer token set in VITRINE_METRICS_TOKEN.")
    elif not current_app.debug and not _is_loopback(request.remote_addr):
        raise Forbidden(
            "/metrics answers only on this host unless VITRINE_METRICS_TOKEN is set; set it "
            "and send 'Authorization: Bearer <token>'."
        )
    body, media_type = metrics.exposition(current_app, request.headers.get("Accept"))
    response = current_app.response_class(body, mimetype=None, content_type=media_type)
    response.headers["Cache-Control"] = "no-store"
    return response


def _is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


@bp.get("/blobs/<path:key>")
def signed_blob(key: str) -> Response:
    """Serve a blob of the local store to whoever holds an unexpired signed URL for it.

    Only publishable variants are ever served, and only while current: originals, previews
    and anything else are refused even with a valid signature, and so is a variant whose
    asset was deleted or whose rights changed since the URL was signed.
    """
    local = store()
    if not isinstance(local, LocalBlobStore) or key.startswith("originals/"):
        abort(404)  # S3 serves its own presigned URLs
    expires = request.args.get("expires", "")
    signature = request.args.get("signature", "")
    if not (expires.isascii() and expires.isdigit()) or not local.verifies(
        key, expires, signature, int(time.time())
    ):
        abort(403, "The link is invalid or has expired.")
    variant = variants.servable(get_session(), key)
    if variant is None:
        abort(404)
    try:
        stream = local.open(key)
    except (BlobNotFound, ValueError):
        abort(404)
    response = send_file(stream, mimetype=variant.media_type, conditional=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    asked = request.args.get("download")
    if asked is not None:  # unsigned: only its stem is kept; the extension is the variant's
        stem = filenames.safe_stem(asked.rpartition(".")[0] or asked) or "variant"
        extension = filenames.EXTENSIONS.get(variant.media_type, "bin")
        response.headers["Content-Disposition"] = filenames.content_disposition(
            f"{stem}.{extension}"
        )
    response.headers["Cache-Control"] = (
        f"private, max-age={max(0, int(expires) - int(time.time()))}"
    )
    return response
