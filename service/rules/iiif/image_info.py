"""The IIIF Image API 3.0 image information document (info.json) of a level-2 service: what
a viewer reads to know an image's size, its tiles and pyramid sizes, what it may ask for,
and the licence it carries (https://iiif.io/api/image/3.0/#5-image-information).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from service.rules.iiif.image_requests import MEDIA_TYPES, QUALITIES, SizeLimits

CONTEXT = "http://iiif.io/api/image/3/context.json"
PROTOCOL = "http://iiif.io/api/image"
PROFILE = "level2"
PROFILE_URI = "http://iiif.io/api/image/3/level2.json"  # for the Link rel="profile" header
JSON_LD = f'application/ld+json;profile="{CONTEXT}"'
JSON = "application/json"

# Formats level 2 already promises (the compliance document); others are listed as extras.
_LEVEL2_FORMATS = ("jpg", "png")
# What the service does beyond the level-2 profile (§5.7). The two link headers are promises
# about the routes: image responses carry Link rel="profile" and rel="canonical".
EXTRA_FEATURES = ("canonicalLinkHeader", "mirroring", "profileLinkHeader", "sizeUpscaling")


def scale_factors(width: int, height: int, tile: int) -> list[int]:
    """1, 2, 4, ... up to the first factor at which the whole image fits one ``tile`` square."""
    factors = [1]
    while _reduced(width, factors[-1]) > tile or _reduced(height, factors[-1]) > tile:
        factors.append(factors[-1] * 2)
    return factors


def listed_sizes(
    width: int, height: int, factors: Sequence[int], limits: SizeLimits
) -> list[tuple[int, int]]:
    """The full image's size at each factor that fits the limits, smallest first: the sizes a
    viewer may ask as ``full/w,h/0/default.jpg`` (and a pyramid level can serve)."""
    sizes = {(_reduced(width, f), _reduced(height, f)) for f in factors}
    fitting = [
        (w, h)
        for w, h in sizes
        if w <= limits.max_width and h <= limits.max_height and w * h <= limits.max_area
    ]
    return sorted(fitting, key=lambda size: size[0] * size[1])


def image_info(
    *,
    id: str,  # the document's own name for it
    width: int,
    height: int,
    tile: int,
    limits: SizeLimits,
    rights: str | None,
    grayscale: bool = False,
) -> dict[str, Any]:
    """info.json for the image whose base URI is ``id``: square ``tile`` tiles at every
    scale factor down to one tile, the pyramid's sizes within ``limits``, and ``rights``
    (a Creative Commons or RightsStatements.org URI) when given. A ``grayscale`` image does
    not list ``color`` among its qualities (§4.4)."""
    factors = scale_factors(width, height, tile)
    qualities = [q for q in QUALITIES if q != "default" and not (grayscale and q == "color")]
    info: dict[str, Any] = {
        "@context": CONTEXT,
        "id": id,
        "type": "ImageService3",
        "protocol": PROTOCOL,
        "profile": PROFILE,
        "width": width,
        "height": height,
        "maxWidth": limits.max_width,
        "maxHeight": limits.max_height,
        "maxArea": limits.max_area,
        "sizes": [
            {"width": w, "height": h} for w, h in listed_sizes(width, height, factors, limits)
        ],
        "tiles": [{"width": tile, "scaleFactors": factors}],
        "extraQualities": qualities,
        "extraFormats": [f for f in MEDIA_TYPES if f not in _LEVEL2_FORMATS],
        "extraFeatures": list(EXTRA_FEATURES),
    }
    if rights:
        info["rights"] = rights
    return info


def info_media_type(accept: str | None) -> str:
    """The Content-Type of info.json for a request's Accept header (§5.1): JSON-LD with the
    context as profile unless the client prefers plain JSON (or names neither)."""
    if not accept or not accept.strip():
        return JSON_LD
    wanted = _weights(accept)
    linked = wanted.get("application/ld+json", wanted.get("application/*", wanted.get("*/*")))
    plain = wanted.get(JSON, wanted.get("application/*", wanted.get("*/*")))
    if plain is not None and plain > 0 and (linked is None or linked < plain):
        return JSON
    return JSON_LD


def _weights(accept: str) -> dict[str, float]:
    """Each media range of an Accept header with its q (1 when absent or unreadable)."""
    weights: dict[str, float] = {}
    for part in accept.split(","):
        media_range, *parameters = (piece.strip() for piece in part.split(";"))
        q = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 1.0
                q = min(max(q, 0.0), 1.0) if math.isfinite(q) else 1.0
        if media_range:
            weights[media_range.lower()] = max(q, weights.get(media_range.lower(), 0.0))
    return weights


def _reduced(length: int, factor: int) -> int:
    """A length at a scale factor: tiles are cut at floored origins, the last one partial."""
    return math.ceil(length / factor)
