"""IIIF Image API 3.0 image requests at compliance level 2: the four path segments after the
identifier, ``{region}/{size}/{rotation}/{quality}.{format}``, read against an image's full
size and the server's size limits into the pixels to cut, the size to scale them to, the
turn and the encoding.

Statuses follow the spec (https://iiif.io/api/image/3.0/): every refusal is a 400, including
a well-formed request for what Vitrine does not serve (a rotation that is not a quarter
turn, §4.3; tif, gif, jp2 or pdf, §4.5) and a size beyond the limits (§4.2). 501 is only for
``^`` sizes on a server that cannot upscale, and this one can.

Pixel rounding (the spec leaves it to the server, §4.7): exact fractions, rounded half up.
A ``pct:`` region rounds its edges, so that neighbouring percentages share them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from service.rules.problems import Problem

QUALITIES = ("default", "color", "gray", "bitonal")
MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
# Formats the spec names that Vitrine does not encode: refused apart from typing errors.
UNSERVED_FORMATS = ("tif", "gif", "jp2", "pdf")


class BadImageRequest(Problem):
    """A region, size, rotation, quality or format that is malformed or makes no image."""

    status, code, title = 400, "bad-image-request", "Bad IIIF image request"


class UnsupportedImageRequest(Problem):
    """A well-formed request for a feature Vitrine does not serve (the spec asks a 400)."""

    status, code, title = 400, "unsupported-image-request", "IIIF image feature not supported"


class ImageRequestTooLarge(Problem):
    """A size beyond the service's maxWidth, maxHeight or maxArea (the spec asks a 400)."""

    status, code, title = 400, "image-request-too-large", "IIIF image larger than the limits"


@dataclass(frozen=True)
class SizeLimits:
    """The largest image the service answers with: any response fits within all three."""

    max_width: int
    max_height: int
    max_area: int


@dataclass(frozen=True)
class ImageRequest:
    """What to serve: cut ``region`` from the full image, scale it to ``size``, mirror it,
    turn it clockwise by ``rotation``, then render ``quality`` as ``format``."""

    region: tuple[int, int, int, int]  # x, y, w, h in full-image pixels, clipped to the image
    size: tuple[int, int]  # output width, height before rotation
    mirrored: bool
    rotation: int  # 0, 90, 180 or 270, clockwise
    quality: str  # "default" | "color" | "gray" | "bitonal"
    format: str  # "jpg" | "png" | "webp"
    largest: bool = False  # asked as max or ^max: the canonical size keeps that name

    @property
    def upscaled(self) -> bool:
        """Whether the output is larger than the region in either dimension."""
        return self.size[0] > self.region[2] or self.size[1] > self.region[3]

    def canonical(self, width: int, height: int) -> str:
        """``region/size/rotation/quality.format`` in the spec's canonical form (§4.8) for an
        image of ``width`` x ``height``: what the Link rel="canonical" header names."""
        x, y, w, h = self.region
        region = "full" if self.region == (0, 0, width, height) else f"{x},{y},{w},{h}"
        if self.largest or self.size == (w, h):
            size = "^max" if self.upscaled else "max"
        else:
            size = f"{'^' if self.upscaled else ''}{self.size[0]},{self.size[1]}"
        rotation = f"{'!' if self.mirrored else ''}{self.rotation}"
        return f"{region}/{size}/{rotation}/{self.quality}.{self.format}"

    @property
    def media_type(self) -> str:
        """The Content-Type of the encoded image."""
        return MEDIA_TYPES[self.format]


# Numbers as the spec allows them (§4.7): ASCII digits, and a point in percentages and degrees
# (0.5 is how it should be written; .5 and 5. are read too).
# Nine digits are more than any image has pixels; longer ones are refused as malformed.
_INT = r"[0-9]{1,9}"
_NUM = r"(?:[0-9]{1,9}(?:\.[0-9]{0,9})?|\.[0-9]{1,9})"
_REGION_PX = re.compile(rf"({_INT}),({_INT}),({_INT}),({_INT})")
_REGION_PCT = re.compile(rf"pct:({_NUM}),({_NUM}),({_NUM}),({_NUM})")
_SIZE_W = re.compile(rf"({_INT}),")
_SIZE_H = re.compile(rf",({_INT})")
_SIZE_PCT = re.compile(rf"pct:({_NUM})")
_SIZE_WH = re.compile(rf"({_INT}),({_INT})")
_SIZE_CONFINED = re.compile(rf"!({_INT}),({_INT})")
_ROTATION = re.compile(rf"(!?)({_NUM})")


def parse(
    region: str,
    size: str,
    rotation: str,
    quality_format: str,
    *,
    width: int,
    height: int,
    limits: SizeLimits,
) -> ImageRequest:
    """The request the four path segments make of a ``width`` x ``height`` image; a 400
    problem (BadImageRequest, UnsupportedImageRequest, ImageRequestTooLarge) otherwise."""
    quality, image_format = _quality_format(quality_format)
    mirrored, degrees = _rotation(rotation)
    box = _region(region, width, height)
    out, largest = _size(size, box[2], box[3], limits)
    return ImageRequest(box, out, mirrored, degrees, quality, image_format, largest)


def source_factor(
    request: ImageRequest,
    scale_factors: Sequence[int],
    *,
    image_size: tuple[int, int] | None = None,
) -> int:
    """The largest of ``scale_factors`` at which the region, reduced by it, still has at least
    the requested pixels in both dimensions: the pyramid level to cut from, so that the cut
    is only ever reduced. 1 when the request upscales (or no factor is small enough).

    A level is the image at ``ceil(size / factor)``, its last pixel partial. Given the full
    ``image_size``, a region that reaches the image's edge counts that last pixel whole, so
    that an edge tile (``ceil(w / factor)`` wide) comes from its own level too.
    """
    x, y, w, h = request.region
    out_w, out_h = request.size
    full_w, full_h = image_size or (None, None)

    def reduced(origin: int, length: int, full: int | None, factor: int) -> Fraction:
        if full is not None and origin + length == full:
            return math.ceil(full / factor) - Fraction(origin, factor)
        return Fraction(length, factor)

    fitting = [
        f
        for f in scale_factors
        if f >= 1 and reduced(x, w, full_w, f) >= out_w and reduced(y, h, full_h, f) >= out_h
    ]
    return max(fitting, default=1)


# --- the parameters ------------------------------------------------------------------------


def _quality_format(segment: str) -> tuple[str, str]:
    quality, dot, image_format = segment.rpartition(".")
    if not dot:
        raise BadImageRequest(
            f"{segment!r} is not quality.format, e.g. default.jpg.", parameter="format"
        )
    if quality not in QUALITIES:
        raise BadImageRequest(
            f"The quality {quality!r} is not one of {', '.join(QUALITIES)}.", parameter="quality"
        )
    if image_format in UNSERVED_FORMATS:
        raise UnsupportedImageRequest(
            f"Images are served as {', '.join(MEDIA_TYPES)}, not {image_format}.",
            parameter="format",
        )
    if image_format not in MEDIA_TYPES:
        raise BadImageRequest(
            f"The format {image_format!r} is not one of {', '.join(MEDIA_TYPES)}.",
            parameter="format",
        )
    return quality, image_format


def _rotation(segment: str) -> tuple[bool, int]:
    match = _ROTATION.fullmatch(segment)
    if match is None:
        raise BadImageRequest(
            f"The rotation {segment!r} is not n or !n, degrees from 0 to 360.",
            parameter="rotation",
        )
    degrees = Fraction(match[2])
    if degrees > 360:
        raise BadImageRequest(
            f"The rotation {segment!r} is over 360 degrees.", parameter="rotation"
        )
    if degrees % 90:
        raise UnsupportedImageRequest(
            f"Images turn by 0, 90, 180 or 270 degrees, not {match[2]}.", parameter="rotation"
        )
    return match[1] == "!", int(degrees) % 360


def _region(segment: str, width: int, height: int) -> tuple[int, int, int, int]:
    if segment == "full":
        return 0, 0, width, height
    if segment == "square":  # centred on the longer side
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side
    if match := _REGION_PX.fullmatch(segment):
        x, y, w, h = (int(value) for value in match.groups())
    elif match := _REGION_PCT.fullmatch(segment):
        px, py, pw, ph = (Fraction(value) for value in match.groups())
        x, y = _round(px * width / 100), _round(py * height / 100)
        w = _round((px + pw) * width / 100) - x
        h = _round((py + ph) * height / 100) - y
    else:
        raise BadImageRequest(
            f"The region {segment!r} is not full, square, x,y,w,h or pct:x,y,w,h.",
            parameter="region",
        )
    if w <= 0 or h <= 0:
        raise BadImageRequest(
            f"The region {segment!r} has no width or no height.", parameter="region"
        )
    if x >= width or y >= height:
        raise BadImageRequest(
            f"The region {segment!r} lies outside the {width}x{height} image.",
            parameter="region",
        )
    return x, y, min(w, width - x), min(h, height - y)


def _size(segment: str, rw: int, rh: int, limits: SizeLimits) -> tuple[tuple[int, int], bool]:
    """(width, height) for the ``rw`` x ``rh`` region, and whether max or ^max was asked."""
    upscale = segment.startswith("^")
    form = segment.removeprefix("^")
    if form == "max":
        return _largest(rw, rh, limits, upscale), True
    if match := _SIZE_CONFINED.fullmatch(form):
        return _confined(segment, rw, rh, int(match[1]), int(match[2]), limits, upscale), False
    if match := _SIZE_W.fullmatch(form):
        w = int(match[1])
        h = _round(Fraction(rh * w, rw))
    elif match := _SIZE_H.fullmatch(form):
        h = int(match[1])
        w = _round(Fraction(rw * h, rh))
    elif match := _SIZE_PCT.fullmatch(form):
        percent = Fraction(match[1])
        if percent > 100 and not upscale:
            raise _upscaling(segment)
        w, h = _round(rw * percent / 100), _round(rh * percent / 100)
    elif match := _SIZE_WH.fullmatch(form):
        w, h = int(match[1]), int(match[2])
    else:
        raise BadImageRequest(
            f"The size {segment!r} is not max, w,, ,h, pct:n, w,h or !w,h (each may start "
            "with ^ to upscale).",
            parameter="size",
        )
    if w < 1 or h < 1:
        raise BadImageRequest(
            f"The size {segment!r} makes an image under one pixel from the {rw}x{rh} region.",
            parameter="size",
        )
    if not upscale and (w > rw or h > rh):
        raise _upscaling(segment)
    if w > limits.max_width or h > limits.max_height or w * h > limits.max_area:
        raise ImageRequestTooLarge(
            f"The size {segment!r} makes a {w}x{h} image; at most {limits.max_width} wide, "
            f"{limits.max_height} high and {limits.max_area} pixels are served.",
            parameter="size",
        )
    return (w, h), False


def _upscaling(segment: str) -> BadImageRequest:
    return BadImageRequest(
        f"The size {segment!r} is larger than the region: ask ^{segment} to upscale.",
        parameter="size",
    )


def _largest(rw: int, rh: int, limits: SizeLimits, upscale: bool) -> tuple[int, int]:
    """max: the region as it is, or smaller to fit the limits; ^max: as large as they allow."""
    scale = min(Fraction(limits.max_width, rw), Fraction(limits.max_height, rh))
    if not upscale:
        scale = min(scale, Fraction(1))
    return _within_area(rw, rh, _scaled(rw, rh, scale), limits.max_area)


def _confined(
    segment: str, rw: int, rh: int, bw: int, bh: int, limits: SizeLimits, upscale: bool
) -> tuple[int, int]:
    """!w,h: the region scaled to the largest size within the w x h box and the limits."""
    if bw < 1 or bh < 1:
        raise BadImageRequest(f"The size {segment!r} is an empty box.", parameter="size")
    scale = min(Fraction(bw, rw), Fraction(bh, rh))
    # The spec's text keeps !w,h within the region, but the IIIF validator (size_noup) and
    # common servers read a box the region would have to grow to fill as an upscaling
    # request that needs ^: refused, as the conformance test requires.
    if scale > 1 and not upscale:
        raise _upscaling(segment)
    scale = min(scale, Fraction(limits.max_width, rw), Fraction(limits.max_height, rh))
    w, h = _within_area(rw, rh, _scaled(rw, rh, scale), limits.max_area)
    if w < 1 or h < 1:
        raise BadImageRequest(
            f"The size {segment!r} makes an image under one pixel from the {rw}x{rh} region.",
            parameter="size",
        )
    return w, h


def _scaled(rw: int, rh: int, scale: Fraction) -> tuple[int, int]:
    # Rounding never passes a bound: rw * scale <= an integer bound rounds to <= it.
    return max(1, _round(rw * scale)), max(1, _round(rh * scale))


def _within_area(rw: int, rh: int, size: tuple[int, int], max_area: int) -> tuple[int, int]:
    """``size``, or the region's aspect at the largest size of at most ``max_area`` pixels."""
    w, h = size
    if w * h <= max_area:
        return w, h
    scale = math.sqrt(max_area / (rw * rh))
    w, h = max(1, math.floor(rw * scale)), max(1, math.floor(rh * scale))
    while w * h > max_area and (w > 1 or h > 1):  # a float's last bit, at most a step or two
        if w * rh >= h * rw and w > 1:
            w -= 1
        else:
            h -= 1
    return w, h


def _round(value: Fraction) -> int:
    """Half up, exactly."""
    return math.floor(value + Fraction(1, 2))
