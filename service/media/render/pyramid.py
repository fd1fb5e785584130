"""A pyramid of reductions: an upright sRGB image cut into source tiles, level by level.

Level ``f`` is the image reduced by ``f`` with a box filter, ``ceil(w / f)`` by ``ceil(h / f)``
pixels, each level made from the one before (halving a ceiling gives the next ceiling, so the
sizes agree with the Image API's). Each level is cut into ``tile`` x ``tile`` source tiles on
a grid from its top-left corner, so an Image API tile at scale factor ``f`` (region ``tile * f``
full-size pixels square, on the same grid) is exactly one source tile of level ``f``.

Source tiles are JPEG at quality 95 without chroma subsampling when the image is opaque (a
512 px tile decodes in about 2 ms; the working copy's reasons for JPEG hold here too), WebP
lossless when some pixel is transparent. They carry no metadata: rights are written into every
image served from them.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable, Iterable, Iterator

from PIL import Image

from service.media.render.decoding import Decoded
from service.media.render.encode import scratch_file
from service.media.render.errors import RenderError
from service.media.render.working import working_image
from service.rules import geometry

JPEG_QUALITY = 95
TILE_FORMATS = {"RGB": "jpg", "RGBA": "webp"}  # the source tiles' format by the image's mode


def level_size(full: geometry.Size, factor: int) -> geometry.Size:
    """The size of the level reduced by ``factor`` from an image of size ``full``."""
    return -(-full[0] // factor), -(-full[1] // factor)


def grid(size: geometry.Size, tile: int) -> tuple[int, int]:
    """Columns and rows of source tiles that cover a level of this size."""
    return -(-size[0] // tile), -(-size[1] // tile)


def tile_box(size: geometry.Size, tile: int, column: int, row: int) -> geometry.Box:
    """The box of one source tile in its level's pixels (the last ones are cut short)."""
    left, top = column * tile, row * tile
    return left, top, min(size[0], left + tile), min(size[1], top + tile)


def upright(decoded: Decoded) -> Image.Image:
    """The whole decoded source, upright, in 8-bit sRGB, at its full (recorded) size: "RGB",
    or "RGBA" when some pixel is not opaque. The pyramid's finest level."""
    return working_image(decoded, max(decoded.full))


def levels(image: Image.Image, factors: Iterable[int]) -> Iterator[tuple[int, Image.Image]]:
    """(factor, level image) for each factor, finest first: each level is the one before it
    reduced by a box filter. ``image`` is the level of factor 1."""
    level, made = image, 1
    for factor in sorted(factors):
        if factor % made:
            raise ValueError(f"scale factors must divide each other, not {made} and {factor}")
        if factor != made:
            level, made = level.reduce(factor // made), factor
        yield factor, level


def cut(level: Image.Image, tile: int) -> Iterator[tuple[int, int, Callable[[], Image.Image]]]:
    """(column, row, crop) for each source tile of a level, the crop made only when called."""
    columns, rows = grid(level.size, tile)
    for row in range(rows):
        for column in range(columns):
            box = tile_box(level.size, tile, column, row)
            yield column, row, functools.partial(level.crop, box)


def encode_tile(image: Image.Image) -> bytes:
    """A source tile's bytes, in the format TILE_FORMATS gives its mode."""
    # To a file, not a BytesIO: Pillow's encoders then let go of the GIL (scratch_file).
    with scratch_file() as file:
        if image.mode == "RGBA":
            image.save(file, "WEBP", lossless=True, quality=0, method=0)
        elif image.mode == "RGB":
            image.save(file, "JPEG", quality=JPEG_QUALITY, subsampling=0)
        else:
            raise ValueError(f"a source tile is RGB or RGBA, not {image.mode}")
        file.seek(0)
        return file.read()


def decode_tile(data: bytes, mode: str, size: geometry.Size) -> Image.Image:
    """A stored source tile, loaded; RenderError unless it is of the expected mode and size."""
    try:
        image = Image.open(io.BytesIO(data), formats=["JPEG", "WEBP"])
        image.load()
    except (OSError, ValueError, SyntaxError) as error:
        raise RenderError(f"a source tile does not decode: {error}") from None
    if image.mode != mode or image.size != size:
        raise RenderError(f"a source tile is {image.mode} {image.size}, not {mode} {size}")
    return image


def covering(size: geometry.Size, tile: int, box: geometry.Box) -> list[tuple[int, int]]:
    """(column, row) of each source tile that a box of a level overlaps."""
    left, top, right, bottom = box
    if not (0 <= left < right <= size[0] and 0 <= top < bottom <= size[1]):
        raise ValueError(f"box {box} is not within a level of {size}")
    return [
        (column, row)
        for row in range(top // tile, (bottom - 1) // tile + 1)
        for column in range(left // tile, (right - 1) // tile + 1)
    ]


def level_box(
    region: geometry.Box, factor: int, full: geometry.Size
) -> tuple[geometry.Box, tuple[float, float, float, float]]:
    """A region (x, y, w, h) of an image of size ``full`` on its level of ``factor``: the whole
    level pixels that cover it, and the exact box within those pixels, for a fractional
    resample. A region that reaches the image's right or bottom edge reaches the level's: its
    last pixel, partial when ``factor`` does not divide the size, counts whole (as the Image
    API's sizes count it), so that an edge tile is that level's tile as it is."""
    x, y, w, h = region
    size = level_size(full, factor)
    right = size[0] if x + w == full[0] else (x + w) / factor
    bottom = size[1] if y + h == full[1] else (y + h) / factor
    exact = (x / factor, y / factor, right, bottom)
    whole = (
        math.floor(exact[0]),
        math.floor(exact[1]),
        min(size[0], math.ceil(exact[2])),
        min(size[1], math.ceil(exact[3])),
    )
    inside = (exact[0] - whole[0], exact[1] - whole[1], exact[2] - whole[0], exact[3] - whole[1])
    return whole, inside


def assemble(
    size: geometry.Size,
    tile: int,
    box: geometry.Box,
    pieces: Iterable[tuple[int, int, Image.Image]],
    mode: str,
) -> Image.Image:
    """The pixels of ``box`` of a level (of ``size``) from the source tiles that cover it,
    given as (column, row, image); a single tile that is the box is returned as it is."""
    left, top, right, bottom = box
    canvas: Image.Image | None = None
    for column, row, piece in pieces:
        placed = tile_box(size, tile, column, row)
        if placed == box:
            return piece
        if canvas is None:
            canvas = Image.new(mode, (right - left, bottom - top))
        # The part of the tile inside the box, where it goes on the canvas.
        cut_box = (
            max(left, placed[0]) - placed[0],
            max(top, placed[1]) - placed[1],
            min(right, placed[2]) - placed[0],
            min(bottom, placed[3]) - placed[1],
        )
        at = (placed[0] + cut_box[0] - left, placed[1] + cut_box[1] - top)
        canvas.paste(piece.crop(cut_box), at)
    if canvas is None:
        raise ValueError(f"no source tile covers {box}")
    return canvas
