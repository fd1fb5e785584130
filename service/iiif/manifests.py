"""Presentation API 3.0 routes: a manifest per image, collections per campaign and per tag.

Public, like the images they show: no token, any origin (the blueprint's CORS). Each answer
is a JSON-LD document with an ETag of its bytes (a rights change that alters it changes the
ETag; a request that holds it gets 304) and a short shared-cache lifetime, never past the
end of the rights of an image in it.
"""

from __future__ import annotations

import hashlib
import json

from flask import current_app
from werkzeug.wrappers import Response

from service.http.context import services
from service.http.database import get_session
from service.iiif import bp, iiif_base, size_limits
from service.iiif.answers import answer
from service.rules.iiif import presentation
from service.services import iiif_manifests
from service.services.iiif_manifests import Published


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
        limits=size_limits(),
    )


def _answer(published: Published) -> Response:
    """The document, its ETag that of its bytes (the rights it shows are in them)."""
    body = json.dumps(published.document, ensure_ascii=False, separators=(",", ":")).encode()
    etag = hashlib.sha256(body).hexdigest()[:32]
    return answer(body, presentation.MEDIA_TYPE, etag, good_until=published.good_until)
