"""Routes for machines: health probes, metrics, the OpenAPI document, signed local blob URLs."""

from __future__ import annotations

import hmac
import ipaddress
import socket
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import redis
from flask import Response, abort, current_app, request, send_file

from .. import db, metrics, variants
from ..problems import Forbidden, Unauthenticated
from ..storage import BlobNotFound, BlobStore, StorageUnavailable
from ..storage.local import verify_blob_signature
from . import bp

OPENAPI_PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"
BROKER_PORTS = {"amqp": 5672, "amqps": 5671, "pyamqp": 5672}


@bp.get("/openapi.yaml")
def openapi() -> Response:
    return send_file(OPENAPI_PATH, mimetype="application/yaml", max_age=0)


@bp.get("/healthz")
def healthz() -> dict[str, Any]:
    """The process is up; nothing else is checked, so a slow dependency never restarts it."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    """Ready to serve: the database, the blob store and the broker (when set) all answer."""
    checks: dict[str, str] = {}
    try:
        db.ping(current_app)
        checks["database"] = "ok"
    except Exception as error:  # any failure means not ready; the reason is reported
        checks["database"] = f"unavailable: {type(error).__name__}"
    store: BlobStore = current_app.extensions["vitrine.store"]
    try:
        store.check()
        checks["blob_store"] = "ok"
    except StorageUnavailable as error:
        checks["blob_store"] = f"unavailable: {error}"
    broker = metrics.broker_url(current_app)
    if broker is not None:
        checks["broker"] = _check_broker(broker)
    ready = all(value == "ok" for value in checks.values())
    return {"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503


def _check_broker(url: str) -> str:
    """Redis answers PING within a second; another broker (RabbitMQ) accepts a connection."""
    try:
        if metrics.is_redis(url):
            client = metrics.redis_client(url)
            try:
                client.ping()
            finally:
                client.close()
        else:
            parts = urlsplit(url)
            port = parts.port or BROKER_PORTS.get(parts.scheme, 5672)
            timeout = metrics.BROKER_TIMEOUT_SECONDS
            with socket.create_connection((parts.hostname or "localhost", port), timeout):
                pass
    except (redis.RedisError, OSError, ValueError) as error:
        return f"unavailable: {type(error).__name__}"
    return "ok"


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
    if current_app.config["BLOB_BACKEND"] != "local" or key.startswith("originals/"):
        abort(404)
    expires = request.args.get("expires", "")
    signature = request.args.get("signature", "")
    if not (expires.isascii() and expires.isdigit()) or not verify_blob_signature(
        current_app.config["SECRET_KEY"], key, int(expires), signature, int(time.time())
    ):
        abort(403, "The link is invalid or has expired.")
    variant = variants.servable(db.get_session(), key)
    if variant is None:
        abort(404)
    store: BlobStore = current_app.extensions["vitrine.store"]
    try:
        stream = store.open(key)
    except (BlobNotFound, ValueError):
        abort(404)
    response = send_file(stream, mimetype=variant.media_type, conditional=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = (
        f"private, max-age={max(0, int(expires) - int(time.time()))}"
    )
    return response
