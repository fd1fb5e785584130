"""The Image API's pixels: an answer for every region, size, rotation, quality and format of
an asset cleared for the web, drawn from its pyramid (iiif_pyramids) with the rights written in
and the credit burned in where the policy says so, and kept in the blob store.

Kept answers are named by a digest of everything that shapes their bytes: the original, the
pyramid's spec, the request, the rights stamp (with the credit font and the legibility
threshold when the credit is burned in) and the rights record's revision, keyed with the
server's secret like the variants' names. A rights change therefore never serves the old
bytes, and an answer found is a gate and one blob read. The name is also the answer's ETag.

Only the answers a viewer asks for again and again are kept (``cacheable``): the tiles of the
grid info.json offers and the whole image at a level's size, in any rotation, quality and
format. Any other region or size is drawn afresh each time, cheaply, from a few tiles: kept,
endless distinct URLs could fill the store.

A credit burned into the pixels is attribution, not protection: regions under the threshold
carry none, so tiles can be stitched without it, as a crop removes it from any variant. The
rights written into every answer's metadata stay.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import io
import json
import logging
import math
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from service.media import render
from service.media.render import pyramid as tiles
from service.media.render import regions
from service.rules import geometry
from service.rules.iiif import image_info, image_requests
from service.rules.iiif.image_requests import ImageRequest
from service.rules.problems import NotFound, Problem, StorageDown
from service.services import iiif_pyramids
from service.services.context import Services
from service.services.iiif_gate import Cleared
from service.services.render_settings import render_slot
from service.storage.blobs import BlobNotFound, StorageUnavailable
from service.storage.models import Asset

log = logging.getLogger(__name__)

TILE = iiif_pyramids.TILE
# Bump when regions.draw or regions.encode change the bytes of an answer: kept ones are then
# drawn anew under new names.
RENDER_SPEC = f"iiif-answer-jpg{regions.JPEG_QUALITY}-webp{regions.WEBP_QUALITY}-v1"
# Answers assembled from more level pixels than this take a render slot, as a variant does:
# a burst of them queues instead of holding every large image in memory at once.
LARGE_PIXELS = 1 << 22


class ImageImpossible(Problem):
    """The original cannot be drawn (it does not decode within the limits, or the credit
    cannot be drawn legibly with the configured font): 422."""

    status, code, title = 422, "image-impossible", "The image cannot be drawn"


@dataclass(frozen=True)
class Served:
    """An answer's bytes, its media type, and its ETag, which changes with the rights."""

    data: bytes
    media_type: str
    etag: str


class InfoFacts(NamedTuple):
    """What info.json says of an image: its size, scale factors, and its ETag (keyed to the
    rights, as info.json carries them)."""

    width: int
    height: int
    scale_factors: list[int]
    etag: str


def info_facts(session: Session, services: Services, cleared: Cleared) -> InfoFacts:
    """The size, scale factors and info.json ETag of a cleared asset, from its row alone:
    info.json never waits for the pyramid."""
    asset = cleared.asset
    factors = image_info.scale_factors(asset.width, asset.height, TILE)
    shaping = {
        "info": [asset.sha256, asset.width, asset.height, TILE, factors],
        "stamp": dataclasses.asdict(cleared.stamp),
        "rights_revision": cleared.record.revision,
    }
    return InfoFacts(asset.width, asset.height, factors, _name(services, shaping))


def image(session: Session, services: Services, cleared: Cleared, request: ImageRequest) -> Served:
    """The answer to ``request`` (resolved against the asset's size) for a cleared asset: the
    kept one if there is one, else drawn from the pyramid (built first if need be) and kept
    when it is ``cacheable``. Raises StorageDown (503), ImageImpossible (422), NotFound (the
    original is missing) or RenderBusy (503)."""
    asset = cleared.asset
    width, height = asset.width, asset.height
    etag = answer_etag(services, cleared, request)
    key = cache_key(asset.sha256, etag, request.format)
    store = services.store
    try:
        with store.open(key) as stream:
            return Served(stream.read(), request.media_type, etag)
    except BlobNotFound:
        pass
    except StorageUnavailable as error:
        raise StorageDown(str(error)) from None
    factors = image_info.scale_factors(width, height, TILE)
    try:
        data = _draw(services, cleared, request, factors)
    except StorageUnavailable as error:
        raise StorageDown(str(error)) from None
    except BlobNotFound:
        raise NotFound(f"The original of image {asset.public_id} is missing.") from None
    except render.RenderError as error:
        raise ImageImpossible(f"The image cannot be drawn: {error}") from None
    if cacheable(request, width, height, factors):
        try:
            store.put(key, io.BytesIO(data), request.media_type)
        except StorageUnavailable as error:  # answered all the same; kept next time
            log.warning("IIIF answer %s not kept: %s", key, error)
    return Served(data, request.media_type, etag)


def answer_etag(services: Services, cleared: Cleared, request: ImageRequest) -> str:
    """The ETag ``image`` gives this answer, without reading or drawing it: a route can
    answer 304 to a client that holds it (once the gate has passed)."""
    return _name(services, _shaping(services, cleared, request))


def prepare(services: Services, asset: Asset) -> iiif_pyramids.Pyramid:
    """Build the asset's pyramid now unless it has one: for a task run when an image is
    cleared for the web, so that its first viewer does not wait the build (about 1 s for a
    24 MP original on a local store, 2 s on S3: bench/iiif.py). Raises as ``ensure`` does."""
    factors = image_info.scale_factors(asset.width, asset.height, TILE)
    return iiif_pyramids.ensure(services.store, asset, factors, services.rendering)


def cacheable(request: ImageRequest, width: int, height: int, factors: list[int]) -> bool:
    """Whether an answer is kept: a tile of info.json's grid at its scale factor, or the
    whole image at the size of a level (a size info.json lists, or max), within a pixel."""
    x, y, w, h = request.region
    for factor in factors:
        if (x, y, w, h) == (0, 0, width, height):
            wanted = tiles.level_size((width, height), factor)
        else:
            span = TILE * factor
            if x % span or y % span or (w, h) != (min(span, width - x), min(span, height - y)):
                continue
            wanted = (math.ceil(w / factor), math.ceil(h / factor))
        if abs(request.size[0] - wanted[0]) <= 1 and abs(request.size[1] - wanted[1]) <= 1:
            return True
    return False


def cache_key(sha256: str, name: str, extension: str) -> str:
    """Where one kept answer is stored."""
    return f"{iiif_pyramids.answers_prefix(sha256)}{name}.{extension}"


# ---------------------------------------------------------------- drawing


def _draw(services: Services, cleared: Cleared, request: ImageRequest, factors: list[int]) -> bytes:
    """Draw the answer from the pyramid; once again from a rebuilt one if a tile is gone."""
    settings, store = services.rendering, services.store
    broken: iiif_pyramids.Pyramid | None = None
    for attempt in range(2):
        pyramid = iiif_pyramids.ensure(store, cleared.asset, factors, settings, broken=broken)
        try:
            return _draw_from(services, cleared, request, pyramid)
        except iiif_pyramids.Damaged as error:
            if attempt:
                raise StorageDown(f"The image's tiles cannot be read: {error}") from None
            log.warning("%s; building the pyramid again", error)
            broken = pyramid
    raise AssertionError("unreachable")


def _draw_from(
    services: Services, cleared: Cleared, request: ImageRequest, pyramid: iiif_pyramids.Pyramid
) -> bytes:
    factor = _level_factor(request, pyramid.factors, pyramid.full)
    size = pyramid.level(factor)
    whole, inside = tiles.level_box(request.region, factor, pyramid.full)
    output = regions.Output(
        request.size, request.mirrored, request.rotation, request.quality, request.format
    )
    stamp = cleared.stamp
    burn_in = stamp.burn_in and regions.credit_legible(output.shown, services.iiif_credit_min_edge)
    font = services.rendering.credit_font

    def draw() -> bytes:
        covering = tiles.covering(size, pyramid.tile, whole)
        pieces = iiif_pyramids.read_tiles(services.store, pyramid, factor, covering)
        pixels = tiles.assemble(size, pyramid.tile, whole, pieces, pyramid.mode)
        return regions.render(pixels, inside, output, stamp, burn_in=burn_in, credit_font=font)

    if _area(whole) <= LARGE_PIXELS:
        return draw()
    with render_slot(services.rendering):
        return draw()


def _level_factor(request: ImageRequest, factors: tuple[int, ...], full: geometry.Size) -> int:
    """The scale factor of the level to draw from: the coarsest that still has the pixels."""
    chosen = image_requests.source_factor(request, factors, image_size=full)
    return max((factor for factor in factors if factor <= chosen), default=min(factors))


def _area(box: geometry.Box) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])


# ---------------------------------------------------------------- names


def _shaping(services: Services, cleared: Cleared, request: ImageRequest) -> dict[str, Any]:
    """Everything that shapes an answer's bytes."""
    stamp = cleared.stamp
    shaping: dict[str, Any] = {
        "original": cleared.asset.sha256,
        "pyramid": iiif_pyramids.SPEC,
        "render": RENDER_SPEC,
        # What shapes the pixels; not how the request named them (max or w,h: the same answer).
        "request": [
            request.region,
            request.size,
            request.mirrored,
            request.rotation,
            request.quality,
            request.format,
        ],
        "stamp": dataclasses.asdict(stamp),
        "rights_revision": cleared.record.revision,
    }
    if stamp.burn_in:  # only then do the font and the threshold reach the pixels
        shaping["credit_font"] = render.font_identity(services.rendering.credit_font)
        shaping["credit_min_edge"] = services.iiif_credit_min_edge
    return shaping


def _name(services: Services, shaping: dict[str, Any]) -> str:
    """A digest of ``shaping`` keyed with the key variants are named with: nobody can compute
    it from what a viewer reads (the request, the credit line)."""
    naming_key = services.rendering.naming_key
    if not naming_key:
        raise ValueError("blob names need a key; set VITRINE_SECRET_KEY")
    message = "iiif\n" + json.dumps(shaping, sort_keys=True)
    return hmac.new(naming_key, message.encode(), hashlib.sha256).hexdigest()
