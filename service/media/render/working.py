"""The working copy: an upright sRGB reduction of an original, by a power of two."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from PIL import Image

from service.media.render.decoding import _TRANSPOSE, Decoded
from service.media.render.strips import _convert_in_strips, _reduce_in_pieces, cpus
from service.rules import geometry


def working_factor(full: geometry.Size, edge: int) -> int:
    """The power of two an original of upright size ``full`` is reduced by for its working copy:
    the smallest that brings its long edge within ``edge`` (1 if it already is).

    A power of two, so a JPEG decodes straight to it (DCT scaling) and anything else gets there
    by one box filter: the copy costs little more than the decode it is made from.
    """
    factor = 1
    while -(-max(full) // factor) > edge:
        factor *= 2
    return factor


def working_size(full: geometry.Size, edge: int) -> geometry.Size:
    """The upright size of the working copy of an original of upright size ``full``."""
    factor = working_factor(full, edge)
    return -(-full[0] // factor), -(-full[1] // factor)


def working_reduction(decoded: Decoded, edge: int) -> int:
    """The whole factor the decode is reduced by to make its working copy (1: none).

    A power of two over a decode at a power-of-two DCT scale: reducing by it gives the copy's
    size exactly (the ceiling of a ceiling is the ceiling).
    """
    return max(1, round(max(decoded.shown) / max(working_size(decoded.full, edge))))


def working_image(decoded: Decoded, edge: int) -> Image.Image:
    """The decoded source as an upright 8-bit sRGB working copy of working_size(full, edge):
    "RGB", or "RGBA" when some pixel is not opaque."""
    target = working_size(decoded.full, edge)
    factor = working_reduction(decoded, edge)
    image = decoded.image
    with ThreadPoolExecutor(max_workers=cpus()) as pool:
        if decoded.pieces:
            box = (0, 0, *image.size)
            image = _reduce_in_pieces(image, decoded.prepare, box, factor, pool.map)
        elif factor > 1:
            image = image.reduce(factor)
        elif decoded.convert is None:
            image = image.copy()  # the copy is the caller's to keep; the decode is not
        if decoded.convert is not None:
            image = _convert_in_strips(image, decoded.convert, pool, cpus(), reuse=factor > 1)
    if decoded.orientation in _TRANSPOSE:
        image = image.transpose(_TRANSPOSE[decoded.orientation])
    if image.size != target:  # a JPEG decoded larger than the copy, by a factor not whole
        image = image.resize(target, Image.Resampling.BICUBIC)
    if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")
    return image
