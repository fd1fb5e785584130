"""Decoding a source once, at the smallest JPEG DCT scale that serves every preset, within limits.

Orientation is applied exactly once: imaging.exif_orientation reads it for every format, and
Pillow, which turns a TIFF itself as it loads it, then drops the tag, so what a loaded image
still declares is what is left to do (Decoded.orientation, applied with _TRANSPOSE).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile, JpegImagePlugin, TiffImagePlugin

from service.media import imaging
from service.media.render.colour import _conversions
from service.media.render.errors import RenderError
from service.rules import geometry

# Orientations 5-8 turn the picture a quarter: the displayed width and height swap.
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# What ingest accepts; restricting Image.open keeps Pillow from trying EPS, PSD and the like.
_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "GIF", "AVIF")


# Bytes a pixel of a decoded image takes; Pillow keeps every other mode (RGB too) in 4.
_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}


@dataclass(frozen=True)
class Limits:
    """What one source may cost: pixels (from its header) and bytes of decoded pixels.

    ``max_decoded_bytes`` bounds the one full-size image a render keeps (see decoded_bytes);
    everything else a render holds is bounded by the preset's size and STRIP_PIXELS.
    """

    max_pixels: int
    max_decoded_bytes: int | None = None


@dataclass(frozen=True)
class Decoded:
    """A source decoded once, as stored (not yet turned), and what its pixels still need.

    ``prepare`` turns any piece of ``image`` into 8-bit sRGB "RGB" or "RGBA" and must run
    before resampling: it makes alpha from palettes and colour keys, scales 16-bit samples and
    converts CMYK and profiled alpha images. ``convert`` (for "RGB" and "L" without alpha, where
    ``prepare`` is None) turns any resampled piece into sRGB "RGB" and may run after resampling,
    on fewer pixels. Both None: ``image`` is already 8-bit sRGB. Either may reuse its input.
    """

    image: Image.Image
    prepare: Callable[[Image.Image], Image.Image] | None
    convert: Callable[[Image.Image], Image.Image] | None
    orientation: int  # still to apply to ``image``
    full: geometry.Size  # upright size of the original the plans are made on

    @property
    def shown(self) -> geometry.Size:
        """The decoded image's size once turned upright."""
        return imaging.displayed_size(*self.image.size, self.orientation)

    @property
    def factors(self) -> tuple[float, float]:
        """Upright decoded size / full size, per axis (below 1 for a DCT-scaled decode)."""
        (width, height), (full_width, full_height) = self.shown, self.full
        return min(1.0, width / full_width), min(1.0, height / full_height)

    @property
    def pieces(self) -> bool:
        """Whether the image must be prepared or resampled piece by piece: it needs
        ``prepare``, or has an alpha channel that Pillow premultiplies in a whole-image copy."""
        return self.prepare is not None or self.image.mode in ("RGBA", "LA")

    @classmethod
    def upright(cls, image: Image.Image, full: geometry.Size) -> Decoded:
        """An 8-bit sRGB upright "RGB" or "RGBA" image (a working copy) of a ``full``-size
        original."""
        return cls(image, None, None, 1, full)


def decoded_bytes(width: int, height: int, mode: str, *, turned_on_load: bool = False) -> int:
    """Bytes of a decoded ``mode`` image: Pillow keeps 1, 2 or 4 per pixel (RGB takes 4).

    Pillow turns a TIFF with an Orientation tag as it loads it, into a second image, so it
    holds twice that for a moment.
    """
    return width * height * _PIXEL_BYTES.get(mode, 4) * (2 if turned_on_load else 1)


def decode(
    source: Path,
    limits: Limits,
    *,
    needs: Callable[[geometry.Size], geometry.Size],
    full_size: geometry.Size | None = None,
) -> Decoded:
    """Decode ``source`` once, at the smallest JPEG DCT scale that still gives ``needs(full)``.

    The pixel and decoded-byte limits are checked from the header, before any pixel is decoded.
    ``full_size``: see render_variants.
    """
    # Ingest refuses scan and chunk bombs; these guards cover originals stored before it did.
    # Pillow walks a PNG's chunks as it opens it, so that check comes first.
    with source.open("rb") as fp:
        head = fp.read(32)
    sniffed = imaging.sniff(head)
    png = sniffed == ("PNG", "image/png")
    if png and (bomb := imaging.structure_bomb(source, "PNG")):
        raise RenderError(f"the source {bomb}")
    try:
        with warnings.catch_warnings():
            # The pixel limit is ours (max_pixels), checked from the header below. Pillow's
            # other warnings are about damaged metadata (EXIF tags past the end of the file,
            # say), which ingest has already reported; the pixels are what matter here.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            warnings.simplefilter("ignore", UserWarning)
            Image.init()
            formats = [name for name in _FORMATS if name in Image.OPEN]
            with Image.open(source, formats=formats) as image:
                kind = sniffed[0] if sniffed else None
                return _decode_open(image, source, kind, limits, needs, full_size)
    except Image.DecompressionBombError as error:  # Pillow's own cap, also from the header
        raise RenderError(
            f"the source declares too many pixels ({error}); the limit is {limits.max_pixels:,}"
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise RenderError(f"the source image cannot be decoded: {error}") from None


def _decode_open(
    image: ImageFile.ImageFile,
    source: Path,
    kind: str | None,
    limits: Limits,
    needs: Callable[[geometry.Size], geometry.Size],
    full_size: geometry.Size | None,
) -> Decoded:
    # For a TIFF with an Orientation tag, Pillow's size is already the upright one.
    width, height = image.size
    if width * height > limits.max_pixels:
        raise RenderError(
            f"the source is {width}x{height} ({width * height:,} pixels); "
            f"the limit is {limits.max_pixels:,}"
        )
    rawmode = _rawmode(image)  # before anything loads the pixels, which clears it
    # Each progressive scan is a pass over the whole image; a baseline JPEG has
    # one, and counting reads the whole file, so only progressive ones are counted.
    jpeg = isinstance(image, JpegImagePlugin.JpegImageFile)  # MPO too
    if jpeg and image.info.get("progressive") and (bomb := imaging.structure_bomb(source, "JPEG")):
        raise RenderError(f"the source {bomb}")
    # What is still to apply to the pixels load() gives, the same answer as ingest's: 1 for a
    # TIFF, which Pillow turns itself as it loads it. Read without decoding a pixel.
    orientation = imaging.exif_orientation(image)
    decoded_size = (width, height)
    if jpeg:
        shown = imaging.displayed_size(width, height, orientation)
        want = _scaled(needs(full_size or shown), full_size or shown, shown)
        drafted = image.draft(image.mode, imaging.displayed_size(*want, orientation))
        if drafted is not None:
            decoded_size = (int(drafted[1][2]), int(drafted[1][3]))
    cost = decoded_bytes(*decoded_size, image.mode, turned_on_load=_turned_on_load(image))
    if limits.max_decoded_bytes is not None and cost > limits.max_decoded_bytes:
        raise RenderError(
            f"the source is {width}x{height} {image.mode}, which takes {cost:,} bytes decoded; "
            f"the limit (VITRINE_MAX_DECODED_BYTES) is {limits.max_decoded_bytes:,}"
        )
    # Nothing with missing areas is published, even from an original stored before ingest
    # checked this: the same checks of every pixel's data as at upload, once the header has
    # shown the decode affordable.
    if kind and (problem := imaging.incomplete_data(source, kind)):
        raise RenderError(f"the source image cannot be decoded completely: it {problem}")
    image.load()
    shown = imaging.displayed_size(width, height, orientation)
    prepare, convert = _conversions(image, rawmode)
    return Decoded(image, prepare, convert, orientation, full_size or shown)


def _turned_on_load(image: Image.Image) -> bool:
    """Whether Pillow will turn this image as it loads it (a TIFF with an Orientation tag)."""
    if not isinstance(image, TiffImagePlugin.TiffImageFile):
        return False
    try:
        return bool(image.getexif().get(0x0112, 1) != 1)  # what Pillow's exif_transpose reads
    except Exception:  # hostile EXIF may raise anything; then Pillow cannot turn it either
        return False


def _scaled(size: geometry.Size, full: geometry.Size, to: geometry.Size) -> geometry.Size:
    """``size`` on an image of size ``full``, as a size on the same image at size ``to``."""
    return (
        min(to[0], math.ceil(size[0] * to[0] / full[0])),
        min(to[1], math.ceil(size[1] * to[1] / full[1])),
    )


def _rawmode(image: ImageFile.ImageFile) -> str | None:
    """How the file stores its samples ("L;2", "RGB;16B"...), read before load clears it."""
    args = image.tile[0].args if image.tile else None
    return args if isinstance(args, str) else None
