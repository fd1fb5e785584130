"""Memory-bounded pixel work on large decodes: strips spread over the threads.

Whatever must be converted before it is resampled is converted and reduced or resampled a
strip at a time, never copied whole, with at most STRIP_PIXELS source pixels in strips at
once across threads.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

from service.rules import geometry

# A large decode that must be converted before it is resampled (alpha, palettes, colour keys,
# 16-bit, CMYK) is converted and resampled in strips, at most this many source pixels at once
# across all threads: each pixel of a strip passes through a few working images (a crop, a
# 16-bit widening, the converted RGB, the premultiplied copy Pillow resamples alpha with), up
# to ~16 bytes in all, so strips hold some 64 MB however large the source and however many CPUs.
STRIP_PIXELS = 1 << 22


def cpus() -> int:
    """The CPUs this process may use: how many threads a render spreads its work over."""
    if hasattr(os, "sched_getaffinity"):  # the CPUs this process may run on (Linux)
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _convert_in_strips(
    image: Image.Image,
    convert: Callable[[Image.Image], Image.Image],
    pool: ThreadPoolExecutor,
    strips: int,
    *,
    reuse: bool = True,
) -> Image.Image:
    """``convert(image)``, in horizontal strips on the pool's threads; may reuse ``image``
    unless ``reuse`` is False."""
    if strips == 1:
        return convert(image if reuse else image.copy())
    step = -(-image.height // strips)
    boxes = [
        (0, top, image.width, min(image.height, top + step)) for top in range(0, image.height, step)
    ]
    pieces = list(pool.map(lambda box: convert(image.crop(box)), boxes))
    # Back into the decoded image when the mode allows: one full-size image fewer in memory.
    same = reuse and pieces[0].mode == image.mode
    out = image if same else Image.new(pieces[0].mode, image.size)
    for box, piece in zip(boxes, pieces, strict=True):
        out.paste(piece, box[:2])
    return out


def _strip_pixels() -> int:
    """Source pixels in one strip: STRIP_PIXELS shared by the threads that may each hold one."""
    return max(1, STRIP_PIXELS // cpus())


_Mapper = Callable[[Callable[[int], Image.Image], Iterable[int]], Iterable[Image.Image]]


def _reduce_in_pieces(
    image: Image.Image,
    prepare: Callable[[Image.Image], Image.Image] | None,
    box: geometry.Box,
    factor: int,
    mapper: _Mapper = map,
) -> Image.Image:
    """``prepare(image.crop(box)).reduce(factor)``, a strip at a time (see STRIP_PIXELS).

    Strips are whole multiples of ``factor`` rows high, so each box of the filter falls in one
    strip, as it would in the whole: the result is the same, without a full-size copy.
    """
    left, top, right, bottom = box
    rows = max(factor, _strip_pixels() // max(1, right - left) // factor * factor)

    def one(y: int) -> Image.Image:
        piece = image.crop((left, y, right, min(bottom, y + rows)))
        if prepare is not None:
            piece = prepare(piece)
        return piece.reduce(factor) if factor > 1 else piece

    tops = range(top, bottom, rows)
    out: Image.Image | None = None
    for y, part in zip(tops, mapper(one, tops), strict=True):
        if out is None:
            size = (-(-(right - left) // factor), -(-(bottom - top) // factor))
            out = Image.new(part.mode, size)
        out.paste(part, (0, (y - top) // factor))
    assert out is not None  # the box is never empty
    return out


def _resize_in_pieces(
    image: Image.Image,
    prepare: Callable[[Image.Image], Image.Image] | None,
    box: tuple[float, float, float, float],
    size: geometry.Size,
) -> Image.Image:
    """``prepare(image).resize(size, BICUBIC, box=box)``, a strip of output rows at a time.

    Each strip is cut from the source with the rows and columns the filter reaches beyond it
    (BICUBIC reaches 2 output pixels each way), so it is resampled from the same pixels, with
    the same weights, as in the whole image; only the strip is prepared (and premultiplied).
    """
    left, top, right, bottom = box
    scale_x, scale_y = (right - left) / size[0], (bottom - top) / size[1]
    reach_x, reach_y = 2 * max(1.0, scale_x) + 1, 2 * max(1.0, scale_y) + 1
    x0 = max(0, math.floor(left - reach_x))
    x1 = min(image.width, math.ceil(right + reach_x))
    rows = max(1, math.floor(_strip_pixels() / max(1, x1 - x0) / max(1.0, scale_y)))
    out: Image.Image | None = None
    for first in range(0, size[1], rows):
        last = min(size[1], first + rows)
        strip_top, strip_bottom = top + first * scale_y, top + last * scale_y
        y0 = max(0, math.floor(strip_top - reach_y))
        y1 = min(image.height, math.ceil(strip_bottom + reach_y))
        piece = image.crop((x0, y0, x1, y1))
        if prepare is not None:
            piece = prepare(piece)
        inner = (left - x0, strip_top - y0, right - x0, strip_bottom - y0)
        part = piece.resize((size[0], last - first), Image.Resampling.BICUBIC, box=inner)
        if out is None:
            out = Image.new(part.mode, size)
        out.paste(part, (0, first))
    assert out is not None  # sizes are never empty
    return out
