"""Routes for machines: health probes, the OpenAPI document, and signed local blob URLs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, request, send_file

from .. import db
from ..storage import BlobNotFound, BlobStore, StorageUnavailable
from ..storage.local import verify_blob_signature
from . import bp

VARIANT_TYPES = {"jpg": "image/jpeg", "webp": "image/webp", "avif": "image/avif"}
OPENAPI_PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"


@bp.get("/openapi.yaml")
def openapi() -> Response:
    return send_file(OPENAPI_PATH, mimetype="application/yaml", max_age=0)


@bp.get("/healthz")
def healthz() -> dict[str, Any]:
    """The process is up; nothing else is checked, so a slow dependency never restarts it."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    """Ready to serve: the database and the blob store both answer."""
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
    ready = all(value == "ok" for value in checks.values())
    return {"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503


@bp.get("/blobs/<path:key>")
def signed_blob(key: str) -> Response:
    """Serve a blob of the local store to whoever holds an unexpired signed URL for it.

    Only variants are ever signed for this route: originals are refused even with a valid
    signature, so no unauthenticated route can serve an original.
    """
    if current_app.config["BLOB_BACKEND"] != "local" or key.startswith("originals/"):
        abort(404)
    expires = request.args.get("expires", "")
    signature = request.args.get("signature", "")
    if not (expires.isascii() and expires.isdigit()) or not verify_blob_signature(
        current_app.config["SECRET_KEY"], key, int(expires), signature, int(time.time())
    ):
        abort(403, "The link is invalid or has expired.")
    store: BlobStore = current_app.extensions["vitrine.store"]
    try:
        stream = store.open(key)
    except (BlobNotFound, ValueError):
        abort(404)
    media_type = VARIANT_TYPES.get(key.rsplit(".", 1)[-1], "application/octet-stream")
    response = send_file(stream, mimetype=media_type, conditional=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = (
        f"private, max-age={max(0, int(expires) - int(time.time()))}"
    )
    return response
