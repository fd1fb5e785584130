"""Pillow at the edge: social variants that carry their rights.

One call decodes the source once, at the smallest JPEG DCT scale that still serves every preset,
then, on threads (Pillow releases the GIL to resample, convert colour and encode), crops,
reduces by a whole factor (a box filter shared by the presets that reduce alike), resamples the
rest of the way with BICUBIC (presets of the same scale share one resample and are cut from it),
converts the colour to sRGB with littleCMS (``convert()`` ignores ICC profiles), applies EXIF
orientation, pads, optionally burns the credit line in, and encodes with fresh metadata: the
sRGB profile, EXIF Copyright/Artist/ImageDescription and an XMP rights packet. The colour is
converted once on the decoded image instead where that has fewer pixels than the resized
images (or shared reductions) it would otherwise be converted on. Nothing of the source's
metadata is copied, so GPS, maker notes, serial numbers, thumbnails, comments and the original
XMP/IPTC never leave.

Orientation is applied exactly once: imaging.exif_orientation reads it for every format, and
Pillow, which turns a TIFF itself as it loads it, then drops the tag, so what a loaded image
still declares is what is left to do. Transparency, whether an alpha channel, a palette's or a
PNG tRNS colour key (RGB, grey of any depth, 16-bit), becomes alpha before any resampling.

Memory: the one full-size image a render holds is the decode itself (decoded_bytes, checked
against Limits.max_decoded_bytes from the header). Whatever must be converted before it is
resampled is converted and reduced or resampled a strip at a time, never copied whole, with at
most STRIP_PIXELS source pixels in strips at once across threads; the rest is the size of the
outputs.

EXIF text is ASCII by spec; the rights text is written as UTF-8 bytes, as exiftool does, so
exifread and exiftool read "©" back, while Pillow's ``getexif()`` decodes ASCII tags as Latin-1
("Â©"). XMP carries the same text as proper Unicode.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import os
import re
import tempfile
import threading
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from PIL import (
    Image,
    ImageCms,
    ImageColor,
    ImageDraw,
    ImageFile,
    ImageFont,
    ImageMath,
    JpegImagePlugin,
    TiffImagePlugin,
)

from service.media import imaging
from service.rules import geometry
from service.rules.presets import Preset

SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
SRGB_ICC = SRGB_PROFILE.tobytes()

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
_SIXTEEN_BIT = {"I;16", "I;16L", "I;16B", "I;16N", "I"}
# Bytes a pixel of a decoded image takes; Pillow keeps every other mode (RGB too) in 4.
_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}
# A large decode that must be converted before it is resampled (alpha, palettes, colour keys,
# 16-bit, CMYK) is converted and resampled in strips, at most this many source pixels at once
# across all threads: each pixel of a strip passes through a few working images (a crop, a
# 16-bit widening, the converted RGB, the premultiplied copy Pillow resamples alpha with), up
# to ~16 bytes in all, so strips hold some 64 MB however large the source and however many CPUs.
STRIP_PIXELS = 1 << 22
# Decoded modes whose colour conversion may wait until after resampling (no alpha, 8-bit).
_LATE_MODES = ("RGB", "L")
# NOCACHE: littleCMS otherwise compares each pixel with the one before to reuse its result,
# which photographic grain never lets it do: a third faster without, the same output.
_CMS_FLAGS = ImageCms.Flags.BLACKPOINTCOMPENSATION | ImageCms.Flags.NOCACHE

# Credit overlay: white text on black at 72% opacity. Over the brightest possible pixel the box
# is (71, 71, 71), which gives white text a contrast ratio of about 9:1 (WCAG asks 4.5:1).
BOX_ALPHA = 184
TEXT_RGBA = (255, 255, 255, 255)
FONT_SCALE = 0.026  # of the geometric mean of the output's sides
MIN_FONT_PX = 10  # long credits shrink to this, then wrap; never smaller
# Pillow's bundled font has ASCII only ("Musée" came out "Mus▯e"). DejaVu Sans covers Latin,
# Greek, Cyrillic, Hebrew, Arabic and more; VITRINE_CREDIT_FONT names another (Noto Sans CJK
# for Chinese and Japanese credits, say). Text the font cannot draw is refused, never boxed.
DEFAULT_CREDIT_FONT = Path(__file__).parents[1] / "data" / "fonts" / "DejaVuSans.ttf"
# A private-use code point no font maps: what the font draws for a character it lacks.
_SURELY_MISSING = "\U0010fffd"


class RenderError(Exception):
    """A variant cannot be made as asked (e.g. over its byte budget); the message says why."""


@dataclass(frozen=True)
class RightsStamp:
    """The rights written into every variant's metadata, and optionally into its pixels."""

    credit_line: str
    creator: str
    title: str
    object_number: str
    licence_uri: str | None
    alt_text: str
    burn_in: bool = False
    placement: str = "bottom-right"  # "bottom-left" | "bottom-right" | "band"


@dataclass(frozen=True)
class Rendered:
    """One encoded variant. ``decoded_size`` is the size the source was decoded at (oriented)."""

    preset: str
    data: bytes
    width: int
    height: int
    media_type: str
    quality: int
    burned_in: bool
    decoded_size: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Limits:
    """What one source may cost: pixels (from its header) and bytes of decoded pixels.

    ``max_decoded_bytes`` bounds the one full-size image a render keeps (see decoded_bytes);
    everything else a render holds is bounded by the preset's size and STRIP_PIXELS.
    """

    max_pixels: int
    max_decoded_bytes: int | None = None


def render_variants(
    source: Path,
    presets: Sequence[Preset],
    *,
    focal: tuple[float, float],
    stamp: RightsStamp,
    max_pixels: int,
    credit_font: Path = DEFAULT_CREDIT_FONT,
    max_decoded_bytes: int | None = None,
    full_size: tuple[int, int] | None = None,
) -> dict[str, Rendered]:
    """Render every preset from one decode of ``source``; RenderError says why one cannot be.

    ``full_size`` is given when ``source`` is a reduced copy (a working copy) of an original of
    that upright size: the presets are planned on the original, as if it were decoded.
    """
    focal = checked(stamp, focal)
    if not presets:
        return {}
    limits = Limits(max_pixels, max_decoded_bytes)
    decoded = decode(source, limits, needs=presets_need(presets, focal), full_size=full_size)
    return render_decoded(decoded, presets, focal=focal, stamp=stamp, credit_font=credit_font)


def checked(stamp: RightsStamp, focal: tuple[float, float]) -> tuple[float, float]:
    """The focal point as floats; RenderError for a bad focal point or credit placement."""
    if stamp.placement not in ("bottom-left", "bottom-right", "band"):
        raise RenderError(f"unknown credit placement {stamp.placement!r}")
    try:
        return geometry.validate_focal(*focal)
    except ValueError as error:
        raise RenderError(str(error)) from None


def presets_need(
    presets: Sequence[Preset], focal: tuple[float, float]
) -> Callable[[geometry.Size], geometry.Size]:
    """For an upright full size, the smallest size (upright) a decode may shrink it to and still
    serve every preset (geometry.draft_size)."""

    def need(full: geometry.Size) -> geometry.Size:
        return geometry.draft_size(full, [geometry.plan(full, p, focal) for p in presets])

    return need


def render_decoded(
    decoded: Decoded,
    presets: Sequence[Preset],
    *,
    focal: tuple[float, float],
    stamp: RightsStamp,
    credit_font: Path = DEFAULT_CREDIT_FONT,
) -> dict[str, Rendered]:
    """Render every preset from an already decoded source."""
    focal = checked(stamp, focal)
    if not presets:
        return {}
    factors = decoded.factors
    jobs = [
        _job(
            preset,
            geometry.scale_plan(geometry.plan(decoded.full, preset, focal), *factors),
            decoded,
        )
        for preset in presets
    ]
    finishing = _Finishing(decoded, stamp, xmp_packet(stamp), credit_font, decoded.shown)
    batches = _batches(jobs)
    workers = min(len(batches), cpus())
    with ThreadPoolExecutor(max_workers=max(workers, cpus())) as pool:
        sources = _sources(decoded, batches, pool)

        def render_batch(batch: _Batch) -> list[Rendered]:
            source = sources[batch.factor].result()
            return _render_batch(batch, source, finishing)

        # Largest first, so the last task to finish is a small one and no thread waits long.
        largest_first = sorted(batches, key=lambda batch: -batch.pixels)
        rendered = {r.preset: r for done in pool.map(render_batch, largest_first) for r in done}
    return {preset.name: rendered[preset.name] for preset in presets}


# ---------------------------------------------------------------- decode


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


def _conversions(
    image: Image.Image, rawmode: str | None
) -> tuple[
    Callable[[Image.Image], Image.Image] | None, Callable[[Image.Image], Image.Image] | None
]:
    """(prepare, convert) for a loaded image: see Decoded."""
    mode, icc = image.mode, image.info.get("icc_profile")
    if (unsigned := imaging.unsigned_mapping(image)) is not None:  # signed TIFF samples
        grey = functools.partial(
            _prepare, mode="L", key=None, transparent=False, transforms=_Transforms(icc)
        )
        return (lambda piece: grey(unsigned(piece))), None
    key = _colour_key(image, rawmode)
    if mode in _LATE_MODES and key is None:
        return None, _srgb_function(mode, icc)
    if mode == "RGBA" and _srgb_function("RGB", icc) is None:
        return None, None  # sRGB already; resampled piece by piece for its alpha
    transforms = _Transforms(icc)
    return functools.partial(
        _prepare, mode=mode, key=key, transparent=_transparent(image), transforms=transforms
    ), None


def _transparent(image: Image.Image) -> bool:
    return image.mode in ("PA", "LA", "RGBA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _colour_key(image: Image.Image, rawmode: str | None) -> int | tuple[int, ...] | None:
    """The colour a PNG's tRNS chunk makes transparent, in the decoded samples' scale.

    Pillow keeps the key in the file's scale: 2- and 4-bit grey is decoded scaled up to 8 bits,
    16-bit RGB is decoded to its high bytes, so their keys are scaled to match. 16-bit grey is
    decoded whole, its key kept. Palettes carry their transparency in the palette instead.
    """
    key = image.info.get("transparency")
    if image.mode in ("RGB",) and isinstance(key, tuple) and len(key) == 3:
        sixteen = rawmode is not None and ";16" in rawmode
        return tuple(int(v) >> 8 for v in key) if sixteen else tuple(int(v) & 0xFF for v in key)
    if image.mode in ("L", "1") and isinstance(key, int):
        if image.mode == "1":
            return 255 if key else 0
        bits = {"L;1": 1, "L;2": 2, "L;4": 4}.get(rawmode or "", 8)
        return key * 255 // ((1 << bits) - 1) if bits < 8 else key & 0xFF
    if image.mode in _SIXTEEN_BIT and image.mode != "I" and isinstance(key, int):
        return key
    return None


class _Transforms:
    """littleCMS transforms from one ICC profile to sRGB, built once per mode when first asked."""

    def __init__(self, icc: object) -> None:
        self._icc = icc
        self._built: dict[str, Callable[[Image.Image], Image.Image] | None] = {}
        self._lock = threading.Lock()

    def to_rgb(self, mode: str) -> Callable[[Image.Image], Image.Image] | None:
        with self._lock:
            if mode not in self._built:
                self._built[mode] = _srgb_function(mode, self._icc)
            return self._built[mode]


def _prepare(
    piece: Image.Image,
    *,
    mode: str,
    key: int | tuple[int, ...] | None,
    transparent: bool,
    transforms: _Transforms,
) -> Image.Image:
    """A piece of a decoded ``mode`` image as 8-bit sRGB "RGB", or "RGBA" if it has alpha.

    The piece is a crop of its own, which this may change.
    """
    alpha: Image.Image | None = None
    if mode == "1":
        piece = piece.convert("L")
    if mode in _SIXTEEN_BIT:
        wide = piece.convert("I")  # exact, whatever the byte order
        if key is not None:
            alpha = ImageMath.lambda_eval(
                lambda args: args["convert"]((args["v"] != key) * 255, "L"), v=wide
            )
        # Scale to 8 bits, rounding (convert() would clip everything above 255 to white).
        piece = wide.point(lambda value: value * (1 / 257) + 0.5).convert("L")
    elif key is not None:  # "L", "1" or "RGB" with a tRNS colour key: Pillow matches it
        piece.info["transparency"] = key
        piece = piece.convert("LA" if piece.mode == "L" else "RGBA")
    elif mode in ("P", "PA"):
        piece = piece.convert("RGBA" if transparent else "RGB")
    elif mode not in ("L", "LA", "RGB", "RGBA", "CMYK"):
        piece = piece.convert("RGBA" if "A" in mode else "RGB")
    if piece.mode in ("LA", "RGBA"):
        alpha = piece.getchannel("A")
        piece = piece.convert(piece.mode[:-1])
    convert = transforms.to_rgb(piece.mode)
    out = convert(piece) if convert else piece
    if alpha is not None:
        out.putalpha(alpha)
    return out


def to_srgb(image: Image.Image) -> Image.Image:
    """A loaded image as 8-bit sRGB "RGB" or "RGBA", through its ICC profile if any, with its
    palette or colour-key transparency as alpha (a whole-image convenience for small images).

    No profile means sRGB. A profile that does not fit the pixels (or does not parse) is
    ignored, as browsers do. CMYK without a profile falls back to Pillow's naive formula.
    """
    prepare, convert = _conversions(image, None)
    change = prepare or convert
    return change(image.copy()) if change is not None else image.copy()


def _srgb_function(mode: str, icc: object) -> Callable[[Image.Image], Image.Image] | None:
    """What turns pixels of this mode and ICC profile into sRGB "RGB"; None if they are.

    The function may convert the image it is given in place and return it.
    """
    if isinstance(icc, bytes) and icc:
        try:
            transform = ImageCms.buildTransform(
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                SRGB_PROFILE,
                mode,
                "RGB",
                ImageCms.Intent.RELATIVE_COLORIMETRIC,
                _CMS_FLAGS,
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
        else:

            def apply(pixels: Image.Image) -> Image.Image:
                if mode == "RGB":  # same layout in and out: no new image to allocate and zero
                    ImageCms.applyTransform(pixels, transform, inPlace=True)
                    return pixels
                out = ImageCms.applyTransform(pixels, transform)
                assert out is not None  # only None when inPlace=True
                return out

            return apply
    return None if mode == "RGB" else _to_rgb


def _to_rgb(image: Image.Image) -> Image.Image:
    return image.convert("RGB")


def cpus() -> int:
    if hasattr(os, "sched_getaffinity"):  # the CPUs this process may run on (Linux)
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


# ---------------------------------------------------------------- the working copy


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


# ---------------------------------------------------------------- plan the pixel work


@dataclass(frozen=True)
class _Job:
    """One preset's pixel work, in the decoded image's stored (not yet turned) pixels."""

    preset: Preset
    plan: geometry.Plan  # on the oriented decoded image
    crop: geometry.Box  # plan.crop, unturned
    size: geometry.Size  # plan.size, unturned
    factor: int  # whole factor to reduce the crop by (box filter) before BICUBIC; 1: none


@dataclass(frozen=True)
class _Batch:
    """Jobs of one reduce factor resized as one, each then cut out (geometry.batch_resizes)."""

    jobs: tuple[_Job, ...]
    factor: int
    crop: geometry.Box  # the union of the jobs' crops, in decoded pixels
    size: geometry.Size  # what that union is resized to
    cuts: tuple[geometry.Box, ...]  # each job's box in the resized union

    @property
    def pixels(self) -> int:
        return self.size[0] * self.size[1]


def _batches(jobs: Sequence[_Job]) -> list[_Batch]:
    by_factor: dict[int, list[_Job]] = {}
    for job in jobs:
        by_factor.setdefault(job.factor, []).append(job)
    return [
        _Batch(tuple(group[i] for i in batch.members), factor, batch.crop, batch.size, batch.cuts)
        for factor, group in by_factor.items()
        for batch in geometry.batch_resizes([(job.crop, job.size) for job in group])
    ]


@dataclass(frozen=True)
class _Source:
    """What a job resamples from: the decoded image, or a shared reduction of part of it."""

    image: Image.Image
    origin: tuple[int, int]  # where ``image`` starts, in decoded pixels
    factor: int  # decoded pixels per ``image`` pixel
    srgb: bool  # already converted to sRGB
    # Set on the full-size decode when it must be prepared (or premultiplied) piece by piece.
    prepare: Callable[[Image.Image], Image.Image] | None = None
    pieces: bool = False


def _job(preset: Preset, plan: geometry.Plan, decoded: Decoded) -> _Job:
    width, height = decoded.image.size
    crop = _unturn(plan.crop, width, height, decoded.orientation)
    turned = decoded.orientation in (5, 6, 7, 8)
    size = (plan.size[1], plan.size[0]) if turned else plan.size
    factor = max(1, min((crop[2] - crop[0]) // size[0], (crop[3] - crop[1]) // size[1]))
    return _Job(preset, plan, crop, size, factor)


def _unturn(box: geometry.Box, width: int, height: int, orientation: int) -> geometry.Box:
    """``box`` on the image shown after EXIF ``orientation``, as a box on the stored image.

    The stored image is width x height. Each orientation maps a shown point (x, y), in pixel
    edge coordinates, to a stored point; a box maps to the box between its mapped corners.
    """
    maps: dict[int, Callable[[int, int], tuple[int, int]]] = {
        2: lambda x, y: (width - x, y),
        3: lambda x, y: (width - x, height - y),
        4: lambda x, y: (x, height - y),
        5: lambda x, y: (y, x),
        6: lambda x, y: (y, height - x),
        7: lambda x, y: (width - y, height - x),
        8: lambda x, y: (width - y, x),
    }
    if orientation not in maps:
        return box
    (x0, y0), (x1, y1) = maps[orientation](box[0], box[1]), maps[orientation](box[2], box[3])
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _sources(
    decoded: Decoded, batches: Sequence[_Batch], pool: ThreadPoolExecutor
) -> dict[int, Future[_Source]]:
    """The image each reduce factor's batches resample from, converted to sRGB where cheapest.

    Batches that reduce by the same whole factor share one ``reduce`` (a box filter) of the
    union of their crops, so each BICUBIC step that follows is short (under 2x). The colour is
    converted once on the decoded image when that has fewer pixels than what would otherwise
    be converted: each shared reduction or, if smaller, the resized batches made from it.

    A decode that must be prepared first (palettes, colour keys, alpha, 16-bit, CMYK) is
    prepared and reduced piece by piece, so no second full-size image is ever made of it.
    """
    image, convert = decoded.image, decoded.convert
    groups: dict[int, list[_Batch]] = {}
    for batch in batches:
        groups.setdefault(batch.factor, []).append(batch)
    unions = {factor: _union(group, factor, image.size) for factor, group in groups.items()}
    sources: dict[int, Future[_Source]] = {}
    if decoded.pieces:
        for factor in groups:
            if factor == 1:
                whole = _Source(image, (0, 0), 1, True, decoded.prepare, pieces=True)
                sources[1] = _done(whole)
            else:  # in this thread, each spread over the pool's threads piece by piece
                box = unions[factor]
                smaller = _reduce_in_pieces(image, decoded.prepare, box, factor, pool.map)
                sources[factor] = _done(_Source(smaller, box[:2], factor, True))
        return sources

    def outputs(factor: int) -> int:
        return sum(batch.pixels for batch in groups[factor])

    def area(box: geometry.Box, factor: int) -> int:
        return -(-(box[2] - box[0]) // factor) * -(-(box[3] - box[1]) // factor)

    late = sum(
        outputs(factor) if factor == 1 else min(area(unions[factor], factor), outputs(factor))
        for factor in groups
    )
    srgb = convert is None
    if convert is not None and image.width * image.height <= late:
        image, convert, srgb = _convert_in_strips(image, convert, pool, cpus()), None, True

    def reduced(factor: int, image: Image.Image = image) -> _Source:
        box = unions[factor]
        out = image.reduce(factor, box=box)
        if convert is not None and out.width * out.height < outputs(factor):
            return _Source(convert(out), box[:2], factor, True)
        return _Source(out, box[:2], factor, srgb)

    for factor in groups:  # submitted before the jobs, so no job waits on one not started
        if factor == 1:
            sources[1] = _done(_Source(image, (0, 0), 1, srgb))
        else:
            sources[factor] = pool.submit(reduced, factor)
    return sources


def _done(source: _Source) -> Future[_Source]:
    future: Future[_Source] = Future()
    future.set_result(source)
    return future


def _union(batches: Sequence[_Batch], factor: int, size: geometry.Size) -> geometry.Box:
    """The box around the batches' crops, its corner on the ``factor`` grid (so reduce aligns)."""
    left = min(batch.crop[0] for batch in batches) // factor * factor
    top = min(batch.crop[1] for batch in batches) // factor * factor
    right = min(size[0], -(-max(batch.crop[2] for batch in batches) // factor) * factor)
    bottom = min(size[1], -(-max(batch.crop[3] for batch in batches) // factor) * factor)
    return (left, top, right, bottom)


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


# ---------------------------------------------------------------- resample, pad, overlay


@dataclass(frozen=True)
class _Finishing:
    """What every output of one call shares once resized: the source's facts, the rights."""

    decoded: Decoded
    stamp: RightsStamp
    xmp: bytes
    credit_font: Path
    oriented_size: geometry.Size


def _render_batch(batch: _Batch, source: _Source, finishing: _Finishing) -> list[Rendered]:
    resized = _resample(source, batch.crop, batch.size)
    convert = finishing.decoded.convert
    if not source.srgb and convert is not None:
        resized = convert(resized)
    if len(batch.jobs) == 1:
        return [_finish(batch.jobs[0], resized, finishing)]
    # Each job gets its own copy: finishing may draw the credit line into the pixels.
    return [
        _finish(job, resized.crop(cut), finishing)
        for job, cut in zip(batch.jobs, batch.cuts, strict=True)
    ]


def _finish(job: _Job, image: Image.Image, finishing: _Finishing) -> Rendered:
    """Turn, flatten, pad, burn the credit in and encode one job's resized pixels."""
    preset, plan, stamp = job.preset, job.plan, finishing.stamp
    if finishing.decoded.orientation in _TRANSPOSE:
        image = image.transpose(_TRANSPOSE[finishing.decoded.orientation])
    padding = _colour(preset)
    if preset.format == "jpeg" and image.mode == "RGBA":
        flat = Image.new("RGB", image.size, padding)
        flat.paste(image, (0, 0), image)
        image = flat
    if plan.canvas != plan.size or plan.offset != (0, 0):
        canvas = Image.new(image.mode, plan.canvas, padding)
        canvas.paste(image, plan.offset)
        image = canvas
    burned = stamp.burn_in or preset.burn_in_credit
    if burned:
        burn_in_credit(image, stamp.credit_line, stamp.placement, finishing.credit_font)
    exif = exif_block(stamp, orientation=preset.format != "avif")
    data, quality = _encode_within_budget(image, preset, exif, finishing.xmp)
    return Rendered(
        preset.name,
        data,
        image.width,
        image.height,
        preset.media_type,
        quality,
        burned,
        decoded_size=finishing.oriented_size,
    )


def _resample(source: _Source, crop: geometry.Box, size: geometry.Size) -> Image.Image:
    """Crop box (left, top, right, bottom), in decoded pixels, of ``source`` resized to ``size``.

    The source may already be reduced by a whole factor (a box filter, cheap); BICUBIC makes
    the last step, of under 2x. Why not LANCZOS: BICUBIC costs a quarter less, and against
    LANCZOS from the full-size decode it scores 43-47 dB PSNR where LANCZOS scores 43-50 (bench
    sources), both far above the ~35 dB a q85 JPEG encode leaves; once encoded the two are
    within 0.15 dB. The crop need not fall on the reduced pixel grid: the box may be fractional.
    """
    x, y = source.origin
    scale = source.factor
    left, top = (crop[0] - x) / scale, (crop[1] - y) / scale
    right, bottom = (crop[2] - x) / scale, (crop[3] - y) / scale
    if (right - left, bottom - top) == size and left.is_integer() and top.is_integer():
        whole = (int(left), int(top), int(right), int(bottom))
        if source.pieces:
            return _reduce_in_pieces(source.image, source.prepare, whole, 1)
        return source.image.crop(whole)
    box = (left, top, right, bottom)
    if source.pieces:
        return _resize_in_pieces(source.image, source.prepare, box, size)
    return source.image.resize(size, Image.Resampling.BICUBIC, box=box)


def _colour(preset: Preset) -> tuple[int, ...]:
    try:
        return ImageColor.getrgb(preset.padding)[:3]
    except ValueError:
        raise RenderError(f"preset {preset.name!r}: bad padding {preset.padding!r}") from None


def load_font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """The TrueType/OpenType font at ``path``; ValueError if it is not one."""
    try:
        return ImageFont.truetype(str(path), size)
    except OSError as error:
        raise ValueError(f"{path} is not a font Pillow can read: {error}") from None


def font_identity(path: Path) -> str:
    """Name and digest of a font file: a variant key changes when the font does, even when the
    file is replaced in place."""
    stat = path.stat()
    return _font_digest(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _font_digest(path: Path, _mtime_ns: int, _size: int) -> str:
    return f"{path.name}:{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}"


def missing_glyphs(font: ImageFont.FreeTypeFont, text: str) -> str:
    """The characters of ``text`` (each once) that ``font`` would draw as its missing-glyph box."""

    def drawn(char: str) -> tuple[tuple[int, int], bytes]:
        mask = font.getmask(char)
        return mask.size, bytes(mask)

    box = drawn(_SURELY_MISSING)
    # Spaces, controls and format characters draw nothing whether the font has them or not;
    # private-use and (to this Python) unassigned characters are checked like any other.
    invisible = ("Zs", "Zl", "Zp", "Cc", "Cf")
    shown = (char for char in dict.fromkeys(text) if unicodedata.category(char) not in invisible)
    return "".join(char for char in shown if drawn(char) == box)


def credit_font_size(width: int, height: int) -> int:
    """Font pixel size for an output: 2.6% of sqrt(w*h), at least MIN_FONT_PX + 2.

    400x400 gets 12 px, 1080x1080 28 px, 1200x630 23 px, 2000x1500 45 px.
    """
    return max(MIN_FONT_PX + 2, round(FONT_SCALE * math.sqrt(width * height)))


def _fit_text(
    text: str, size: int, room: int, font_path: Path
) -> tuple[list[str], ImageFont.FreeTypeFont]:
    """Lines and font for ``text`` within ``room`` px: shrink (to MIN_FONT_PX), then wrap."""
    font = load_font(font_path, size)
    if missing := missing_glyphs(font, text):
        raise RenderError(
            f"the credit font {font_path.name} cannot draw {missing!r} of the credit line; "
            "set VITRINE_CREDIT_FONT to a font that can (such as Noto Sans CJK for Chinese "
            "and Japanese)"
        )
    length = font.getlength(text)
    if length > room:
        font = load_font(font_path, max(MIN_FONT_PX, math.floor(size * room / length * 0.98)))
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(trial) <= room:
            lines[-1] = trial
        else:
            lines.append(word)
    if any(font.getlength(line) > room for line in lines):
        raise RenderError(f"the credit line does not fit legibly in {room} px: {text!r}")
    return lines, font


def burn_in_credit(
    image: Image.Image, text: str, placement: str, font_path: Path = DEFAULT_CREDIT_FONT
) -> None:
    """Draw ``text`` in white on a dark box (corner) or full-width band, in place."""
    if not text.strip():
        raise RenderError("the credit line to burn in is empty")
    width, height = image.size
    size = credit_font_size(width, height)
    margin, pad = max(4, round(size * 0.6)), max(3, round(size * 0.4))
    room = width - 2 * pad - (0 if placement == "band" else 2 * margin)
    lines, font = _fit_text(" ".join(text.split()), size, room, font_path)
    block = "\n".join(lines)
    spacing = max(2, round(font.size * 0.25))
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    bbox = probe.multiline_textbbox((0, 0), block, font=font, spacing=spacing)
    left, top, right, bottom = (math.floor(bbox[0]), math.floor(bbox[1]), *map(math.ceil, bbox[2:]))
    box_w = width if placement == "band" else right - left + 2 * pad
    box_h = bottom - top + 2 * pad
    if box_h > height // 3:
        raise RenderError(f"the credit line needs {box_h} px of a {height} px high image")
    x0 = {"band": 0, "bottom-left": margin}.get(placement, width - margin - box_w)
    y0 = height - box_h - (0 if placement == "band" else margin)
    layer = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    if placement == "band":
        draw.rectangle((0, 0, box_w - 1, box_h - 1), fill=(0, 0, 0, BOX_ALPHA))
        text_x = (box_w - (right - left)) // 2
    else:
        draw.rounded_rectangle((0, 0, box_w - 1, box_h - 1), radius=pad, fill=(0, 0, 0, BOX_ALPHA))
        text_x = pad
    align = "center" if placement == "band" else "left"
    draw.multiline_text(
        (text_x - left, pad - top), block, font=font, fill=TEXT_RGBA, spacing=spacing, align=align
    )
    if image.mode == "RGBA":
        image.alpha_composite(layer, (x0, y0))
    else:
        image.paste(layer, (x0, y0), layer)


# ---------------------------------------------------------------- metadata and encoding


def _clean(text: str) -> str:
    """Text without the characters XML 1.0 forbids (and EXIF has no use for): C0 controls,
    lone surrogates, U+FFFE and U+FFFF. Joiners, variation selectors, emoji tags and
    direction marks are allowed in XML and kept, so the metadata reads as the user wrote it."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]", "", text).strip()


def exif_block(stamp: RightsStamp, *, orientation: bool = True) -> bytes:
    """EXIF with only the rights and Orientation 1 (pixels are already turned), UTF-8 text.

    ``orientation=False`` leaves the tag out, for AVIF: Pillow moves an Orientation tag into
    the irot/imir boxes and re-encodes the rest of the block as ASCII, turning "©" into "??".
    """
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = 1
    described = f"{stamp.title} ({stamp.object_number})" if stamp.object_number else stamp.title
    for tag, value in ((0x8298, stamp.credit_line), (0x013B, stamp.creator), (0x010E, described)):
        if _clean(value):
            # bytes, not str: Pillow would write "©" as "?" when encoding a str as ASCII.
            exif[tag] = _clean(value).encode("utf-8")
    return exif.tobytes()


def xmp_packet(stamp: RightsStamp) -> bytes:
    """An XMP packet with dc:rights/creator/title, photoshop:Credit, WebStatement and alt text."""

    def alt(tag: str, text: str) -> str:
        li = f'<rdf:li xml:lang="x-default">{escape(_clean(text))}</rdf:li>'
        return f"<{tag}><rdf:Alt>{li}</rdf:Alt></{tag}>" if _clean(text) else ""

    def simple(tag: str, text: str | None) -> str:
        return f"<{tag}>{escape(_clean(text))}</{tag}>" if text and _clean(text) else ""

    creator = _clean(stamp.creator)
    body = "".join(
        (
            alt("dc:rights", stamp.credit_line),
            f"<dc:creator><rdf:Seq><rdf:li>{escape(creator)}</rdf:li></rdf:Seq></dc:creator>"
            if creator
            else "",
            alt("dc:title", stamp.title),
            simple("dc:identifier", stamp.object_number),
            simple("photoshop:Credit", stamp.credit_line),
            simple("xmpRights:WebStatement", stamp.licence_uri),
            alt("Iptc4xmpCore:AltTextAccessibility", stamp.alt_text),
        )
    )
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Vitrine">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about=""'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"'
        ' xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/"'
        ' xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/">'
        f"{body}</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="r"?>'
    )
    return packet.encode("utf-8")


def _encode(image: Image.Image, preset: Preset, quality: int, exif: bytes, xmp: bytes) -> bytes:
    image.info = {}  # Pillow re-saves some info keys (JPEG comment) unless told otherwise
    params: dict[str, Any] = {"quality": quality, "exif": exif, "xmp": xmp, "icc_profile": SRGB_ICC}
    if preset.format == "jpeg":
        params |= {"optimize": True, "progressive": True}
    elif preset.format == "webp":
        params |= {"method": 4}
    with scratch_file() as file:
        try:
            image.save(file, preset.format.upper(), **params)
        except (OSError, ValueError) as error:  # e.g. XMP over the 64 KB a JPEG segment holds
            raise RenderError(f"preset {preset.name!r}: cannot encode: {error}") from None
        file.seek(0)
        return file.read()


def scratch_file() -> BinaryIO:
    """An anonymous file to encode into, in memory where the OS allows.

    Not a BytesIO: Pillow's JPEG encoder keeps the GIL while it writes to a Python object and
    releases it only when it writes to a file descriptor, so encodes on threads ran one at a
    time (measured: 0.77x for two threads to BytesIO, 1.5-1.8x to a file).
    """
    if hasattr(os, "memfd_create"):  # Linux
        return os.fdopen(os.memfd_create("vitrine-encode"), "w+b")
    return tempfile.TemporaryFile()


def _encode_within_budget(
    image: Image.Image, preset: Preset, exif: bytes, xmp: bytes
) -> tuple[bytes, int]:
    """(bytes, quality): the highest quality in [min_quality, quality] within max_bytes."""
    data = _encode(image, preset, preset.quality, exif, xmp)
    budget = preset.max_bytes
    if budget is None or len(data) <= budget:
        return data, preset.quality
    low = min(preset.min_quality, preset.quality)
    best = _encode(image, preset, low, exif, xmp)
    if len(best) > budget:
        raise RenderError(
            f"preset {preset.name!r}: {image.width}x{image.height} {preset.format} is "
            f"{len(best):,} bytes at the minimum quality {low}, over the {budget:,}-byte budget"
        )
    high = preset.quality - 1  # ``low`` fits, ``preset.quality`` does not
    while low < high:
        middle = (low + high + 1) // 2
        candidate = _encode(image, preset, middle, exif, xmp)
        if len(candidate) <= budget:
            low, best = middle, candidate
        else:
            high = middle - 1
    return best, low
