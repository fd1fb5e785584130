"""Presentation API 3.0 routes: a manifest per image, collections per campaign and per tag.

Public, like the images they show: no token, any origin (the blueprint's CORS). Each answer
is a JSON-LD document with an ETag of its bytes (a rights change that alters it changes the
ETag; a request that holds it gets 304) and a short shared-cache lifetime, never past the
end of the rights of an image in it.
"""

from __future__ import annotations

import hashlib
import json

from flask import current_app, request
from werkzeug.wrappers import Response

from service.http.context import services
from service.http.database import get_session
from service.iiif import bp, iiif_base
from service.rules.iiif import presentation
from service.rules.iiif.image_requests import SizeLimits
from service.services import iiif_manifests
from service.services.iiif_manifests import Published
from service.storage.db import utcnow


@bp.get("/<public_id>/manifest")
def manifest(public_id: str) -> Response:
    """The image's manifest; 403 naming the failing checks when it is not cleared for the web."""
    return _answer(iiif_manifests.manifest_of(get_session(), services(), public_id, _site()))


@bp.get("/collections/campaigns/<int:campaign_id>")
def campaign_collection(campaign_id: int) -> Response:
    """The campaign's images cleared for the web, in the order its posts go out."""
    published = iiif_manifests.campaign_collection(get_session(), services(), campaign_id, _site())
    return _answer(published)


@bp.get("/collections/tags/<path:tag>")
def tag_collection(tag: str) -> Response:
    """The images with the tag (any case) cleared for the web; a tag may hold a slash."""
    return _answer(iiif_manifests.tag_collection(get_session(), services(), tag, _site()))


def _site() -> presentation.Site:
    config = current_app.config
    return presentation.Site(
        base=iiif_base(),
        provider_name=config.get("IIIF_PROVIDER_NAME") or "",
        provider_url=config.get("IIIF_PROVIDER_URL") or "",
        limits=_image_limits(),
    )


def _image_limits() -> SizeLimits:
    """The image service's limits, which the painted image's and thumbnail's sizes follow.
    (VITRINE_IIIF_MAX_EDGE until the image routes name their own.)"""
    edge = int(current_app.config.get("IIIF_MAX_EDGE") or presentation.DEFAULT_MAX_EDGE)
    return SizeLimits(edge, edge, edge * edge)


def _answer(published: Published) -> Response:
    """The document with its ETag and cache lifetime, or 304 when the client holds it."""
    body = json.dumps(published.document, ensure_ascii=False, separators=(",", ":")).encode()
    etag = hashlib.sha256(body).hexdigest()[:32]
    seconds = presentation.cache_seconds(
        int(current_app.config["IIIF_MAX_AGE"]), utcnow(), published.good_until
    )
    if etag in request.if_none_match:
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(body, content_type=presentation.MEDIA_TYPE)
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={seconds}"
    return response
