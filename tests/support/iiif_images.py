"""IIIF images as the tests ask for them: an asset cleared for the web, and an answer through
the gate and the service (``iiif_gate.cleared_for_web`` then ``iiif_images.image``), as the
routes call them."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from service.http import database as db
from service.rules.iiif.image_requests import ImageRequest
from service.services import context, iiif_gate, iiif_images
from service.storage.models import Asset
from tests.support.api import clear
from tests.support.rights import BM

Tokens = dict[str, dict[str, str]]


def cleared_image(
    client: FlaskClient, tokens: Tokens, data: bytes, filename: str = "photo.png", **rights: Any
) -> str:
    """Upload ``data``, describe it, clear it for the web: its public id.

    The form is encoded in memory: the test client would spool a body over 500 KB to a
    temporary file it never closes (a ResourceWarning whenever the collector finds it)."""
    fields = {
        "file": FileStorage(io.BytesIO(data), filename),
        "title": "Somali wedding basket",
        "object_number": "Af1935,0711.1",
        "alt_text": "A woven basket with a conical lid.",
    }
    boundary, body = encode_multipart(fields)
    response = client.post(
        "/api/v1/assets",
        data=body,
        headers=tokens["contributor"],
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 201, response.json
    holder = {"holder": "Trustees of the British Museum", "credit_line": BM}
    answer = clear(client, tokens, response.json["id"], **{**holder, **rights})
    assert answer.status_code == 200, answer.json
    return str(response.json["public_id"])


def asked(
    region: tuple[int, int, int, int],
    size: tuple[int, int],
    *,
    rotation: int = 0,
    mirrored: bool = False,
    quality: str = "default",
    format: str = "jpg",
) -> ImageRequest:
    """An Image API request as the parser would resolve it."""
    return ImageRequest(region, size, mirrored, rotation, quality, format)


def serve(app: Flask, public_id: str, request: ImageRequest) -> iiif_images.Served:
    """The answer to ``request``, through the web gate, in a session of its own."""
    with app.app_context(), db.new_session(app) as session:
        services = context.of(app)
        cleared = iiif_gate.cleared_for_web(session, services, public_id)
        return iiif_images.image(session, services, cleared, request)


def answer_etag(app: Flask, public_id: str, request: ImageRequest) -> str:
    """The ETag the answer to ``request`` has, through the web gate."""
    with app.app_context(), db.new_session(app) as session:
        services = context.of(app)
        cleared = iiif_gate.cleared_for_web(session, services, public_id)
        return iiif_images.answer_etag(services, cleared, request)


def info(app: Flask, public_id: str) -> iiif_images.InfoFacts:
    """What info.json says of the image, through the web gate."""
    with app.app_context(), db.new_session(app) as session:
        services = context.of(app)
        cleared = iiif_gate.cleared_for_web(session, services, public_id)
        return iiif_images.info_facts(session, services, cleared)


def sha_of(app: Flask, public_id: str) -> str:
    """The digest of the image's original."""
    return str(_asset(app, public_id).sha256)


def asset_id_of(app: Flask, public_id: str) -> int:
    """The row id of the image's asset."""
    return int(_asset(app, public_id).id)


def _asset(app: Flask, public_id: str) -> Asset:
    with app.app_context(), db.new_session(app) as session:
        asset: Asset = session.scalars(select(Asset).where(Asset.public_id == public_id)).one()
        session.expunge(asset)
        return asset


def pixels(served: iiif_images.Served) -> Image.Image:
    """An answer's pixels, loaded."""
    image = Image.open(io.BytesIO(served.data))
    image.load()
    return image
