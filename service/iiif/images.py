"""Image API 3.0 routes (level 2): an image's info.json and its regions, sizes, rotations,
qualities and formats.

Every request is audited for the web channel first (``iiif_gate``): 404 for no such image,
403 naming the failing checks, and only then 400 for a bad request, a 304 or the pixels. The
ETags are keyed to the rights stamp, so a rights change is a new ETag for every cache
between here and the viewer.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from flask import json, redirect, request
from werkzeug.wrappers import Response

from service.http.context import services
from service.http.database import get_session
from service.iiif import bp, iiif_base, size_limits
from service.iiif.answers import answer
from service.rules import audit
from service.rules.iiif import image_info, image_requests, rights
from service.services import iiif_gate, iiif_images


def _service_id(public_id: str) -> str:
    """The image service's base URI, info.json's ``id``: the URL info.json is fetched from,
    less ``/info.json`` (viewers and the validator compare the two)."""
    return f"{iiif_base()}/{quote(public_id, safe='')}"


@bp.get("/<public_id>")
def image_service(public_id: str) -> Response:
    """The base URI: See Other, to its info.json (§2)."""
    return redirect(f"{_service_id(public_id)}/info.json", code=303)


@bp.get("/<public_id>/info.json")
def info(public_id: str) -> Response:
    """What the image service offers: sizes, tiles, qualities, formats and the licence."""
    session = get_session()
    cleared = iiif_gate.cleared_for_web(session, services(), public_id)
    facts = iiif_images.info_facts(session, services(), cleared)
    licence = rights.iiif_rights(cleared.record.licence_uri)
    document = image_info.image_info(
        id=_service_id(cleared.asset.public_id),
        width=facts.width,
        height=facts.height,
        tile=iiif_images.TILE,
        limits=size_limits(),
        rights=licence,
    )
    response = answer(
        json.dumps(document).encode(),
        image_info.info_media_type(request.headers.get("Accept")),
        facts.etag,
        good_until=_rights_end(cleared),
        links=_links(licence),
    )
    response.vary.add("Accept")
    return response


@bp.get("/<public_id>/<region>/<size>/<rotation>/<quality_format>")
def image(public_id: str, region: str, size: str, rotation: str, quality_format: str) -> Response:
    """The pixels asked for, with the rights written in and the credit burned in where the
    policy asks and the image is large enough for it to be read."""
    session = get_session()
    cleared = iiif_gate.cleared_for_web(session, services(), public_id)
    facts = iiif_images.info_facts(session, services(), cleared)
    asked = image_requests.parse(
        region,
        size,
        rotation,
        quality_format,
        width=facts.width,
        height=facts.height,
        limits=size_limits(),
    )
    etag = iiif_images.answer_etag(services(), cleared, asked)
    # A client holding this answer gets its 304 without a pixel being read or drawn.
    held = etag in request.if_none_match
    data = b"" if held else iiif_images.image(session, services(), cleared, asked).data
    canonical = (
        f"{_service_id(cleared.asset.public_id)}/{asked.canonical(facts.width, facts.height)}"
    )
    licence = rights.iiif_rights(cleared.record.licence_uri)
    links = [*_links(licence), f'<{canonical}>;rel="canonical"']
    return answer(data, asked.media_type, etag, good_until=_rights_end(cleared), links=links)


def _rights_end(cleared: iiif_gate.Cleared) -> datetime | None:
    """When the licence the image was cleared under stops holding, if it ends."""
    return audit.passes_dates_until({"expires_at": cleared.record.expires_at})


def _links(licence: str | None) -> list[str]:
    """The Link header's profile, and the licence where IIIF can name it."""
    links = [f'<{image_info.PROFILE_URI}>;rel="profile"']
    if licence:
        links.append(f'<{licence}>;rel="license"')
    return links
